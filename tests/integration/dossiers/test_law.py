"""Issue 20: the law, right — table-driven scenarios from domain.md through the services (one class per finding)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.auth.services import get_agency_by_code
from app.catalog.services import (
    NoCompetenceError,
    ProcedureNotInForceError,
    get_procedure,
    import_procedures,
    upsert_procedure,
)
from app.dossiers import lifecycle
from app.dossiers.actions import InvalidTransitionError
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.routing import NoCompetenceForTransferError
from app.extensions import db
from app.history.services import list_events
from app.notify.models import Notification
from app.reports.services import StatsFilter, dossier_stats
from tests.functional.ui_world import officials  # noqa: F401
from tests.integration.dossiers.conftest import local, official

BIRTH, CHILD, BUILD, PERMIT, OLD_PERMIT = "1.001193", "1.001022", "1.009994", "1.014199", "1.000105"


def agency_id(code: str) -> int:
    return get_agency_by_code(code).id


def receive(desk, code: str, at: str = "H38.TTPVHCC", commune: str | None = None):
    """Receive with a competence commune (the Desk helper predates it)."""
    from app.dossiers.intake import receive_dossier
    from app.dossiers.schemas import ApplicantInput, IntakeInput

    procedure, agency = get_procedure(code), get_agency_by_code(at)
    intake = IntakeInput(procedure_code=code, applicant=ApplicantInput(name="Trần Thị Bình"),
                         received_documents=[d.id for d in procedure.documents],
                         form_data=desk.intake_data(code), commune_code=commune)
    receipt = receive_dossier(official("receiver", agency.id), agency, intake)
    db.session.commit()
    return receipt.dossier


class TestCompetenceRouting:  # finding 1
    @pytest.mark.parametrize(("counter", "commune", "handler"), [
        ("H38.TTPVHCC", "15880", "15880"),  # received at the provincial center: the parents' commune handles it
        ("14797", "15880", "15880"),  # received at another commune: it still goes to the competent one
        ("15880", None, "15880"),  # received at the own commune
    ])
    def test_birth_registration_goes_to_the_commune_of_residence(self, desk, clock, counter, commune, handler):
        clock("2026-03-02 09:00")
        dossier = receive(desk, BIRTH, counter, commune)
        assert dossier.handling_agency_id == agency_id(handler)
        assert {t.agency_id for t in desk.open_tasks(dossier) if t.role != "receiver"} == {agency_id(handler)}

    def test_residence_procedure_at_the_center_needs_the_commune(self, desk, clock):
        clock("2026-03-02 09:00")
        with pytest.raises(NoCompetenceError, match="competent agency"):
            receive(desk, BIRTH, "H38.TTPVHCC", None)

    def test_transfer_to_an_agency_without_competence_is_refused(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive(desk, BIRTH, "H38.TTPVHCC", "15880")
        task = [t for t in desk.open_tasks(dossier) if t.role != "receiver"][0]
        with pytest.raises(NoCompetenceForTransferError) as error:
            lifecycle.transfer(official(task.role, task.agency_id), dossier.code, to_agency_code="H38.SXD",
                               reason="Chuyển nhầm")
        assert "không có thẩm quyền" in error.value.message_vi and "no competence" in error.value.message_en

    def test_interconnected_residence_goes_to_the_commune_police(self, desk, clock):
        clock("2026-03-02 08:00")
        dossier = receive(desk, CHILD, "H38.TTPVHCC", "15880")
        seen = set()
        for _ in range(12):
            tasks = desk.open_tasks(dossier)
            if not tasks:
                break
            seen |= {t.agency_id for t in tasks}
            desk.complete(dossier)
        assert agency_id("15880.CA") in seen and agency_id("H38.CA") not in seen

    def test_paper_transfer_after_the_cutoff_arrives_next_morning(self, desk, clock):
        clock("2026-03-02 16:00")  # counter (paper) receipt at the center after 15:00
        dossier = desk.receive(PERMIT)
        dossier = dossier.dossier
        appraisal = desk.task(dossier, "appraisal")
        # the step budget (7 days) starts on Tue 03/03 07:30, not at 16:00 on Monday
        assert appraisal.due_at == local("2026-03-11 17:00")


class TestStatisticsSemantics:  # finding 2 (the API test holds the hand-built data set)
    def test_dossier_counts_for_its_handling_agency_not_the_counter(self, desk, clock):
        from app.auth.services import find_user_by_username

        clock("2026-03-02 09:00")
        desk.receive(PERMIT)
        clock("2026-03-20 09:00")  # overdue
        auditor = find_user_by_username("auditor")
        snv = dossier_stats(auditor, StatsFilter(agency=get_agency_by_code("H38.SNV")))
        center = dossier_stats(auditor, StatsFilter(agency=get_agency_by_code("H38.TTPVHCC")))
        assert (snv.overall.total, snv.overall.overdue_open) == (1, 1)
        assert (center.overall.total, center.overall.overdue_open, center.overall.counter_received) == (0, 0, 1)


class TestSupplementWindow:  # finding 3
    def test_construction_permit_allows_its_own_window(self, desk, clock):
        clock("2026-03-02 08:00")
        dossier = desk.receive(BUILD, "14797").dossier
        clock("2026-03-05 10:00")  # day 4: past 3 working days, inside the sector law's 7
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Bản vẽ mặt bằng")
        assert dossier.status is DossierStatus.WAITING_SUPPLEMENT and dossier.late_supplement_count == 0

    def test_one_request_per_dossier_and_the_restart_honours_the_cutoff(self, desk, clock):
        procedure = get_procedure(PERMIT)
        procedure.cutoff = "15:00"
        db.session.commit()
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Hộ chiếu")
        clock("2026-03-04 16:00")  # after the cut-off: the full limit runs from Thu 05/03 07:30
        lifecycle.receive_supplement(official("receiver", dossier.receiving_agency_id), dossier.code,
                                     documents=["Hộ chiếu"])
        db.session.commit()
        assert dossier.clock_started_at == local("2026-03-05 07:30")
        assert dossier.legal_due_at == local("2026-03-18 17:00")
        with pytest.raises(InvalidTransitionError, match="only 1 time"):
            desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Ảnh")
        db.session.rollback()
        assert dossier.supplement_count == 1

    def test_late_request_is_flagged_for_the_leader_and_counted(self, desk, clock, officials):  # noqa: F811
        from app.auth.services import find_user_by_username

        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        clock("2026-03-09 09:00")
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="X", comment="Xác minh muộn")
        page = officials.login("lanhdao.snv").get(f"/dossiers/{dossier.code}")
        assert 'id="flag-late-supplement"' in page.text
        stats = dossier_stats(find_user_by_username("auditor"), StatsFilter())
        assert stats.overall.late_supplements == 1 and stats.overall.paused == 1 and stats.overall.overdue_open == 0


class TestSameDay:  # finding 4
    @pytest.mark.parametrize(("received", "due"), [
        ("2026-03-02 14:00", "2026-03-02 17:00"),  # before 15:00: the same working day
        ("2026-03-02 15:30", "2026-03-03 17:00"),  # after the cut-off: the next working day
        ("2026-03-06 17:30", "2026-03-09 17:00"),
    ])
    def test_birth_registration_is_due_the_same_day(self, desk, clock, received, due):
        clock(received)
        dossier = desk.receive(BIRTH, "14797").dossier
        assert dossier.legal_days == 0 and dossier.legal_due_at == local(due)

    def test_catalogue_accepts_zero_and_two_outcome_limits(self, world):
        csv = ("code,name_vi,agency_code,legal_days,process_key,refusal_days\n"
               "9.000001,Chứng thực bản sao,14797,0,birth_registration,\n"
               "9.000002,Cấp phép,H38.SNV,10,work_permit,3\n").encode()
        first, second = import_procedures(None, "catalog.csv", csv)
        assert first.legal_days == 0 and second.refusal_days == 3

    def test_refusal_is_timed_against_its_own_limit(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        clock("2026-03-06 09:00")  # day 4: past the 3-day refusal limit, well inside the 10-day grant limit
        desk.complete(dossier, "appraisal", decision="refuse", refusal_reason="Không đủ điều kiện")
        assert dossier.decided_at == local("2026-03-06 09:00")
        assert dossier.decision_due_at == local("2026-03-05 09:00")


class TestApologyAlert:  # finding 5
    def test_alert_reaches_the_handling_leader_in_the_app_and_by_email(self, app, desk, clock, officials):  # noqa: F811
        from app.auth.services import find_user_by_username
        from app.scheduler.jobs import alert_due_tomorrow

        leader = find_user_by_username("lanhdao.snv")
        leader.email = "lanhdao.snv@thanhhoa.gov.vn"
        db.session.commit()
        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier  # due Mon 16/03 09:00
        clock("2026-03-12 09:00")  # two working days left: one for the apology plus the margin
        assert alert_due_tomorrow(app) == 1
        assert alert_due_tomorrow(app) == 0  # once
        db.session.expire_all()
        mails = db.session.scalars(select(Notification).where(Notification.event_kind == "apology_due")).all()
        assert [m.recipient for m in mails] == ["lanhdao.snv@thanhhoa.gov.vn"]
        assert list_events(dossier.id)[-1].kind == "apology_alerted"
        assert 'id="flag-apology-due"' in officials.login("lanhdao.snv").get(f"/dossiers/{dossier.code}").text

    def test_non_compliant_apologies_are_counted(self, desk, clock):
        from app.auth.services import find_user_by_username

        clock("2026-03-02 09:00")
        dossier = desk.receive(PERMIT).dossier
        clock("2026-03-16 08:00")  # the due day: too late for a compliant apology
        lifecycle.apologize(official("leader", agency_id("H38.SNV")), dossier.code, reason="Quá tải",
                            new_due_at=local("2026-03-20 17:00"))
        db.session.commit()
        stats = dossier_stats(find_user_by_username("auditor"), StatsFilter())
        assert (stats.overall.apologies, stats.overall.late_apologies) == (1, 1)


class TestCivilPolicy:  # finding 6
    def test_after_hours_receipt_counts_the_receipt_day_out_once(self, desk, clock):
        procedure = get_procedure(PERMIT)
        procedure.deadline_policy, procedure.legal_days = "civil", Decimal(1)
        db.session.commit()
        clock("2026-03-02 17:30")
        dossier = desk.receive(PERMIT).dossier
        assert dossier.legal_due_at == local("2026-03-03 17:00")


class TestEffectiveDating:  # finding 7
    @pytest.mark.parametrize(("day", "code", "form_set"), [
        ("2025-06-30 09:00", OLD_PERMIT, "TT01-2018"),
        ("2025-07-15 09:00", OLD_PERMIT, "TT01-2018"),  # Decree 118 applies, Circular 03 not yet
        ("2025-09-15 09:00", PERMIT, "TT03-2025"),
        ("2026-03-02 09:00", PERMIT, "TT03-2025"),
    ])
    def test_dossier_keeps_the_form_set_in_force_at_receipt(self, desk, clock, officials, day, code, form_set):  # noqa: F811
        clock(day)
        dossier = desk.receive(code).dossier
        assert dossier.form_set == form_set
        page = officials.login("tiepnhan").get(f"/dossiers/{dossier.code}/receipt")
        circular = {"TT01-2018": "01/2018/TT-VPCP", "TT03-2025": "03/2025/TT-VPCP"}[form_set]
        assert f'id="receipt-form">Mẫu số 01 – Thông tư {circular}<' in page.text

    def test_old_work_permit_version_is_not_receivable_after_decree_219(self, desk, clock):
        clock("2026-03-02 09:00")
        with pytest.raises(ProcedureNotInForceError):
            desk.receive(OLD_PERMIT)

    def test_a_new_version_of_the_same_code_leaves_open_dossiers_on_theirs(self, desk, clock):
        clock("2026-03-02 09:00")
        old = desk.receive(BIRTH, "14797").dossier
        current = get_procedure(BIRTH)
        current.effective_to = local("2026-03-31 00:00").date()
        upsert_procedure(None, {"code": BIRTH, "version": 2, "name_vi": "Đăng ký khai sinh (2026)",
                                "agency_code": "14797", "legal_days": 0, "process_id": "birth_registration",
                                "level": "commune", "competence": "residence", "cutoff": "15:00",
                                "effective_from": "2026-04-01"}, {})
        db.session.commit()
        clock("2026-04-01 09:00")
        new = desk.receive(BIRTH, "14797").dossier
        assert (old.procedure.version, new.procedure.version) == (1, 2)
        assert db.session.get(Dossier, old.id).procedure_id == current.id


class TestCatalogue:  # finding 8
    def test_current_law_in_the_demo_catalogue(self, world):
        permit, old = get_procedure(PERMIT), get_procedure(OLD_PERMIT)
        assert (permit.legal_days, permit.refusal_days) == (10, 3)
        assert str(permit.effective_from) == "2025-08-07" and str(old.effective_to) == "2025-08-06"
        assert not any("chấp thuận nhu cầu" in d.name_vi for d in permit.documents)
        assert get_procedure("2.000720").name_vi.startswith("Đăng ký thay đổi")
        assert get_procedure("1.001612").name_vi == "Đăng ký thành lập hộ kinh doanh"
        residence_fee = [f for f in get_procedure(CHILD).fees if "thường trú" in f.name_vi]
        assert residence_fee and residence_fee[0].amount_vnd == 0
