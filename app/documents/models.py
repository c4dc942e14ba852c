"""Generated documents (slips, results) and uploaded attachments of a dossier; their bytes live in the storage,
addressed by their SHA-256 (app.documents.storage)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db
from app.history.models import DossierEvent


def _event_link(table: str) -> ForeignKeyConstraint:
    """The link to a history event names its partition too: a key to a partitioned table includes the partition
    key (app.audit.partitions)."""
    return ForeignKeyConstraint(["event_id", "event_year"], ["dossier_events.id", "dossier_events.dossier_year"],
                                name=f"fk_{table}_event_id_dossier_events")


class Document(db.Model):
    """A document the system issued for a dossier: a standard slip (Mẫu), the signed result, or a reprint of one.

    The row is written in the transaction of the history event that calls for it, with a snapshot of what the slip
    says (`context`); the PDF is rendered from that snapshot later (scheduler job, or the first download), so a
    re-run renders the same slip and a later change of the dossier never rewrites an issued one.
    """

    __tablename__ = "documents"
    __table_args__ = (_event_link("documents"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(index=True)
    event_year: Mapped[int | None] = mapped_column(SmallInteger)  # the event's partition (its dossier's year)
    kind: Mapped[str] = mapped_column(String(24))  # receipt / supplement / refusal / apology / stop / control / result
    title: Mapped[str] = mapped_column(String(255))
    form_number: Mapped[str | None] = mapped_column(String(8))  # Mẫu số, None where the circular has no such form
    form_set: Mapped[str | None] = mapped_column(String(32))  # the circular's form set (rules.FORM_SETS)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending / ready / failed / removed (retention)
    context: Mapped[dict] = mapped_column(JSON, default=dict)  # what the slip says, as of the event
    verify_token: Mapped[str] = mapped_column(String(32), unique=True)  # in the QR code: /xac-thuc/<token>
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # SHA-256 of the PDF once rendered
    media_type: Mapped[str] = mapped_column(String(64), default="application/pdf")
    size: Mapped[int | None]
    page_count: Mapped[int | None]
    is_signed: Mapped[bool] = mapped_column(default=False)
    signer: Mapped[str | None] = mapped_column(String(255))  # subject of the signing certificate
    copy_of_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)  # a reprint's original
    copy_number: Mapped[int] = mapped_column(default=0)  # 0: the original; n: the n-th reprint
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rendered_at: Mapped[datetime | None]

    event: Mapped[DossierEvent | None] = relationship()
    copy_of: Mapped[Document | None] = relationship(remote_side=[id])

    @property
    def is_ready(self) -> bool:
        return self.status == "ready" and self.content_hash is not None

    @property
    def filename(self) -> str:
        code = str(self.context.get("code", self.dossier_id))
        suffix = f"-ban-sao-{self.copy_number}" if self.copy_number else ""
        return f"{code}-{self.kind}{suffix}.pdf"


class Attachment(db.Model):
    """A scanned or uploaded file of a dossier (a checklist item at intake, a supplement, a step's document)."""

    __tablename__ = "attachments"
    __table_args__ = (_event_link("attachments"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(index=True)
    event_year: Mapped[int | None] = mapped_column(SmallInteger)  # the event's partition (its dossier's year)
    stage: Mapped[str] = mapped_column(String(16))  # intake / supplement / step / online
    checklist_item: Mapped[str | None] = mapped_column(String(500))  # the required document it stands for
    required_document_id: Mapped[int | None] = mapped_column(ForeignKey("required_documents.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(64))  # found in the content, never taken from the name
    size: Mapped[int]
    page_count: Mapped[int] = mapped_column(default=1)
    preview_hash: Mapped[str | None] = mapped_column(String(64))  # PNG of the first page / the image, scaled down
    is_digitised: Mapped[bool] = mapped_column(default=True)  # a scan of a paper document (Decision 766 index)
    text: Mapped[str | None] = mapped_column(Text)  # OCR text layer, when made
    searchable_hash: Mapped[str | None] = mapped_column(String(64))  # the scan as a PDF with that text layer
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Once-only: the same stored bytes linked again from an earlier dossier of the same applicant
    reused_from_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))  # an earlier attachment
    reused_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # an issued result
