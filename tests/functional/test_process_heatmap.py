"""Issue 16: process mining on the diagram, on hand-built appraisal durations of the work permit.

Four permits received at the center on Mon 02/03/2026 09:00; their appraisal (budget 7 working days = 56 h, due
Wed 11/03 09:00) by the Department of Home Affairs is completed:
  a  Mon 02/03 10:00 ->  1 working hour
  b  Mon 02/03 11:00 ->  2 h, asking for a supplement (the clock pauses: waiting for the applicant)
  c  Tue 03/03 09:00 ->  8 h
  d  Thu 12/03 09:00 -> 64 h, late
Median (1, 2, 8, 64) = 5 h; p95 by nearest rank = the 4th of 4 = 64 h; late 25 %; supplement 25 %;
64 / 56 = 1.14 of the budget -> amber.
"""
from __future__ import annotations

from app.extensions import db
from app.reports import mining
from tests.functional.ui_world import clock, desk, officials, world  # noqa: F401

PERMIT = "1.014199"
MARCH = "from=2026-03-01&to=2026-03-31"


def _build(desk, clock):  # noqa: F811
    clock("2026-03-02 09:00")
    a, b, c, d = (desk.receive(PERMIT).dossier for _ in range(4))
    clock("2026-03-02 10:00")
    desk.complete(a, "appraisal")
    clock("2026-03-02 11:00")
    desk.complete(b, "appraisal", decision="supplement", supplement_items="Hộ chiếu")
    clock("2026-03-03 09:00")
    desk.complete(c, "appraisal")
    clock("2026-03-12 09:00")
    desk.complete(d, "appraisal")
    clock("2026-03-20 09:00")
    return a.process_version_id


def test_percentiles_by_nearest_rank():
    assert mining.percentile([1, 2, 8, 64], 0.95) == 64
    assert mining.percentile(list(range(1, 21)), 0.95) == 19
    assert mining.percentile([], 0.95) is None
    assert (mining.median([1, 2, 8, 64]), mining.median([3, 1, 2][::-1][:1] + [5, 9])) == (5, 5)


def test_step_figures_and_bottlenecks(desk, officials, clock):  # noqa: F811
    version = _build(desk, clock)
    client = officials.login("lanhdao.snv")
    page = client.get(f"/thong-ke/quy-trinh?version={version}&{MARCH}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert ('<tr data-step="appraisal" data-colour="amber"><td>Thẩm định hồ sơ</td><td class="text-end">4</td>'
            '<td class="text-end">5.0</td><td class="text-end">64.0</td><td class="text-end">56.0</td>'
            '<td class="text-end">25.0</td><td class="text-end">25.0</td></tr>') in html
    assert '"appraisal": {"budget": 56.0, "colour": "amber", "count": 4, "late": 0.25, "median": 5.0' in html
    section = html.split('data-agency="H38.SNV"', 1)[1].split("</section>", 1)[0]
    assert section.index('data-step="appraisal"') >= 0
    assert "P95 64.0 giờ / thời hạn 56.0 giờ, trễ 25.0 %, chờ bổ sung 25.0 %" in section
    # the period filters on the completion day: before the first completion there is nothing
    empty = client.get(f"/thong-ke/quy-trinh?version={version}&from=2026-02-01&to=2026-02-28").get_data(as_text=True)
    assert 'data-step="appraisal"' not in empty
    assert client.get("/thong-ke/quy-trinh?version=999999").status_code == 404


def test_a_commune_leader_sees_none_of_the_department_steps(desk, officials, clock):  # noqa: F811
    version = _build(desk, clock)
    html = officials.login("lanhdao.hacthanh").get(f"/thong-ke/quy-trinh?version={version}&{MARCH}").get_data(
        as_text=True)
    assert 'data-step="appraisal"' not in html
    db.session.rollback()


def test_a_closed_task_stores_its_working_hours_across_a_weekend(desk, officials, clock):  # noqa: F811
    """Received Fri 06/03/2026 16:00, appraised Mon 09/03 09:00: 16:00-17:00 Friday plus 07:30-09:00 Monday =
    2.5 working hours (the weekend does not count), stored on the task when the pipeline closes it."""
    from sqlalchemy import select

    from app.calendar.services import get_calendar
    from app.workflow.models import HumanTask

    clock("2026-03-06 16:00")
    dossier = desk.receive(PERMIT).dossier
    clock("2026-03-09 09:00")
    desk.complete(dossier, "appraisal")
    task = db.session.scalars(select(HumanTask).where(HumanTask.dossier_id == dossier.id,
                                                      HumanTask.bpmn_id == "appraisal")).one()
    assert task.working_hours == 2.5
    assert task.working_hours == get_calendar(dossier.receiving_agency_id).working_hours_between(
        task.created_at, task.completed_at)
    # the heatmap reads the stored figure: a changed value shows (nothing recomputes it)
    task.working_hours = 3.0
    db.session.commit()
    html = officials.login("lanhdao.snv").get(
        f"/thong-ke/quy-trinh?version={dossier.process_version_id}&{MARCH}").get_data(as_text=True)
    assert '"appraisal": {"budget": 56.0, "colour": "green", "count": 1, "late": 0.0, "median": 3.0' in html


def test_backfill_fills_the_tasks_closed_before_the_column(desk, officials, clock):  # noqa: F811
    """`flask reports backfill-hours` (after migration 0017_stats3) gives old closed tasks the same figure."""
    from sqlalchemy import select

    from app.reports.maintain import backfill_hours
    from app.workflow.models import HumanTask

    clock("2026-03-06 16:00")
    dossier = desk.receive(PERMIT).dossier
    clock("2026-03-09 09:00")
    desk.complete(dossier, "appraisal")
    task = db.session.scalars(select(HumanTask).where(HumanTask.dossier_id == dossier.id,
                                                      HumanTask.bpmn_id == "appraisal")).one()
    task.working_hours = None
    db.session.commit()
    assert backfill_hours() >= 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).working_hours == 2.5
    assert backfill_hours() == 0
