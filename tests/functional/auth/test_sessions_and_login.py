"""Issue 13.6 and 13.7: sessions end on logout, password change and disabling; sign-in is throttled."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.auth.models import AuthEvent, User
from app.core.db import utcnow
from app.extensions import db
from tests.factories.auth import AgencyFactory, UserFactory

STRONG = "ngua-van-dam-2026"


def _copy_cookie(app, client):
    """Another browser holding a copy of the session cookie (what a thief would replay)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


@pytest.fixture
def official():
    user = UserFactory(username="cb1", with_roles=[("receiver", AgencyFactory())])
    db.session.commit()
    return user


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


class TestSessionEnds:
    def test_copied_cookie_stops_working_after_logout(self, app, client, auth, official):
        auth.login("cb1")
        thief = _copy_cookie(app, client)
        assert _signed_in(thief)
        auth.logout()
        assert not _signed_in(thief)

    def test_copied_cookie_stops_working_after_password_change(self, app, client, auth, official):
        auth.login("cb1")
        thief = _copy_cookie(app, client)
        response = client.post("/profile/password", data={"current": "password-123", "new": STRONG,
                                                          "confirm": STRONG})
        assert response.status_code == 302
        assert _signed_in(client)  # the session that changed it goes on
        assert not _signed_in(thief)
        auth.logout()
        assert auth.login("cb1", STRONG).status_code == 302

    def test_copied_cookie_stops_working_after_admin_reset_and_disable(self, app, client, auth, official):
        auth.login("cb1")
        thief = _copy_cookie(app, client)
        UserFactory(username="boss", with_roles=[("admin", None)])
        db.session.commit()
        boss = app.test_client()
        boss.post("/login", data={"username": "boss", "password": "password-123"})
        assert boss.post(f"/admin/users/{official.id}", data={"is_enabled": "y", "password": STRONG}).status_code == 302
        assert not _signed_in(thief) and not _signed_in(client)

    def test_disabling_ends_sessions_and_tokens(self, app, client, auth, official):
        from app.tokens.services import create_token

        _token, raw = create_token(None, db.session.get(User, official.id), "portal")
        db.session.commit()
        auth.login("cb1")
        headers = {"Authorization": f"Bearer {raw}"}
        assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
        UserFactory(username="boss", with_roles=[("admin", None)])
        db.session.commit()
        boss = app.test_client()
        boss.post("/login", data={"username": "boss", "password": "password-123"})
        assert boss.post(f"/admin/users/{official.id}", data={"password": ""}).status_code == 302
        assert not _signed_in(client)
        assert app.test_client().get("/api/v1/dossiers", headers=headers).status_code == 401

    def test_revoking_a_role_ends_the_users_sessions(self, app, client, auth, official):
        auth.login("cb1")
        UserFactory(username="boss", with_roles=[("admin", None)])
        db.session.commit()
        boss = app.test_client()
        boss.post("/login", data={"username": "boss", "password": "password-123"})
        assignment = db.session.get(User, official.id).roles[0]
        boss.post(f"/admin/users/{official.id}/roles/{assignment.id}/delete")
        assert not _signed_in(client)

    def test_session_expires_after_the_idle_timeout(self, app, client, auth, official):
        assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)
        auth.login("cb1")
        with time_machine.travel(utcnow() + timedelta(hours=7), tick=False):
            assert _signed_in(client)  # activity refreshes the cookie
        with time_machine.travel(utcnow() + timedelta(hours=7 + 9), tick=False):
            assert not _signed_in(client)

    def test_sign_in_starts_a_fresh_session(self, client, auth, official):
        with client.session_transaction() as sess:
            sess["planted"] = "by-attacker"
        auth.login("cb1")
        with client.session_transaction() as sess:
            assert "planted" not in sess


def _without_csrf(html):
    return re.sub(r'(name="csrf[-_]token" (?:value|content)=)"[^"]*"', r"\1", html)


class TestLoginThrottling:
    def test_thirty_wrong_passwords_then_the_right_one_is_refused(self, client, auth, official):
        statuses = [auth.login("cb1", f"wrong-{i}").status_code for i in range(30)]
        assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
        response = auth.login("cb1")
        assert response.status_code == 429 and "thử lại sau" in response.text
        assert not _signed_in(client)

    def test_lock_lifts_after_fifteen_minutes(self, client, auth, official):
        for i in range(5):
            auth.login("cb1", f"wrong-{i}")
        with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
            assert auth.login("cb1").status_code == 302

    def test_locked_message_is_the_same_for_unknown_users(self, client, auth, official):
        for i in range(5):
            auth.login("cb1", f"wrong-{i}")
            auth.login("ghost", f"wrong-{i}")
        known, unknown = auth.login("cb1", "x-wrong"), auth.login("ghost", "x-wrong")
        assert known.status_code == unknown.status_code == 429
        # The CSRF token carries a timestamp, so two pages a second apart differ only there.
        assert _without_csrf(known.text).replace("cb1", "") == _without_csrf(unknown.text).replace("ghost", "")

    def test_one_client_is_locked_after_many_failures_across_usernames(self, client, auth, official):
        for i in range(30):
            auth.login(f"guess{i}", "wrong-password")
        assert auth.login("cb1").status_code == 429

    def test_the_lock_is_stored_in_the_database(self, app, auth, official):
        for i in range(5):
            auth.login("cb1", f"wrong-{i}")
        other_worker = app.test_client()  # a fresh client: nothing shared but the database
        response = other_worker.post("/login", data={"username": "cb1", "password": "password-123"},
                                     environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert response.status_code == 429

    def test_success_and_failure_are_audited(self, auth, official):
        auth.login("cb1", "wrong-password")
        auth.login("cb1")
        kinds = [e.kind for e in db.session.scalars(select(AuthEvent).order_by(AuthEvent.id))]
        assert kinds == ["login_failed", "login_succeeded"]


class TestPasswordPolicyOverHttp:
    @pytest.fixture
    def admin(self, auth):
        UserFactory(username="boss", with_roles=[("admin", None)])
        db.session.commit()
        auth.login("boss")

    @pytest.mark.parametrize("password", ["12345678", "1234567890", "password123", "qwertyuiop12",
                                          "nguyenvana2026"])
    def test_weak_passwords_are_refused(self, client, admin, password):
        response = client.post("/admin/users/new", data={"username": "nguyenvana", "full_name": "Nguyễn Văn A",
                                                         "password": password}, follow_redirects=True)
        assert db.session.scalar(select(User).where(User.username == "nguyenvana")) is None, password
        assert response.status_code in (200, 422)

    def test_own_password_change_applies_the_policy(self, client, auth, official):
        auth.login("cb1")
        response = client.post("/profile/password", data={"current": "password-123", "new": "12345678901",
                                                          "confirm": "12345678901"}, follow_redirects=True)
        assert "phổ biến" in response.text or "dễ đoán" in response.text
        auth.logout()
        assert auth.login("cb1").status_code == 302  # the old password still works
