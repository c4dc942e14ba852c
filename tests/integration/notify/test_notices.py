"""Officials' notices from the scheduler (due soon, late, escalated after a configurable delay) and from events,
written in the same transaction as the change that caused them."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core.db import unit_of_work
from app.extensions import db
from app.notify.models import Notification, OfficialNotice
from app.notify.notices import agency_leaders, warn_due_steps
from app.scheduler.jobs import warn_officials
from app.workflow.models import HumanTask
from tests.integration.dossiers.conftest import official

pytest_plugins = ["tests.integration.dossiers.conftest"]
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def notices() -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(n.kind, n.user_id) for n in db.session.scalars(select(OfficialNotice).order_by(OfficialNotice.id))]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_rolled_back_change_leaves_no_outbox_row_and_no_notice(app, desk, clock):
    clock("2026-03-02 09:00")
    with pytest.raises(RuntimeError), unit_of_work():
        _receive_without_commit(desk)  # Desk.receive would commit
        assert count(Notification) > 0  # queued with the change...
        raise RuntimeError("the unit of work fails after the outbox row was written")
    db.session.remove()
    assert count(Notification) == 0 and count(OfficialNotice) == 0  # ...and gone with it


def _receive_without_commit(desk):
    from app.auth.services import get_agency_by_code
    from app.catalog.services import get_procedure
    from app.dossiers.intake import receive_dossier
    from app.dossiers.schemas import ApplicantInput, IntakeInput

    procedure = get_procedure("1.014199")
    agency = get_agency_by_code("H38.TTPVHCC")
    intake = IntakeInput(procedure_code="1.014199", applicant=ApplicantInput(
        name="Nguyễn Văn An", id_number="038090001234", phone="0912345678"),
        received_documents=[d.id for d in procedure.documents], channel="counter",
        form_data=desk.intake_data("1.014199"))
    return receive_dossier(official("receiver", agency.id), agency, intake)


class TestStepWarnings:
    @pytest.fixture
    def claimed_appraisal(self, app, desk, clock):
        from app.inbox.services import claim_task

        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task = desk.task(dossier, "appraisal")
        specialist = official(task.role, task.agency_id)
        claim_task(specialist, task.id)
        db.session.commit()
        return db.session.get(HumanTask, task.id), specialist

    def test_escalation_reaches_the_leader_only_after_the_configured_delay(self, app, claimed_appraisal, clock,
                                                                          monkeypatch):
        task, specialist = claimed_appraisal
        monkeypatch.setitem(app.config, "ESCALATION_HOURS", 4)
        leaders = agency_leaders(task.agency_id)
        assert leaders and task.due_at is not None
        from app.calendar.services import get_calendar

        cal = get_calendar()
        clock_at = lambda instant: clock(instant.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M"))  # noqa: E731
        clock_at(cal.add_working_hours(task.due_at, -10))
        assert warn_officials(app) == {"due_soon": 0, "overdue": 0, "escalated": 0}
        clock_at(cal.add_working_hours(task.due_at, -2))
        assert warn_officials(app)["due_soon"] == 1
        assert notices() == [("due_soon", specialist.id)]
        clock_at(task.due_at + timedelta(minutes=30))
        assert warn_officials(app) == {"due_soon": 0, "overdue": 1, "escalated": 0}
        clock_at(cal.add_working_hours(task.due_at, 3))
        assert warn_officials(app)["escalated"] == 0  # late, but not yet by the configured 4 working hours
        clock_at(cal.add_working_hours(task.due_at, 4.5))
        assert warn_officials(app)["escalated"] == len(leaders)
        assert notices()[2:] == [("escalated", leader) for leader in leaders]
        assert warn_officials(app) == {"due_soon": 0, "overdue": 0, "escalated": 0}  # once per task and person
        leader = db.session.get(User, leaders[0])
        escalated = db.session.scalar(select(OfficialNotice).where(OfficialNotice.user_id == leader.id))
        assert "quá hạn" in escalated.body and specialist.full_name in escalated.body

    def test_unclaimed_late_step_still_escalates(self, app, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task = desk.task(dossier, "appraisal")
        counts = warn_due_steps(task.due_at + timedelta(days=7))
        assert counts["overdue"] == 0 and counts["escalated"] == len(agency_leaders(task.agency_id)) > 0


class TestReturnedStep:
    def test_a_step_sent_back_tells_who_did_it_last_time_and_a_first_step_tells_nobody(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        appraisal = desk.complete(dossier, "appraisal")
        specialist = official(appraisal.role, appraisal.agency_id)
        assert notices() == []  # approval opened for the first time
        desk.complete(dossier, "approval", decision="reject", comment="Cần xác minh thêm")
        reopened = desk.task(dossier, "appraisal")
        assert notices() == [("returned", specialist.id)]
        notice = db.session.scalar(select(OfficialNotice))
        assert notice.dedupe_key == f"returned:{reopened.id}" and "Cần xác minh thêm" in notice.body
