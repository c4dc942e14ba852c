"""Issue 20 through /api/v1: competence routing, same-day limits, the version in force."""
from __future__ import annotations

from tests.functional.api.conftest import assert_problem
from tests.functional.api.flows import submission


class TestCompetenceAndSameDay:
    def test_birth_registration_at_the_center_goes_to_the_commune_and_is_due_the_same_day(self, api, world, clock):
        clock("2026-03-02 14:00")  # before the 15:00 cut-off
        payload = submission(api, "1.001193", agency="H38.TTPVHCC", commune_code="15880")
        receipt = api.post("/dossiers", payload, user="tiepnhan")
        assert receipt.status_code == 201, receipt.get_data(as_text=True)
        body = receipt.get_json()
        assert body["appointment_at"].startswith("2026-03-02T17:00")
        dossier = api.get(f"/dossiers/{body['code']}", user="tiepnhan").get_json()
        assert dossier["handling_agency"] == "15880" and dossier["receiving_agency"] == "H38.TTPVHCC"

    def test_residence_commune_is_required_at_the_center(self, api, world, clock):
        clock("2026-03-02 09:00")
        assert_problem(api.post("/dossiers", submission(api, "1.001193", agency="H38.TTPVHCC"), user="tiepnhan"),
                       422, "no_competence")

    def test_old_work_permit_version_is_refused_and_the_new_one_published(self, api, world, clock):
        clock("2026-03-02 09:00")
        assert api.get("/procedures/1.014199").get_json()["legal_days"] == 10
        payload = {**submission(api, "1.014199"), "procedure_code": "1.000105"}
        assert_problem(api.post("/dossiers", payload, user="tiepnhan"), 422, "procedure_not_in_force")
