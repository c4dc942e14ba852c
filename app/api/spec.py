"""The flask-smorest Api, adapted to Motcua: errors are problem+json documents rendered by app.core.errors."""
from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from app.api.schemas.common import ProblemSchema

PROBLEM_CONTENT_TYPE = "application/problem+json"
BEARER = [{"bearerAuth": []}]
PUBLIC: list = []

DESCRIPTION = """REST API of Motcua (một cửa): procedures, dossiers, tasks, public lookup, statistics, models, audit.

Authenticate with a personal API token created at /profile/tokens (or `flask tokens create USERNAME`):
`Authorization: Bearer <token>`. The token acts as its owner with the owner's roles; a browser session
cookie never authenticates API calls. Errors are RFC 9457 `application/problem+json` documents with a stable
`type`, `detail_vi` and `detail_en`, and field errors under `errors`. Lists are paginated with an opaque
`cursor` (pass `next_cursor` back) and `limit`. Writes that create or complete accept an `Idempotency-Key`
header: a retry with the same key and body returns the stored response; a different body gets 422.
Datetimes are ISO 8601 in Vietnam time (+07:00)."""


def api_settings() -> dict:
    return {
        "API_TITLE": "Motcua API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "API_SPEC_OPTIONS": {
            "info": {"description": DESCRIPTION},
            "servers": [{"url": "/"}],
            "security": BEARER,
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    }


class MotcuaApi(Api):
    """Api whose documented errors are problem+json and whose handlers are the application's own."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """app.core.errors already renders every error under /api/ as problem+json."""

    def _register_doc_blueprint(self) -> None:
        """The spec and the Swagger UI are served by app.api.docs (static init script for the CSP)."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem document (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def build_api(app: Flask) -> MotcuaApi:
    for name, value in api_settings().items():
        app.config.setdefault(name, value)
    return MotcuaApi(app)
