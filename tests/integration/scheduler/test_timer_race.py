"""A BPMN timer firing while an official completes a task of the same dossier: exactly one of the two commits on
the state both read; the other is refused (the official gets the 409, the timer waits for the next sweep)."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, func, select

from app.core.db import unit_of_work, utcnow
from app.core.errors import ConflictError
from app.dossiers import lifecycle
from app.extensions import db
from app.history.models import DossierEvent
from app.inbox.services import claim_task
from app.workflow import services as workflow
from app.workflow.models import DueTimer
from tests.dbutil import is_postgres
from tests.factories.dossiers import form_data
from tests.integration.dossiers.conftest import official

pytest_plugins = ["tests.integration.dossiers.conftest"]
pytestmark = [  # the timer sweep and the official race on their own threads and connections
    pytest.mark.skipif(not is_postgres(), reason="row-level races need PostgreSQL (SQLite serialises writers)"),
    pytest.mark.committing,
]


def event_kinds(dossier_id: int) -> list[str]:
    db.session.remove()
    return list(db.session.scalars(select(DossierEvent.kind).where(DossierEvent.dossier_id == dossier_id)
                                   .order_by(DossierEvent.seq)))


@pytest.fixture
def timer_due_with_open_appraisal(app, desk, clock):
    """A construction permit whose site-visit timer is due while the appraisal task is claimed and open."""
    clock("2026-03-02 08:00")
    dossier = desk.receive("1.009994", "14797").dossier
    task = desk.task(dossier, "appraisal")
    actor = official(task.role, task.agency_id)
    claim_task(actor, task.id)
    db.session.commit()
    payload = form_data(task.form_key)
    clock("2026-03-04 09:00")
    ids = dossier.id, task.id, actor.id
    db.session.remove()
    return ids, payload


def race(app, first, second) -> dict[str, object]:
    """Run `first` up to its commit, start `second` (it blocks on the rows `first` holds), then let `first` commit."""
    flushed, outcome = threading.Event(), {}

    def hold_commit(session):
        if threading.current_thread().name == "first":
            flushed.set()
            time.sleep(1.5)  # `second` has read the same version and now waits for our row lock

    def run(name, fn, wait):
        with app.app_context():
            if wait:
                flushed.wait(10)
            try:
                with unit_of_work():
                    outcome[name] = fn()
            except ConflictError as error:
                outcome[name] = error

    event.listen(db.session, "before_commit", hold_commit)
    try:
        threads = [threading.Thread(target=run, args=("first", first, False), name="first"),
                   threading.Thread(target=run, args=("second", second, True), name="second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        event.remove(db.session, "before_commit", hold_commit)
    return outcome


def completion(task_id: int, actor_id: int, payload: dict):
    from app.auth.models import User

    return lambda: lifecycle.complete_task(db.session.get(User, actor_id), task_id, payload) and "completed"


def test_timer_first_wins_and_the_officials_completion_is_refused(app, timer_due_with_open_appraisal):
    (dossier_id, task_id, actor_id), payload = timer_due_with_open_appraisal
    before = event_kinds(dossier_id)
    outcome = race(app, lambda: lifecycle.fire_due_timers(utcnow()), completion(task_id, actor_id, payload))
    assert outcome["first"] == 1 and isinstance(outcome["second"], ConflictError)
    assert event_kinds(dossier_id) == [*before, "timer_fired"]  # the completion left no trace
    with app.app_context(), unit_of_work():  # the official reloads and completes on the new state
        completion(task_id, actor_id, payload)()
    assert event_kinds(dossier_id)[-1] == "task_completed"


def test_completion_first_wins_and_the_timer_sweep_fires_nothing_twice(app, timer_due_with_open_appraisal):
    (dossier_id, task_id, actor_id), payload = timer_due_with_open_appraisal
    before = event_kinds(dossier_id)
    outcome = race(app, completion(task_id, actor_id, payload), lambda: lifecycle.fire_due_timers(utcnow()))
    assert outcome["first"] == "completed" and outcome["second"] == 0  # the sweep lost its dossier, fired nothing
    assert event_kinds(dossier_id) == [*before, "task_completed"]
    # the engine ran the due timer inside the winning completion (it refreshes waiting tasks): its effect is there
    # once, and no timer is left for the next sweep to fire a second time
    assert db.session.scalar(select(func.count()).select_from(DueTimer).where(DueTimer.dossier_id == dossier_id)) == 0
    assert [t.bpmn_id for t in workflow.open_tasks(dossier_id)].count("site_inspection") == 1
    with app.app_context(), unit_of_work():
        assert lifecycle.fire_due_timers(utcnow()) == 0
    assert event_kinds(dossier_id) == [*before, "task_completed"]
