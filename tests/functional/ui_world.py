"""Shared fixtures for the web UI tests: the tests' world, officials signing in, dossiers at a given step."""
from __future__ import annotations

import pytest

from app.dossiers import lifecycle
from app.extensions import db
from tests.factories.catalog import WORK_PERMIT
from tests.factories.organisation import PASSWORD as DEMO_PASSWORD
from tests.integration.dossiers.conftest import Desk, clock, local, official, world  # noqa: F401


class Officials:
    """Sign in as an official of the tests' organisation through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str):
        self.client.post("/logout")
        response = self.client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.text
        return self.client


@pytest.fixture
def desk(world):  # noqa: F811
    return Desk()


@pytest.fixture
def officials(client, world):  # noqa: F811
    return Officials(client)


@pytest.fixture
def at_office(clock):  # noqa: F811
    """A Monday morning in office hours, so deadlines are predictable."""
    clock("2026-03-02 09:00")


def reach(desk: Desk, dossier, step_kind: str, decisions: dict[str, str] | None = None):
    """Complete steps until an open task of `step_kind` exists; return it."""
    return desk.reach(dossier, step_kind, decisions)


def returned_dossier(desk: Desk):
    """A work permit dossier played to the end (returned to the applicant); returns (dossier, pin)."""
    receipt = desk.receive(WORK_PERMIT)
    desk.run_to_end(receipt.dossier)
    db.session.refresh(receipt.dossier)
    return receipt.dossier, receipt.pin


__all__ = ["DEMO_PASSWORD", "WORK_PERMIT", "Officials", "lifecycle", "local", "official", "reach", "returned_dossier"]
