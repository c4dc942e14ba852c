"""Dossier endpoints: submit, list, read, events, supplement, withdraw."""
from __future__ import annotations

import re

from app.core.db import unit_of_work
from app.dossiers import lifecycle
from app.dossiers.models import Dossier
from app.extensions import db
from tests.functional.api.conftest import assert_problem, official
from tests.functional.api.flows import submission, submit, work_step

LOCAL_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$")


class TestSubmit:
    def test_online_submission_returns_code_local_appointment_and_pin(self, api, world):
        receipt = submit(api, "designer")
        assert re.fullmatch(r"000\.00\.12\.H38-\d{6}-\d{4,}", receipt["code"])
        assert LOCAL_ISO.match(receipt["appointment_at"]) and re.fullmatch(r"\d{6}", receipt["pin"])
        dossier = db.session.query(Dossier).one()
        assert dossier.channel.value == "online" and dossier.current_step_kind == "intake"

    def test_counter_submission_by_a_receiver_completes_intake_in_their_agency(self, api, world):
        receipt = submit(api, "tiepnhan", channel="counter", agency=None)
        assert receipt["status"] == "processing"
        assert api.get(f"/dossiers/{receipt['code']}", user="tiepnhan").get_json()["current_step_kind"] == "appraisal"

    def test_missing_applicant_name_is_a_field_error(self, api, world):
        payload = submission(api, applicant={"id_number": "12"})
        body = assert_problem(api.post("/dossiers", payload, user="designer"), 422, "validation_error")
        assert "name" in body["errors"]["applicant"]

    def test_incomplete_documents_list_every_missing_one(self, api, world):
        body = assert_problem(api.post("/dossiers", submission(api, received_documents=[]), user="designer"), 422,
                              "dossier_incomplete")
        assert len(body["errors"]["received_documents"]) >= 3
        assert db.session.query(Dossier).count() == 0

    def test_online_submission_needs_a_receiving_agency(self, api, world):
        body = assert_problem(api.post("/dossiers", submission(api, agency=None), user="designer"), 422)
        assert "agency" in body["errors"]
        assert_problem(api.post("/dossiers", submission(api, agency="H38.SNV"), user="designer"), 422)

    def test_submission_needs_a_token(self, api, world):
        assert_problem(api.post("/dossiers", submission(api)), 401)

    def test_counter_submission_in_another_agency_is_forbidden(self, api, world):
        assert_problem(api.post("/dossiers", submission(api, channel="counter"), user="hacthanh"), 403, "forbidden")

    def test_unknown_procedure_is_404(self, api, world):
        assert_problem(api.post("/dossiers", {**submission(api), "procedure_code": "9.999999"}, user="designer"), 404)


class TestListAndRead:
    def test_officials_list_only_their_agencies_dossiers(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        commune = desk.receive("1.001193", "14797").dossier.code
        assert [d["code"] for d in api.get("/dossiers", user="tiepnhan").get_json()["items"]] == [code]
        assert [d["code"] for d in api.get("/dossiers", user="chuyenvien.snv").get_json()["items"]] == [code]
        assert [d["code"] for d in api.get("/dossiers", user="hacthanh").get_json()["items"]] == [commune]
        assert len(api.get("/dossiers", user="auditor").get_json()["items"]) == 2

    def test_cursor_walks_every_page_once(self, api, desk):
        codes = {desk.receive("1.014199").dossier.code for _ in range(5)}
        seen, cursor = [], None
        while True:
            page = api.get("/dossiers?limit=2" + (f"&cursor={cursor}" if cursor else ""), user="tiepnhan").get_json()
            seen += [d["code"] for d in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(codes) and len(seen) == 5

    def test_filters_and_bad_arguments(self, api, desk):
        desk.receive("1.014199")
        assert api.get("/dossiers?status=returned", user="tiepnhan").get_json()["items"] == []
        assert len(api.get("/dossiers?procedure=1.014199&q=nguyen", user="tiepnhan").get_json()["items"]) == 1
        body = assert_problem(api.get("/dossiers?status=lost&limit=0", user="tiepnhan"), 422)
        assert set(body["errors"]) == {"status", "limit"}
        assert_problem(api.get("/dossiers?cursor=!!", user="tiepnhan"), 422)
        assert_problem(api.get("/dossiers"), 401)

    def test_detail_for_own_agency_404_for_others_as_for_unknown(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        detail = api.get(f"/dossiers/{code}", user="chuyenvien.snv").get_json()
        assert detail["applicant"]["name"] == "Nguyễn Văn An" and detail["procedure_code"] == "1.014199"
        assert LOCAL_ISO.match(detail["legal_due_at"]) and detail["documents"]
        assert_problem(api.get(f"/dossiers/{code}", user="hacthanh"), 404)  # no existence oracle
        assert_problem(api.get("/dossiers/000.00.12.H38-000000-0001", user="tiepnhan"), 404)


class TestEvents:
    def test_officials_see_internal_comments_pin_holders_do_not(self, api, desk):
        receipt = desk.receive("1.014199")
        code = receipt.dossier.code
        with unit_of_work():
            lifecycle.add_comment(official("receiver", receipt.dossier.receiving_agency_id), code, "Gọi lại sau")
        full = api.get(f"/dossiers/{code}/events", user="tiepnhan").get_json()["items"]
        public = api.post("/lookup/events", {"code": code, "pin": receipt.pin}).get_json()["items"]
        assert [e["kind"] for e in full][-1] == "comment" and "comment" not in [e["kind"] for e in public]
        assert len(full) == len(public) + 1

    def test_events_need_a_token_or_the_right_pin(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        assert_problem(api.get(f"/dossiers/{code}/events"), 401)
        assert_problem(api.get(f"/dossiers/{code}/events?pin=000000"), 410)  # the PIN never goes in a URL
        assert_problem(api.get(f"/dossiers/{code}/events", user="hacthanh"), 404)
        assert_problem(api.get(f"/dossiers/{code}/events?limit=500", user="tiepnhan"), 422)


def _waiting_for_supplement(api, desk) -> str:
    code = desk.receive("1.014199").dossier.code
    work_step(api, "chuyenvien.snv", code, decision="supplement", comment="Thiếu phiếu lý lịch tư pháp")
    return code


class TestSupplement:
    def test_receiver_records_the_supplement_and_the_clock_restarts(self, api, desk):
        code = _waiting_for_supplement(api, desk)
        assert api.get(f"/dossiers/{code}", user="tiepnhan").get_json()["status"] == "waiting_supplement"
        response = api.post(f"/dossiers/{code}/supplement", {"documents": ["Phiếu lý lịch tư pháp"]}, user="tiepnhan")
        assert response.status_code == 200 and response.get_json()["status"] == "processing"

    def test_supplement_errors(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        assert_problem(api.post(f"/dossiers/{code}/supplement", {"documents": ["x"]}, user="tiepnhan"), 409,
                       "invalid_transition")
        assert_problem(api.post(f"/dossiers/{code}/supplement", {"documents": []}, user="tiepnhan"), 422)
        assert_problem(api.post(f"/dossiers/{code}/supplement", {"documents": ["x"]}, user="hacthanh"), 403)
        assert_problem(api.post(f"/dossiers/{code}/supplement", {"documents": ["x"]}, user="chuyenvien.snv"), 403)
        assert_problem(api.post("/dossiers/NOPE/supplement", {"documents": ["x"]}, user="tiepnhan"), 404)
        assert_problem(api.post(f"/dossiers/{code}/supplement", {"documents": ["x"]}), 401)


class TestWithdraw:
    def test_receiver_stops_the_dossier_once(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        response = api.post(f"/dossiers/{code}/withdraw", {"reason": "Người nộp xin rút"}, user="tiepnhan")
        assert response.status_code == 200 and response.get_json()["status"] == "stopped"
        assert_problem(api.post(f"/dossiers/{code}/withdraw", {"reason": "lần 2"}, user="tiepnhan"), 409)

    def test_withdraw_errors(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        assert_problem(api.post(f"/dossiers/{code}/withdraw", {"reason": ""}, user="tiepnhan"), 422)
        assert_problem(api.post(f"/dossiers/{code}/withdraw", {"reason": "x"}, user="hacthanh"), 403)
        assert_problem(api.post("/dossiers/NOPE/withdraw", {"reason": "x"}, user="tiepnhan"), 404)
        assert_problem(api.post(f"/dossiers/{code}/withdraw", {"reason": "x"}), 401)
