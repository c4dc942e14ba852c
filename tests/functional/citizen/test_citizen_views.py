"""Public lookup by code + PIN, rating after return, the counter kiosk, rate limiting, PIN guessing and privacy."""
from __future__ import annotations

import base64
import json
import zlib

import pytest

from app.dossiers.models import Dossier
from app.extensions import db
from tests.functional.ui_world import WORK_PERMIT, returned_dossier

UNKNOWN = "000.00.12.H38-260302-9999"


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 10**6:06d}"


def same_page(first, second, *codes: str) -> bool:
    """Two refusals render the same page once the typed codes are blanked out."""
    def blank(text: str) -> str:
        for code in codes:
            text = text.replace(f'value="{code}"', 'value=""')
        return text
    return blank(first.text) == blank(second.text)


def look_up(client, code: str, pin: str, **kwargs):
    return client.post("/tra-cuu", data={"code": code, "pin": pin}, **kwargs)


def session_payload(client) -> str:
    """The decoded session cookie, as anyone holding the browser can read it (signed, not encrypted)."""
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    data = cookie.value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    if cookie.value.startswith("."):
        raw = zlib.decompress(raw)
    return json.dumps(json.loads(raw))


@pytest.fixture
def no_delay(app, monkeypatch):
    monkeypatch.setitem(app.config, "PIN_DELAY_SECONDS", 0)


class TestLookup:
    def test_lookup_by_code_and_pin_shows_plain_status_and_only_initials(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        page = look_up(client, receipt.dossier.code, receipt.pin, follow_redirects=True)
        assert page.status_code == 200
        assert "Cán bộ chuyên môn đang xem xét hồ sơ" in page.text
        assert 'id="applicant-initials">N. V. A.<' in page.text
        assert "Nguyễn Văn An" not in page.text
        assert "038090001234" not in page.text and "0912345678" not in page.text
        assert receipt.dossier.due_at.astimezone().strftime("%Y") in page.text

    def test_the_form_posts_and_the_result_url_holds_no_pin(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        form = client.get("/tra-cuu")
        assert 'method="post"' in form.text
        response = look_up(client, receipt.dossier.code, receipt.pin)
        assert response.status_code == 303 and receipt.pin not in response.headers["Location"]

    def test_session_keeps_a_grant_not_the_pin(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        look_up(client, receipt.dossier.code, receipt.pin)
        payload = session_payload(client)
        assert receipt.dossier.code in payload and receipt.pin not in payload

    def test_result_page_without_a_grant_sends_back_to_the_form(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        response = client.get(f"/tra-cuu/ho-so/{receipt.dossier.code}")
        assert response.status_code == 303 and "/tra-cuu?code=" in response.headers["Location"]

    def test_grant_ends_when_the_pin_is_reissued(self, client, desk, at_office):
        from app.core.db import unit_of_work
        from app.dossiers.pins import reissue_pin
        from tests.functional.ui_world import official

        receipt = desk.receive(WORK_PERMIT)
        look_up(client, receipt.dossier.code, receipt.pin)
        with unit_of_work():
            dossier = db.session.get(Dossier, receipt.dossier.id)
            reissue_pin(official("receiver", dossier.receiving_agency_id), dossier.code)
        assert client.get(f"/tra-cuu/ho-so/{receipt.dossier.code}").status_code == 303

    def test_old_qr_links_with_a_pin_are_not_checked_and_drop_it(self, client, desk, at_office, no_delay):
        receipt = desk.receive(WORK_PERMIT)
        response = client.get("/tra-cuu", query_string={"code": receipt.dossier.code, "pin": receipt.pin})
        assert response.status_code == 303 and "pin" not in response.headers["Location"]
        page = client.get(response.headers["Location"])
        assert receipt.dossier.code in page.text and "lookup-result" not in page.text

    def test_wrong_pin_gives_the_same_answer_as_an_unknown_code(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        wrong_pin = look_up(client, receipt.dossier.code, wrong(receipt.pin))
        unknown = look_up(client, UNKNOWN, wrong(receipt.pin))
        assert wrong_pin.status_code == unknown.status_code == 404
        assert "Không tìm thấy hồ sơ hoặc mã tra cứu không đúng." in wrong_pin.text
        assert receipt.dossier.procedure.name_vi not in wrong_pin.text
        assert same_page(wrong_pin, unknown, receipt.dossier.code, UNKNOWN)

    def test_locked_pin_gives_the_answer_of_a_wrong_one_until_reissued(self, client, desk, at_office, no_delay):
        receipt = desk.receive(WORK_PERMIT)
        code = receipt.dossier.code
        for n in range(5):
            look_up(client, code, wrong(receipt.pin), environ_base={"REMOTE_ADDR": f"10.3.0.{n}"})
        locked = look_up(client, code, receipt.pin)
        unknown = look_up(client, UNKNOWN, receipt.pin)
        assert locked.status_code == 404
        assert same_page(locked, unknown, code, UNKNOWN)

    def test_malformed_pin_is_explained_in_place(self, client):
        page = look_up(client, "X", "12")
        assert page.status_code == 422 and "Mã tra cứu gồm 6 chữ số." in page.text

    def test_waiting_for_supplement_shows_what_is_missing(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        desk.complete(receipt.dossier, "appraisal", "supplement", supplement_items="Bản sao hộ chiếu còn hạn")
        page = look_up(client, receipt.dossier.code, receipt.pin, follow_redirects=True)
        assert "Chờ bổ sung hồ sơ" in page.text
        assert "Bản sao hộ chiếu còn hạn" in page.text

    def test_lookups_are_rate_limited_per_client(self, app, client, monkeypatch):
        monkeypatch.setitem(app.config, "LOOKUP_CLIENT_LIMIT", "3 per minute")
        codes = [look_up(client, f"X-{n}", "123456").status_code for n in range(4)]
        assert codes == [404, 404, 404, 429]
        assert look_up(client, "X-9", "123456", environ_base={"REMOTE_ADDR": "10.4.0.1"}).status_code == 404

    def test_showing_the_form_is_not_counted(self, app, client, monkeypatch):
        monkeypatch.setitem(app.config, "LOOKUP_CLIENT_LIMIT", "2 per minute")
        assert {client.get("/tra-cuu").status_code for _ in range(5)} == {200}

    def test_page_is_available_in_english(self, client):
        client.post("/lang/en")
        page = client.get("/tra-cuu")
        assert "Look up the status of a dossier" in page.text and "Mã hồ sơ" not in page.text


class TestRating:
    def test_returned_dossier_can_be_rated_once(self, client, desk, at_office):
        dossier, pin = returned_dossier(desk)
        page = look_up(client, dossier.code, pin, follow_redirects=True)
        assert "Rất hài lòng" in page.text and "Chưa hài lòng" in page.text
        assert pin not in page.text  # the rating form carries the code only; the session holds the grant
        response = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "rating": "very_satisfied",
                                                          "comment": "Nhanh"})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).rating == "very_satisfied"
        again = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "rating": "satisfied"},
                            follow_redirects=True)
        assert "Hồ sơ này đã được đánh giá." in again.text
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).rating == "very_satisfied"

    def test_open_dossier_shows_no_rating_form(self, client, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        page = look_up(client, receipt.dossier.code, receipt.pin, follow_redirects=True)
        assert "rating-form" not in page.text

    def test_rating_without_having_opened_the_dossier_is_refused_like_an_unknown_code(self, client, desk,
                                                                                         at_office):
        dossier, _pin = returned_dossier(desk)
        response = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "rating": "unsatisfied"})
        unknown = client.post("/tra-cuu/danh-gia", data={"code": UNKNOWN, "rating": "unsatisfied"})
        assert response.status_code == unknown.status_code == 404
        assert same_page(response, unknown, dossier.code, UNKNOWN)
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).rating is None


class TestKiosk:
    def test_kiosk_finds_the_dossier_and_thanks_after_rating(self, client, desk, at_office):
        dossier, pin = returned_dossier(desk)
        assert client.get("/kiosk").status_code == 200
        page = client.post("/kiosk", data={"code": dossier.code, "pin": pin})
        assert 'name="kiosk" value="1"' in page.text and pin not in page.text.replace('value="' + pin, "")
        done = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "rating": "satisfied", "kiosk": "1"})
        assert done.status_code == 200 and 'id="kiosk-thanks"' in done.text
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).rating == "satisfied"

    def test_the_next_person_at_the_kiosk_cannot_open_the_previous_dossier(self, client, desk, at_office):
        dossier, pin = returned_dossier(desk)
        client.post("/kiosk", data={"code": dossier.code, "pin": pin})
        client.get("/kiosk")
        assert client.get(f"/tra-cuu/ho-so/{dossier.code}").status_code == 303

    def test_kiosk_wrong_pin_is_refused_like_an_unknown_code(self, client, desk, at_office):
        dossier, pin = returned_dossier(desk)
        wrong_pin = client.post("/kiosk", data={"code": dossier.code, "pin": wrong(pin)})
        unknown = client.post("/kiosk", data={"code": UNKNOWN, "pin": wrong(pin)})
        assert wrong_pin.status_code == unknown.status_code == 404
        assert same_page(wrong_pin, unknown, dossier.code, UNKNOWN)
