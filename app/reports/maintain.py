"""Keeps each dossier's statistics classification (Dossier.stat_*) current in the transaction of the change.

A `before_flush` hook on every session classifies the new and changed dossiers by app.reports.semantics, so the
figures are SQL aggregates over indexed columns (fast at a million dossiers) and never disagree with the rule.
`reclassify_all` refills the columns after a rule change (a rule set's `finished_on`, a calendar correction).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session

from app.calendar.services import get_calendar
from app.dossiers.models import Dossier
from app.extensions import db
from app.reports import semantics
from app.reports.calendar_memo import memoised
from app.workflow.models import HumanTask


def _apply(dossier: Any, calendar_of) -> None:
    finished = semantics.finished_at(dossier)
    calendar = calendar_of() if finished is not None else None
    agency, finished, timing = semantics.classify(dossier, calendar) if calendar else (
        semantics.owner(dossier), None, None)
    if (dossier.stat_agency_id, dossier.stat_finished_at, dossier.stat_timing) != (agency, finished, timing):
        dossier.stat_agency_id, dossier.stat_finished_at, dossier.stat_timing = agency, finished, timing


def _before_flush(session: Session, _context, _instances) -> None:
    changed = [obj for obj in (*session.new, *session.dirty) if isinstance(obj, Dossier)]
    if not changed:
        return
    cache: list = []

    def calendar_of():
        if not cache:
            cache.append(get_calendar())
        return cache[0]

    for dossier in changed:
        _apply(dossier, calendar_of)


def install() -> None:
    """Attach the hook to every session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


def reclassify_all(batch: int = 5000) -> int:
    """Recompute the classification of every dossier; returns how many rows changed."""
    calendar, changed, last_id = get_calendar(), 0, 0
    while True:
        rows = db.session.execute(select(*semantics.COLUMNS, Dossier.stat_agency_id, Dossier.stat_finished_at,
                                         Dossier.stat_timing).where(Dossier.id > last_id)
                                  .order_by(Dossier.id).limit(batch)).all()
        if not rows:
            return changed
        updates = []
        for row in rows:
            agency, finished, timing = semantics.classify(row, calendar)
            if (row.stat_agency_id, row.stat_finished_at, row.stat_timing) != (agency, finished, timing):
                updates.append({"b_id": row.id, "b_agency": agency, "b_finished": finished, "b_timing": timing})
        if updates:
            db.session.execute(Dossier.__table__.update().where(Dossier.id == bindparam("b_id")).values(
                stat_agency_id=bindparam("b_agency"), stat_finished_at=bindparam("b_finished"),
                stat_timing=bindparam("b_timing")), updates)
        changed += len(updates)
        last_id = rows[-1].id


def backfill_hours(batch: int = 5000) -> int:
    """Store the working hours of the closed tasks that have none (closed before the column existed), by the
    receiving agency's calendar as the pipeline does when it closes a task. Returns the number of tasks filled."""
    calendars: dict[int | None, Any] = {}
    query = (select(HumanTask.id, HumanTask.created_at, HumanTask.completed_at, Dossier.receiving_agency_id)
             .join(Dossier, Dossier.id == HumanTask.dossier_id)
             .where(HumanTask.completed_at.is_not(None), HumanTask.working_hours.is_(None)))
    rows = db.session.execute(query).all()
    for start in range(0, len(rows), batch):
        values = []
        for task_id, created, closed, agency_id in rows[start:start + batch]:
            if agency_id not in calendars:
                calendars[agency_id] = memoised(get_calendar(agency_id))
            values.append({"task_id": task_id,
                           "hours": round(calendars[agency_id].working_hours_between(created, closed), 4)})
        table = HumanTask.__table__  # the table, not the ORM: no optimistic version bump for a derived figure
        db.session.execute(update(table).where(table.c.id == bindparam("task_id"))
                           .values(working_hours=bindparam("hours")), values)
    return len(rows)
