"""Issue, render, reprint and find the documents of a dossier.

A slip is issued in the transaction of the history event that calls for it (a `Document` row holding the
snapshot of what it says); the PDF is rendered from that snapshot by the scheduler's job or by the first
download, whichever comes first, and never again: the stored bytes and their hash are the document.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import NotFoundError
from app.documents import render, slips
from app.documents.models import Document
from app.documents.storage import get_storage
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.services import get_dossier_for
from app.extensions import db

logger = logging.getLogger(__name__)

RENDER_BATCH = 20
MAX_ATTEMPTS = 5


def new_token() -> str:
    return secrets.token_urlsafe(16)


def issue(dossier: Dossier, kind: str, context: dict[str, Any], *, event: Any = None,
          actor: User | None = None) -> Document:
    """Add the document row (pending) in the caller's transaction."""
    document = Document(dossier_id=dossier.id, event=event, kind=kind, title=context["title"],
                        form_number=context.get("form_number"), form_set=context.get("form_set"),
                        context=context, verify_token=new_token(), status="pending",
                        created_by_id=getattr(actor, "id", None))
    db.session.add(document)
    return document


def on_event_recorded(dossier: Dossier, event: Any, **_signal: Any) -> None:
    """Signal receiver: the slip an event issues is recorded with it, in the same transaction."""
    kind = slips.slip_for_event(dossier, event)
    if kind is not None:
        issue(dossier, kind, slips.event_context(dossier, kind, event), event=event)
    if _finishes(dossier):
        issue(dossier, "control", slips.base_context(dossier, "control", event.at, event.actor_name), event=event)


def _finishes(dossier: Dossier) -> bool:
    """This event ended the handling: `finished_at` was set in this unit of work (not loaded with it), and no
    control slip is pending yet (an action may record several events at one instant). A dossier refused at online
    receipt was never received, so nothing was handled to control."""
    if dossier.finished_at is None or dossier.outcome == "not_received":
        return False
    if not inspect(dossier).attrs.finished_at.history.added:
        return False
    return not any(isinstance(row, Document) and row.kind == "control" and row.dossier_id == dossier.id
                   for row in db.session.new)


def _pdf(document: Document) -> bytes:
    context = dict(document.context)
    if document.kind == "control" and "rows" not in context:  # the steps are final once the dossier ended
        context["rows"] = slips.control_rows(document.dossier_id)
        document.context = context
    copy = None
    if document.copy_of_id is not None:
        copy = {"number": document.copy_number, "printed_at": document.created_at.isoformat()}
    html = render.slip_html(document.kind, context, token=document.verify_token, copy=copy)
    pdf = render.html_to_pdf(html)
    if document.kind == "result":  # the electronic result: signed by the issuing agency (PAdES)
        from app.documents.signing import sign_pdf

        pdf, document.signer = sign_pdf(pdf, context.get("issuing_agency_code") or context["agency_code"],
                                        context.get("issuing_agency"))
        document.is_signed = True
    return pdf


def render_document(document: Document) -> Document:
    """Render a pending document to PDF and store it (a failure is recorded; the job retries it)."""
    if document.is_ready or document.status == "removed":  # removed: past retention, never made again
        return document
    try:
        pdf = _pdf(document)
    except Exception as error:  # noqa: BLE001 - a broken template or key must not block the other documents
        document.attempts += 1
        document.last_error = f"{type(error).__name__}: {error}"[:1000]
        document.status = "failed" if document.attempts >= MAX_ATTEMPTS else "pending"
        logger.exception("Document %s (%s) not rendered", document.id, document.kind)
        return document
    document.content_hash = get_storage().put(pdf)
    document.size, document.page_count = len(pdf), render.page_count(pdf)
    document.status, document.rendered_at, document.last_error = "ready", utcnow(), None
    document.attempts += 1
    return document


def render_pending(limit: int = RENDER_BATCH) -> int:
    """Render a batch of pending documents (the scheduler's job); rows another worker holds are skipped."""
    rows = list(db.session.scalars(select(Document).where(Document.status == "pending").order_by(Document.id)
                                   .limit(limit).with_for_update(skip_locked=True)))
    for document in rows:
        render_document(document)
    return len(rows)


def ensure_rendered(document_id: int) -> Document:
    """The document with its PDF: rendered now if the job has not got to it yet (row locked meanwhile)."""
    document = db.session.get(Document, document_id, with_for_update=True)
    if document is None:
        raise NotFoundError("Không tìm thấy văn bản.", "Document not found.")
    return render_document(document)


def document_bytes(document: Document) -> bytes:
    return get_storage().get(document.content_hash)


def list_documents(dossier_id: int) -> list[Document]:
    """The dossier's documents, in the order they were issued (reprints after their original)."""
    return list(db.session.scalars(select(Document).where(Document.dossier_id == dossier_id,
                                                          Document.status != "removed").order_by(Document.id)))


def get_document_for(actor: User, code: str, document_id: int) -> tuple[Dossier, Document]:
    """A document of a dossier `actor` may read (the dossier's own scoping: 404 otherwise)."""
    dossier = get_dossier_for(actor, code)
    document = db.session.get(Document, document_id)
    if document is None or document.dossier_id != dossier.id:
        raise NotFoundError("Không tìm thấy văn bản.", "Document not found.")
    if document.status == "removed":
        raise NotFoundError("Văn bản đã được hủy khi hết thời hạn lưu trữ.",
                            "The document was destroyed at the end of its retention period.")
    return dossier, document


def reprint(actor: User, code: str, document_id: int) -> Document:
    """A copy of an issued slip, marked as a copy with its number and time; the original stays as it was."""
    _dossier, original = get_document_for(actor, code, document_id)
    original = original.copy_of or original
    count = db.session.scalar(select(db.func.count()).select_from(Document).where(
        Document.copy_of_id == original.id)) or 0
    copy = Document(dossier_id=original.dossier_id, event_id=original.event_id, event_year=original.event_year,
                    kind=original.kind, title=original.title, form_number=original.form_number,
                    form_set=original.form_set,
                    context=original.context, verify_token=new_token(), copy_of_id=original.id,
                    copy_number=count + 1, created_by_id=actor.id, created_at=utcnow())
    db.session.add(copy)
    db.session.flush()
    return render_document(copy)


RESULT_STATUSES = (DossierStatus.RESULT_READY, DossierStatus.RETURNED)


def has_result(dossier: Dossier) -> bool:
    """Whether the applicant's pages offer the result download (no query before the result is issued)."""
    return dossier.status in RESULT_STATUSES and db.session.scalar(select(Document.id).where(
        Document.dossier_id == dossier.id, Document.kind == "result",
        Document.status.in_(("pending", "ready"))).limit(1)) is not None


def applicant_result(dossier: Dossier) -> Document | None:
    """The signed electronic result the applicant may download: the original (not a reprint), once the dossier's
    result is issued or returned; rendered now if the job has not got to it (the caller commits)."""
    if dossier.status not in RESULT_STATUSES:
        return None
    document = db.session.scalar(select(Document).where(
        Document.dossier_id == dossier.id, Document.kind == "result", Document.copy_of_id.is_(None),
        Document.status.in_(("pending", "ready"))).order_by(Document.id))
    if document is None:
        return None
    document = document if document.is_ready else ensure_rendered(document.id)
    return document if document.is_ready and document.is_signed else None


def find_by_token(token: str) -> Document | None:
    return db.session.scalar(select(Document).where(Document.verify_token == token)) if token else None


def find_by_hash(digest: str) -> Document | None:
    return db.session.scalar(select(Document).where(Document.content_hash == digest).order_by(Document.id))


def page_section(dossier: Dossier) -> dict:
    """The dossier page's list of issued documents (connected to core.signals.dossier_page_sections)."""
    from app.documents.attachments import list_attachments

    return {"issued_documents": list_documents(dossier.id), "attachments": list_attachments(dossier.id)}


@dataclass
class Verification:
    """What the public verification page says about an uploaded PDF."""

    digest: str
    document: Document | None  # the issued document with exactly these bytes, if any
    signatures: list

    @property
    def signed_ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def verdict(self) -> str:
        """valid: issued here and (if signed) every signature holds; signed: valid signature, not issued here;
        invalid: a signature fails (changed after signing, untrusted signer); unknown: neither."""
        if self.signatures and not self.signed_ok:
            return "invalid"
        if self.document is not None and (self.signed_ok or not self.document.is_signed):
            return "valid"
        return "signed" if self.signed_ok else "unknown"


def verify_pdf(data: bytes) -> Verification:
    """Check an uploaded PDF: its hash against the issued documents, its signatures against the trusted roots."""
    from app.documents.signing import check_signatures
    from app.documents.storage import digest_of

    digest = digest_of(data)
    signatures = check_signatures(data) if data.startswith(b"%PDF") else []
    return Verification(digest, find_by_hash(digest), signatures)
