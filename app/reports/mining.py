"""Process mining on the diagram: per step of one procedure version, how long its completed tasks took in working
time (median, 95th percentile), how often they were late against the step's budget, and how often the step sent
the dossier to wait for a supplement; the same per acting agency as a ranked list of bottlenecks.

- Duration: working hours from the task's creation to its completion (the agency's calendar, app.calendar), so
  nights, weekends and holidays do not count; stored on the task when it closes (HumanTask.working_hours, by the
  pipeline's projection), computed here only for tasks closed before the column existed (`flask reports
  backfill-hours` fills those).
- Percentiles: nearest rank (p-th percentile = the ⌈p·n⌉-th smallest), so every figure is an observed duration.
- Waiting for a supplement: a clock pause of the dossier during the task (creation to completion, inclusive):
  the step asked the applicant for more.
- Colour: the 95th percentile against the step's legal time (its budget): within it green, up to 1.5 × amber,
  beyond red; no budget grey.
"""
from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.auth.models import Agency, User
from app.calendar.services import get_calendar
from app.dossiers.listing import local_day_bounds
from app.dossiers.models import ClockEntry, Dossier
from app.extensions import db
from app.reports import services
from app.reports.calendar_memo import memoised
from app.reports.services import StatsFilter
from app.workflow.models import HumanTask, ProcessVersion, TaskStatus

AMBER = 1.5  # p95 up to this multiple of the budget is amber, beyond red


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of sorted `values`."""
    if not values:
        return None
    return values[max(0, math.ceil(p * len(values)) - 1)]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


@dataclass
class StepFigures:
    bpmn_id: str
    name: str
    agency: Agency | None  # None: all agencies (the step on the diagram)
    count: int
    median_hours: float | None
    p95_hours: float | None
    late_rate: float | None
    supplement_rate: float | None
    budget_hours: float | None

    @property
    def ratio(self) -> float | None:
        return round(self.p95_hours / self.budget_hours, 2) if self.budget_hours and self.p95_hours is not None \
            else None

    @property
    def colour(self) -> str:
        if self.ratio is None:
            return "grey"
        return "green" if self.ratio <= 1 else "amber" if self.ratio <= AMBER else "red"


@dataclass
class Heatmap:
    version: ProcessVersion
    steps: list[StepFigures]  # one per step, for the diagram
    bottlenecks: dict[Agency, list[StepFigures]]  # per acting agency, worst first


@dataclass
class _Sample:
    hours: float
    late: bool
    paused: bool
    budget: float | None


def _figures(bpmn_id: str, name: str, agency: Agency | None, samples: list[_Sample]) -> StepFigures:
    hours = sorted(s.hours for s in samples)
    budgets = sorted(s.budget for s in samples if s.budget is not None)
    n = len(samples)
    return StepFigures(bpmn_id, name, agency, n, _round(median(hours)), _round(percentile(hours, 0.95)),
                       round(sum(s.late for s in samples) / n, 4), round(sum(s.paused for s in samples) / n, 4),
                       median(budgets))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def heatmap(actor: User, version: ProcessVersion, flt: StatsFilter) -> Heatmap:
    """The figures of the tasks of `version` completed in the filter's period that the viewer's scope covers."""
    scope = services.scope_of(actor, flt)
    low, high = local_day_bounds(flt.start, flt.end)
    period = [*([HumanTask.completed_at >= low] if low else []), *([HumanTask.completed_at < high] if high else [])]
    where = [Dossier.process_version_id == version.id, HumanTask.status == TaskStatus.COMPLETED,
             HumanTask.completed_at.is_not(None), *period]
    if scope.agency_ids is not None:  # the steps the viewer's agencies did, or of the dossiers they own
        ids = list(scope.agency_ids) or [-1]
        where.append(HumanTask.agency_id.in_(ids) | Dossier.stat_agency_id.in_(ids))
    rows = db.session.execute(
        select(HumanTask.bpmn_id, HumanTask.name, HumanTask.agency_id, HumanTask.created_at, HumanTask.completed_at,
               HumanTask.timing, HumanTask.duration_days, HumanTask.dossier_id, HumanTask.working_hours)
        .join(Dossier, Dossier.id == HumanTask.dossier_id).where(*where)).all()
    pauses: dict[int, list] = defaultdict(list)
    if rows:
        query = (select(ClockEntry.dossier_id, ClockEntry.at).join(Dossier, Dossier.id == ClockEntry.dossier_id)
                 .where(Dossier.process_version_id == version.id, ClockEntry.kind == "pause"))
        for dossier_id, at in db.session.execute(query):
            pauses[dossier_id].append(at)
        for values in pauses.values():
            values.sort()
    calendar = get_calendar()
    per_day = calendar.hours_per_day
    if any(r.working_hours is None for r in rows):
        calendar = memoised(calendar)
    by_step: dict[str, list[_Sample]] = defaultdict(list)
    by_agency: dict[tuple[int, str], list[_Sample]] = defaultdict(list)
    names: dict[str, str] = {}
    for r in rows:
        at = pauses.get(r.dossier_id, [])
        paused = bisect.bisect_left(at, r.created_at) < bisect.bisect_right(at, r.completed_at)
        budget = r.duration_days * per_day if r.duration_days else None
        hours = r.working_hours if r.working_hours is not None else calendar.working_hours_between(r.created_at,
                                                                                                    r.completed_at)
        sample = _Sample(hours, r.timing == "late", paused, budget)
        names[r.bpmn_id] = r.name
        by_step[r.bpmn_id].append(sample)
        if r.agency_id is not None:
            by_agency[(r.agency_id, r.bpmn_id)].append(sample)
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(
        Agency.id.in_({k[0] for k in by_agency} or {-1})))}
    steps = [_figures(key, names[key], None, samples) for key, samples in sorted(by_step.items())]
    bottlenecks: dict[Agency, list[StepFigures]] = {}
    for (agency_id, key), samples in sorted(by_agency.items()):
        bottlenecks.setdefault(agencies[agency_id], []).append(_figures(key, names[key], agencies[agency_id],
                                                                        samples))
    for figures in bottlenecks.values():
        figures.sort(key=lambda f: (-(f.ratio or 0), -(f.late_rate or 0), -(f.p95_hours or 0), f.bpmn_id))
    return Heatmap(version, steps, dict(sorted(bottlenecks.items(), key=lambda item: item[0].path)))


def versions() -> list[ProcessVersion]:
    return list(db.session.scalars(select(ProcessVersion).where(ProcessVersion.status == "published")
                                   .order_by(ProcessVersion.process_key, ProcessVersion.number)))
