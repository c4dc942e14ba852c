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


def _fire(limit: int) -> int:
    from app.dossiers.lifecycle import fire_due_timers

    with unit_of_work():
        return fire_due_timers(utcnow(), limit)


def test_a_batch_is_loaded_and_written_table_by_table_not_dossier_by_dossier(app, waiting, count_queries):
    """The loads are per batch (dossiers, instances, tasks, timers: one query each) and the writes one flush:
    a second dossier in the batch adds at most its own writes (event, task, instance; the dialect batches what it
    can), not the ten-odd statements firing it alone costs."""
    before = count_queries.count
    assert _fire(1) == 1
    one = count_queries.count - before
    before = count_queries.count
    assert _fire(2) == 2
    two = count_queries.count - before
    assert one <= 11 and two - one <= 4, "\n".join(s.split("(")[0][:90] for s in count_queries.statements[-two:])


def test_a_dossier_failing_in_its_batch_is_left_untouched_and_the_others_fire(app, waiting, monkeypatch):
    """A failure after the engine ran (the projection here) rolls the batch back, then each dossier fires in its
    own savepoint: the failing one keeps its state and its timer for the next sweep, the others move on."""
    from app.core.errors import ValidationError
    from app.dossiers import pipeline
    from app.history.models import DossierEvent
    from app.workflow.models import ProcessInstance

    broken = waiting[1]
    state_before = db.session.scalar(select(ProcessInstance.state_json).where(ProcessInstance.dossier_id == broken))
    real_project = pipeline.project

    def project(dossier, *args, **kwargs):
        if dossier.id == broken:
            raise ValidationError("hỏng", "broken")
        return real_project(dossier, *args, **kwargs)

    monkeypatch.setattr(pipeline, "project", project)
    assert _fire(3) == 2
    db.session.expire_all()
    fired = set(db.session.scalars(select(DossierEvent.dossier_id).where(DossierEvent.kind == "timer_fired")))
    assert fired == {waiting[0], waiting[2]}
    assert db.session.scalar(select(ProcessInstance.state_json).where(ProcessInstance.dossier_id == broken)) \
        == state_before
    assert [t.dossier_id for t in db.session.scalars(select(DueTimer))] == [broken]
    monkeypatch.setattr(pipeline, "project", real_project)
    assert _fire(3) == 1  # the next sweep fires it
