"""Personal API tokens: hashed storage, profile page, CLI."""
from __future__ import annotations

import hashlib
import re

import pytest

from app.auth.services import find_user_by_username
from app.core.db import unit_of_work
from app.core.errors import NotFoundError, ValidationError
from app.extensions import db
from app.tokens import services
from app.tokens.models import ApiToken
from tests.factories.auth import UserFactory

TOKEN_RE = re.compile(r"^mc_[A-Za-z0-9_-]{40,}$")


class TestTokenServices:
    def test_only_the_sha256_of_a_new_token_is_stored(self, app):
        user = UserFactory()
        with unit_of_work():
            token, raw = services.create_token(user, user, "cổng tỉnh")
        assert TOKEN_RE.match(raw)
        stored = db.session.get(ApiToken, token.id)
        assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in stored.token_hash
        assert stored.prefix == raw[:10] and services.find_token(raw).user_id == user.id

    def test_a_user_cannot_revoke_someone_elses_token(self, app):
        owner, other = UserFactory(), UserFactory()
        with unit_of_work():
            token, _raw = services.create_token(owner, owner, "x")
        with pytest.raises(NotFoundError):
            services.revoke_token(other, other, token.id)

    def test_a_name_is_required(self, app):
        user = UserFactory()
        with pytest.raises(ValidationError):
            services.create_token(user, user, "  ")


class TestProfilePage:
    def test_page_requires_sign_in(self, client, app):
        assert client.get("/profile/tokens/").status_code == 302

    def test_user_creates_sees_once_and_revokes_a_token(self, client, auth, app):
        UserFactory(username="cb1")
        db.session.commit()
        auth.login("cb1")
        created = client.post("/profile/tokens/", data={"name": "Cổng DVC"})
        raw = re.search(r'data-testid="new-token">([^<]+)<', created.text).group(1)
        assert TOKEN_RE.match(raw) and "Cổng DVC" in created.text
        listing = client.get("/profile/tokens/")
        assert raw not in listing.text and raw[:10] in listing.text
        token_id = db.session.query(ApiToken).one().id
        assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 302
        assert "Đã thu hồi" in client.get("/profile/tokens/").text
        assert client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {raw}"}).status_code == 401

    def test_nav_links_to_the_tokens_page(self, client, auth, app):
        UserFactory(username="cb1")
        db.session.commit()
        auth.login("cb1")
        assert 'href="/profile/tokens/"' in client.get("/profile/tokens/").text


class TestCli:
    def test_tokens_create_prints_only_a_working_token(self, app, client):
        UserFactory(username="cb1")
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["tokens", "create", "cb1"])
        assert result.exit_code == 0, result.output
        raw = result.output.strip()
        assert TOKEN_RE.match(raw) and result.output == raw + "\n"
        assert client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
        assert find_user_by_username("cb1") is not None

    def test_tokens_create_fails_for_an_unknown_user(self, app):
        result = app.test_cli_runner().invoke(args=["tokens", "create", "nobody"])
        assert result.exit_code != 0 and "mc_" not in result.output

    def test_old_idempotency_records_are_purged(self, app):
        from datetime import timedelta

        from app.core.db import utcnow
        from app.tokens.models import IdempotencyKey

        for age in (1, 30):
            db.session.add(IdempotencyKey(scope="anon", key=f"k{age}", method="POST", path="/x", request_hash="h",
                                          status=201, response_body="{}", created_at=utcnow() - timedelta(hours=age)))
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["tokens", "purge-idempotency"])
        assert result.output.strip() == "purged 1"
        assert [k.key for k in db.session.query(IdempotencyKey)] == ["k1"]
