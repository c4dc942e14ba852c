"""Storage garbage collection: delete the stored bytes no row refers to any more, after a grace period.

Bytes are written before their row commits (app.documents.storage), so a rolled-back transaction, a refused batch
or a retention removal leaves unreferenced files. The grace period keeps what an open transaction has just
written: every `put` renews the file's time, even when the same bytes were stored long ago.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, union

from app.core.db import utcnow
from app.documents.models import Attachment, Document
from app.documents.storage import get_storage
from app.extensions import db

DEFAULT_GRACE = timedelta(hours=24)


def referenced() -> set[str]:
    """Every digest a row points at: attachments, their previews and searchable OCR copies, issued documents (not
    those removed at the end of their retention period, app.documents.retention)."""
    query = union(select(Attachment.content_hash), select(Attachment.preview_hash).where(
        Attachment.preview_hash.is_not(None)), select(Attachment.searchable_hash).where(
        Attachment.searchable_hash.is_not(None)), select(Document.content_hash).where(
        Document.content_hash.is_not(None), Document.status != "removed"))  # past retention: the hash only
    return set(db.session.scalars(query))


def collect(grace: timedelta = DEFAULT_GRACE, *, dry_run: bool = False, now: datetime | None = None) -> list[str]:
    """Delete (or with `dry_run` only list) the stored digests unreferenced and older than `grace`."""
    cutoff = (now or utcnow()) - grace
    store = get_storage()
    candidates = [digest for digest, written in store.keys() if written <= cutoff]
    if not candidates:
        return []
    keep = referenced()  # read after listing: a row committed meanwhile points at a file written before it
    garbage = [digest for digest in candidates if digest not in keep]
    if dry_run:
        return garbage
    return [digest for digest in garbage if store.delete(digest, written_before=cutoff)]  # not if put again since
