"""Dossier statistics over a period of local dates (inclusive), by the rules of app.reports.semantics.

Received counts use the receipt date, timing counts the finishing moment (semantics.finished_at), both against
the legal due date (an apology letter moves only the appointment). On-time rate = (early + on time) / finished.
Dossiers count for their handling agency; steps for the agency that did them; the receiving agency keeps its
counter figures (`counter_received`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select, true

from app.auth.models import Agency, User
from app.catalog.models import OnlineLevel, Procedure
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError
from app.dossiers.listing import local_day_bounds, visible_agency_ids
from app.dossiers.models import OPEN_STATUSES, Channel, Dossier, DossierStatus
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
    open_now: int = 0  # not finished yet (on time + overdue + paused), at the moment of asking
    paused: int = 0  # waiting for the applicant
    late_supplements: int = 0
    apologies: int = 0
    late_apologies: int = 0
    counter_received: int = 0  # received at this agency's counter (whoever handles them)
    refused: int = 0  # finished by a refusal (counted at the decision)
    with_supplement: int = 0  # received dossiers that had a supplement request
    online: int = 0  # received online
    online_full: int = 0  # received online for a fully online procedure (toàn trình)
    rated: int = 0
    satisfied: int = 0  # rated satisfied or very satisfied
    steps: StepCounts = field(default_factory=StepCounts)

    @property
    def on_time_rate(self) -> float | None:
        return round((self.early + self.on_time) / self.finished, 4) if self.finished else None


MEASURES = ("total", "finished", *TIMINGS, "overdue_open", "open_now", "paused", "late_supplements", "apologies",
            "late_apologies", "counter_received", "refused", "with_supplement", "online", "online_full", "rated",
            "satisfied")
SATISFIED = ("very_satisfied", "satisfied")


@dataclass
class Stats:
    overall: Counts
    by_agency: dict[int, Counts]
    by_procedure: dict[int, Counts]
    by_channel: dict[str, Counts] = field(default_factory=dict)


def _subtree(agency: Agency):
    return select(Agency.id).where(Agency.path.startswith(agency.path))


def _in_scope(agency_ids: set[int] | None):
    """The dossiers a viewer's figures cover: those its agencies handle (own) or received (counter figures).

    Narrower than the dossier lists' visibility (a co-handling agency sees its own steps, not the owner's
    figures) and index-friendly: no per-dossier EXISTS over the tasks."""
    if agency_ids is None:
        return true()
    ids = list(agency_ids) or [-1]
    return or_(Dossier.stat_agency_id.in_(ids), Dossier.receiving_agency_id.in_(ids))


def _conditions(actor: User, flt: StatsFilter) -> tuple[list, set[int] | None]:
    agency_ids = visible_agency_ids(actor)
    if flt.agency is not None and agency_ids is not None and flt.agency.id not in agency_ids:
        raise PermissionDeniedError("Bạn không có quyền xem thống kê của đơn vị này.",
                                    "You may not see this agency's statistics.")
    conditions = [_in_scope(agency_ids)]
    if flt.procedure is not None:
        conditions.append(Dossier.procedure_id.in_(select(Procedure.id).where(Procedure.code == flt.procedure.code)))
    return conditions, agency_ids


def _add(counts: Counts, field_name: str, value: int) -> None:
    setattr(counts, field_name, getattr(counts, field_name) + (value or 0))


#: The grouping every figure is computed at; overall and per-dimension figures are sums of these cells.
CELL = (Dossier.stat_agency_id, Dossier.procedure_id, Dossier.channel)


def cells(conditions: list, low: datetime | None, high: datetime | None, now: datetime) -> dict[tuple, Counts]:
    """Figures per (owner agency, procedure, channel), three GROUP BY queries on the stat_* columns."""
    out: dict[tuple, Counts] = {}

    def cell(row) -> Counts:
        return out.setdefault((row[0], row[1], getattr(row[2], "value", row[2])), Counts())

    received = [*([Dossier.received_at >= low] if low else []), *([Dossier.received_at < high] if high else [])]
    late_apology = case((and_(Dossier.apology_count > 0, Dossier.apology_compliant.is_(False)), 1), else_=0)
    rated = Dossier.rating.is_not(None)
    satisfied = Dossier.rating.in_(SATISFIED)
    full = Dossier.procedure_id.in_(select(Procedure.id).where(Procedure.online_level == OnlineLevel.FULL))
    online = Dossier.channel == Channel.ONLINE
    for row in db.session.execute(
            select(*CELL, Dossier.status, func.count(), func.sum(Dossier.late_supplement_count),
                   func.sum(Dossier.apology_count), func.sum(late_apology),
                   func.sum(case((Dossier.supplement_count > 0, 1), else_=0)),
                   func.sum(case((and_(online, full), 1), else_=0)), func.sum(case((rated, 1), else_=0)),
                   func.sum(case((satisfied, 1), else_=0)))
            .where(*conditions, *received).group_by(*CELL, Dossier.status)):
        counts = cell(row)
        status = getattr(row[3], "value", row[3])
        counts.by_status[status] = counts.by_status.get(status, 0) + row[4]
        for name, value in zip(("total", "late_supplements", "apologies", "late_apologies", "with_supplement",
                                "online_full", "rated", "satisfied"), row[4:], strict=True):
            _add(counts, name, value)
        if row[2] == Channel.ONLINE:
            _add(counts, "online", row[4])
    finished = [*([Dossier.stat_finished_at >= low] if low else []),
                *([Dossier.stat_finished_at < high] if high else []), Dossier.stat_timing.is_not(None)]
    for row in db.session.execute(select(*CELL, Dossier.stat_timing, func.count(),
                                         func.sum(case((Dossier.outcome == "refused", 1), else_=0)))
                                  .where(*conditions, *finished).group_by(*CELL, Dossier.stat_timing)):
        counts = cell(row)
        _add(counts, "finished", row[4])
        _add(counts, row[3], row[4])
        _add(counts, "refused", row[5])
    overdue, paused = semantics.overdue(now), semantics.PAUSED
    for row in db.session.execute(select(*CELL, func.sum(case((overdue, 1), else_=0)),
                                         func.sum(case((paused, 1), else_=0)), func.count())
                                  .where(*conditions, *([Dossier.received_at < high] if high else []),
                                         Dossier.stat_finished_at.is_(None), Dossier.status.in_(OPEN_STATUSES))
                                  .group_by(*CELL)):
        counts = cell(row)
        _add(counts, "overdue_open", row[3])
        _add(counts, "paused", row[4])
        _add(counts, "open_now", row[5])
    return out


def merge(target: Counts, source: Counts) -> None:
    """Add `source`'s figures into `target` (roll-ups through dimensions and the agency tree)."""
    for name in MEASURES:
        _add(target, name, getattr(source, name))
    for status, value in source.by_status.items():
        target.by_status[status] = target.by_status.get(status, 0) + value
    for name in ("finished", *TIMINGS):
        _add(target.steps, name, getattr(source.steps, name))


def dossier_stats(actor: User, flt: StatsFilter, now: datetime | None = None) -> Stats:
    """Counts over the dossiers `actor` may see, overall, per handling agency, procedure and channel."""
    now = now or utcnow()
    conditions, visible = _conditions(actor, flt)
    low, high = local_day_bounds(flt.start, flt.end)
    owned = [Dossier.stat_agency_id.in_(_subtree(flt.agency))] if flt.agency is not None else []
    stats = Stats(Counts(), {}, {})
    for (agency_id, procedure_id, channel), counts in cells([*conditions, *owned], low, high, now).items():
        for target in (stats.overall, stats.by_agency.setdefault(agency_id, Counts()),
                       stats.by_procedure.setdefault(procedure_id, Counts()),
                       stats.by_channel.setdefault(channel, Counts())):
            merge(target, counts)
    _count_counter(stats, conditions, flt, low, high)
    _count_steps(stats, visible, flt, low, high)
    return stats


def _count_counter(stats: Stats, conditions: list, flt: StatsFilter, low, high) -> None:
    """The receiving agency's own figures: dossiers received at its counter in the period."""
    where = [*conditions, *([Dossier.received_at >= low] if low else []),
             *([Dossier.received_at < high] if high else [])]
    if flt.agency is not None:
        where.append(Dossier.receiving_agency_id.in_(_subtree(flt.agency)))
    for agency_id, count in db.session.execute(select(Dossier.receiving_agency_id, func.count()).where(*where)
                                               .group_by(Dossier.receiving_agency_id)):
        for counts in (stats.overall, stats.by_agency.setdefault(agency_id, Counts())):
            counts.counter_received += count


def _count_steps(stats: Stats, visible: set[int] | None, flt: StatsFilter, low, high) -> None:
    """Each completed step counts for the agency that did it, early / on time / late against its own budget."""
    where = [HumanTask.status == TaskStatus.COMPLETED, HumanTask.timing.in_(TIMINGS), HumanTask.agency_id.is_not(None)]
    if visible is not None:
        where.append(HumanTask.agency_id.in_(list(visible) or [-1]))
    if flt.procedure is not None:
        where.append(HumanTask.dossier_id.in_(select(Dossier.id).where(Dossier.procedure_id.in_(
            select(Procedure.id).where(Procedure.code == flt.procedure.code)))))
    where += [HumanTask.completed_at >= low] if low else []
    where += [HumanTask.completed_at < high] if high else []
    if flt.agency is not None:
        where.append(HumanTask.agency_id.in_(_subtree(flt.agency)))
    for agency_id, timing, count in db.session.execute(
            select(HumanTask.agency_id, HumanTask.timing, func.count()).where(*where)
            .group_by(HumanTask.agency_id, HumanTask.timing)):
        for counts in (stats.overall, stats.by_agency.setdefault(agency_id, Counts())):
            counts.steps.finished += count
            _add(counts.steps, timing, count)


@dataclass
class ReportRow:
    """One line of the periodic report of dossier handling results (per handling agency and procedure)."""

    received: Counts  # received and finished in the period (app.reports.services.cells)
    carried_over: int = 0  # received before the period, still open at its start
    open_end: int = 0  # not finished at the period's end
    overdue_end: int = 0  # of which past the legal due date at the period's end


def handling_report(actor: User, flt: StatsFilter, now: datetime | None = None) -> dict[tuple[int, int], ReportRow]:
    """Figures of the periodic report, per (handling agency, procedure), all as GROUP BY queries."""
    now = now or utcnow()
    conditions, _visible = _conditions(actor, flt)
    if flt.agency is not None:
        conditions.append(Dossier.stat_agency_id.in_(_subtree(flt.agency)))
    low, high = local_day_bounds(flt.start, flt.end)
    rows: dict[tuple[int, int], ReportRow] = {}
    for (agency_id, procedure_id, _channel), counts in cells(conditions, low, high, now).items():
        merge(rows.setdefault((agency_id, procedure_id), ReportRow(Counts())).received, counts)
    end = min(high, now)

    def still_open(at: datetime):
        """Not finished (nor stopped) at instant `at`."""
        return and_(Dossier.received_at < at, or_(Dossier.stat_finished_at.is_(None), Dossier.stat_finished_at >= at),
                    or_(Dossier.status != DossierStatus.STOPPED, Dossier.finished_at >= at))

    key = (Dossier.stat_agency_id, Dossier.procedure_id)
    for agency_id, procedure_id, count in db.session.execute(
            select(*key, func.count()).where(*conditions, still_open(low)).group_by(*key)):
        rows.setdefault((agency_id, procedure_id), ReportRow(Counts())).carried_over += count
    overdue_at_end = case((and_(Dossier.legal_due_at < end, ~semantics.PAUSED), 1), else_=0)
    for agency_id, procedure_id, count, overdue in db.session.execute(
            select(*key, func.count(), func.sum(overdue_at_end)).where(*conditions, still_open(end)).group_by(*key)):
        row = rows.setdefault((agency_id, procedure_id), ReportRow(Counts()))
        row.open_end, row.overdue_end = count, overdue or 0
    return rows
