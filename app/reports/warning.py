"""Early warning: the probability that an open dossier finishes late, from the history of its remaining steps.

For each step of a process version and the agency doing it, the fit keeps the distribution of D, the working hours
from the step's start to the dossier's finishing moment, over the dossiers finished in the past year (quantiles
in `stat_outlook`; `flask reports fit-warnings`, also run after `demo generate`). An open dossier whose current
step started at t0, e working hours ago, with s working hours from t0 to its legal due date, finishes late when
its D exceeds s; given that it has already taken e, P(late) = S(s) / S(e), S the survival of D (interpolated
between quantiles, smoothed by half a sample so that no estimate is exactly 0 or 1 from history alone). Past the
due date it is 1; waiting for the applicant (the clock paused) has no estimate.

Season: work slows in some months (December's year-end closing, the weeks around Tết). Splitting each step's
history by season would leave few samples each (noisy quantiles, worse forecasts outside the slow months), so the
season is a factor, pooled over the version's steps and agencies: the median, over the finished steps started in
that season, of D divided by its step's all-year median (stored as the version's rows with bpmn_id ALL_STEPS).
Seasons are WARNING_SEASON_MONTHS calendar months of the step's start (local time; default 1: the month of the
year; 3: quarters; 12: none). An open step reads its agency's all-year history (else the step's over every
agency), its quantiles multiplied by its season's factor (1 when the season has fewer than
WARNING_SEASON_MIN_SAMPLES finished steps, default 30). An all-year history needs WARNING_MIN_SAMPLES (10); none:
no estimate. The season length is read at fit and at read time alike: change it, then refit (`flask reports
fit-warnings`, nightly).

The inbox reads the fitted rows of one page in one query (build_rows' pairs); nothing is fitted on a request.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import delete, or_, select, tuple_

from app.calendar.rules import LOCAL_TZ, WorkCalendar
from app.calendar.services import get_calendar
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db
from app.reports.calendar_memo import memoised
from app.reports.models import StatOutlook
from app.workflow.models import HumanTask, TaskStatus

LEVELS = tuple(i / 20 for i in range(21))  # the quantiles kept: 0 %, 5 %, ... 100 %
ALL = 0  # agency_id of the rows over every agency
ALL_YEAR = 0  # season of the rows over the whole year
MEDIAN = LEVELS.index(0.5)
ALL_STEPS = ""  # bpmn_id of a version's season rows: quantiles of D / its step's all-year median


@dataclass(frozen=True)
class Seasons:
    """How histories are split by season (defaults: the app's WARNING_* settings)."""

    months: int = 1  # a season is this many calendar months of the step's start (local time); 12 or more: none
    min_samples: int = 10  # an all-year history needs this many finished dossiers
    season_min_samples: int = 30  # a seasonal one this many

    def of(self, started: datetime) -> int:
        """The season (1, 2, ...) of a step started at `started`; ALL_YEAR when seasons are off."""
        return self.of_month(started.astimezone(LOCAL_TZ).month)

    def of_month(self, month: int) -> int:
        """The season of a step started in local calendar month `month` (1-12)."""
        if self.months >= 12:
            return ALL_YEAR
        return (month - 1) // self.months + 1

    @classmethod
    def configured(cls) -> Seasons:
        config = current_app.config
        return cls(int(config.get("WARNING_SEASON_MONTHS", 1)), int(config.get("WARNING_MIN_SAMPLES", 10)),
                   int(config.get("WARNING_SEASON_MIN_SAMPLES", 30)))


def quantiles(values: list[float]) -> list[float]:
    """The LEVELS quantiles of `values` (linear between order statistics)."""
    ordered = sorted(values)
    n, out = len(ordered), []
    for level in LEVELS:
        position = level * (n - 1)
        low = int(position)
        high = min(low + 1, n - 1)
        out.append(round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 3))
    return out


def survival(q: list[float], samples: int, x: float) -> float:
    """P(D > x) read off the quantiles, smoothed by half a sample: (S·n + 0.5) / (n + 1)."""
    if x < q[0]:
        raw = 1.0
    elif x >= q[-1]:
        raw = 0.0
    else:
        raw = 0.0
        for i in range(len(q) - 1):
            if q[i] <= x < q[i + 1]:
                share = (x - q[i]) / (q[i + 1] - q[i]) if q[i + 1] > q[i] else 0.0
                raw = 1 - (LEVELS[i] + share * (LEVELS[i + 1] - LEVELS[i]))
                break
    return (raw * samples + 0.5) / (samples + 1)


def probability(q: list[float], samples: int, started: datetime, due: datetime, now: datetime,
                calendar: WorkCalendar) -> float:
    """P(late) of a dossier whose current step started at `started`, due at `due`, seen at `now`."""
    if now >= due:
        return 1.0
    slack = calendar.working_hours_between(started, due)
    spent = calendar.working_hours_between(started, now)
    return min(1.0, survival(q, samples, slack) / survival(q, samples, spent))


FIT_DAYS = 365


def fit(as_of: datetime | None = None, days: int = FIT_DAYS, seasons: Seasons | None = None) -> int:
    """Refit `stat_outlook` from the dossiers finished in the `days` before `as_of`; returns the rows written."""
    as_of, seasons = as_of or utcnow(), seasons or Seasons.configured()
    calendar = memoised(get_calendar())
    query = (select(Dossier.process_version_id, HumanTask.bpmn_id, HumanTask.agency_id, HumanTask.created_at,
                    Dossier.stat_finished_at)
             .join(HumanTask, HumanTask.dossier_id == Dossier.id)
             .where(Dossier.stat_finished_at.is_not(None), Dossier.stat_finished_at < as_of,
                    Dossier.stat_finished_at >= as_of - timedelta(days=days),
                    Dossier.outcome.is_distinct_from("stopped"), HumanTask.status == TaskStatus.COMPLETED))
    history = Samples(seasons)
    for version, bpmn_id, agency_id, created, finished in db.session.execute(query).yield_per(20000):
        history.add(version, bpmn_id, agency_id, created.astimezone(LOCAL_TZ).month,
                    calendar.working_hours_between(created, finished))
    return history.store(as_of)


class Samples:
    """The finished steps a fit reads, as they come: hours per (version, step, agency or ALL, ALL_YEAR) and per
    (version, step, season). `fit` adds them from the tables; the bulk generator (app.demo.generate) while it
    writes the history, instead of reading a million dossiers back."""

    def __init__(self, seasons: Seasons):
        self.seasons = seasons
        self.samples: dict[tuple[int, str, int, int], list[float]] = defaultdict(list)
        self.by_season: dict[tuple[int, str, int], list[float]] = defaultdict(list)  # (version, step, season)
        self._season = {month: seasons.of_month(month) for month in range(1, 13)}

    def add(self, version: int, bpmn_id: str, agency_id: int | None, month: int, hours: float) -> None:
        """A finished step of `hours` from its start (in local calendar `month`) to its dossier's finish."""
        self.samples[(version, bpmn_id, agency_id or ALL, ALL_YEAR)].append(hours)
        if agency_id:
            self.samples[(version, bpmn_id, ALL, ALL_YEAR)].append(hours)
        self.by_season[(version, bpmn_id, self._season[month])].append(hours)

    def store(self, as_of: datetime) -> int:
        """Replace `stat_outlook` by the fitted rows; returns how many."""
        samples, seasons = self.samples, self.seasons
        # the seasons: D over its step's all-year median, pooled over the version's steps, per season of the start
        medians = {k[:2]: quantiles(v)[MEDIAN] for k, v in samples.items() if k[2] == ALL}
        for (version, bpmn_id, season), hours in self.by_season.items():
            median = medians[(version, bpmn_id)]
            if season != ALL_YEAR and median > 0:
                samples[(version, ALL_STEPS, ALL, season)].extend(h / median for h in hours)
        db.session.execute(delete(StatOutlook))
        rows = [{"process_version_id": k[0], "bpmn_id": k[1], "agency_id": k[2], "season": k[3], "samples": len(v),
                 "quantiles": quantiles(v), "fitted_at": as_of} for k, v in samples.items()
                if len(v) >= (seasons.min_samples if k[3] == ALL_YEAR else seasons.season_min_samples)]
        if rows:
            db.session.execute(StatOutlook.__table__.insert(), rows)
        return len(rows)


@dataclass(frozen=True)
class Risk:
    probability: float

    @property
    def percent(self) -> int:
        return round(100 * self.probability)

    @property
    def level(self) -> str:
        return "high" if self.probability >= 0.7 else "medium" if self.probability >= 0.4 else "low"


Fitted = dict[tuple[int, str, int, int], StatOutlook]


def _fitted(keys: set[tuple[int, str, int]]) -> Fitted:
    """The fitted rows (every season) of these (version, step, agency) and of their steps over every agency."""
    if not keys:
        return {}
    wanted = set(keys) | {(v, b, ALL) for v, b, _a in keys} | {(v, ALL_STEPS, ALL) for v, _b, _a in keys}
    rows = db.session.scalars(select(StatOutlook).where(
        tuple_(StatOutlook.process_version_id, StatOutlook.bpmn_id, StatOutlook.agency_id).in_(list(wanted))))
    return {(r.process_version_id, r.bpmn_id, r.agency_id, r.season): r for r in rows}


@dataclass(frozen=True)
class History:
    """What an open step reads: quantiles of D (hours) and the samples behind them."""

    quantiles: list[float]
    samples: int
    factor: float = 1.0  # the season's, already applied to the quantiles


def outlook(fitted: Fitted, version_id: int, bpmn_id: str, agency_id: int | None, started: datetime,
            seasons: Seasons) -> History | None:
    """The all-year history of the step's agency, else of the step over every agency, scaled by the season's
    factor (the version's median of D / its step's all-year median, for steps started in that season)."""
    row = fitted.get((version_id, bpmn_id, agency_id or ALL, ALL_YEAR)) or fitted.get(
        (version_id, bpmn_id, ALL, ALL_YEAR))
    if row is None:
        return None
    factor, season = 1.0, seasons.of(started)
    this = fitted.get((version_id, ALL_STEPS, ALL, season)) if season != ALL_YEAR else None
    if this is not None:
        factor = this.quantiles[MEDIAN]
    return History([q * factor for q in row.quantiles], row.samples, factor)


def risks(pairs: list[tuple[HumanTask, Dossier]], now: datetime | None = None) -> dict[int, Risk]:
    """P(late) per task id of open tasks of open, running dossiers (one query for the whole list)."""
    now = now or utcnow()
    live = [(t, d) for t, d in pairs if t.status != TaskStatus.COMPLETED and d.stat_finished_at is None
            and d.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING) and d.legal_due_at is not None]
    fitted = _fitted({(d.process_version_id, t.bpmn_id, t.agency_id or ALL) for t, d in live})
    calendar, out, seasons = memoised(get_calendar()), {}, Seasons.configured()
    for task, dossier in live:
        row = outlook(fitted, dossier.process_version_id, task.bpmn_id, task.agency_id, task.created_at, seasons)
        if row is None and now < dossier.legal_due_at:
            continue
        q, n = (row.quantiles, row.samples) if row is not None else ([0.0], 0)
        out[task.id] = Risk(probability(q, n, task.created_at, dossier.legal_due_at, now, calendar))
    return out


def at_risk(where: list, now: datetime | None = None, window: int = 200, top: int = 10) -> list[tuple[Any, Any,
                                                                                                     Risk]]:
    """The open dossiers (within `where`) not yet overdue most likely to finish late, among the `window` soonest
    due (the legal_due_at index), at least a medium risk. Rows are projections (code, procedure, step, due), not
    whole dossiers: the dashboard lists them."""
    now = now or utcnow()
    query = (select(HumanTask.id, HumanTask.bpmn_id, HumanTask.agency_id, HumanTask.created_at, HumanTask.name,
                    HumanTask.status, Dossier.code, Dossier.process_version_id, Dossier.status.label("d_status"),
                    Dossier.stat_finished_at, Dossier.legal_due_at, Procedure.name_vi)
             .join(Dossier, Dossier.id == HumanTask.dossier_id).join(Procedure, Procedure.id == Dossier.procedure_id)
             .where(*where, Dossier.stat_finished_at.is_(None), Dossier.legal_due_at >= now,
                    Dossier.status.in_((DossierStatus.RECEIVED, DossierStatus.PROCESSING)),
                    or_(HumanTask.status == TaskStatus.OPEN, HumanTask.status == TaskStatus.CLAIMED))
             .order_by(Dossier.legal_due_at, HumanTask.id).limit(window))
    pairs = []
    for r in db.session.execute(query):
        task = SimpleNamespace(id=r.id, bpmn_id=r.bpmn_id, agency_id=r.agency_id, created_at=r.created_at,
                               name=r.name, status=r.status)
        dossier = SimpleNamespace(code=r.code, process_version_id=r.process_version_id, status=r.d_status,
                                  stat_finished_at=r.stat_finished_at, legal_due_at=r.legal_due_at,
                                  procedure=SimpleNamespace(name_vi=r.name_vi))
        pairs.append((task, dossier))
    found = risks(pairs, now)
    ranked = sorted(((d, t, found[t.id]) for t, d in pairs if t.id in found and found[t.id].level != "low"),
                    key=lambda item: (-item[2].probability, item[0].legal_due_at))
    return ranked[:top]
