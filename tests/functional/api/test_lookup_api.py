"""Public lookup and rating: code + PIN in a POST body, no token, initials only, and attacks on the PIN."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from app.audit.services import list_events
from app.dossiers.models import PinGuard
from app.extensions import db
from tests.functional.api.conftest import assert_problem
from tests.functional.api.flows import work_step

UNKNOWN = "000.00.12.H38-260302-9999"


def _returned(api, desk):
    receipt = desk.receive("1.014199")
    code = receipt.dossier.code
    for user in ("chuyenvien.snv", "lanhdao.snv", "vanthu.snv", "tiepnhan"):
        work_step(api, user, code)
    return code, receipt.pin


def lookup(api, code: str, pin: str, client: str = "127.0.0.1"):
    return api.post("/lookup", {"code": code, "pin": pin}, environ_base={"REMOTE_ADDR": client})


def refusal(response) -> tuple:
    """What an attacker sees of a refused lookup, minus the per-request id."""
    body = dict(response.get_json())
    body.pop("request_id", None)
    return response.status_code, response.mimetype, body


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 10**6:06d}"


@pytest.fixture
def no_delay(app, monkeypatch):
    """Locks only: the progressive delay has its own test."""
    monkeypatch.setitem(app.config, "PIN_DELAY_SECONDS", 0)
    monkeypatch.setitem(app.config, "LOOKUP_CLIENT_LIMIT", "1000 per minute")
    monkeypatch.setitem(app.config, "LOOKUP_CODE_LIMIT", "1000 per minute")


class TestLookup:
    def test_citizen_sees_status_step_and_initials_only(self, api, desk):
        receipt = desk.receive("1.014199")
        body = lookup(api, receipt.dossier.code, receipt.pin).get_json()
        assert body["status"] == "processing" and body["step_vi"] == "Cán bộ chuyên môn đang xem xét hồ sơ"
        assert body["applicant_initials"] == "N. V. A." and body["can_rate"] is False
        assert "038090001234" not in str(body) and "Nguyễn" not in str(body)

    def test_missing_items_are_shown_while_waiting_for_a_supplement(self, api, desk):
        receipt = desk.receive("1.014199")
        work_step(api, "chuyenvien.snv", receipt.dossier.code, decision="supplement")
        body = lookup(api, receipt.dossier.code, receipt.pin).get_json()
        assert body["status"] == "waiting_supplement" and body["missing_items"]

    def test_wrong_pin_and_unknown_code_look_the_same(self, api, desk):
        receipt = desk.receive("1.014199")
        wrong_pin = assert_problem(lookup(api, receipt.dossier.code, wrong(receipt.pin)), 404, "lookup_not_found")
        unknown = assert_problem(lookup(api, UNKNOWN, "000000"), 404, "lookup_not_found")
        assert wrong_pin["detail_en"] == unknown["detail_en"]

    def test_code_and_pin_are_required(self, api):
        body = assert_problem(api.post("/lookup", {}), 422)
        assert {"code", "pin"} <= set(body["errors"])


class TestPinNeverInAUrl:
    def test_get_with_the_pin_in_the_query_is_gone(self, api, desk):
        receipt = desk.receive("1.014199")
        code, pin = receipt.dossier.code, receipt.pin
        assert_problem(api.get(f"/lookup/{code}?pin={pin}"), 410)
        assert_problem(api.get(f"/dossiers/{code}/events?pin={pin}"), 410)

    def test_gone_routes_do_not_count_as_attempts(self, api, desk, no_delay):
        receipt = desk.receive("1.014199")
        for _ in range(10):
            api.get(f"/lookup/{receipt.dossier.code}?pin=000000")
        assert lookup(api, receipt.dossier.code, receipt.pin).status_code == 200


class TestPinGuessing:
    def test_fifty_wrong_pins_from_fifty_clients_lock_the_dossier(self, api, desk, no_delay):
        receipt = desk.receive("1.014199")
        code, pin = receipt.dossier.code, receipt.pin
        answers = {lookup(api, code, f"{n:06d}", client=f"10.0.{n // 250}.{n % 250}").status_code
                   for n in range(50) if f"{n:06d}" != pin}
        assert answers == {404}
        assert_problem(lookup(api, code, pin, client="10.9.9.9"), 404, "lookup_not_found")

    def test_locked_right_pin_unknown_code_and_wrong_pin_get_the_same_answer(self, api, desk, no_delay):
        receipt = desk.receive("1.014199")
        code, pin = receipt.dossier.code, receipt.pin
        wrong_answer = refusal(lookup(api, code, wrong(pin)))
        for _ in range(5):
            lookup(api, code, wrong(pin))
        locked_right = refusal(lookup(api, code, pin))
        unknown = refusal(lookup(api, UNKNOWN, pin))
        assert wrong_answer == locked_right == unknown
        assert wrong_answer[0] == 404

    def test_lock_expires_and_the_next_lock_lasts_longer(self, api, desk, no_delay):
        receipt = desk.receive("1.014199")
        code, pin = receipt.dossier.code, receipt.pin
        with time_machine.travel("2026-03-02 02:00Z", tick=False) as traveller:
            for _ in range(5):
                lookup(api, code, wrong(pin))
            traveller.shift(timedelta(minutes=14))
            assert lookup(api, code, pin).status_code == 404
            traveller.shift(timedelta(minutes=2))
            for _ in range(5):  # the lock has expired: five more tries, then a lock twice as long
                lookup(api, code, wrong(pin))
            traveller.shift(timedelta(minutes=29))
            assert lookup(api, code, pin).status_code == 404
            traveller.shift(timedelta(minutes=2))
            assert lookup(api, code, pin).status_code == 200
            assert db.session.get(PinGuard, code) is None  # a success clears the record

    def test_progressive_delay_refuses_even_the_right_pin_until_it_has_passed(self, api, desk, app, monkeypatch):
        monkeypatch.setitem(app.config, "PIN_DELAY_SECONDS", 10)
        receipt = desk.receive("1.014199")
        code, pin = receipt.dossier.code, receipt.pin
        with time_machine.travel("2026-03-02 02:00Z", tick=False) as traveller:
            lookup(api, code, wrong(pin))
            lookup(api, code, wrong(pin))  # second failure: wait 10 s
            traveller.shift(timedelta(seconds=5))
            assert lookup(api, code, pin).status_code == 404
            traveller.shift(timedelta(seconds=6))
            assert lookup(api, code, pin).status_code == 200

    def test_one_slip_then_the_right_pin_works_at_once(self, api, desk):
        receipt = desk.receive("1.014199")
        lookup(api, receipt.dossier.code, wrong(receipt.pin))
        assert lookup(api, receipt.dossier.code, receipt.pin).status_code == 200

    def test_another_dossier_from_the_same_client_is_not_locked_out(self, api, desk, no_delay):
        attacked, other = desk.receive("1.014199"), desk.receive("1.014199")
        for _ in range(10):
            lookup(api, attacked.dossier.code, wrong(attacked.pin), client="10.1.1.1")
        assert lookup(api, other.dossier.code, other.pin, client="10.1.1.1").status_code == 200

    def test_unknown_codes_are_locked_like_real_ones(self, api, no_delay):
        for _ in range(5):
            lookup(api, UNKNOWN, "123456")
        guard = db.session.get(PinGuard, UNKNOWN)
        assert guard is not None and guard.locked_until is not None


class TestRateLimits:
    def test_per_client_limit_is_shared_by_the_api_and_the_web_pages(self, api, client, app, monkeypatch):
        monkeypatch.setitem(app.config, "LOOKUP_CLIENT_LIMIT", "3 per minute")
        statuses = [lookup(api, UNKNOWN, "123456").status_code,
                    client.post("/tra-cuu", data={"code": UNKNOWN, "pin": "123456"}).status_code,
                    api.post(f"/lookup/{UNKNOWN}/rating", {"pin": "123456", "rating": "satisfied"}).status_code,
                    lookup(api, UNKNOWN, "123456").status_code]
        assert statuses == [404, 404, 404, 429]

    def test_per_code_limit_holds_whoever_asks(self, api, app, monkeypatch):
        monkeypatch.setitem(app.config, "LOOKUP_CODE_LIMIT", "3 per minute")
        statuses = [lookup(api, UNKNOWN, "123456", client=f"10.2.0.{n}").status_code for n in range(4)]
        assert statuses == [404, 404, 404, 429]
        assert lookup(api, "000.00.12.H38-260302-9998", "123456", client="10.2.0.9").status_code == 404


class TestRating:
    def test_citizen_rates_once_after_return(self, api, desk):
        code, pin = _returned(api, desk)
        assert lookup(api, code, pin).get_json()["status"] == "returned"
        response = api.post(f"/lookup/{code}/rating", {"pin": pin, "rating": "satisfied"})
        assert response.status_code == 201
        assert_problem(api.post(f"/lookup/{code}/rating", {"pin": pin, "rating": "satisfied"}), 409)

    def test_rating_errors(self, api, desk):
        receipt = desk.receive("1.014199")
        code, pin = receipt.dossier.code, receipt.pin
        assert_problem(api.post(f"/lookup/{code}/rating", {"pin": pin, "rating": "satisfied"}), 409,
                       "invalid_transition")
        assert_problem(api.post(f"/lookup/{code}/rating", {"pin": pin, "rating": "great"}), 422)

    def test_wrong_pin_on_rating_is_no_oracle(self, api, desk):
        receipt = desk.receive("1.014199")
        code, pin = receipt.dossier.code, receipt.pin
        wrong_pin = api.post(f"/lookup/{code}/rating", {"pin": wrong(pin), "rating": "satisfied"})
        unknown = api.post(f"/lookup/{UNKNOWN}/rating", {"pin": pin, "rating": "satisfied"})
        assert refusal(wrong_pin) == refusal(unknown) and wrong_pin.status_code == 404


class TestPublicEvents:
    def test_timeline_shows_the_office_not_the_official(self, api, desk):
        receipt = desk.receive("1.014199")
        body = api.post("/lookup/events", {"code": receipt.dossier.code, "pin": receipt.pin}).get_json()
        first = body["items"][0]
        assert first["kind"] == "received" and first["office_vi"] == "Bộ phận tiếp nhận"
        assert first["agency_name"] and "agency_id" not in first and "actor_name" not in first
        assert "Lê Thị Tiếp Nhận" not in str(body)

    def test_timeline_with_a_wrong_pin_is_refused_like_an_unknown_code(self, api, desk):
        receipt = desk.receive("1.014199")
        wrong_pin = api.post("/lookup/events", {"code": receipt.dossier.code, "pin": wrong(receipt.pin)})
        unknown = api.post("/lookup/events", {"code": UNKNOWN, "pin": receipt.pin})
        assert refusal(wrong_pin) == refusal(unknown) and wrong_pin.status_code == 404


class TestReissue:
    def test_receiver_reissues_the_pin_lifting_the_lock(self, api, desk, no_delay):
        receipt = desk.receive("1.014199")
        code, old = receipt.dossier.code, receipt.pin
        for _ in range(5):
            lookup(api, code, wrong(old))
        response = api.post(f"/dossiers/{code}/pin", user="tiepnhan")
        assert response.status_code == 201
        new = response.get_json()["pin"]
        assert lookup(api, code, new).status_code == 200
        if new != old:
            assert lookup(api, code, old).status_code == 404
        dossier = receipt.dossier
        db.session.refresh(dossier)
        assert list_events(dossier.id)[-1].kind == "pin_reissued"

    def test_only_a_receiver_of_the_receiving_agency_may_reissue(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        assert api.post(f"/dossiers/{code}/pin", user="hacthanh").status_code in (403, 404)
        assert api.post(f"/dossiers/{code}/pin", user="chuyenvien.snv").status_code == 403
        assert api.post(f"/dossiers/{code}/pin").status_code == 401


@pytest.mark.committing  # parallel clients on their own threads and connections
class TestParallelGuesses:
    @pytest.mark.postgres_only
    def test_parallel_wrong_guesses_never_get_past_the_lock(self, app, api, desk, no_delay):
        """20 clients guess at once: the guard row serialises them, so exactly one lock, no lost count."""
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row-level locking is what is tested; SQLite serialises every writer anyway")
        from concurrent.futures import ThreadPoolExecutor

        receipt = desk.receive("1.014199")
        code, pin = receipt.dossier.code, receipt.pin
        db.session.commit()

        def guess(n: int) -> int:
            client = app.test_client()
            return client.post("/api/v1/lookup", json={"code": code, "pin": wrong(pin)},
                               environ_base={"REMOTE_ADDR": f"10.5.0.{n}"}).status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            assert set(pool.map(guess, range(20))) == {404}
        db.session.expire_all()
        guard = db.session.get(PinGuard, code)
        assert guard.locks == 1 and guard.failures == 0 and guard.locked_until is not None
        assert lookup(api, code, pin).status_code == 404


class TestPruning:
    def test_stale_guard_rows_are_pruned_but_running_locks_are_kept(self, app, api, no_delay):
        from app.scheduler.jobs import prune_pin_guards

        with time_machine.travel("2026-03-02 02:00Z", tick=False) as traveller:
            lookup(api, UNKNOWN, "123456")
            for _ in range(5):
                lookup(api, "000.00.12.H38-260302-9998", "123456")
            traveller.shift(timedelta(days=3))
            assert prune_pin_guards(app) == 2
            for _ in range(5):
                lookup(api, UNKNOWN, "123456")
            assert prune_pin_guards(app) == 0
        db.session.expire_all()
        assert db.session.get(PinGuard, UNKNOWN) is not None
