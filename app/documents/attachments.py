"""Scanned attachments: checked by content, stored by hash with a preview, recorded as one history event.

Attaching is the declared action `attach_documents` (app.dossiers.actions): the event carries each file's hash,
so the dossier's hash chain covers what was scanned and when.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.auth.models import User
from app.core.db import flush
from app.core.errors import NotFoundError
from app.documents.models import Attachment
from app.documents.storage import get_storage
from app.documents.uploads import CheckedFile, check_upload, preview_png
from app.dossiers.models import Dossier
from app.dossiers.pipeline import Step, perform
from app.dossiers.services import get_dossier_for
from app.extensions import db
from app.history.models import DossierEvent
from app.history.services import HistoryEvent

STAGES = ("intake", "supplement", "step", "online")


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    item: str | None = None  # the checklist item (required document) it stands for
    required_document_id: int | None = None


def check_all(uploads: list[Upload]) -> list[tuple[Upload, CheckedFile]]:
    """Check every file before anything is written (one bad file refuses the batch, naming it)."""
    config = current_app.config
    return [(u, check_upload(u.data, u.name[:255], max_bytes=config["UPLOAD_MAX_BYTES"],
                             max_pages=config["UPLOAD_MAX_PAGES"])) for u in uploads]


def attach(actor: User | None, dossier: Dossier, uploads: list[Upload], *, stage: str,
           reuse: list | None = None) -> list[Attachment]:
    """Store the files and their previews, link the reused ones (app.documents.reuse offers), add the rows and
    the `documents_attached` event (one transaction)."""
    from app.documents.reuse import checklist, linked_row

    if stage not in STAGES:
        raise ValueError(stage)
    uploads = [u for u in uploads if u.data or u.name]
    if not uploads and not reuse:
        return []
    checked = check_all(uploads)
    store = get_storage()
    rows = []
    for upload, file in checked:
        digest = store.put(file.data)
        rows.append(Attachment(dossier_id=dossier.id, stage=stage, checklist_item=upload.item,
                               required_document_id=upload.required_document_id, original_name=upload.name[:255],
                               content_hash=digest, media_type=file.media_type, size=len(file.data),
                               page_count=file.page_count, preview_hash=store.put(preview_png(file)),
                               uploaded_by_id=getattr(actor, "id", None)))
    items = checklist(dossier.procedure) if reuse else {}
    linked = [linked_row(offer, dossier, stage=stage, actor_id=getattr(actor, "id", None), items=items)
              for offer in reuse or []]
    data = {"stage": stage, "files": [{"name": r.original_name, "sha256": r.content_hash, "type": r.media_type,
                                       "pages": r.page_count, "item": r.checklist_item} for r in rows]}
    if linked:  # once-only: which earlier document each link stands for (the Decision 766 reuse indicator)
        data["reused"] = [{"key": o.key, "kind": o.kind, "dossier": o.dossier_code, "sha256": r.content_hash,
                           "item": r.checklist_item} for o, r in zip(reuse, linked, strict=True)]
    step = Step("attach_documents", dossier, actor,
                event=HistoryEvent("", agency_id=dossier.current_agency_id or dossier.receiving_agency_id,
                                   data=data, is_internal=True))  # file names may name people
    perform(step)
    event = db.session.scalar(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                         DossierEvent.seq == dossier.event_seq))
    rows += linked
    for row in rows:
        row.event_id, row.event_year = event.id, event.dossier_year
    db.session.add_all(rows)
    flush()
    return rows


def list_attachments(dossier_id: int) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier_id)
                                   .order_by(Attachment.id)))


def get_attachment_for(actor: User, code: str, attachment_id: int) -> Attachment:
    dossier = get_dossier_for(actor, code)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.dossier_id != dossier.id:
        raise NotFoundError("Không tìm thấy tệp đính kèm.", "Attachment not found.")
    return attachment


def preview_of(attachment: Attachment) -> bytes:
    """The preview PNG; files carried over from the old online upload store get theirs made on first view."""
    store = get_storage()
    if attachment.preview_hash is None:
        data = store.get(attachment.content_hash)
        attachment.preview_hash = store.put(preview_png(CheckedFile(data, attachment.media_type,
                                                                    attachment.page_count)))
    return store.get(attachment.preview_hash)


def on_files_submitted(dossier: Dossier, actor: User | None = None, uploads: list | None = None,
                       stage: str = "intake", reuse: list[str] | None = None) -> None:
    """Signal receiver (core.signals.files_submitted): the counter's and the supplement's scans, and the earlier
    documents of the applicant the receiver ticked for reuse (offer keys, checked against the applicant)."""
    from app.documents.reuse import chosen

    offers = chosen(dossier.applicant_id_number, list(reuse or []), exclude_dossier_id=dossier.id)
    attach(actor, dossier, list(uploads or []), stage=stage, reuse=offers)


OCR_BATCH = 10


def ocr_pending(limit: int = OCR_BATCH) -> int:
    """Give the next scans their searchable PDF and its text (the scheduler's job); the scan itself stays as
    uploaded (its hash is in the history chain). Nothing happens without tesseract."""
    from app.documents import ocr

    if not ocr.available():
        return 0
    rows = list(db.session.scalars(select(Attachment).where(Attachment.text.is_(None)).order_by(Attachment.id)
                                   .limit(limit).with_for_update(skip_locked=True)))
    store = get_storage()
    for row in rows:
        try:
            pdf, text = ocr.searchable_pdf(store.get(row.content_hash), row.media_type)
            row.searchable_hash, row.text = store.put(pdf), text[:200_000]
        except (ocr.OcrUnavailableError, OSError, ValueError) as error:
            row.text = ""  # not retried: the scan stays viewable, only unsearchable
            current_app.logger.warning("OCR of attachment %s failed: %s", row.id, error)
    return len(rows)
