"""Due timers are claimed oldest first in batches; two claimers at once (a handover) take different timers; the
sweep fires batch after batch, each in its own transaction."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.core.db import unit_of_work, utcnow
from app.extensions import db
from app.scheduler.jobs import sweep_timers
from app.workflow import services as workflow
from app.workflow.models import DueTimer
from tests.dbutil import is_postgres

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


def test_claims_come_oldest_first_and_the_sweep_fires_batch_by_batch(app, waiting):
    with unit_of_work():
        assert workflow.dossiers_with_due_timers(utcnow(), 2) == waiting[:2]  # same due time: by id
    assert sweep_timers(app, batch=1) == 3  # three transactions of one
    db.session.expire_all()
    assert due_count() == 0


@pytest.mark.committing
@pytest.mark.skipif(not is_postgres(), reason="SKIP LOCKED is PostgreSQL's; SQLite serialises writers")
def test_a_second_claimer_takes_other_timers_while_the_first_holds_its_batch(app, waiting):
    held, done, seen = threading.Event(), threading.Event(), {}

    def first():
        with app.app_context(), unit_of_work():
            seen["first"] = workflow.dossiers_with_due_timers(utcnow(), 2)
            held.set()
            done.wait(10)  # the first scheduler is still firing its batch

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(10)
    try:
        with app.app_context(), unit_of_work():
            seen["second"] = workflow.dossiers_with_due_timers(utcnow(), 10)
    finally:
        done.set()
        thread.join(10)
    assert seen == {"first": waiting[:2], "second": waiting[2:]}
