"""Human-task and timer projections of the engine state: the rows the inboxes and the scheduler query."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.workflow.models import OPEN_TASK_STATUSES, DueTimer, HumanTask, ProcessInstance, TaskStatus

# --- human task projection ------------------------------------------------------------------

@dataclass(frozen=True)
class Placement:
    """Where a new human task goes: agency and step deadline, decided by the dossier feature."""

    agency_id: int | None
    due_at: datetime | None
    assignee_id: int | None = None  # handed to this official directly (claimed), not to the agency's queue


def open_tasks(dossier_id: int) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(
        HumanTask.dossier_id == dossier_id, HumanTask.status.in_(OPEN_TASK_STATUSES)).order_by(HumanTask.id)))


@dataclass
class TaskChanges:
    """What one engine step did to the dossier's human tasks: open now, newly opened, closed, and the opened ones
    the engine reports as reopened (their element was completed before). Listeners of the history event read it
    instead of querying the tasks again."""

    open: list[HumanTask]
    opened: list[HumanTask]
    closed: list[HumanTask]
    reopened: list[HumanTask]


def sync_tasks(dossier_id: int, ready: list[Any], place: Callable[[Any], Placement], *,
               existing: list[HumanTask] | None = None, completed_task_id: str | None = None,
               actor_id: int | None = None, classify: Callable[[HumanTask], str | None] | None = None,
               hours: Callable[[HumanTask], float] | None = None, year: int) -> TaskChanges:
    """Make the human_tasks rows match the engine's ready tasks.

    `existing` are the dossier's open task rows when the caller loaded them already (the pipeline's task
    context); they are queried otherwise. `classify` times a completed task, `hours` gives a closed task's working
    time (both from the dossier's calendar, which this layer does not know). `year` is the dossier's partition
    year (app.audit.partitions), written on the new rows.
    """
    now = utcnow()
    ready_by_id = {view.id: view for view in ready}
    kept, closed = [], []
    for task in (open_tasks(dossier_id) if existing is None else [t for t in existing if t.is_open]):
        if task.engine_task_id in ready_by_id:
            ready_by_id.pop(task.engine_task_id)
            kept.append(task)
            continue
        done = task.engine_task_id == completed_task_id
        task.status = TaskStatus.COMPLETED if done else TaskStatus.CANCELLED
        task.completed_at = now
        task.completed_by_id = actor_id if done else None
        task.timing = classify(task) if (done and classify) else None
        task.working_hours = hours(task) if hours else None
        closed.append(task)
    views = list(ready_by_id.values())
    created = [_new_task(dossier_id, year, view, place(view), now) for view in views]  # ids come with the step's flush
    reopened = [task for task, view in zip(created, views, strict=True) if getattr(view, "reopened", False)]
    return TaskChanges(kept + created, created, closed, reopened)


def _new_task(dossier_id: int, year: int, view: Any, placement: Placement, now: datetime) -> HumanTask:
    task = HumanTask(dossier_id=dossier_id, dossier_year=year, engine_task_id=view.id, bpmn_id=view.bpmn_id,
                     name=view.name,
                     step_kind=view.step_kind, role=view.role, agency_id=placement.agency_id,
                     form_key=view.form_key, duration_days=view.duration_days, created_at=now, due_at=placement.due_at,
                     status=TaskStatus.CLAIMED if placement.assignee_id else TaskStatus.OPEN,
                     assignee_id=placement.assignee_id, claimed_at=now if placement.assignee_id else None)
    db.session.add(task)
    return task


# --- timers ---------------------------------------------------------------------------------

def sync_timers(dossier_id: int, timers: list[Any], model_has_timers: bool = True,
                existing_rows: list[DueTimer] | None = None) -> None:
    """Mirror the instance's pending timers into due_timers (the scheduler's work list).

    `existing_rows` are the dossier's due_timers rows when the caller loaded them already (the scheduler's batch);
    they are queried otherwise."""
    if not timers and not model_has_timers:
        return  # a model without timers can never have rows to update or delete
    rows = existing_rows if existing_rows is not None else db.session.scalars(
        select(DueTimer).where(DueTimer.dossier_id == dossier_id))
    existing = {row.engine_task_id: row for row in rows}
    for timer in timers:
        row = existing.pop(timer.task_id, None)
        if row is None:
            db.session.add(DueTimer(dossier_id=dossier_id, engine_task_id=timer.task_id, bpmn_id=timer.bpmn_id,
                                    due_at=timer.due_at))
        else:
            row.due_at = timer.due_at
    for row in existing.values():
        db.session.delete(row)


@dataclass
class TimerBatch:
    """What firing a claimed batch needs, loaded in three statements for the whole batch (not three a dossier):
    each dossier's engine instance, open tasks and due_timers rows."""

    instances: dict[int, ProcessInstance]
    tasks: dict[int, list[HumanTask]]
    timers: dict[int, list[DueTimer]]


def load_timer_batch(dossier_ids: list[int]) -> TimerBatch:
    tasks: dict[int, list[HumanTask]] = {i: [] for i in dossier_ids}
    timers: dict[int, list[DueTimer]] = {i: [] for i in dossier_ids}
    instances = {row.dossier_id: row for row in db.session.scalars(
        select(ProcessInstance).where(ProcessInstance.dossier_id.in_(dossier_ids)))}
    for task in db.session.scalars(select(HumanTask).where(
            HumanTask.dossier_id.in_(dossier_ids), HumanTask.status.in_(OPEN_TASK_STATUSES)).order_by(HumanTask.id)):
        tasks[task.dossier_id].append(task)
    for timer in db.session.scalars(select(DueTimer).where(DueTimer.dossier_id.in_(dossier_ids))):
        timers[timer.dossier_id].append(timer)
    return TimerBatch(instances, tasks, timers)


def dossiers_with_due_timers(now: datetime, limit: int = 200) -> list[int]:
    """Claim up to `limit` due timers (oldest first) and return their dossiers' ids.

    The rows stay locked until the caller's transaction ends (`FOR UPDATE SKIP LOCKED` on PostgreSQL): a second
    scheduler (a handover) claims other timers instead of firing the same ones; SQLite serialises writers anyway.
    The lock is the claim: it costs no write (a claim column would add one per timer to the delete that firing
    does anyway), and the (due_at, id) index lets the query read the first `limit` rows and stop.
    """
    query = (select(DueTimer.dossier_id).where(DueTimer.due_at <= now).order_by(DueTimer.due_at, DueTimer.id)
             .limit(limit).with_for_update(skip_locked=True))
    return list(dict.fromkeys(db.session.scalars(query)))
