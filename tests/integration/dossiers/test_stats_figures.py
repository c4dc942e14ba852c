"""Issue 16: every figure of app.reports.services on a hand-built data set whose answers are written here.

Nine work permits received at the provincial center on Mon 02/03/2026 09:00, handled by the Department of Home
Affairs (10 working days: legal due Mon 16/03 09:00; a refusal within 3 working days: Thu 05/03 09:00):
  A  run to the end on 02/03                                   -> early
  B  stamped on the due day 16/03 08:00 (before the due instant) -> on time
  L  stamped on the due day 16/03 10:00 (after the due instant)  -> late
  C  stamped on Fri 13/03                                        -> early
  R  supplement requested 03/03, provided 04/03 (the full limit restarts), stamped 17/03 -> early, not late
  W  supplement requested 03/03, still waiting                   -> paused, not overdue
  F  refusal decided 04/03 (day 3), handed over 27/03            -> early, a refusal
  G  received online, untouched                                  -> overdue open
  H  apology sent on the due day (too late: non-compliant)      -> overdue open, 1 apology, 1 late apology
Counted on Mon 30/03/2026 09:00.

Their steps (a step is early when done on a working day before its due day, on time on its due day up to the due
instant, late after it): intake at the center (due the same day, done at once) 8 on time (G waits for online
acceptance); appraisal at the department (7 working days, due 11/03): A, W (03/03), F (04/03) and R's first (03/03)
early, B, L, C and R's second (from 04/03, due 13/03, done 17/03) late; approval (2 days) done at once: 5 early;
stamping (2 hours) done at once: 5 on time; return at the center (due 16/03): A's on 02/03 early, F's on 27/03 late.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.auth.services import find_user_by_username, get_agency_by_code
from app.dossiers import lifecycle
from app.dossiers.models import Dossier
from app.extensions import db
from app.reports import summary
from app.reports.maintain import reclassify_all
from app.reports.services import StatsFilter, StepCounts, dossier_stats, step_stats
from app.workflow.models import HumanTask
from tests.integration.dossiers.conftest import local, official

PERMIT = "1.014199"


@pytest.fixture
def history(desk, clock):
    clock("2026-03-02 09:00")
    names = "ABLCRWFH"
    made = {name: desk.receive(PERMIT).dossier for name in names}
    made["G"] = desk.receive(PERMIT, channel="online").dossier
    desk.run_to_end(made["A"])
    clock("2026-03-03 09:00")
    for name in "RW":
        desk.complete(made[name], "appraisal", decision="supplement", supplement_items="Hộ chiếu")
    clock("2026-03-04 09:00")
    lifecycle.receive_supplement(official("receiver", made["R"].receiving_agency_id), made["R"].code,
                                 documents=["Hộ chiếu"])
    db.session.commit()
    desk.complete(made["F"], "appraisal", decision="refuse", refusal_reason="Không đủ điều kiện",
                  comment="Không đủ điều kiện")
    clock("2026-03-13 09:00")
    _stamp(desk, made["C"])
    clock("2026-03-16 08:00")
    _stamp(desk, made["B"])
    lifecycle.apologize(official("leader", get_agency_by_code("H38.SNV").id), made["H"].code, reason="Quá tải",
                        new_due_at=local("2026-03-20 17:00"))
    db.session.commit()
    clock("2026-03-16 10:00")
    _stamp(desk, made["L"])
    clock("2026-03-17 09:00")
    _stamp(desk, made["R"])
    clock("2026-03-27 09:00")
    desk.run_to_end(made["F"])
    clock("2026-03-30 09:00")
    return made


def _stamp(desk, dossier):
    for kind in ("appraisal", "approval", "stamping"):
        desk.complete(dossier, kind)


def _march(agency: str | None = None):
    flt = StatsFilter(start=local("2026-03-01 12:00").date(), end=local("2026-03-31 12:00").date(),
                      agency=get_agency_by_code(agency) if agency else None)
    return dossier_stats(find_user_by_username("auditor"), flt)


class TestFigures:
    def test_every_figure_of_the_department(self, history):
        overall = _march("H38.SNV").overall
        assert overall.total == 9
        assert (overall.finished, overall.early, overall.on_time, overall.late) == (6, 4, 1, 1)
        assert overall.on_time_rate == round(5 / 6, 4)
        assert (overall.refused, overall.overdue_open, overall.paused) == (1, 2, 1)
        assert (overall.with_supplement, overall.late_supplements) == (2, 0)
        assert (overall.apologies, overall.late_apologies) == (1, 1)
        assert (overall.online, overall.counter_received) == (1, 0)
        assert overall.by_status == {"returned": 1, "result_ready": 4, "refused": 1, "waiting_supplement": 1,
                                     "processing": 1, "received": 1}  # G waits for online acceptance

    def test_each_dossier_is_classified_in_its_own_row(self, history):
        timings = {name: db.session.get(Dossier, d.id).stat_timing for name, d in history.items()}
        assert timings == {"A": "early", "B": "on_time", "L": "late", "C": "early", "R": "early", "W": None,
                           "F": "early", "G": None, "H": None}
        assert {d.stat_agency_id for d in history.values()} == {get_agency_by_code("H38.SNV").id}
        assert history["F"].stat_finished_at == local("2026-03-04 09:00")  # the decision, not the hand-over

    def test_by_channel_and_the_counter(self, history):
        stats = _march()
        assert {key: c.total for key, c in stats.by_channel.items()} == {"counter": 8, "online": 1}
        center = stats.by_agency[get_agency_by_code("H38.TTPVHCC").id]
        assert (center.total, center.counter_received) == (0, 9)

    def test_another_period_sees_none_of_it(self, history):
        flt = StatsFilter(start=local("2026-04-01 12:00").date(), end=local("2026-04-30 12:00").date())
        overall = dossier_stats(find_user_by_username("auditor"), flt).overall
        assert (overall.total, overall.finished) == (0, 0)
        assert overall.overdue_open == 2  # open dossiers count at the moment of asking (G, H)

    def test_reclassify_refills_the_columns_the_same_way(self, history):
        before = _march("H38.SNV").overall
        assert reclassify_all() == 0  # kept current by every change
        db.session.execute(update(Dossier).values(stat_finished_at=None, stat_timing=None))
        assert reclassify_all(batch=4) == 6
        assert _march("H38.SNV").overall == before
        assert db.session.scalar(select(Dossier.stat_timing).where(Dossier.id == history["L"].id)) == "late"


def _march_steps(agency: str | None = None) -> dict[str, StepCounts]:
    flt = StatsFilter(start=local("2026-03-01 12:00").date(), end=local("2026-03-31 12:00").date(),
                      agency=get_agency_by_code(agency) if agency else None)
    return step_stats(find_user_by_username("auditor"), flt)


class TestStepFigures:
    """Completed steps per step kind (the dashboard's table by step), from stat_step_daily."""

    def test_every_step_kind_early_on_time_late(self, history):
        assert _march_steps() == {"intake": StepCounts(8, 0, 8, 0), "appraisal": StepCounts(8, 4, 0, 4),
                                  "approval": StepCounts(5, 5, 0, 0), "stamping": StepCounts(5, 0, 5, 0),
                                  "return": StepCounts(2, 1, 0, 1)}

    def test_the_department_did_the_middle_steps_only(self, history):
        assert _march_steps("H38.SNV") == {"appraisal": StepCounts(8, 4, 0, 4), "approval": StepCounts(5, 5, 0, 0),
                                           "stamping": StepCounts(5, 0, 5, 0)}
        assert _march("H38.SNV").overall.steps == StepCounts(18, 9, 5, 4)  # the agency table's sum of the same

    def test_another_period_has_no_steps(self, history):
        flt = StatsFilter(start=local("2026-04-01 12:00").date(), end=local("2026-04-30 12:00").date())
        assert step_stats(find_user_by_username("auditor"), flt) == {}

    def test_a_step_whose_kind_changes_moves_row(self, history):
        """A raw UPDATE of human_tasks.step_kind (a migration, a DBA's fix) moves the step: the update trigger
        watches the column; a task with no kind counts under ''."""
        task = db.session.scalar(select(HumanTask).where(HumanTask.dossier_id == history["F"].id,
                                                         HumanTask.step_kind == "return"))
        db.session.execute(update(HumanTask).where(HumanTask.id == task.id).values(step_kind=None))
        steps = _march_steps()
        assert (steps["return"], steps[""]) == (StepCounts(1, 1, 0, 0), StepCounts(1, 0, 0, 1))
        summary.rebuild(db.session.connection())
        assert _march_steps() == steps


def test_reclassify_command_prints_how_many_rows_changed(app, history):
    db.session.execute(update(Dossier).where(Dossier.id == history["B"].id).values(stat_timing=None))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "reclassify"])
    assert result.exit_code == 0 and result.output.strip() == "1"
    assert db.session.get(Dossier, history["B"].id).stat_timing == "on_time"
