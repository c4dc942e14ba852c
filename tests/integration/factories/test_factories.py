"""The per-feature factories (tests/factories) build only what a test asks for, through the real services."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.calendar.services import clear_cache, get_calendar
from app.dossiers import rules
from app.dossiers.models import DossierStatus
from app.extensions import db
from app.history.services import list_events
from app.workflow.models import ProcessVersion
from tests.factories import catalog, organisation
from tests.factories.dossiers import Desk, form_data


@pytest.fixture
def work_permits(app):
    """Only the organisation and the work permit procedure: no other model is deployed."""
    organisation.build_organisation()
    [procedure] = catalog.procedures(catalog.WORK_PERMIT)
    db.session.commit()
    return procedure


class TestOrganisation:
    def test_official_is_found_by_role_at_an_agency_given_as_code_id_or_object(self, app):
        organisation.build_organisation()
        center = organisation.agency(organisation.CENTER)
        assert {organisation.official("receiver", key).username
                for key in (organisation.CENTER, center.id, center)} == {"tiepnhan"}
        assert organisation.official("leader", "H38.SNV").username == "lanhdao.snv"
        assert organisation.official("receiver", "H38.SNV") is None  # roles are per agency, not inherited

    def test_commune_police_sit_under_the_provincial_police_under_the_province(self, app):
        organisation.build_organisation()
        province, police, ward = (organisation.agency(code) for code in ("38", "H38.CA", "14797.CA"))
        assert ward.path.startswith(police.path) and police.path.startswith(province.path)

    def test_an_added_official_signs_in_with_the_tests_password(self, app, auth):
        organisation.build_organisation()
        organisation.add_official("chuyenvien2.snv", "specialist@H38.SNV")
        db.session.commit()
        assert auth.login("chuyenvien2.snv", organisation.PASSWORD).status_code == 302


class TestCatalog:
    def test_one_procedure_deploys_only_its_model_once(self, work_permits):
        assert work_permits.handling_agency.code == "H38.SNV"
        catalog.procedures(catalog.WORK_PERMIT)  # again: content already deployed
        keys = db.session.scalars(select(ProcessVersion.process_key)).all()
        assert keys == ["work_permit"]

    def test_a_rule_set_variant_is_in_force_for_the_test_only(self, app, monkeypatch):
        variant = catalog.ruleset_in_force(monkeypatch, max_supplement_requests=2)
        assert rules.ruleset_for(date.today()) == variant and variant.max_supplement_requests == 2
        monkeypatch.undo()
        assert rules.ruleset_for(date.today()).max_supplement_requests == 1

    def test_a_day_off_closes_the_calendar(self, app):
        clear_cache()
        monday = date(2026, 3, 2)
        assert get_calendar().is_working_day(monday)
        catalog.day_off(monday)
        db.session.commit()
        assert not get_calendar().is_working_day(monday)
        clear_cache()


class TestDossiers:
    def test_a_received_dossier_waits_at_the_appraisal_of_the_labour_department(self, work_permits):
        receipt = Desk().receive(catalog.WORK_PERMIT)
        task = Desk().task(receipt.dossier)
        assert receipt.dossier.status is DossierStatus.PROCESSING and receipt.pin  # the intake step is the receipt
        assert (task.step_kind, task.agency_id) == ("appraisal", organisation.agency("H38.SNV").id)

    def test_a_dossier_moved_to_a_step_went_through_each_step_before_it(self, work_permits):
        dossier, task = Desk().at_step("stamping")
        assert task.step_kind == "stamping" and dossier.status is DossierStatus.PROCESSING
        events = list_events(dossier.id)
        assert [e.kind for e in events] == ["received"] + ["task_completed"] * 3  # intake, appraisal, approval

    def test_form_data_passes_the_service_validation_and_is_deterministic(self, work_permits):
        assert form_data("work_permit/intake") == form_data("work_permit/intake")
        assert form_data("work_permit/appraisal", "refuse")["decision"] == "refuse"
