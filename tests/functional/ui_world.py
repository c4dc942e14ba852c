"""Shared fixtures for the web UI tests: the demo world, officials signing in, dossiers at a given step."""
from __future__ import annotations

import pytest

from app.dossiers import lifecycle
from app.extensions import db
from tests.integration.dossiers.conftest import Desk, clock, local, official, world  # noqa: F401

DEMO_PASSWORD = "motcua-demo"
WORK_PERMIT = "1.014199"


class Officials:
    """Sign in as a demo official through the real login form."""

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
    decisions = decisions or {}
    for _ in range(10):
        tasks = [t for t in desk.open_tasks(dossier) if t.step_kind == step_kind]
        if tasks:
            return tasks[0]
        current = desk.task(dossier)
        desk.complete(dossier, current.step_kind, decisions.get(current.step_kind, "approve"))
    raise AssertionError(f"never reached {step_kind}")


def returned_dossier(desk: Desk):
    """A work permit dossier played to the end (returned to the applicant); returns (dossier, pin)."""
    receipt = desk.receive(WORK_PERMIT)
    desk.run_to_end(receipt.dossier)
    db.session.refresh(receipt.dossier)
    return receipt.dossier, receipt.pin


__all__ = ["Officials", "lifecycle", "local", "official", "reach", "returned_dossier"]
