"""Dossier statistics over a period of local dates (inclusive), by the rules of app.reports.semantics.

Received counts use the receipt date, timing counts the finishing moment (semantics.finished_at), both against
the legal due date (an apology letter moves only the appointment). On-time rate = (early + on time) / finished.
Dossiers count for their handling agency; steps for the agency that did them; the receiving agency keeps its
counter figures (`counter_received`).

The figures are sums over the daily summary rows (app.reports.models, kept current by triggers), never over the
dossiers, except what depends on the instant of asking (open, paused and overdue now), which reads the open
dossiers only (the status index).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from app.auth.models import Agency, User
from app.catalog.models import OnlineLevel, Procedure
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError
from app.dossiers.listing import local_day_bounds, visible_agency_ids
from app.dossiers.models import OPEN_STATUSES, Channel, Dossier, DossierStatus
from app.extensions import db
from app.reports import semantics
from app.reports.models import LiveDaily, LiveStepDaily
from app.reports.semantics import TIMINGS

S, T = LiveDaily, LiveStepDaily  # folded rows plus the deltas not folded yet


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
    one_supplement: int = 0  # of those, the ones with exactly one request
    digitised: int = 0  # received at a counter with a digitised paper document at intake
    fee_bearing: int = 0  # received dossiers with a payment order
    paid: int = 0  # of those, paid online (through the gateway; the counter's cash is not)
    online: int = 0  # received online
    online_full: int = 0  # received online for a fully online procedure (toàn trình)
    rated: int = 0
    satisfied: int = 0  # rated satisfied or very satisfied
    e_results: int = 0  # finished with the result returned online (electronic result)
    steps: StepCounts = field(default_factory=StepCounts)

    @property
    def on_time_rate(self) -> float | None:
        return round((self.early + self.on_time) / self.finished, 4) if self.finished else None


MEASURES = ("total", "finished", *TIMINGS, "overdue_open", "open_now", "paused", "late_supplements", "apologies",
            "late_apologies", "counter_received", "refused", "with_supplement", "one_supplement", "digitised",
            "fee_bearing", "paid", "online", "online_full", "rated", "satisfied", "e_results")
SATISFIED = ("very_satisfied", "satisfied")
#: Summed straight from stat_daily into the Counts field of the same name.
_SUMMED = ("late_supplements", "apologies", "late_apologies", "with_supplement", "one_supplement", "digitised",
           "fee_bearing", "paid", "rated", "satisfied", *TIMINGS, "refused", "e_results")
_STATUSES = tuple(s.value for s in DossierStatus)


@dataclass
class Stats:
    overall: Counts
    by_agency: dict[int, Counts]
    by_procedure: dict[int, Counts]
    by_channel: dict[str, Counts] = field(default_factory=dict)


def _subtree(agency: Agency):
    return select(Agency.id).where(Agency.path.startswith(agency.path))


@dataclass(frozen=True)
class Scope:
    """What a viewer's figures cover: the rows its agencies own or received (counter figures), for a procedure.

    Narrower than the dossier lists' visibility (a co-handling agency sees its own steps, not the owner's
    figures) and index-friendly: no per-dossier EXISTS over the tasks."""

    agency_ids: set[int] | None
    procedure_code: str | None

    def on(self, owner, receiving, procedure) -> list[ColumnElement[bool]]:
        """The scope as conditions on a table's owner, receiving agency and procedure columns."""
        out = []
        if self.agency_ids is not None:
            ids = list(self.agency_ids) or [-1]
            out.append(or_(owner.in_(ids), receiving.in_(ids)))
        if self.procedure_code is not None:
            out.append(procedure.in_(select(Procedure.id).where(Procedure.code == self.procedure_code)))
        return out

    def summary(self) -> list[ColumnElement[bool]]:
        return self.on(S.agency_id, S.receiving_agency_id, S.procedure_id)

    def dossiers(self) -> list[ColumnElement[bool]]:
        return self.on(Dossier.stat_agency_id, Dossier.receiving_agency_id, Dossier.procedure_id)


def scope_of(actor: User, flt: StatsFilter) -> Scope:
    """The viewer's scope; asking for an agency outside it is refused."""
    agency_ids = visible_agency_ids(actor)
    if flt.agency is not None and agency_ids is not None and flt.agency.id not in agency_ids:
        raise PermissionDeniedError("Bạn không có quyền xem thống kê của đơn vị này.",
                                    "You may not see this agency's statistics.")
    return Scope(agency_ids, flt.procedure.code if flt.procedure is not None else None)


def _add(counts: Counts, field_name: str, value: int) -> None:
    setattr(counts, field_name, getattr(counts, field_name) + (value or 0))


def _days(column, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    return [*([column >= start] if start else []), *([column <= end] if end else [])]


def month_bucket(column, starts: list) -> ColumnElement[int]:
    """0-based index of the month (listed by its first day or instant) a value falls in; -1 before the first."""
    return case(*((column < bound, index - 1) for index, bound in enumerate(starts)), else_=len(starts) - 1)


def summary_figures(where: list, group: tuple, start: date | None, end: date | None) -> dict[tuple, Counts]:
    """Received and finished figures of the days [start, end], per `group` (stat_daily expressions)."""
    full = select(Procedure.id).where(Procedure.online_level == OnlineLevel.FULL)
    online = S.channel == Channel.ONLINE.value
    sums = [func.sum(S.received), func.sum(case((online, S.received), else_=0)),
            func.sum(case((and_(online, S.procedure_id.in_(full)), S.received), else_=0)),
            *(func.sum(getattr(S, name)) for name in _SUMMED), *(func.sum(getattr(S, f"st_{s}")) for s in _STATUSES)]
    out: dict[tuple, Counts] = {}
    query = select(*group, *sums).where(*where, *_days(S.day, start, end)).group_by(*group)
    for row in db.session.execute(query):
        key, values = tuple(row[:len(group)]), [v or 0 for v in row[len(group):]]
        counts = out.setdefault(key, Counts())
        counts.total, counts.online, counts.online_full = values[:3]
        for name, value in zip(_SUMMED, values[3:], strict=False):
            _add(counts, name, value)
        counts.by_status = {s: v for s, v in zip(_STATUSES, values[3 + len(_SUMMED):], strict=True) if v}
        counts.finished = counts.early + counts.on_time + counts.late
    return out


def open_figures(where: list, group: tuple, high: datetime | None, now: datetime) -> dict[tuple, Counts]:
    """Dossiers open now (received before `high`), paused and overdue, per `group` (dossier expressions)."""
    overdue, paused = semantics.overdue(now), semantics.PAUSED
    query = (select(*group, func.sum(case((overdue, 1), else_=0)), func.sum(case((paused, 1), else_=0)), func.count())
             .where(*where, *([Dossier.received_at < high] if high else []), Dossier.stat_finished_at.is_(None),
                    Dossier.status.in_(OPEN_STATUSES)).group_by(*group))
    out: dict[tuple, Counts] = {}
    for row in db.session.execute(query):
        counts = out.setdefault(tuple(getattr(v, "value", v) for v in row[:len(group)]), Counts())
        counts.overdue_open, counts.paused, counts.open_now = (v or 0 for v in row[len(group):])
    return out


def counter_figures(where: list, group: tuple, start: date | None, end: date | None) -> dict[tuple, int]:
    """Dossiers received at each receiving agency's counter, per `group` (stat_daily expressions)."""
    query = select(*group, func.sum(S.received)).where(*where, *_days(S.day, start, end)).group_by(*group)
    return {tuple(row[:-1]): row[-1] or 0 for row in db.session.execute(query)}


def step_figures(where: list, group: tuple, start: date | None, end: date | None) -> dict[tuple, StepCounts]:
    """Completed steps early / on time / late, per `group` (stat_step_daily expressions)."""
    query = (select(*group, func.sum(T.early), func.sum(T.on_time), func.sum(T.late))
             .where(*where, *_days(T.day, start, end)).group_by(*group))
    out = {}
    for row in db.session.execute(query):
        early, on_time, late = (v or 0 for v in row[len(group):])
        out[tuple(row[:len(group)])] = StepCounts(early + on_time + late, early, on_time, late)
    return out


def merge(target: Counts, source: Counts) -> None:
    """Add `source`'s figures into `target` (roll-ups through dimensions and the agency tree)."""
    for name in MEASURES:
        _add(target, name, getattr(source, name))
    for status, value in source.by_status.items():
        target.by_status[status] = target.by_status.get(status, 0) + value
    for name in ("finished", *TIMINGS):
        _add(target.steps, name, getattr(source.steps, name))


def _steps_where(scope: Scope, flt: StatsFilter) -> list:
    where: list = [T.agency_id.in_(list(scope.agency_ids) or [-1])] if scope.agency_ids is not None else []
    if scope.procedure_code is not None:
        where.append(T.procedure_id.in_(select(Procedure.id).where(Procedure.code == scope.procedure_code)))
    if flt.agency is not None:
        where.append(T.agency_id.in_(_subtree(flt.agency)))
    return where


def _counter_where(scope: Scope, flt: StatsFilter) -> list:
    subtree = [S.receiving_agency_id.in_(_subtree(flt.agency))] if flt.agency is not None else []
    return [*scope.summary(), *subtree]


def _owned(flt: StatsFilter, column) -> list:
    return [column.in_(_subtree(flt.agency))] if flt.agency is not None else []


CELL = (S.agency_id, S.procedure_id, S.channel)
OPEN_CELL = (Dossier.stat_agency_id, Dossier.procedure_id, Dossier.channel)


def dossier_stats(actor: User, flt: StatsFilter, now: datetime | None = None) -> Stats:
    """Counts over the dossiers `actor` may see, overall, per handling agency, procedure and channel."""
    now = now or utcnow()
    scope = scope_of(actor, flt)
    _low, high = local_day_bounds(flt.start, flt.end)
    cells = summary_figures([*scope.summary(), *_owned(flt, S.agency_id)], CELL, flt.start, flt.end)
    for key, counts in open_figures([*scope.dossiers(), *_owned(flt, Dossier.stat_agency_id)], OPEN_CELL, high,
                                    now).items():
        merge(cells.setdefault(key, Counts()), counts)
    stats = Stats(Counts(), {}, {})
    for (agency_id, procedure_id, channel), counts in cells.items():
        for target in (stats.overall, stats.by_agency.setdefault(agency_id, Counts()),
                       stats.by_procedure.setdefault(procedure_id, Counts()),
                       stats.by_channel.setdefault(channel, Counts())):
            merge(target, counts)
    for (agency_id,), count in counter_figures(_counter_where(scope, flt), (S.receiving_agency_id,), flt.start,
                                               flt.end).items():
        for counts in (stats.overall, stats.by_agency.setdefault(agency_id, Counts())):
            counts.counter_received += count
    for (agency_id,), steps in step_figures(_steps_where(scope, flt), (T.agency_id,), flt.start, flt.end).items():
        for counts in (stats.overall, stats.by_agency.setdefault(agency_id, Counts())):
            merge(counts, Counts(steps=steps))
    return stats


def step_stats(actor: User, flt: StatsFilter) -> dict[str, StepCounts]:
    """Completed steps `actor` may see in the period, per step kind (human_tasks.step_kind; '': a task without one),
    for the agencies that did them (the scope and the agency filter of the agency table's step figures)."""
    scope = scope_of(actor, flt)
    return {kind: steps for (kind,), steps in step_figures(_steps_where(scope, flt), (T.step_kind,), flt.start,
                                                            flt.end).items()}


def months(start: date, end: date, limit: int = 36) -> list[tuple[date, date]]:
    """The calendar months of [start, end], clipped to it (at most `limit`)."""
    out, first = [], start.replace(day=1)
    while first <= end and len(out) < limit:
        nxt = (first + timedelta(days=32)).replace(day=1)
        out.append((max(first, start), min(nxt - timedelta(days=1), end)))
        first = nxt
    return out


def monthly_stats(actor: User, flt: StatsFilter, now: datetime | None = None) -> list[tuple[date, Counts]]:
    """The overall figures of each month of the filter's period (open figures: received before its end)."""
    now = now or utcnow()
    scope, spans = scope_of(actor, flt), months(flt.start, flt.end)
    if not spans:
        return []
    firsts = [low for low, _high in spans]
    instants = [local_day_bounds(low, None)[0] for low in firsts]
    end = spans[-1][1]
    _low, high = local_day_bounds(flt.start, end)
    rows = [Counts() for _ in spans]
    by_month = summary_figures([*scope.summary(), *_owned(flt, S.agency_id)], (month_bucket(S.day, firsts),),
                               flt.start, end)
    counter = counter_figures(_counter_where(scope, flt), (month_bucket(S.day, firsts),), flt.start, end)
    steps = step_figures(_steps_where(scope, flt), (month_bucket(T.day, firsts),), flt.start, end)
    opened = open_figures([*scope.dossiers(), *_owned(flt, Dossier.stat_agency_id)],
                          (month_bucket(Dossier.received_at, instants),), high, now)
    for index, counts in enumerate(rows):
        merge(counts, by_month.get((index,), Counts()))
        counts.counter_received += counter.get((index,), 0)
        merge(counts, Counts(steps=steps.get((index,), StepCounts())))
        for (bucket,), open_counts in opened.items():  # open now among those received up to the month's end
            if bucket <= index:
                merge(counts, open_counts)
    return list(zip(firsts, rows, strict=True))


@dataclass
class ReportRow:
    """One line of the periodic report of dossier handling results (per handling agency and procedure)."""

    received: Counts  # received and finished in the period
    carried_over: int = 0  # received before the period, still open at its start
    open_end: int = 0  # not finished at the period's end
    overdue_end: int = 0  # of which past the legal due date at the period's end


def _ledger(where: list, key: tuple, through: date) -> dict[tuple, tuple[int, int]]:
    """(open, overdue) at the start of local day `through`: running sums of the interval deltas up to it."""
    query = (select(*key, func.sum(S.open_delta), func.sum(S.overdue_delta))
             .where(*where, S.day <= through).group_by(*key))
    return {tuple(row[:2]): (row[2] or 0, row[3] or 0) for row in db.session.execute(query)}


def handling_report(actor: User, flt: StatsFilter, now: datetime | None = None) -> dict[tuple[int, int], ReportRow]:
    """Figures of the periodic report, per (handling agency, procedure), from the summary rows."""
    now = now or utcnow()
    scope = scope_of(actor, flt)
    where = [*scope.summary(), *_owned(flt, S.agency_id)]
    key = (S.agency_id, S.procedure_id)
    rows: dict[tuple[int, int], ReportRow] = {}

    def row(k: tuple) -> ReportRow:
        return rows.setdefault((k[0], k[1]), ReportRow(Counts()))

    for k, counts in summary_figures(where, key, flt.start, flt.end).items():
        merge(row(k).received, counts)
    if flt.start is not None:
        for k, (still_open, _overdue) in _ledger(where, key, flt.start).items():
            row(k).carried_over += still_open
    _low, high = local_day_bounds(flt.start, flt.end)
    if high is not None and high <= now:  # a past period: the state at the start of the next day
        for k, (still_open, overdue) in _ledger(where, key, flt.end + timedelta(days=1)).items():
            row(k).open_end, row(k).overdue_end = still_open, overdue
    else:  # the current period: open now
        opened = open_figures([*scope.dossiers(), *_owned(flt, Dossier.stat_agency_id)],
                              (Dossier.stat_agency_id, Dossier.procedure_id), None, now)
        for k, counts in opened.items():
            row(k).open_end, row(k).overdue_end = counts.open_now, counts.overdue_open
    return {k: r for k, r in rows.items() if _nonzero(r)}


def _nonzero(row: ReportRow) -> bool:
    c = row.received
    return any((c.total, c.finished, row.carried_over, row.open_end, row.overdue_end))

