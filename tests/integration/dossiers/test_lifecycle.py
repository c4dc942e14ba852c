"""Dossiers driven through the real services, real BPMN models and the real calendar (domain.md §1, §3)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.audit.services import list_events
from app.core.errors import ConflictError, ValidationError
from app.dossiers import lifecycle
from app.dossiers.intake import IncompleteDossierError
from app.dossiers.lifecycle import InvalidTransitionError
from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db
from tests.integration.dossiers.conftest import local, official

CODE_RE = re.compile(r"^000\.00\.12\.H38-\d{6}-\d{4,}$")
PROCEDURES = ["1.014199", "1.001193", "1.001022", "1.009994", "2.000720", "1.000775"]


class TestReceive:
    def test_counter_receipt_creates_code_appointment_and_first_task(self, desk, clock):
        clock("2026-03-02 09:00")  # Monday
        receipt = desk.receive("1.014199")
        dossier = receipt.dossier
        assert CODE_RE.match(dossier.code) and dossier.code.endswith("-260302-0001")
        assert re.fullmatch(r"\d{6}", receipt.pin)
        assert dossier.legal_due_at == local("2026-03-16 09:00")  # 10 working days (Decree 219/2025)
        assert dossier.status is DossierStatus.PROCESSING
        task = desk.task(dossier)
        assert (task.step_kind, task.role) == ("appraisal", "specialist")
        assert task.agency_id == official("specialist", task.agency_id).roles[0].agency_id
        assert [e.kind for e in list_events(dossier.id)][:2] == ["received", "task_completed"]

    def test_incomplete_dossier_lists_every_missing_document_and_creates_nothing(self, desk):
        with pytest.raises(IncompleteDossierError) as error:
            desk.receive("1.014199", documents=[])
        assert len(error.value.details["missing"]) >= 3
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0

    def test_codes_follow_a_daily_sequence_per_agency(self, desk, clock):
        clock("2026-03-02 09:00")
        first, second = desk.receive("1.014199").dossier, desk.receive("1.014199").dossier
        assert first.code.endswith("-0001") and second.code.endswith("-0002")
        clock("2026-03-03 09:00")
        assert desk.receive("1.014199").dossier.code.endswith("-260303-0001")

    def test_receipt_after_hours_starts_the_clock_next_working_morning(self, desk, clock):
        clock("2026-03-06 17:30")  # Friday evening
        dossier = desk.receive("1.014199").dossier
        assert dossier.clock_started_at == local("2026-03-09 07:30")
        assert dossier.legal_due_at == local("2026-03-20 17:00")


class TestFiveSteps:
    @pytest.mark.parametrize("code", PROCEDURES)
    def test_each_procedure_runs_from_receipt_to_return(self, desk, clock, code):
        clock("2026-03-02 08:00")
        agency = "14797" if code in ("1.001193", "1.001022", "1.009994", "2.000720") else "H38.TTPVHCC"
        dossier = desk.receive(code, agency).dossier
        kinds = ["intake"] + desk.run_to_end(dossier)
        assert dossier.status is DossierStatus.RETURNED, kinds
        for kind in ("intake", "appraisal", "approval", "stamping", "return"):
            assert kind in kinds
        assert dossier.timing in ("early", "on_time")
        assert dossier.returned_at and dossier.result_ready_at and dossier.finished_at

    def test_work_permit_timeline_records_each_hand_over(self, desk, clock):
        clock("2026-03-02 08:00")
        dossier = desk.receive("1.014199").dossier
        desk.run_to_end(dossier)
        events = list_events(dossier.id)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        completed = [e.from_step for e in events if e.kind == "task_completed"]
        assert len(completed) == 5
        assert all(e.actor_name for e in events if e.kind == "task_completed")

    def test_interconnected_dossier_crosses_commune_police_and_social_insurance(self, desk, clock):
        clock("2026-03-02 08:00")
        dossier = desk.receive("1.001022", "14797").dossier
        visited = set()
        for _ in range(20):
            tasks = desk.open_tasks(dossier)
            if not tasks:
                break
            visited.add(tasks[0].agency_id)
            desk.complete(dossier)
        from app.auth.services import get_agency_by_code

        # residence at the commune police (not the provincial police), the card at the social insurance unit
        expected = {get_agency_by_code(c).id for c in ("14797", "14797.CA", "H38.BHXH.CS1")}
        assert expected <= visited
        assert dossier.status is DossierStatus.RETURNED


class TestSupplement:
    def test_supplement_round_trip_restarts_the_time_limit(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        clock("2026-03-03 09:00")
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Bản sao hộ chiếu công chứng")
        assert dossier.status is DossierStatus.WAITING_SUPPLEMENT
        assert desk.open_tasks(dossier) == []
        clock("2026-03-10 10:00")
        lifecycle.receive_supplement(official("receiver", dossier.receiving_agency_id), dossier.code,
                                     documents=["Bản sao hộ chiếu công chứng"])
        db.session.commit()
        assert dossier.status is DossierStatus.PROCESSING
        assert dossier.legal_due_at == local("2026-03-24 10:00")
        assert desk.task(dossier).step_kind == "appraisal"
        desk.run_to_end(dossier)
        assert dossier.status is DossierStatus.RETURNED and dossier.supplement_count == 1

    def test_supplement_request_after_three_working_days_needs_a_reason_and_is_flagged(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        clock("2026-03-06 10:00")  # the window closed on Thu 05/03 17:00 (3rd working day after the receipt day)
        with pytest.raises(ValidationError):
            desk.complete(dossier, "appraisal", decision="supplement", supplement_items="X")
        db.session.rollback()
        assert dossier.status is DossierStatus.PROCESSING
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="X",
                      comment="Phát hiện thiếu sót khi xác minh")
        assert dossier.status is DossierStatus.WAITING_SUPPLEMENT and dossier.late_supplement_count == 1
        event = [e for e in list_events(dossier.id) if e.kind == "supplement_requested"][-1]
        assert event.data["compliant"] is False and event.data["late_reason"]


class TestRefusalAndWithdrawal:
    def test_refusal_is_returned_as_the_result(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        desk.complete(dossier, "appraisal", decision="refuse", comment="Không đủ điều kiện sức khỏe",
                      refusal_reason="Không đủ điều kiện sức khỏe")
        assert desk.task(dossier).step_kind == "return"
        desk.run_to_end(dossier)
        assert dossier.status is DossierStatus.REFUSED and dossier.outcome == "refused"

    def test_refusal_without_reason_is_rejected(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        with pytest.raises(ValidationError):
            desk.complete(dossier, "appraisal", decision="refuse", refusal_reason="", opinion="")

    def test_withdrawal_stops_the_dossier_and_closes_its_tasks(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        lifecycle.withdraw(official("receiver", dossier.receiving_agency_id), dossier.code,
                           reason="Người nộp xin rút hồ sơ")
        db.session.commit()
        assert dossier.status is DossierStatus.STOPPED and desk.open_tasks(dossier) == []
        assert list_events(dossier.id)[-1].kind == "stopped"

    def test_withdrawal_is_refused_once_the_result_is_issued(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        for kind in ("appraisal", "approval", "stamping"):
            desk.complete(dossier, kind)
        with pytest.raises(InvalidTransitionError):
            lifecycle.withdraw(official("receiver", dossier.receiving_agency_id), dossier.code, reason="x")


class TestLateDossier:
    def test_apology_sets_a_new_appointment_once_and_statistics_keep_the_original(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        original = dossier.legal_due_at
        leader = official("leader", desk.task(dossier).agency_id)
        clock("2026-03-05 09:00")  # 2 working days before the due date: compliant
        lifecycle.apologize(leader, dossier.code, reason="Chờ ý kiến cơ quan công an",
                            new_due_at=local("2026-03-20 17:00"))
        db.session.commit()
        assert dossier.due_at == local("2026-03-20 17:00") and dossier.legal_due_at == original
        assert list_events(dossier.id)[-1].data["compliant"] is True and dossier.apology_compliant is True
        with pytest.raises(InvalidTransitionError):
            lifecycle.apologize(leader, dossier.code, reason="Lần hai", new_due_at=local("2026-03-27 17:00"))
        db.session.rollback()
        clock("2026-03-17 09:00")
        desk.run_to_end(dossier)
        assert dossier.timing == "late"

    def test_apology_sent_on_the_due_day_is_flagged_non_compliant(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        leader = official("leader", desk.task(dossier).agency_id)
        clock("2026-03-16 08:00")
        lifecycle.apologize(leader, dossier.code, reason="Quá tải", new_due_at=local("2026-03-18 17:00"))
        assert list_events(dossier.id)[-1].data["compliant"] is False and dossier.apology_compliant is False


class TestConcurrency:
    def test_second_completion_of_the_same_task_is_refused(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task = desk.complete(dossier, "appraisal")
        actor = official("specialist", task.agency_id)
        with pytest.raises(InvalidTransitionError):
            lifecycle.complete_task(actor, task.id, {"decision": "approve", "opinion": "ok"})

    def test_official_of_another_agency_cannot_complete(self, desk, clock):
        from app.core.errors import PermissionDeniedError

        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task = desk.task(dossier, "appraisal")
        outsider = official("specialist", dossier.receiving_agency_id) or desk_other_specialist()
        with pytest.raises(PermissionDeniedError):
            lifecycle.complete_task(outsider, task.id, {"decision": "approve"})


def desk_other_specialist():
    from app.auth.services import get_agency_by_code

    return official("specialist", get_agency_by_code("H38.SXD").id)


class TestClaim:
    def test_claimed_task_cannot_be_completed_by_a_colleague(self, desk, clock):
        from app.auth.services import RoleGrant, create_user, get_agency_by_code
        from app.inbox.services import claim_task

        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task = desk.task(dossier, "appraisal")
        colleague = create_user(None, username="cv2", full_name="Chuyên viên 2", password="mat-khau-123",
                                grants=[RoleGrant("specialist", "H38.SNV")])
        claim_task(official("specialist", get_agency_by_code("H38.SNV").id), task.id)
        with pytest.raises(ConflictError):
            claim_task(colleague, task.id)
        with pytest.raises(ConflictError):
            lifecycle.complete_task(colleague, task.id, {"decision": "approve", "opinion": "ok"})


class TestApologyPermission:
    def test_leader_of_another_agency_cannot_send_the_apology(self, desk, clock):
        from app.auth.services import get_agency_by_code
        from app.core.errors import PermissionDeniedError

        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        outsider = official("leader", get_agency_by_code("H38.SXD").id)
        with pytest.raises(PermissionDeniedError):
            lifecycle.apologize(outsider, dossier.code, reason="x", new_due_at=local("2026-03-20 17:00"))
