"""Human-task and timer projections of the engine state: the rows the inboxes and the scheduler query."""
from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from app.core.db import utcnow
from app.extensions import db
from app.workflow.models import OPEN_TASK_STATUSES, DueTimer, HumanTask, TaskStatus

# --- human task projection ------------------------------------------------------------------

@dataclass(frozen=True)
class Placement:
    """Where a new human task goes: agency and step deadline, decided by the dossier feature."""

    agency_id: int | None
    due_at: datetime | None


def open_tasks(dossier_id: int) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(
        HumanTask.dossier_id == dossier_id, HumanTask.status.in_(OPEN_TASK_STATUSES)).order_by(HumanTask.id)))


def sync_tasks(dossier_id: int, ready: list[Any], place: Callable[[Any], Placement], *,
               completed_task_id: str | None = None, actor_id: int | None = None,
               classify: Callable[[HumanTask], str | None] | None = None) -> tuple[list[HumanTask], list[HumanTask]]:
    """Make the human_tasks rows match the engine's ready tasks; return (tasks open now, closed tasks)."""
    now = utcnow()
    ready_by_id = {view.id: view for view in ready}
    kept, closed = [], []
    for task in open_tasks(dossier_id):
        if task.engine_task_id in ready_by_id:
            ready_by_id.pop(task.engine_task_id)
            kept.append(task)
            continue
        done = task.engine_task_id == completed_task_id
        task.status = TaskStatus.COMPLETED if done else TaskStatus.CANCELLED
        task.completed_at = now
        task.completed_by_id = actor_id if done else None
        task.timing = classify(task) if (done and classify) else None
        closed.append(task)
    created = [_new_task(dossier_id, view, place(view), now) for view in ready_by_id.values()]
    if created:
        db.session.flush()  # callers act on the returned tasks by id
    return kept + created, closed


def _new_task(dossier_id: int, view: Any, placement: Placement, now: datetime) -> HumanTask:
    task = HumanTask(dossier_id=dossier_id, engine_task_id=view.id, bpmn_id=view.bpmn_id, name=view.name,
                     step_kind=view.step_kind, role=view.role, agency_id=placement.agency_id,
                     form_key=view.form_key, duration_days=view.duration_days, status=TaskStatus.OPEN, created_at=now,
                     due_at=placement.due_at)
    db.session.add(task)
    return task


# --- timers ---------------------------------------------------------------------------------

def sync_timers(dossier_id: int, timers: list[Any], model_has_timers: bool = True) -> None:
    """Mirror the instance's pending timers into due_timers (the scheduler's work list)."""
    if not timers and not model_has_timers:
        return  # a model without timers can never have rows to update or delete
    rows = db.session.scalars(select(DueTimer).where(DueTimer.dossier_id == dossier_id))
    existing = {row.engine_task_id: row for row in rows}
    for timer in timers:
        row = existing.pop(timer.task_id, None)
        if row is None:
            db.session.add(DueTimer(dossier_id=dossier_id, engine_task_id=timer.task_id, bpmn_id=timer.bpmn_id,
                                    due_at=timer.due_at))
        elif row.due_at != timer.due_at:  # rescheduled: any claim was for the old time
            row.due_at, row.claimed_by, row.claimed_until = timer.due_at, None, None
    for row in existing.values():
        db.session.delete(row)


CLAIM_LEASE = timedelta(minutes=2)


def claim_holder() -> str:
    """Who claims timers: this process (host:pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_due_timers(now: datetime, limit: int = 1000, holder: str | None = None,
                     lease: timedelta = CLAIM_LEASE) -> list[int]:
    """Claim up to `limit` due timers nobody holds (oldest first, in one statement) and return their dossiers' ids.

    One UPDATE over the first rows of the (due_at, id) index, `FOR UPDATE SKIP LOCKED` so two claimers (a
    handover) take different rows and a row an official's transaction holds is left for later. Commit it on its
    own to release the row locks at once: the claim itself keeps the timers for `lease`.
    """
    free = or_(DueTimer.claimed_until.is_(None), DueTimer.claimed_until < now)
    picked = (select(DueTimer.id).where(DueTimer.due_at <= now, free).order_by(DueTimer.due_at, DueTimer.id)
              .limit(limit).with_for_update(skip_locked=True))
    claimed = db.session.execute(
        update(DueTimer).where(DueTimer.id.in_(picked.scalar_subquery()))
        .values(claimed_by=holder or claim_holder(), claimed_until=now + lease)
        .returning(DueTimer.dossier_id, DueTimer.due_at, DueTimer.id)
        .execution_options(synchronize_session=False)).all()
    return list(dict.fromkeys(row.dossier_id for row in sorted(claimed, key=lambda row: (row.due_at, row.id))))


def release_claims(keep_holder: str) -> int:
    """Drop every other holder's claims (a scheduler that just became the only active one: the others are gone)."""
    return db.session.execute(update(DueTimer).where(DueTimer.claimed_by.is_not(None),
                                                     DueTimer.claimed_by != keep_holder)
                              .values(claimed_by=None, claimed_until=None)
                              .execution_options(synchronize_session=False)).rowcount


def dossiers_with_due_timers(now: datetime, limit: int = 200) -> list[int]:
    """Claim up to `limit` due timers for the caller's own transaction (fired in it, before it commits)."""
    return claim_due_timers(now, limit)
