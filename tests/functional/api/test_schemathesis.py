"""Property-based run of every operation of the live OpenAPI spec (schemathesis): no 5xx, responses as documented."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from app.extensions import db
from tests.functional.api.conftest import token_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


# The spec is fetched over WSGI from an app built like production; requests then go to the test app (its DB).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app({"TESTING": True,
                                                                           "SQLALCHEMY_DATABASE_URI": "sqlite://"}))


@pytest.fixture
def official_token(desk):
    """A receiver's token, with a few real dossiers so list responses carry data."""
    for _ in range(2):
        desk.receive("1.014199")
    db.session.commit()
    return token_for("tiepnhan")


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented_without_server_errors(case, app, official_token):
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {official_token}"}, checks=CHECKS)
