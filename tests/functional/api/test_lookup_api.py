"""Public lookup and rating: code + PIN, no token, initials only."""
from __future__ import annotations

from tests.functional.api.conftest import assert_problem
from tests.functional.api.flows import work_step


def _returned(api, desk):
    receipt = desk.receive("1.014199")
    code = receipt.dossier.code
    for user in ("chuyenvien.snv", "lanhdao.snv", "vanthu.snv", "tiepnhan"):
        work_step(api, user, code)
    return code, receipt.pin


class TestLookup:
    def test_citizen_sees_status_step_and_initials_only(self, api, desk):
        receipt = desk.receive("1.014199")
        body = api.get(f"/lookup/{receipt.dossier.code}?pin={receipt.pin}").get_json()
        assert body["status"] == "processing" and body["step_vi"] == "Cán bộ chuyên môn đang xem xét hồ sơ"
        assert body["applicant_initials"] == "N. V. A." and body["can_rate"] is False
        assert "038090001234" not in str(body) and "Nguyễn" not in str(body)

    def test_missing_items_are_shown_while_waiting_for_a_supplement(self, api, desk):
        receipt = desk.receive("1.014199")
        work_step(api, "chuyenvien.snv", receipt.dossier.code, decision="supplement")
        body = api.get(f"/lookup/{receipt.dossier.code}?pin={receipt.pin}").get_json()
        assert body["status"] == "waiting_supplement" and body["missing_items"]

    def test_wrong_pin_and_unknown_code_look_the_same(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        wrong = assert_problem(api.get(f"/lookup/{code}?pin=000000"), 404, "lookup_not_found")
        unknown = assert_problem(api.get("/lookup/NO-SUCH?pin=000000"), 404, "lookup_not_found")
        assert wrong["detail_en"] == unknown["detail_en"]

    def test_pin_is_required(self, api, desk):
        body = assert_problem(api.get("/lookup/X"), 422)
        assert "pin" in body["errors"]


class TestRating:
    def test_citizen_rates_once_after_return(self, api, desk):
        code, pin = _returned(api, desk)
        assert api.get(f"/lookup/{code}?pin={pin}").get_json()["status"] == "returned"
        response = api.post(f"/lookup/{code}/rating", {"pin": pin, "rating": "satisfied"})
        assert response.status_code == 201
        assert_problem(api.post(f"/lookup/{code}/rating", {"pin": pin, "rating": "satisfied"}), 409)

    def test_rating_errors(self, api, desk):
        receipt = desk.receive("1.014199")
        code, pin = receipt.dossier.code, receipt.pin
        assert_problem(api.post(f"/lookup/{code}/rating", {"pin": pin, "rating": "satisfied"}), 409,
                       "invalid_transition")
        assert_problem(api.post(f"/lookup/{code}/rating", {"pin": pin, "rating": "great"}), 422)
        assert_problem(api.post(f"/lookup/{code}/rating", {"pin": "000000", "rating": "satisfied"}), 403)
        assert_problem(api.post("/lookup/NOPE/rating", {"pin": pin, "rating": "satisfied"}), 404)
