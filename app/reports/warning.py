"""Early warning: the probability that an open dossier finishes late, from the history of its remaining steps.

For each step of a process version and the agency doing it, the fit keeps the distribution of D, the working hours
from the step's start to the dossier's finishing moment, over the dossiers finished in the past year (quantiles
in `stat_outlook`; `flask reports fit-warnings`, also run after `demo generate`). An open dossier whose current
step started at t0, e working hours ago, with s working hours from t0 to its legal due date, finishes late when
its D exceeds s; given that it has already taken e, P(late) = S(s) / S(e), S the survival of D (interpolated
between quantiles, smoothed by half a sample so that no estimate is exactly 0 or 1 from history alone). Past the
due date it is 1; waiting for the applicant (the clock paused) has no estimate. Fewer than MIN_SAMPLES finished
dossiers for the step and agency: the step's figures over every agency, else no estimate.

The inbox reads the fitted rows of one page in one query (build_rows' pairs); nothing is fitted on a request.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, or_, select, tuple_

from app.calendar.rules import WorkCalendar
from app.calendar.services import get_calendar
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db
from app.reports.calendar_memo import memoised
from app.reports.models import StatOutlook
from app.workflow.models import HumanTask, TaskStatus

LEVELS = tuple(i / 20 for i in range(21))  # the quantiles kept: 0 %, 5 %, ... 100 %
MIN_SAMPLES = 10
ALL = 0  # agency_id of the rows over every agency


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


def fit(as_of: datetime | None = None, days: int = FIT_DAYS) -> int:
    """Refit `stat_outlook` from the dossiers finished in the `days` before `as_of`; returns the rows written."""
    as_of = as_of or utcnow()
    calendar = memoised(get_calendar())
    query = (select(Dossier.process_version_id, HumanTask.bpmn_id, HumanTask.agency_id, HumanTask.created_at,
                    Dossier.stat_finished_at)
             .join(HumanTask, HumanTask.dossier_id == Dossier.id)
             .where(Dossier.stat_finished_at.is_not(None), Dossier.stat_finished_at < as_of,
                    Dossier.stat_finished_at >= as_of - timedelta(days=days),
                    Dossier.outcome.is_distinct_from("stopped"), HumanTask.status == TaskStatus.COMPLETED))
    samples: dict[tuple[int, str, int], list[float]] = defaultdict(list)
    for version, bpmn_id, agency_id, created, finished in db.session.execute(query).yield_per(20000):
        hours = calendar.working_hours_between(created, finished)
        samples[(version, bpmn_id, agency_id or ALL)].append(hours)
        if agency_id:
            samples[(version, bpmn_id, ALL)].append(hours)
    return store_fit(samples, as_of)


def store_fit(samples: dict[tuple[int, str, int], list[float]], as_of: datetime) -> int:
    """Replace `stat_outlook` by the quantiles of `samples` (hours per (version, step, agency or ALL)); the bulk
    generator gathers the same samples while it writes the history."""
    db.session.execute(delete(StatOutlook))
    rows = [{"process_version_id": k[0], "bpmn_id": k[1], "agency_id": k[2], "samples": len(v),
             "quantiles": quantiles(v), "fitted_at": as_of} for k, v in samples.items() if len(v) >= MIN_SAMPLES]
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


def _fitted(keys: set[tuple[int, str, int]]) -> dict[tuple[int, str, int], StatOutlook]:
    if not keys:
        return {}
    wanted = set(keys) | {(v, b, ALL) for v, b, _a in keys}
    rows = db.session.scalars(select(StatOutlook).where(
        tuple_(StatOutlook.process_version_id, StatOutlook.bpmn_id, StatOutlook.agency_id).in_(list(wanted))))
    return {(r.process_version_id, r.bpmn_id, r.agency_id): r for r in rows}


def risks(pairs: list[tuple[HumanTask, Dossier]], now: datetime | None = None) -> dict[int, Risk]:
    """P(late) per task id of open tasks of open, running dossiers (one query for the whole list)."""
    now = now or utcnow()
    live = [(t, d) for t, d in pairs if t.status != TaskStatus.COMPLETED and d.stat_finished_at is None
            and d.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING) and d.legal_due_at is not None]
    fitted = _fitted({(d.process_version_id, t.bpmn_id, t.agency_id or ALL) for t, d in live})
    calendar, out = memoised(get_calendar()), {}
    for task, dossier in live:
        row = fitted.get((dossier.process_version_id, task.bpmn_id, task.agency_id or ALL)) or fitted.get(
            (dossier.process_version_id, task.bpmn_id, ALL))
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
