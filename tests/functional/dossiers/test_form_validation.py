"""No silent bad data (issue 14.3): real calendar dates, ranges and order between fields, appointment on a working
day, lengths on every text field — checked by the service, shown in place in Vietnamese."""
from __future__ import annotations

import pytest

from app.catalog.services import get_procedure
from app.core.errors import ValidationError
from app.dossiers import lifecycle
from app.dossiers.models import Dossier
from app.dossiers.task_forms import check_submission
from app.extensions import db
from tests.functional.dossiers.test_intake_views import intake_post
from tests.functional.ui_world import WORK_PERMIT, official, reach


def _post_intake(client, **fields):
    docs = [d.id for d in get_procedure(WORK_PERMIT).documents]
    return client.post(f"/counter/intake/{WORK_PERMIT}", data={**intake_post(docs), **fields})


class TestIntakeDates:
    def test_birth_date_in_the_future_is_refused_in_place(self, officials, at_office):
        response = _post_intake(officials.login("tiepnhan"), **{"f.worker_date_of_birth": "2099-01-01"})
        assert response.status_code == 422
        assert 'id="f-worker_date_of_birth-err"' in response.text and "Ngày không được sau 02/03/2026" in response.text
        assert db.session.query(Dossier).count() == 0

    def test_work_end_before_its_start_is_refused(self, officials, at_office):
        response = _post_intake(officials.login("tiepnhan"), **{"f.work_start": "2026-04-01",
                                                                "f.work_end": "2026-01-01"})
        assert response.status_code == 422
        assert 'id="f-work_end-err"' in response.text
        assert "Phải từ ngày “Thời hạn làm việc từ ngày” (01/04/2026) trở đi." in response.text

    def test_impossible_calendar_date_is_refused(self, officials, at_office):
        response = _post_intake(officials.login("tiepnhan"), **{"f.work_start": "2026-02-31"})
        assert response.status_code == 422
        assert "không có ngày này trên lịch" in response.text

    def test_ten_thousand_character_text_is_refused(self, officials, at_office):
        response = _post_intake(officials.login("tiepnhan"), **{"f.job_title": "x" * 10_000})
        assert response.status_code == 422
        assert "Tối đa 255 ký tự (đang có 10000)." in response.text


class TestStepDates:
    def _stamping(self, desk, officials):
        dossier = desk.receive(WORK_PERMIT).dossier
        task = reach(desk, dossier, "stamping")
        client = officials.login("vanthu.snv")
        client.post(f"/inbox/tasks/{task.id}/claim")
        return task, client

    def test_valid_until_before_the_issue_date_is_refused(self, officials, desk, at_office):
        task, client = self._stamping(desk, officials)
        response = client.post(f"/tasks/{task.id}", data={"f.result_number": "GP-1", "f.issued_date": "2026-03-02",
                                                          "f.valid_until": "1900-01-01"})
        assert response.status_code == 422
        assert 'id="f-valid_until-err"' in response.text and "Ngày ban hành" in response.text

    def test_issue_date_in_the_future_is_refused(self, officials, desk, at_office):
        task, client = self._stamping(desk, officials)
        response = client.post(f"/tasks/{task.id}", data={"f.result_number": "GP-1", "f.issued_date": "2026-12-10",
                                                          "f.valid_until": "2027-12-10"})
        assert response.status_code == 422 and 'id="f-issued_date-err"' in response.text

    def test_the_service_refuses_the_same_for_every_caller(self, app, at_office):
        with pytest.raises(ValidationError):
            from app.dossiers.task_forms import validate_submission

            validate_submission("work_permit/stamping", {"result_number": "1", "issued_date": "2026-02-31",
                                                         "valid_until": "2027-01-01"})
        cleaned, errors = check_submission("work_permit/stamping", {"result_number": "1", "issued_date": "02/03/2026",
                                                                    "valid_until": "2027-03-01"})
        assert not errors and cleaned["issued_date"] == "2026-03-02"  # dd/mm/yyyy accepted, stored as ISO


class TestAppointment:
    def test_new_appointment_on_a_sunday_is_refused(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        client = officials.login("lanhdao.snv")
        response = client.post(f"/dossiers/{dossier.code}/apology", data={
            "apology-reason": "Cần xác minh thêm", "apology-new_date": "2026-03-22", "apology-new_time": "10:00"},
            follow_redirects=True)
        assert "không phải ngày làm việc" in response.text
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).apology_count == 0

    def test_service_refuses_a_sunday_for_the_api_too(self, desk, at_office):
        from tests.integration.dossiers.conftest import local

        dossier = desk.receive(WORK_PERMIT).dossier
        with pytest.raises(ValidationError):
            lifecycle.apologize(official("leader", dossier.current_agency_id), dossier.code, reason="x",
                                new_due_at=local("2026-03-22 10:00"))


class TestOrganisations:
    def test_an_organisation_applies_with_its_ten_digit_tax_code(self, officials, at_office):
        response = _post_intake(officials.login("tiepnhan"), applicant_kind="organisation",
                                name="Công ty TNHH Nghi Sơn", id_number="2801234567")
        assert response.status_code == 302, response.text
        dossier = db.session.query(Dossier).one()
        assert dossier.applicant_kind == "organisation" and dossier.applicant_id_number == "2801234567"

    def test_a_thirteen_digit_branch_code_is_accepted_and_a_personal_id_is_not(self, officials, at_office):
        client = officials.login("tiepnhan")
        assert _post_intake(client, applicant_kind="organisation", id_number="2801234567001").status_code == 302
        bad = _post_intake(client, applicant_kind="organisation", id_number="038090001234")
        assert bad.status_code == 422 and "Mã số thuế của tổ chức gồm 10 hoặc 13 chữ số." in bad.text

    def test_a_person_still_needs_the_twelve_digit_id(self, officials, at_office):
        bad = _post_intake(officials.login("tiepnhan"), applicant_kind="person", id_number="2801234567")
        assert bad.status_code == 422 and "Số định danh cá nhân phải gồm đúng 12 chữ số." in bad.text


class TestApplicantRulesOfTheForm:
    def test_the_intake_forms_applicant_rules_are_shown_on_the_counter_fields(self, officials, at_office):
        response = _post_intake(officials.login("tiepnhan"), address="")
        assert response.status_code == 422
        assert 'id="address-err"' in response.text and "Trường này là bắt buộc." in response.text
