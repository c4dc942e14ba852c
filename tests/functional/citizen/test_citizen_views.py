"""Public lookup by code + PIN, rating after return, the counter kiosk, rate limiting and privacy."""
from __future__ import annotations

import pytest

from app.citizen.views import limiter
from app.dossiers.models import Dossier
from app.extensions import db
from tests.functional.ui_world import WORK_PERMIT, returned_dossier


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


class TestLookup:
    def test_lookup_by_code_and_pin_shows_plain_status_and_only_initials(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        page = client.get("/tra-cuu", query_string={"code": receipt.dossier.code, "pin": receipt.pin})
        assert page.status_code == 200
        assert "Cán bộ chuyên môn đang xem xét hồ sơ" in page.text
        assert 'id="applicant-initials">N. V. A.<' in page.text
        assert "Nguyễn Văn An" not in page.text
        assert "038090001234" not in page.text and "0912345678" not in page.text
        assert receipt.dossier.due_at.astimezone().strftime("%Y") in page.text

    def test_wrong_pin_gives_the_same_answer_as_an_unknown_code(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        wrong = client.get("/tra-cuu", query_string={"code": receipt.dossier.code, "pin": "000000"})
        unknown = client.get("/tra-cuu", query_string={"code": "000.00.12.H38-260302-9999", "pin": "000000"})
        assert wrong.status_code == unknown.status_code == 404
        assert "Không tìm thấy hồ sơ hoặc mã tra cứu không đúng." in wrong.text
        assert receipt.dossier.procedure.name_vi not in wrong.text

    def test_malformed_pin_is_explained_in_place(self, client):
        page = client.get("/tra-cuu", query_string={"code": "X", "pin": "12"})
        assert page.status_code == 422 and "Mã tra cứu gồm 6 chữ số." in page.text

    def test_waiting_for_supplement_shows_what_is_missing(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        desk.complete(receipt.dossier, "appraisal", "supplement", supplement_items="Bản sao hộ chiếu còn hạn")
        page = client.get("/tra-cuu", query_string={"code": receipt.dossier.code, "pin": receipt.pin})
        assert "Chờ bổ sung hồ sơ" in page.text
        assert "Bản sao hộ chiếu còn hạn" in page.text

    def test_lookups_are_rate_limited(self, app, client):
        app.config["LOOKUP_RATE_LIMIT"] = "3 per minute"
        try:
            codes = [client.get("/tra-cuu", query_string={"code": "X", "pin": "123456"}).status_code
                     for _ in range(4)]
        finally:
            app.config.pop("LOOKUP_RATE_LIMIT")
        assert codes == [404, 404, 404, 429]

    def test_page_is_available_in_english(self, client):
        client.post("/lang/en")
        page = client.get("/tra-cuu")
        assert "Look up the status of a dossier" in page.text and "Mã hồ sơ" not in page.text


class TestRating:
    def test_returned_dossier_can_be_rated_once(self, client, desk, at_office):
        dossier, pin = returned_dossier(desk)
        page = client.get("/tra-cuu", query_string={"code": dossier.code, "pin": pin})
        assert "Rất hài lòng" in page.text and "Chưa hài lòng" in page.text
        response = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "pin": pin,
                                                          "rating": "very_satisfied", "comment": "Nhanh"})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).rating == "very_satisfied"
        again = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "pin": pin, "rating": "satisfied"},
                            follow_redirects=True)
        assert "Hồ sơ này đã được đánh giá." in again.text
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).rating == "very_satisfied"

    def test_open_dossier_shows_no_rating_form(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        page = client.get("/tra-cuu", query_string={"code": receipt.dossier.code, "pin": receipt.pin})
        assert "rating-form" not in page.text

    def test_rating_with_a_wrong_pin_is_refused(self, client, desk, at_office):
        dossier, _pin = returned_dossier(desk)
        response = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "pin": "000000",
                                                          "rating": "unsatisfied"})
        assert response.status_code == 403
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).rating is None


class TestKiosk:
    def test_kiosk_finds_the_dossier_and_thanks_after_rating(self, client, desk, at_office):
        dossier, pin = returned_dossier(desk)
        assert client.get("/kiosk").status_code == 200
        page = client.get("/kiosk", query_string={"code": dossier.code, "pin": pin})
        assert 'name="kiosk" value="1"' in page.text
        done = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "pin": pin, "rating": "satisfied",
                                                      "kiosk": "1"})
        assert done.status_code == 200 and 'id="kiosk-thanks"' in done.text
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).rating == "satisfied"
