"""Due timers are claimed in one statement and the claim commits on its own: another claimer skips claimed timers
while the lease lasts, a lapsed or released claim is taken again, and the sweep fires claims batch by batch."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import unit_of_work, utcnow
from app.extensions import db
from app.scheduler.jobs import sweep_timers
from app.workflow import services as workflow
from app.workflow.models import DueTimer
from app.workflow.projection import CLAIM_LEASE

pytest_plugins = ["tests.integration.dossiers.conftest"]


@pytest.fixture
def waiting(desk, clock):
    """Three construction permits waiting on their site-visit timers, all due on 04/03 09:00."""
    clock("2026-03-02 08:00")
    dossiers = []
    for _ in range(3):
        dossier = desk.receive("1.009994", "14797").dossier
        desk.complete(dossier, "appraisal")
        desk.complete(dossier, "appraisal")
        dossiers.append(dossier)
    clock("2026-03-04 09:00")
    return [d.id for d in dossiers]


def due_count() -> int:
    return db.session.scalar(select(func.count()).select_from(DueTimer)) or 0


class TestClaims:
    def test_a_claim_holds_its_timers_for_the_lease_then_lapses(self, waiting):
        with unit_of_work():
            first = workflow.claim_due_timers(utcnow(), 2, holder="node-a")
        assert first == waiting[:2]  # oldest first (same due time: by id)
        with unit_of_work():
            assert workflow.claim_due_timers(utcnow(), 10, holder="node-b") == waiting[2:]
            assert workflow.claim_due_timers(utcnow(), 10, holder="node-b") == []
        later = utcnow() + CLAIM_LEASE + timedelta(seconds=1)
        with unit_of_work():
            assert workflow.claim_due_timers(later, 10, holder="node-b") == waiting  # every lease lapsed

    def test_a_new_active_scheduler_releases_the_claims_of_the_one_before(self, waiting):
        with unit_of_work():
            workflow.claim_due_timers(utcnow(), 10, holder="gone")
            workflow.claim_due_timers(utcnow(), 10, holder="me")
        with unit_of_work():
            assert workflow.release_claims("me") == 3
        with unit_of_work():
            assert workflow.claim_due_timers(utcnow(), 10, holder="me") == waiting

    def test_the_sweep_claims_many_and_fires_them_batch_by_batch(self, app, waiting):
        assert sweep_timers(app, batch=1, claim=2) == 3
        db.session.expire_all()
        assert due_count() == 0

    def test_claimed_timers_are_not_fired_by_another_sweep_until_the_claim_lapses(self, app, waiting):
        with unit_of_work():
            workflow.claim_due_timers(utcnow(), 1, holder="another-node")
        assert sweep_timers(app) == 2
        db.session.expire_all()
        assert due_count() == 1
        timer = db.session.scalar(select(DueTimer))
        assert timer.dossier_id == waiting[0] and timer.claimed_by == "another-node"
