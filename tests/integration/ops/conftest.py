"""Backup tests: the dossier desk and the audit attacker's tools, plus a second application on a fresh database
(the machine a backup is restored on)."""
from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from tests.dbutil import fresh_database
from tests.integration.audit.conftest import tamper  # noqa: F401
from tests.integration.dossiers.conftest import Desk, clock, desk, local, official, world  # noqa: F401


@pytest.fixture
def other_machine(tmp_path):
    """A second app on a new empty database (dropped afterwards) with its own, empty anchor witness file."""
    with fresh_database(tmp_path, "restore") as url:
        target = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret",
                             "LOG_LEVEL": "WARNING", "ANCHOR_FILE": str(tmp_path / "elsewhere" / "anchors.jsonl")})
        yield target
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
