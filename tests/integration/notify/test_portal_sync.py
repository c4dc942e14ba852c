"""Every public status change of a dossier reaches the sandbox national portal (its own process) through the
outbox: queued in the transaction of the change, delivered by the sweep, retried with backoff when the portal is
down, never duplicated there, internal notes never published."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from app.core.db import unit_of_work, utcnow
from app.dossiers import lifecycle
from app.extensions import db
from app.notify.models import Notification
from app.notify.services import deliver_pending, list_notifications
from tests.functional.ui_world import WORK_PERMIT
from tests.integration.dossiers.conftest import desk, official, world  # noqa: F401
from tests.sandboxes import Sandbox


@pytest.fixture
def portal(app, sandboxes, monkeypatch):
    """A portal of this test's own: dossier codes repeat from test to test (each rolls back)."""
    own = Sandbox("portal").start()
    monkeypatch.setitem(app.config, "PORTAL_URL", own.url)
    yield own
    own.stop()


def _portal_rows(dossier) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.dossier_id == dossier.id,
                                                              Notification.channel == "portal")
                                   .order_by(Notification.id)))


def _deliver(at=None) -> dict:
    with unit_of_work():
        return deliver_pending(at or utcnow() + timedelta(seconds=1))


def _at_portal(portal, code: str) -> dict:
    return requests.get(f"{portal.url}/api/v1/dossiers/{code}", timeout=5).json()


def test_status_changes_are_published_to_the_portal_in_order(portal, desk):  # noqa: F811
    dossier = desk.receive(WORK_PERMIT).dossier
    desk.complete(dossier, "appraisal")
    rows = _portal_rows(dossier)
    assert [r.event_kind for r in rows][:1] == ["received"] and all(r.status == "pending" for r in rows)
    _deliver()
    assert {r.status for r in _portal_rows(dossier)} == {"sent"}
    known = _at_portal(portal, dossier.code)
    assert known["status"] == "processing" and [e["seq"] for e in known["events"]] == sorted(
        e["seq"] for e in known["events"])
    assert known["events"][0]["event"] == "received" and known["events"][0]["agency"] == "000.00.12.H38"
    assert list_notifications(dossier.id) == [r for r in list_notifications(dossier.id) if r.channel != "portal"]


def test_a_portal_outage_is_retried_with_backoff_and_nothing_is_doubled(portal, desk):  # noqa: F811
    dossier = desk.receive(WORK_PERMIT).dossier
    requests.post(f"{portal.url}/_sandbox/fail-next/1", timeout=5)
    start = utcnow() + timedelta(seconds=1)
    _deliver(start)
    [row] = [r for r in _portal_rows(dossier) if r.event_kind == "received"]
    assert (row.status, row.attempts, "503" in row.last_error) == ("pending", 1, True)
    _deliver(start + timedelta(minutes=3))
    rows = _portal_rows(dossier)
    assert {r.status for r in rows} == {"sent"}
    assert len(_at_portal(portal, dossier.code)["events"]) == len(rows)
    with unit_of_work():  # an operator re-sends it: the portal keeps the event once
        db.session.get(Notification, row.id).status = "pending"
    _deliver(start + timedelta(minutes=4))
    assert db.session.get(Notification, row.id).status == "sent"
    assert len(_at_portal(portal, dossier.code)["events"]) == len(rows)


def test_internal_notes_are_not_published(portal, desk):  # noqa: F811
    dossier = desk.receive(WORK_PERMIT).dossier
    with unit_of_work():
        lifecycle.add_comment(official("specialist", desk.task(dossier).agency_id), dossier.code, "nội bộ")
    assert "comment" not in [r.event_kind for r in _portal_rows(dossier)]


def test_nothing_is_queued_without_a_portal(desk, app, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "PORTAL_URL", None)
    dossier = desk.receive(WORK_PERMIT).dossier
    assert _portal_rows(dossier) == []
