"""Bearer-token authentication for /api/: the token's owner becomes current_user; cookies are ignored."""
from __future__ import annotations

import logging

from flask import Flask, g, request
from flask_login import AnonymousUserMixin

from app.core.db import unit_of_work
from app.tokens import services as tokens

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _authenticate() -> None:
    """Replace Flask-Login's session user by the token owner (or anonymous) for this request."""
    user = AnonymousUserMixin()
    raw = bearer_token()
    if raw:
        caller = tokens.authenticate_token(raw)
        if caller is None:
            logger.info("Rejected API token on %s %s", request.method, request.path)
        else:
            user = caller.user
            if caller.needs_touch:
                with unit_of_work():
                    tokens.touch(caller)
            g.api_token_id = caller.token_id
    g._login_user = user  # Flask-Login reads the request's user from here; the session is never consulted


def install_token_auth(app: Flask) -> None:
    @app.before_request
    def _api_user() -> None:
        if request.path.startswith(API_PREFIX):
            _authenticate()
