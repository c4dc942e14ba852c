"""Retention: closed dossiers past their procedure's retention period go to the archive as bundles and lose
their personal data; the hash chain stays verifiable because each removed payload leaves its digest behind."""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.audit.export import write_bundle
from app.audit.models import ArchiveRecord
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.documents.retention import remove_documents
from app.dossiers.models import OPEN_STATUSES, Dossier
from app.extensions import db
from app.history.chain import redact_comment, redact_data, state_hash
from app.history.models import DossierEvent
from app.history.services import HistoryEvent, append_event
from app.workflow.models import ProcessInstance

logger = logging.getLogger(__name__)

REMOVED = "[Đã xóa theo thời hạn lưu trữ]"


@dataclass(frozen=True)
class DueDossier:
    dossier: Dossier
    retention_years: int
    due_since: datetime


def archive_dir(config: dict, instance_path: str) -> Path:
    """MOTCUA_ARCHIVE_DIR (config key or environment), else instance/archive."""
    return Path(config.get("MOTCUA_ARCHIVE_DIR") or os.environ.get("MOTCUA_ARCHIVE_DIR")
                or Path(instance_path) / "archive")


def retention_end(finished_at: datetime, years: int) -> datetime:
    """Same calendar day `years` later (28 Feb for a 29 Feb)."""
    try:
        return finished_at.replace(year=finished_at.year + years)
    except ValueError:
        return finished_at.replace(year=finished_at.year + years, day=28)


def list_due(now: datetime | None = None) -> list[DueDossier]:
    """Closed, not yet archived dossiers whose retention period has ended."""
    now = now or utcnow()
    archived = select(ArchiveRecord.dossier_id)
    query = (select(Dossier).join(Procedure).where(Dossier.status.not_in(OPEN_STATUSES),
                                                   Dossier.finished_at.is_not(None), Dossier.id.not_in(archived))
             .order_by(Dossier.finished_at))
    due = []
    for dossier in db.session.scalars(query):
        end = retention_end(dossier.finished_at, dossier.procedure.retention_years)
        if end <= now:
            due.append(DueDossier(dossier, dossier.procedure.retention_years, end))
    return due


def archive_dossier(dossier: Dossier, folder: Path, actor_name: str | None = None) -> ArchiveRecord:
    """Export the full bundle to `folder`, then strip personal data from the live rows."""
    path = write_bundle(dossier, folder)
    redacted = _redact_events(dossier)
    _redact_dossier(dossier)
    remove_documents(dossier)  # its scans and issued documents too (the bytes: app.documents.gc)
    record = ArchiveRecord(dossier_id=dossier.id, bundle_path=str(path), actor_name=actor_name,
                           bundle_sha256=hashlib.sha256(path.read_bytes()).hexdigest(), redacted_events=redacted)
    db.session.add(record)
    append_event(dossier, HistoryEvent("archived", actor=None, role=None, is_internal=True, comment=actor_name,
                                       data={"bundle_sha256": record.bundle_sha256, "redacted_events": redacted},
                                       state_hash=state_hash("{}")))
    db.session.flush()
    logger.info("Dossier %s archived to %s (%d events redacted)", dossier.code, path, redacted)
    return record


def _redact_events(dossier: Dossier) -> int:
    count = 0
    for event in db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)):
        event.data = redact_data(event.data or {})
        if event.comment is not None:
            event.comment = redact_comment(event.comment)
        count += 1
    return count


def _redact_dossier(dossier: Dossier) -> None:
    dossier.applicant_name = REMOVED
    dossier.applicant_id_number = dossier.applicant_phone = dossier.applicant_email = None
    dossier.applicant_address = dossier.representative_name = dossier.rating_comment = None
    dossier.form_data = {}
    dossier.documents = [{k: v for k, v in d.items() if k != "note"} for d in dossier.documents or []]
    dossier.search_text = dossier.code.lower()
    instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier.id))
    if instance is not None:  # the finished engine state holds the same form data; the bundle keeps it
        instance.state_json = "{}"


def archive_due(folder: Path, *, dry_run: bool = False, actor_name: str | None = None,
                now: datetime | None = None) -> list[DueDossier]:
    """Archive every due dossier (or only list them with `dry_run`)."""
    due = list_due(now)
    if not dry_run:
        for item in due:
            archive_dossier(item.dossier, folder, actor_name)
    return due
