"""Bulk migration of running dossiers to another model version: selection, dry run, batches, per-dossier moves.

A batch is processed in chunks (the web page polls, the CLI loops); each dossier moves inside its own
savepoint, so one failure never undoes the others, and an item leaves `pending` exactly once, so an
interrupted batch simply resumes. Dossiers already on the target version are skipped.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.auth.models import User
from app.core.crashpoints import crash_point
from app.core.db import begin_savepoint, utcnow
from app.core.errors import AppError, NotFoundError, ValidationError
from app.designer.models import MigrationBatch, MigrationItem
from app.dossiers.models import OPEN_STATUSES, Dossier
from app.dossiers.pipeline import MigrationBlockedError, Step, perform
from app.extensions import db
from app.history.services import HistoryEvent
from app.workflow import services as workflow
from app.workflow.models import ProcessInstance, ProcessVersion

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DossierFilter:
    """Which running dossiers to move: by model, source version, current step kind and current agency."""

    process_key: str
    from_version_id: int | None = None
    step_kind: str | None = None
    agency_id: int | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class DryRunReport:
    """How many selected dossiers can move, and which cannot and why."""

    total: int = 0
    checked: int = 0
    movable: list[str] = field(default_factory=list)
    blocked: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """Blocking reasons with the number of dossiers each one stops, most frequent first."""
        return Counter(reason for _, reasons in self.blocked for reason in reasons).most_common()


def ensure_can_migrate(actor: User | None, agency_id: int | None) -> None:
    """Bulk moves act on agencies' dossiers: a designer scoped to a subtree must pick an agency inside it."""
    from app.auth.models import Agency
    from app.core.permissions import ensure_covers

    if actor is not None:
        ensure_covers(actor, "designer", db.session.get(Agency, agency_id) if agency_id else None)


def _selection(criteria: DossierFilter, target: ProcessVersion):
    query = (select(Dossier, ProcessInstance).join(ProcessInstance, ProcessInstance.dossier_id == Dossier.id)
             .join(ProcessVersion, ProcessVersion.id == Dossier.process_version_id)
             .where(ProcessVersion.process_key == criteria.process_key, Dossier.status.in_(OPEN_STATUSES),
                    ProcessInstance.is_completed.is_(False), Dossier.process_version_id != target.id))
    if criteria.from_version_id:
        query = query.where(Dossier.process_version_id == criteria.from_version_id)
    if criteria.step_kind:
        query = query.where(Dossier.current_step_kind == criteria.step_kind)
    if criteria.agency_id:
        query = query.where(Dossier.current_agency_id == criteria.agency_id)
    return query.order_by(Dossier.id)


def count_selection(criteria: DossierFilter, target: ProcessVersion) -> int:
    return db.session.scalar(select(func.count()).select_from(_selection(criteria, target).subquery())) or 0


def dry_run(criteria: DossierFilter, target: ProcessVersion, limit: int | None = None) -> DryRunReport:
    """Ask the engine, dossier by dossier, whether the move would work; nothing is changed."""
    report = DryRunReport(total=count_selection(criteria, target))
    query = _selection(criteria, target).limit(limit) if limit else _selection(criteria, target)
    for dossier, instance in db.session.execute(query).all():
        outcome = workflow.migrate_instance(instance, target, dry_run=True)
        report.checked += 1
        if outcome.can_migrate:
            report.movable.append(dossier.code)
        else:
            report.blocked.append((dossier.code, outcome.reasons))
    return report


# --- one dossier ----------------------------------------------------------------------------

def migrate_dossier(actor: User | None, dossier: Dossier, target: ProcessVersion,
                    batch_id: int | None = None) -> tuple[str, str | None]:
    """Move one dossier (engine state, version pointers, task rows, timers, history event); return (status, reason)."""
    if dossier.process_version_id == target.id:
        return "skipped", "already on the target version"
    instance = workflow.get_instance(dossier.id)
    if not dossier.is_open or instance.is_completed:
        return "skipped", "dossier is finished"
    source = db.session.get(ProcessVersion, dossier.process_version_id)
    step = Step("migrate", dossier, actor, version=target,
                event=HistoryEvent("", from_step=dossier.current_step, is_internal=True,
                                   comment=f"v{source.number} → v{target.number}",
                                   data={"process_key": target.process_key, "from_version": source.number,
                                         "to_version": target.number, "from_hash": source.content_hash,
                                         "to_hash": target.content_hash, "batch": batch_id}))

    def repoint(result) -> None:
        _carry_tasks_over(dossier.id, result.ready_tasks, step.event.data["mapped"])
        dossier.process_version_id = target.id

    step.apply = repoint
    try:
        perform(step)
    except MigrationBlockedError as blocked:
        return "blocked", "; ".join(blocked.reasons)
    return "migrated", None


def _carry_tasks_over(dossier_id: int, ready: list, mapped: dict[str, str]) -> None:
    """Re-point open task rows at the re-predicted engine tasks so claims and deadlines survive the move."""
    free = {view.id: view for view in ready}
    for task in workflow.open_tasks(dossier_id):
        if free.pop(task.engine_task_id, None) is not None:
            continue
        wanted = mapped.get(task.bpmn_id, task.bpmn_id)
        view = next((v for v in free.values() if v.bpmn_id == wanted), None)
        if view is None:
            continue
        free.pop(view.id)
        if view.role != task.role:
            task.assignee_id, task.claimed_at, task.status = None, None, "open"
        task.engine_task_id, task.bpmn_id, task.name, task.role = view.id, view.bpmn_id, view.name, view.role
        task.step_kind, task.form_key, task.duration_days = view.step_kind, view.form_key, view.duration_days


# --- batches --------------------------------------------------------------------------------

def create_batch(actor: User | None, criteria: DossierFilter, target: ProcessVersion,
                 comment: str | None = None) -> MigrationBatch:
    """Freeze the current selection into a batch of pending items (processed later in chunks)."""
    ensure_can_migrate(actor, criteria.agency_id)
    if target.status != "published":
        raise ValidationError("Chỉ chuyển hồ sơ sang phiên bản đã triển khai.",
                              "Dossiers can only move to a published version.")
    if target.process_key != criteria.process_key:
        raise ValidationError("Phiên bản đích thuộc quy trình khác.", "The target version belongs to another process.")
    batch = MigrationBatch(process_key=criteria.process_key, to_version_id=target.id, filters=criteria.as_dict(),
                           status="running", comment=comment, created_by_id=getattr(actor, "id", None))
    db.session.add(batch)
    db.session.flush()
    for dossier, _instance in db.session.execute(_selection(criteria, target)).all():
        db.session.add(MigrationItem(batch_id=batch.id, dossier_id=dossier.id,
                                     from_version_id=dossier.process_version_id))
    db.session.flush()
    return batch


def unfinished_batch(criteria: DossierFilter, target: ProcessVersion) -> MigrationBatch | None:
    """The latest batch with the same selection and target that did not finish (interrupted: resume it)."""
    batches = db.session.scalars(select(MigrationBatch).where(
        MigrationBatch.process_key == criteria.process_key, MigrationBatch.to_version_id == target.id,
        MigrationBatch.status == "running").order_by(MigrationBatch.id.desc()))
    return next((batch for batch in batches if (batch.filters or {}) == criteria.as_dict()), None)


def get_batch(batch_id: int) -> MigrationBatch:
    batch = db.session.get(MigrationBatch, batch_id)
    if batch is None:
        raise NotFoundError("Không tìm thấy đợt chuyển phiên bản.", "Migration batch not found.")
    return batch


def process_batch(actor: User | None, batch_id: int, limit: int = 20) -> int:
    """Move the next `limit` pending dossiers of a batch, each in its own savepoint; return how many."""
    batch = get_batch(batch_id)
    ensure_can_migrate(actor, (batch.filters or {}).get("agency_id"))
    items = list(db.session.scalars(select(MigrationItem).where(
        MigrationItem.batch_id == batch.id, MigrationItem.status == "pending").order_by(MigrationItem.id).limit(limit)))
    for item in items:
        item.status, item.reason = _move_in_savepoint(actor, item, batch)
        item.processed_at = utcnow()
    if len(items) < limit and batch.status != "done":
        batch.status, batch.finished_at = "done", utcnow()
    db.session.flush()
    return len(items)


def _move_in_savepoint(actor: User | None, item: MigrationItem, batch: MigrationBatch) -> tuple[str, str | None]:
    savepoint = begin_savepoint()  # on SQLite too: a kill before the chunk commits must undo every move
    try:
        dossier = db.session.get(Dossier, item.dossier_id)
        status, reason = migrate_dossier(actor, dossier, batch.to_version, batch_id=batch.id)
    except AppError as error:
        savepoint.rollback()
        return "failed", error.message_vi
    except Exception as error:  # noqa: BLE001 - one broken dossier must not stop the batch; it is logged
        savepoint.rollback()
        logger.exception("Migration of dossier %s in batch %s failed", item.dossier_id, batch.id)
        return "failed", f"{type(error).__name__}: {error}"
    if status == "migrated":
        savepoint.commit()
        crash_point("migration_item")  # tests only (MOTCUA_TEST_CRASH_FILE): killed mid-chunk, the batch resumes
    else:
        savepoint.rollback()
    return status, reason


def batch_progress(batch_id: int) -> dict[str, int]:
    """Item counts per status (one grouped query) plus the total."""
    rows = db.session.execute(select(MigrationItem.status, func.count()).where(MigrationItem.batch_id == batch_id)
                              .group_by(MigrationItem.status)).all()
    counts = {status: 0 for status in ("pending", "migrated", "skipped", "blocked", "failed")} | dict(rows)
    counts["total"] = sum(count for status, count in rows)
    return counts


def batch_items(batch_id: int) -> list[tuple[MigrationItem, Dossier]]:
    query = (select(MigrationItem, Dossier).join(Dossier, Dossier.id == MigrationItem.dossier_id)
             .where(MigrationItem.batch_id == batch_id).order_by(MigrationItem.id))
    return [(item, dossier) for item, dossier in db.session.execute(query).all()]


def list_batches(limit: int = 20) -> list[MigrationBatch]:
    return list(db.session.scalars(select(MigrationBatch).order_by(MigrationBatch.id.desc()).limit(limit)))
