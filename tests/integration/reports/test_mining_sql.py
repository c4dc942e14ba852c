"""Issue 16: the process heatmap's figures computed in SQL (app.reports.mining._grouped), on hand-written tasks whose
answers are written here; runs on SQLite and on PostgreSQL (MOTCUA_TEST_DATABASE_URL), the same answers on both.

Closed tasks of one work-permit dossier, each on its own step (bpmn_id), created Tue 10/03/2026 08:00 UTC + k hours,
completed 1 hour later, in March (the filter's period); working hours set by hand:
  single   one task, 3.5 h                      -> median 3.5, p95 3.5
  ties     2, 2, 2, 5 h (1 late)                -> median 2 (mean of 2 and 2), p95 = ⌈0.95·4⌉ = 4th = 5, late 25 %
           by agency: SNV 2, 2 -> median 2, p95 2; SXD 2, 5 -> median 3.5, p95 5
  twenty   1 .. 20 h                            -> median 10.5, p95 = ⌈0.95·20⌉ = ⌈19⌉ = 19th = 19 (not 20)
  twenty1  1 .. 21 h                            -> median 11, p95 = ⌈19.95⌉ = 20th = 20
  partial  none (closed before the column), 4, 6 -> counted 3, median 5, p95 6 (durations of the measured two)
Budgets (duration_days): ties 1, 1, 2, 3 days -> median 1.5 days = 12 h.
A clock pause at the end of the first `ties` task (inclusive: the task asked for the supplement) -> 1 of 4 waited.
A task completed in February is outside the period.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.auth.services import get_agency_by_code
from app.dossiers.models import ClockEntry
from app.extensions import db
from app.reports import mining
from app.reports.services import StatsFilter
from app.workflow.models import HumanTask, ProcessVersion
from tests.integration.dossiers.conftest import clock, desk, world  # noqa: F401
from tests.integration.dossiers.conftest import official as _official

PERMIT = "1.014199"
START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def _task(dossier, bpmn_id: str, k: int, hours: float | None, agency, *, late=False, days=None, month=3):
    created = START.replace(month=month) + timedelta(hours=k)
    db.session.add(HumanTask(dossier_id=dossier.id, dossier_year=dossier.partition_year,
                             engine_task_id=f"hand-{bpmn_id}-{k}", bpmn_id=bpmn_id,
                             name=f"Bước {bpmn_id}", agency_id=agency.id, status="completed", created_at=created,
                             completed_at=created + timedelta(hours=1), working_hours=hours,
                             timing="late" if late else "on_time", duration_days=days))
    return created + timedelta(hours=1)


def test_heatmap_percentiles_in_sql(desk, clock):  # noqa: F811
    clock("2026-03-02 09:00")
    dossier = desk.receive(PERMIT).dossier
    snv, sxd = get_agency_by_code("H38.SNV"), get_agency_by_code("H38.SXD")
    _task(dossier, "single", 0, 3.5, snv)
    ended = _task(dossier, "ties", 1, 2, snv, days=1)
    db.session.add(ClockEntry(dossier_id=dossier.id, kind="pause", at=ended))
    _task(dossier, "ties", 3, 2, snv, days=1)  # created after the pause: did not wait
    _task(dossier, "ties", 5, 2, sxd, days=2)
    _task(dossier, "ties", 7, 5, sxd, late=True, days=3)
    for h in range(1, 21):
        _task(dossier, "twenty", 10 + h, float(h), snv)
    for h in range(1, 22):
        _task(dossier, "twenty1", 40 + h, float(h), snv)
    for k, h in enumerate((None, 4.0, 6.0)):
        _task(dossier, "partial", 70 + k, h, snv)
    _task(dossier, "ties", 0, 100, snv, month=2)  # February: outside the period
    db.session.flush()

    version = db.session.get(ProcessVersion, dossier.process_version_id)
    viewer = _official("supervisor", "38")
    result = mining.heatmap(viewer, version, StatsFilter(start=date(2026, 3, 1), end=date(2026, 3, 31)))
    steps = {f.bpmn_id: (f.count, f.median_hours, f.p95_hours, f.late_rate, f.supplement_rate, f.budget_hours)
             for f in result.steps}
    assert steps["single"] == (1, 3.5, 3.5, 0.0, 0.0, None)
    assert steps["ties"] == (4, 2.0, 5.0, 0.25, 0.25, 12.0)
    assert steps["twenty"] == (20, 10.5, 19.0, 0.0, 0.0, None)
    assert steps["twenty1"] == (21, 11.0, 20.0, 0.0, 0.0, None)
    assert steps["partial"] == (3, 5.0, 6.0, 0.0, 0.0, None)
    ties = {f.agency.code: (f.count, f.median_hours, f.p95_hours, f.late_rate, f.supplement_rate, f.budget_hours)
            for figures in result.bottlenecks.values() for f in figures if f.bpmn_id == "ties"}
    assert ties == {"H38.SNV": (2, 2.0, 2.0, 0.0, 0.5, 8.0), "H38.SXD": (2, 3.5, 5.0, 0.5, 0.0, 20.0)}
    # worst first in an agency's list: the steps with a budget by p95 / budget, then the rest by late rate, p95
    snv_steps = [f.bpmn_id for f in result.bottlenecks[snv] if f.bpmn_id in steps]
    assert snv_steps == ["ties", "twenty1", "twenty", "partial", "single"]
    db.session.rollback()
