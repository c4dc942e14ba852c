"""Retention of a dossier's files: when the dossier is archived at the end of its procedure's retention period
(app.audit.retention decides when, one rule), its scans and issued documents go with its personal data.

Attachment rows are deleted; issued documents keep a row without personal data and the hash of their PDF, so a
copy the applicant kept still verifies on the public page (/xac-thuc), but the bytes are no longer served. The
bytes themselves are left to the garbage collection (app.documents.gc), which keeps whatever another dossier
still links to (once-only reuse).
"""
from __future__ import annotations

from sqlalchemy import delete, select, update

from app.documents.models import Attachment, Document
from app.dossiers.models import Dossier
from app.extensions import db

REMOVED = "removed"
KEPT_CONTEXT = ("code", "title", "form_number", "form_set", "agency", "agency_code", "issuing_agency",
                "issuing_agency_code", "result_number")  # what the verification page shows: no personal data


def remove_documents(dossier: Dossier) -> tuple[int, int]:
    """Delete the dossier's attachments and strip its issued documents; (attachments, documents) removed."""
    own = select(Attachment.id).where(Attachment.dossier_id == dossier.id).scalar_subquery()
    issued = select(Document.id).where(Document.dossier_id == dossier.id).scalar_subquery()
    # a later dossier that reused them keeps its own link to the bytes; only the pointer back goes
    db.session.execute(update(Attachment).where(Attachment.reused_from_id.in_(own)).values(reused_from_id=None))
    db.session.execute(update(Attachment).where(Attachment.reused_document_id.in_(issued))
                       .values(reused_document_id=None))
    attachments = db.session.execute(delete(Attachment).where(Attachment.dossier_id == dossier.id)).rowcount
    documents = 0
    for document in db.session.scalars(select(Document).where(Document.dossier_id == dossier.id,
                                                              Document.status != REMOVED)):
        document.context = {k: v for k, v in (document.context or {}).items() if k in KEPT_CONTEXT}
        document.status, document.last_error = REMOVED, None
        documents += 1
    db.session.flush()
    return attachments, documents
