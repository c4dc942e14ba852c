"""Re-execution: the recorded inputs, fed again to the recorded model version, reproduce every recorded state."""
from __future__ import annotations

import pytest

from app.audit.reexecute import reexecute_dossier
from app.audit.services import list_events
from app.audit.verify import verify_dossier
from app.dossiers import lifecycle
from app.extensions import db
from tests.integration.audit.conftest import official, rewrite_chain

PROCEDURES = {"1.014199": "H38.TTPVHCC", "1.001193": "14797", "1.001022": "14797", "1.009994": "14797",
              "2.000720": "14797", "1.000775": "H38.TTPVHCC"}


def _verified(dossier):
    report = reexecute_dossier(dossier)
    assert report.ok, report.message("en")
    return report


class TestReexecutionVerifies:
    @pytest.mark.parametrize("code", sorted(PROCEDURES))
    def test_each_procedure_handled_to_the_end_re_executes_identically(self, desk, clock, code):
        clock("2026-03-02 08:00")
        dossier = desk.receive(code, PROCEDURES[code]).dossier
        desk.run_to_end(dossier)
        report = _verified(dossier)
        assert report.steps == sum(1 for e in list_events(dossier.id) if e.state_fingerprint)
        assert "Verified" in report.message("en") and "Đã xác minh" in report.message("vi")

    def test_a_supplement_round_trip_re_executes(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        clock("2026-03-03 09:00")
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Bản sao hộ chiếu")
        clock("2026-03-10 10:00")
        lifecycle.receive_supplement(official("receiver", dossier.receiving_agency_id), dossier.code,
                                     documents=["Bản sao hộ chiếu"])
        db.session.commit()
        desk.run_to_end(dossier)
        kinds = [e.kind for e in list_events(dossier.id)]
        assert "supplement_requested" in kinds and "supplement_received" in kinds
        _verified(dossier)

    def test_a_construction_permit_with_its_site_visit_timer_re_executes(self, desk, clock):
        clock("2026-03-02 08:00")
        dossier = desk.receive("1.009994", "14797").dossier
        desk.run_to_end(dossier)
        assert "timer_fired" in [e.kind for e in list_events(dossier.id)]
        _verified(dossier)

    def test_a_withdrawn_dossier_re_executes(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.000775").dossier
        lifecycle.withdraw(official("receiver", dossier.receiving_agency_id), dossier.code, reason="Xin rút hồ sơ")
        db.session.commit()
        assert list_events(dossier.id)[-1].kind == "stopped"
        _verified(dossier)

    def test_an_online_dossier_waiting_for_intake_re_executes(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199", channel="online").dossier
        assert desk.task(dossier).step_kind == "intake"
        assert _verified(dossier).steps == 1


class TestReexecutionDiverges:
    @pytest.fixture
    def dossier(self, desk, clock):
        clock("2026-03-02 08:00")
        dossier = desk.receive("1.014199").dossier
        desk.run_to_end(dossier)
        return dossier

    def test_altered_input_data_fails_at_that_event_although_the_chain_was_re_hashed(self, dossier):
        def forge(fields):
            fields["data"] = {**fields["data"], "input": {**fields["data"]["input"], "opinion": "Ý kiến khác"}}

        rewrite_chain(dossier.id, 3, forge)
        assert verify_dossier(dossier).ok  # the forgery is internally consistent
        report = reexecute_dossier(dossier)
        assert (report.outcome, report.seq, report.kind) == ("diverged", 3, "task_completed")
        assert report.expected != report.actual
        assert "#3" in report.message("vi") and "Divergence at event #3" in report.message("en")

    def test_a_forged_decision_makes_the_next_recorded_step_impossible(self, dossier):
        def forge(fields):
            fields["data"] = {**fields["data"], "input": {**fields["data"]["input"], "decision": "refuse"}}

        rewrite_chain(dossier.id, 3, forge)
        report = reexecute_dossier(dossier)
        assert not report.ok and report.seq == 3

    def test_a_forged_start_data_fails_at_receipt(self, dossier):
        def forge(fields):
            fields["data"] = {**fields["data"], "input": {**fields["data"]["input"], "applicant_name": "Người khác"}}

        rewrite_chain(dossier.id, 1, forge)
        report = reexecute_dossier(dossier)
        assert (report.outcome, report.seq) == ("diverged", 1)


def test_cli_reexecute_reports_one_dossier_and_a_sample(app, desk, clock):
    clock("2026-03-02 08:00")
    done = desk.receive("1.014199").dossier
    desk.run_to_end(done)
    desk.receive("1.000775")  # open: not in the closed sample
    runner = app.test_cli_runner()
    one = runner.invoke(args=["audit", "reexecute", done.code])
    assert one.exit_code == 0 and "Verified" in one.output
    sample = runner.invoke(args=["audit", "reexecute", "--sample", "10"])
    assert sample.exit_code == 0 and sample.output.strip().endswith("verified=1")
    both = runner.invoke(args=["audit", "reexecute", "--sample", "10", "--open"])
    assert both.output.strip().endswith("verified=2")
    rewrite_chain(done.id, 3, lambda f: f["data"]["input"].update(opinion="x"))
    failed = runner.invoke(args=["audit", "reexecute", done.code])
    assert failed.exit_code == 1 and "#3" in failed.output
