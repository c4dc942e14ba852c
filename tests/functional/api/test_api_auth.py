"""Bearer tokens are the only credential of the API: cookies never authenticate, CSRF does not apply."""
from __future__ import annotations

import pytest

from app import create_app
from app.auth.services import find_user_by_username
from app.core.db import unit_of_work
from app.extensions import db
from app.tokens.models import ApiToken
from app.tokens.services import revoke_token
from tests.factories.organisation import PASSWORD
from tests.functional.api.conftest import assert_problem
from tests.functional.api.flows import submission


class TestBearerTokens:
    def test_request_without_token_gets_401_problem(self, api, world):
        body = assert_problem(api.get("/dossiers"), 401, "http_401")
        assert body["detail_en"] == "Please sign in."

    @pytest.mark.parametrize("header", ["Bearer mc_not-a-token", "Bearer ", "Basic dGllcG5oYW46eA==", "mc_x"])
    def test_invalid_or_malformed_token_gets_401(self, api, world, header):
        assert_problem(api.client.get("/api/v1/dossiers", headers={"Authorization": header}), 401)

    def test_revoked_token_stops_working_at_once(self, api, world):
        raw = api.token("tiepnhan")
        assert api.get("/dossiers", user="tiepnhan").status_code == 200
        user = find_user_by_username("tiepnhan")
        with unit_of_work():
            revoke_token(user, user, db.session.query(ApiToken).filter_by(user_id=user.id).one().id)
        assert_problem(api.client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {raw}"}), 401)

    def test_token_of_a_disabled_user_is_refused(self, api, world):
        api.token("tiepnhan")
        with unit_of_work():
            find_user_by_username("tiepnhan").is_enabled = False
        assert_problem(api.get("/dossiers", user="tiepnhan"), 401)

    def test_token_acts_with_its_owners_roles(self, api, world):
        assert_problem(api.post("/models", {"xml": "<x/>"}, user="tiepnhan"), 403, "forbidden")
        assert api.post("/models", {"xml": "<x/>"}, user="designer").status_code == 422  # allowed, bad XML

    def test_use_is_recorded_on_the_token(self, api, world):
        api.get("/dossiers", user="tiepnhan")
        assert db.session.query(ApiToken).one().last_used_at is not None


class TestNoCookieAuthentication:
    def test_browser_session_alone_does_not_authenticate_api_reads_or_writes(self, client, api, world):
        assert client.post("/login", data={"username": "tiepnhan", "password": PASSWORD}).status_code == 302
        assert client.get("/profile/tokens/").status_code == 200  # the session works for pages
        assert_problem(client.get("/api/v1/dossiers"), 401)
        payload = submission(api, channel="counter")
        assert_problem(client.post("/api/v1/dossiers", json=payload), 401)

    def test_api_writes_need_no_csrf_token_but_pages_still_do(self, database_url, world):
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
                          "WTF_CSRF_ENABLED": True})
        client = app.test_client()
        with app.app_context():
            rated = client.post("/api/v1/lookup/NO-SUCH-CODE/rating", json={"pin": "123456", "rating": "satisfied"})
            assert_problem(rated, 404)
            assert client.post("/login", data={"username": "tiepnhan", "password": PASSWORD}).status_code == 400
