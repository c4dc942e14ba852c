"""Dossier statistics over a period of local dates (inclusive), by the rules of app.reports.semantics.

Received counts use the receipt date, timing counts the finishing moment (semantics.finished_at), both against
the legal due date (an apology letter moves only the appointment). On-time rate = (early + on time) / finished.
Dossiers count for their handling agency; steps for the agency that did them; the receiving agency keeps its
counter figures (`counter_received`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from app.auth.models import Agency, User
from app.calendar.services import get_calendar
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError
from app.dossiers.listing import local_day_bounds, visibility_clause, visible_agency_ids
from app.dossiers.models import Dossier
from app.extensions import db
from app.reports import semantics
from app.reports.semantics import TIMINGS
from app.workflow.models import HumanTask, TaskStatus


@dataclass
class StatsFilter:
    start: date | None = None
    end: date | None = None
    agency: Agency | None = None  # the agency and its subtree (handling agency; steps: the acting agency)
    procedure: Procedure | None = None


@dataclass
class StepCounts:
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0


@dataclass
class Counts:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    overdue_open: int = 0
    paused: int = 0  # waiting for the applicant
    late_supplements: int = 0
    apologies: int = 0
    late_apologies: int = 0
    counter_received: int = 0  # received at this agency's counter (whoever handles them)
    steps: StepCounts = field(default_factory=StepCounts)

    @property
    def on_time_rate(self) -> float | None:
        return round((self.early + self.on_time) / self.finished, 4) if self.finished else None


@dataclass
class Stats:
    overall: Counts
    by_agency: dict[int, Counts]
    by_procedure: dict[int, Counts]


def _subtree(agency: Agency):
    return select(Agency.id).where(Agency.path.startswith(agency.path))


def _conditions(actor: User, flt: StatsFilter) -> tuple[list, set[int] | None]:
    agency_ids = visible_agency_ids(actor)
    if flt.agency is not None and agency_ids is not None and flt.agency.id not in agency_ids:
        raise PermissionDeniedError("Bạn không có quyền xem thống kê của đơn vị này.",
                                    "You may not see this agency's statistics.")
    conditions = [visibility_clause(agency_ids)]
    if flt.procedure is not None:
        conditions.append(Dossier.procedure_id.in_(select(Procedure.id).where(Procedure.code == flt.procedure.code)))
    return conditions, agency_ids


def _within(moment: datetime | None, low: datetime | None, high: datetime | None) -> bool:
    return moment is not None and (low is None or moment >= low) and (high is None or moment < high)


def dossier_stats(actor: User, flt: StatsFilter, now: datetime | None = None) -> Stats:
    """Counts over the dossiers `actor` may see, overall, per handling agency and per procedure."""
    now = now or utcnow()
    conditions, _visible = _conditions(actor, flt)
    low, high = local_day_bounds(flt.start, flt.end)
    owned = [Dossier.handling_agency_id.in_(_subtree(flt.agency))] if flt.agency is not None else []
    received = [Dossier.received_at < high] if high else []
    calendar = get_calendar()
    stats = Stats(Counts(), {}, {})
    for row in db.session.execute(select(*semantics.COLUMNS).where(*conditions, *owned, *received)):
        targets = _targets(stats, semantics.owner(row), row.procedure_id)
        _count_dossier(targets, row, calendar, low, high, now)
    _count_counter(stats, conditions, flt, low, high)
    _count_steps(stats, conditions, flt, low, high)
    return stats


def _targets(stats: Stats, agency_id: int, procedure_id: int) -> tuple[Counts, ...]:
    return (stats.overall, stats.by_agency.setdefault(agency_id, Counts()),
            stats.by_procedure.setdefault(procedure_id, Counts()))


def _count_dossier(targets: tuple[Counts, ...], row, calendar, low, high, now: datetime) -> None:
    in_period = _within(row.received_at, low, high)
    finished = semantics.finished_at(row)
    timing = semantics.timing(row, calendar) if _within(finished, low, high) else None
    open_now = high is None or row.received_at < high
    compliance = semantics.compliance(row)
    for counts in targets:
        if in_period:
            status = getattr(row.status, "value", row.status)
            counts.by_status[status] = counts.by_status.get(status, 0) + 1
            counts.total += 1
            counts.late_supplements += compliance.late_supplements
            counts.apologies += compliance.apologies
            counts.late_apologies += compliance.late_apologies
        if timing in TIMINGS:
            counts.finished += 1
            setattr(counts, timing, getattr(counts, timing) + 1)
        if open_now and semantics.is_overdue(row, now):
            counts.overdue_open += 1
        if open_now and semantics.is_paused(row):
            counts.paused += 1


def _count_counter(stats: Stats, conditions: list, flt: StatsFilter, low, high) -> None:
    """The receiving agency's own figures: dossiers received at its counter in the period."""
    where = [*conditions, *([Dossier.received_at >= low] if low else []),
             *([Dossier.received_at < high] if high else [])]
    if flt.agency is not None:
        where.append(Dossier.receiving_agency_id.in_(_subtree(flt.agency)))
    for agency_id, in db.session.execute(select(Dossier.receiving_agency_id).where(*where)):
        for counts in (stats.overall, stats.by_agency.setdefault(agency_id, Counts())):
            counts.counter_received += 1


def _count_steps(stats: Stats, conditions: list, flt: StatsFilter, low, high) -> None:
    """Each completed step counts for the agency that did it, early / on time / late against its own budget."""
    where = [HumanTask.status == TaskStatus.COMPLETED, HumanTask.timing.is_not(None),
             HumanTask.dossier_id.in_(select(Dossier.id).where(*conditions))]
    where += [HumanTask.completed_at >= low] if low else []
    where += [HumanTask.completed_at < high] if high else []
    if flt.agency is not None:
        where.append(HumanTask.agency_id.in_(_subtree(flt.agency)))
    if flt.procedure is not None:
        where.append(HumanTask.dossier_id.in_(select(Dossier.id).where(
            Dossier.procedure_id.in_(select(Procedure.id).where(Procedure.code == flt.procedure.code)))))
    for agency_id, timing in db.session.execute(select(HumanTask.agency_id, HumanTask.timing).where(*where)):
        if agency_id is None or timing not in TIMINGS:
            continue
        for counts in (stats.overall, stats.by_agency.setdefault(agency_id, Counts())):
            counts.steps.finished += 1
            setattr(counts.steps, timing, getattr(counts.steps, timing) + 1)
