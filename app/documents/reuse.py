"""Once-only ("chỉ cung cấp một lần"): the applicant's earlier results and documents, offered again at intake.

The offers are the files of the applicant's earlier dossiers (same personal ID or tax code): the signed results
issued to them and the scans filed with them, one offer per content. Reusing one links the stored bytes to the
new dossier as an attachment recording where it came from (`reused_from_id` / `reused_document_id`); nothing is
copied, the storage is content-addressed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.core.errors import UploadRefusedError
from app.documents.models import Attachment, Document
from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db

#: a 12-digit personal ID, or a tax code (10 digits, a branch's 13 as 10-3)
NUMBER = re.compile(r"^(\d{12}|\d{10}(-\d{3})?)$")
MAX_DOSSIERS = 50  # the most recent earlier dossiers looked at
RESULT_STATUSES = (DossierStatus.RESULT_READY, DossierStatus.RETURNED)


@dataclass(frozen=True, eq=False)
class Offer:
    key: str  # "d<document id>" (a result) or "a<attachment id>" (an earlier scan): the checkbox value
    kind: str  # result / attachment
    title: str
    item: str | None  # the checklist item it stood for (a result: none)
    dossier_code: str
    at: datetime
    media_type: str
    pages: int
    source: Attachment | Document


def _earlier(number: str, exclude_dossier_id: int | None):
    query = select(Dossier.id).where(or_(Dossier.applicant_id_number == number, Dossier.submitter_id_number == number))
    if exclude_dossier_id is not None:
        query = query.where(Dossier.id != exclude_dossier_id)
    return query.order_by(Dossier.id.desc()).limit(MAX_DOSSIERS).scalar_subquery()


def offers(number: str | None, *, exclude_dossier_id: int | None = None) -> list[Offer]:
    """What the applicant with this personal ID / tax code already gave or received: results first, newest first,
    one offer per stored content."""
    number = (number or "").strip()
    if not NUMBER.match(number):
        return []
    earlier = _earlier(number, exclude_dossier_id)
    results = db.session.execute(
        select(Document, Dossier.code).join(Dossier, Dossier.id == Document.dossier_id)
        .where(Document.dossier_id.in_(earlier), Document.kind == "result", Document.copy_of_id.is_(None),
               Document.status == "ready", Dossier.status.in_(RESULT_STATUSES))
        .order_by(Document.id.desc())).all()
    scans = db.session.execute(
        select(Attachment, Dossier.code).join(Dossier, Dossier.id == Attachment.dossier_id)
        .where(Attachment.dossier_id.in_(earlier)).order_by(Attachment.id.desc())).all()
    found, seen = [], set()
    for document, code in results:
        if document.content_hash not in seen:
            seen.add(document.content_hash)
            number_text = (document.context or {}).get("result_number")
            title = f"{document.title} số {number_text}" if number_text else document.title
            found.append(Offer(f"d{document.id}", "result", title, None, code, document.rendered_at or
                               document.created_at, document.media_type, document.page_count or 1, document))
    for attachment, code in scans:
        if attachment.content_hash not in seen:
            seen.add(attachment.content_hash)
            found.append(Offer(f"a{attachment.id}", "attachment", attachment.checklist_item or
                               attachment.original_name, attachment.checklist_item, code, attachment.uploaded_at,
                               attachment.media_type, attachment.page_count, attachment))
    return found


def chosen(number: str | None, keys: list[str], *, exclude_dossier_id: int | None = None) -> list[Offer]:
    """The offers ticked; a key that is not one of this applicant's offers is refused (never linked)."""
    keys = list(dict.fromkeys(k for k in keys if k))
    if not keys:
        return []
    available = {o.key: o for o in offers(number, exclude_dossier_id=exclude_dossier_id)}
    unknown = [k for k in keys if k not in available]
    if unknown:
        raise UploadRefusedError("Giấy tờ chọn để dùng lại không thuộc các hồ sơ trước của người nộp.",
                                 "A document chosen for reuse is not one of the applicant's earlier documents.",
                                 details={"errors": {"reuse": unknown}})
    return [available[k] for k in keys]


def linked_row(offer: Offer, dossier: Dossier, *, stage: str, actor_id: int | None,
               items: dict[str, int]) -> Attachment:
    """The new dossier's attachment pointing at the same stored bytes as the offer (`items`: the dossier's
    checklist, name → required document id, so an earlier scan counts for the same item)."""
    source = offer.source
    row = Attachment(dossier_id=dossier.id, stage=stage, checklist_item=offer.item,
                     required_document_id=items.get(offer.item or ""), content_hash=source.content_hash,
                     media_type=source.media_type, uploaded_by_id=actor_id)
    if isinstance(source, Document):
        row.original_name, row.size, row.page_count = source.filename, source.size or 0, source.page_count or 1
        row.checklist_item, row.is_digitised, row.reused_document_id = offer.title[:500], False, source.id
    else:
        row.original_name, row.size, row.page_count = source.original_name, source.size, source.page_count
        row.preview_hash, row.is_digitised, row.text = source.preview_hash, source.is_digitised, source.text
        row.reused_from_id = source.id
    return row


def checklist(procedure) -> dict[str, int]:
    """Required document name → id in this procedure version."""
    return {d.name_vi: d.id for d in procedure.documents}


def intake_section(_procedure: object, id_number: str | None = None) -> dict:
    """Signal receiver (core.signals.intake_form_sections): the counter's intake form lists the offers."""
    return {"reuse_offers": offers(id_number)}
