"""API fixtures: the tests' world, personal tokens for its officials, and a JSON client sending them."""
from __future__ import annotations

import pytest

from app.auth.services import find_user_by_username
from app.core.db import unit_of_work
from app.tokens.services import create_token
from tests.integration.dossiers.conftest import Desk, clock, local, official, world  # noqa: F401


def token_for(username: str) -> str:
    """Issue a token for a user through the tokens service (what the profile page does)."""
    with unit_of_work():
        _token, raw = create_token(None, find_user_by_username(username), "test")
    return raw


class Api:
    """The Flask test client speaking JSON with a bearer token."""

    def __init__(self, client):
        self.client = client
        self._tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            self._tokens[username] = token_for(username)
        return self._tokens[username]

    def headers(self, user: str | None, extra: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, user: str | None = None, **kwargs):
        return self.client.get("/api/v1" + path, headers=self.headers(user, kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json=None, user: str | None = None, **kwargs):
        return self.client.post("/api/v1" + path, json=json if json is not None else {},
                                headers=self.headers(user, kwargs.pop("headers", None)), **kwargs)


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def desk(world):  # noqa: F811
    return Desk()


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """The response is an RFC 9457 problem document in both languages."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["detail_vi"] and body["detail_en"]
    if code:
        assert body["type"].endswith("/" + code), body["type"]
    return body
