"""Issue 15/16: concurrent lifecycle transactions touching the same daily summary cells in opposite orders.

An intake adds to the day's stat_daily cell, a completed step to the day's stat_step_daily cell; a transaction
that does one then the other, side by side with one that does them the other way round, deadlocked on the two
hot rows while the triggers upserted the summary rows (409s under the lifecycle bench). The triggers now append
delta rows (no shared row is locked), folded later; the readers see folded rows plus deltas, so the figures are
exact at every moment.
"""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import OperationalError

from app.dossiers.models import Dossier
from app.extensions import db
from app.reports import summary
from app.reports.models import LiveStepDaily, StatStepDelta
from app.workflow.models import HumanTask
from tests.dbutil import is_postgres
from tests.integration.dossiers.test_stats_summary import live, rebuilt

THREADS = 8
ROUNDS = 3


def _clone_dossiers(template_id: int, count: int) -> list[int]:
    row = db.session.execute(select(Dossier.__table__).where(Dossier.id == template_id)).mappings().one()
    ids = []
    for n in range(count):
        clone = {k: v for k, v in row.items() if k != "id"}
        clone["code"] = f"RACE-{n:04d}"
        ids.append(db.session.execute(insert(Dossier.__table__).values(clone).returning(Dossier.id)).scalar_one())
    return ids


def _clone_tasks(template_id: int, dossier_ids: list[int]) -> list[int]:
    row = db.session.execute(select(HumanTask.__table__).where(HumanTask.id == template_id)).mappings().one()
    ids = []
    for dossier_id in dossier_ids:
        clone = {k: v for k, v in row.items() if k != "id"}
        clone.update(dossier_id=dossier_id, status="open", timing=None, completed_at=None)
        ids.append(db.session.execute(insert(HumanTask.__table__).values(clone).returning(HumanTask.id))
                   .scalar_one())
    return ids


def _world(desk, clock) -> tuple[list[int], list[int], dict]:
    """THREADS * ROUNDS dossiers and open tasks of one day, agency, procedure and channel: the same two cells."""
    clock("2026-03-02 09:00")
    receipt = desk.receive()
    template_task = db.session.scalar(select(HumanTask.id).where(HumanTask.dossier_id == receipt.dossier.id))
    dossiers = _clone_dossiers(receipt.dossier.id, THREADS * ROUNDS)
    tasks = _clone_tasks(template_task, [receipt.dossier.id] * (THREADS * ROUNDS))
    done = {"status": "completed", "timing": "on_time", "agency_id": receipt.dossier.receiving_agency_id,
            "completed_at": receipt.dossier.received_at + timedelta(hours=2)}  # the same local day: one step cell
    db.session.commit()
    return dossiers, tasks, done


def _opposite_orders(app, dossiers: list[int], tasks: list[int], done: dict, clients: int = THREADS) -> list[str]:
    """`clients` clients, ROUNDS transactions each: half change a dossier's figures (the day's stat_daily cell) then
    complete a step (the day's stat_step_daily cell), half the other way round; every transaction holds its first
    cell before any touches its second. Returns the errors."""
    barrier, errors = threading.Barrier(clients, timeout=20), []

    def intake(conn, dossier_id):
        conn.execute(update(Dossier.__table__).where(Dossier.id == dossier_id).values(rating="satisfied"))

    def step(conn, task_id):
        conn.execute(update(HumanTask.__table__).where(HumanTask.id == task_id).values(**done))

    def client(index: int) -> None:
        with app.app_context():
            try:
                for round_ in range(ROUNDS):
                    n = round_ * clients + index
                    first, second = ((intake, dossiers[n]), (step, tasks[n]))[::1 if index % 2 else -1]
                    with db.engine.begin() as conn:
                        conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                        first[0](conn, first[1])
                        barrier.wait()
                        second[0](conn, second[1])
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(error)[:300])
                barrier.abort()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.committing  # parallel transactions on their own connections
@pytest.mark.skipif(not is_postgres(), reason="row-level concurrency is a PostgreSQL property (SQLite serialises)")
@pytest.mark.parametrize("clients", [2, THREADS])
def test_opposite_orders_on_the_same_cells_do_not_deadlock(app, desk, clock, clients):
    dossiers, tasks, done = _world(desk, clock)
    on_time_before = db.session.scalar(select(func.sum(LiveStepDaily.on_time))) or 0
    assert _opposite_orders(app, dossiers, tasks, done, clients) == []
    on_time = db.session.scalar(select(func.sum(LiveStepDaily.on_time)))
    assert on_time - on_time_before == clients * ROUNDS
    between_folds = live()  # read with the deltas not folded yet
    assert db.session.scalar(select(func.count()).select_from(StatStepDelta)) >= clients * ROUNDS
    summary.fold(db.session.connection())
    assert db.session.scalar(select(func.count()).select_from(StatStepDelta)) == 0
    assert live() == between_folds
    assert rebuilt() == between_folds
    db.session.commit()


@pytest.mark.committing
@pytest.mark.skipif(not is_postgres(), reason="row-level concurrency is a PostgreSQL property (SQLite serialises)")
@pytest.mark.parametrize(("clients", "failure"), [(2, "deadlock detected"), (THREADS, "lock timeout")])
def test_control_the_upserting_triggers_fail_the_same_race(app, desk, clock, clients, failure):
    """Control: the triggers before 0018_statdelta (upserting the two hot rows) deadlock on this race (two clients:
    each holds the row the other wants) and queue on the hot row (more: one holder, the others wait)."""
    dossiers, tasks, done = _world(desk, clock)
    with db.engine.begin() as conn:
        summary.drop_triggers(conn)
        summary.install_triggers(conn, deltas=False)
    try:
        errors = _opposite_orders(app, dossiers, tasks, done, clients)
    finally:
        with db.engine.begin() as conn:
            summary.drop_triggers(conn)
            summary.install_triggers(conn)
    assert any(failure in e for e in errors), errors


@pytest.mark.committing  # writers and the folder on their own connections
@pytest.mark.skipif(not is_postgres(), reason="row-level concurrency is a PostgreSQL property (SQLite serialises)")
def test_folding_while_writers_commit_loses_no_delta(app, desk, clock):
    """The fold removes exactly the deltas it adds (one statement): deltas committed while it runs stay for the
    next fold, none is lost (READ COMMITTED: a "read the last id, then delete" pair would drop them)."""
    clock("2026-03-02 09:00")
    receipt = desk.receive()
    dossiers = _clone_dossiers(receipt.dossier.id, THREADS)
    db.session.commit()
    stop, errors, folds = threading.Event(), [], []

    def writer(dossier_id: int) -> None:
        ratings = ("satisfied", "unsatisfied", None)
        with app.app_context():
            try:
                for n in range(30):
                    with db.engine.begin() as conn:
                        conn.execute(update(Dossier.__table__).where(Dossier.id == dossier_id)
                                     .values(rating=ratings[n % 3], apology_count=n))
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(error)[:200])

    def folder() -> None:
        with app.app_context():
            try:
                while not stop.is_set():
                    with db.engine.begin() as conn:
                        folds.append(summary.fold(conn))
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(error)[:200])

    folding = threading.Thread(target=folder)
    folding.start()
    writers = [threading.Thread(target=writer, args=(d,)) for d in dossiers]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    stop.set()
    folding.join(timeout=60)
    assert errors == []
    assert len(folds) > 1 and sum(folds) > 0  # the folds ran while the writers wrote
    seen = live()
    summary.fold(db.session.connection())
    assert live() == seen == rebuilt()
    db.session.commit()


@pytest.mark.committing  # two folders on their own connections
@pytest.mark.skipif(not is_postgres(), reason="advisory locks are PostgreSQL's")
def test_one_fold_at_a_time(app):
    with db.engine.connect() as first, db.engine.connect() as second:
        with first.begin():
            summary.fold(first)  # holds the fold lock until its transaction ends
            with second.begin():
                second.execute(text("SET LOCAL lock_timeout = '300ms'"))
                with pytest.raises(OperationalError, match="lock timeout"):
                    summary.fold(second)
        with second.begin():
            assert summary.fold(second) == 0  # free again once the first fold committed
