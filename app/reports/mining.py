"""Process mining on the diagram: per step of one procedure version, how long its completed tasks took in working
time (median, 95th percentile), how often they were late against the step's budget, and how often the step sent
the dossier to wait for a supplement; the same per acting agency as a ranked list of bottlenecks.

- Duration: working hours from the task's creation to its completion (the agency's calendar, app.calendar), so
  nights, weekends and holidays do not count; stored on the task when it closes (HumanTask.working_hours, by the
  pipeline's projection). Tasks closed before the column existed have none until `flask reports backfill-hours`
  fills them: meanwhile they count in the rates, not in the durations.
- Percentiles: nearest rank (p-th percentile = the ⌈p·n⌉-th smallest), so the 95th is an observed duration; the
  median is the middle value (the mean of the two middle ones when n is even). Computed in SQL (`_grouped`):
  on PostgreSQL percentile_disc / percentile_cont, on SQLite the same order statistics by row_number().
- Waiting for a supplement: a clock pause of the dossier during the task (creation to completion, inclusive):
  the step asked the applicant for more.
- Colour: the 95th percentile against the step's legal time (its budget): within it green, up to 1.5 × amber,
  beyond red; no budget grey.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import case, exists, func, literal, null, select, tuple_, union_all

from app.auth.models import Agency, User
from app.calendar.services import get_calendar
from app.dossiers.listing import local_day_bounds
from app.dossiers.models import ClockEntry, Dossier
from app.extensions import db
from app.reports import services
from app.reports.services import StatsFilter
from app.workflow.models import HumanTask, ProcessVersion, TaskStatus

AMBER = 1.5  # p95 up to this multiple of the budget is amber, beyond red
P95 = 0.95
WORK_MEM = "64MB"  # PostgreSQL, for the heatmap's transaction only (set_config(..., is_local))


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of sorted `values` (the definition; the heatmap computes it in SQL, _aggregates)."""
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


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _base(actor: User, version: ProcessVersion, flt: StatsFilter):
    """One row per task of `version` completed in the filter's period that the viewer's scope covers: its step,
    agency, working hours, lateness, whether the dossier's clock paused during it (EXISTS on the clock entries) and
    its budget in days."""
    scope = services.scope_of(actor, flt)
    low, high = local_day_bounds(flt.start, flt.end)
    where = [Dossier.process_version_id == version.id, HumanTask.status == TaskStatus.COMPLETED,
             HumanTask.completed_at.is_not(None), *([HumanTask.completed_at >= low] if low else []),
             *([HumanTask.completed_at < high] if high else [])]
    if scope.agency_ids is not None:  # the steps the viewer's agencies did, or of the dossiers they own
        ids = list(scope.agency_ids) or [-1]
        where.append(HumanTask.agency_id.in_(ids) | Dossier.stat_agency_id.in_(ids))
    paused = exists().where(ClockEntry.dossier_id == HumanTask.dossier_id, ClockEntry.kind == "pause",
                            ClockEntry.at >= HumanTask.created_at, ClockEntry.at <= HumanTask.completed_at)
    return (select(HumanTask.bpmn_id.label("bpmn_id"), HumanTask.agency_id.label("agency_id"),
                   HumanTask.name.label("name"), HumanTask.working_hours.label("hours"),
                   case((HumanTask.timing == "late", 1), else_=0).label("late"),
                   case((paused, 1), else_=0).label("paused"), HumanTask.duration_days.label("days"))
            .join(Dossier, Dossier.id == HumanTask.dossier_id).where(*where).cte("mining_tasks"))


def _aggregates(c, hours, days, dialect: str, rank=None) -> list:
    """The figures of one group of `c` (a source of base rows): count, median and 95th percentile of the hours,
    late and supplement rates, median budget in days. On PostgreSQL the ordered-set aggregates (percentile_disc(p)
    is the ⌈p·n⌉-th smallest, percentile_cont(0.5) the median); elsewhere (SQLite) the same order statistics
    picked by their rank (`rank`: row_number() and count() over the group, see _ranked)."""
    if dialect == "postgresql":
        med = func.percentile_cont(0.5).within_group(hours)
        p95 = func.percentile_disc(P95).within_group(hours)
        budget = func.percentile_cont(0.5).within_group(days)
    else:
        def middle(position, n, value):  # the mean of the two middle values (one when n is odd)
            return func.avg(case((position.in_([(n + 1) // 2, (n + 2) // 2]), value)))

        med, budget = middle(rank.rh, rank.nh, hours), middle(rank.rd, rank.nd, days)
        p95 = func.max(case(((rank.rh >= P95 * rank.nh) & (rank.rh - 1 < P95 * rank.nh), hours)))
    return [func.max(c.name).label("name"), func.count().label("n"), med.label("median"), p95.label("p95"),
            func.avg(c.late).label("late"), func.avg(c.paused).label("paused"), budget.label("budget")]


def _ranked(base, keys: tuple[str, ...]):
    """SQLite: the base rows with each one's rank by hours and by budget within its group (NULLs last, not
    counted: tasks closed before the column, not yet backfilled, count in the rates but not in the durations)."""
    part = [base.c[k] for k in keys]
    return select(base, func.row_number().over(partition_by=part, order_by=(base.c.hours.is_(None), base.c.hours))
                  .label("rh"), func.count(base.c.hours).over(partition_by=part).label("nh"),
                  func.row_number().over(partition_by=part, order_by=(base.c.days.is_(None), base.c.days))
                  .label("rd"), func.count(base.c.days).over(partition_by=part).label("nd")).subquery()


def _grouped(base, dialect: str):
    """The figures per step (`level` 0: the diagram) and per acting agency and step (`level` 1: bottlenecks) in
    one statement: GROUPING SETS on PostgreSQL (one pass), a UNION ALL of the two groupings on SQLite."""
    if dialect == "postgresql":
        c = base.c
        level = (1 - func.grouping(c.agency_id)).label("level")
        return (select(level, c.agency_id, c.bpmn_id, *_aggregates(c, c.hours, c.days, dialect))
                .group_by(func.grouping_sets(tuple_(c.bpmn_id), tuple_(c.agency_id, c.bpmn_id))))
    parts = []
    for level, keys in ((0, ("bpmn_id",)), (1, ("agency_id", "bpmn_id"))):
        r = _ranked(base, keys).c
        agency = r.agency_id if level else null()
        parts.append(select(literal(level).label("level"), agency.label("agency_id"), r.bpmn_id,
                            *_aggregates(r, r.hours, r.days, dialect, r)).group_by(*(r[k] for k in keys)))
    return union_all(*parts)


def heatmap(actor: User, version: ProcessVersion, flt: StatsFilter) -> Heatmap:
    """The figures of the tasks of `version` completed in the filter's period that the viewer's scope covers,
    per step and per acting agency and step, from one SQL statement."""
    dialect = db.session.get_bind().dialect.name
    per_day = get_calendar().hours_per_day

    def figures(row, agency: Agency | None) -> StepFigures:
        budget = float(row.budget) * per_day if row.budget else None
        return StepFigures(row.bpmn_id, row.name, agency, row.n, _round(row.median), _round(row.p95),
                           round(float(row.late), 4), round(float(row.paused), 4), budget)

    if dialect == "postgresql":  # one sort of up to a year's tasks: in memory, and no JIT compile (it costs
        # 100-250 ms at the planner's estimate for a wide period and saves less than it costs here)
        db.session.execute(select(func.set_config("work_mem", WORK_MEM, True), func.set_config("jit", "off", True)))
    rows = db.session.execute(_grouped(_base(actor, version, flt), dialect)).all()
    by_step = sorted((r for r in rows if r.level == 0), key=lambda r: r.bpmn_id)
    by_agency = sorted((r for r in rows if r.level == 1 and r.agency_id is not None),  # no agency: diagram only
                       key=lambda r: (r.agency_id, r.bpmn_id))
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(
        Agency.id.in_({r.agency_id for r in by_agency} or {-1})))}
    steps = [figures(r, None) for r in by_step]
    bottlenecks: dict[Agency, list[StepFigures]] = {}
    for r in by_agency:
        bottlenecks.setdefault(agencies[r.agency_id], []).append(figures(r, agencies[r.agency_id]))
    for found in bottlenecks.values():
        found.sort(key=lambda f: (-(f.ratio or 0), -(f.late_rate or 0), -(f.p95_hours or 0), f.bpmn_id))
    return Heatmap(version, steps, dict(sorted(bottlenecks.items(), key=lambda item: item[0].path)))


def versions() -> list[ProcessVersion]:
    return list(db.session.scalars(select(ProcessVersion).where(ProcessVersion.status == "published")
                                   .order_by(ProcessVersion.process_key, ProcessVersion.number)))
