"""Yearly partitions of the event log and the tasks (issue 15, step 5): rows go to their dossier's year, `ensure`
prepares years and empties DEFAULT, `detach` takes one past year out, and migration 0018 converts existing rows."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from app import MIGRATIONS_DIR, create_app
from app.audit import partitions
from app.audit.verify import verify_dossier
from app.catalog.models import Procedure
from app.dossiers.models import Dossier
from app.extensions import db
from app.history.models import DossierEvent
from app.workflow.models import HumanTask
from tests.dbutil import fresh_database, is_postgres, raw_transaction
from tests.integration.dossiers.conftest import local
from tests.world import load_world

needs_postgres = pytest.mark.skipif(not is_postgres(), reason="partitions exist on PostgreSQL only (SQLite keeps "
                                                              "plain tables with the same columns: TestPartitionYear)")


@pytest.fixture(autouse=True)
def procedures_in_force_since_2020(desk):
    """The catalogue's versions start in 2025: these tests receive dossiers from 2022 on."""
    _in_force_since_2020()


def _in_force_since_2020() -> None:
    db.session.execute(update(Procedure).where(Procedure.effective_from > date(2020, 1, 1))
                       .values(effective_from=date(2020, 1, 1)))
    db.session.commit()


def homes(dossier) -> dict[str, set[str]]:
    """The partitions holding the dossier's events and tasks."""
    return {table: set(db.session.execute(text(
        f"SELECT tableoid::regclass::text FROM {table} WHERE dossier_id = :d"), {"d": dossier.id}).scalars())  # noqa: S608
        for table in partitions.TABLES}


def in_year(year: int | None) -> dict[str, set[str]]:
    return {table: {partitions.partition_name(table, year)} for table in partitions.TABLES}


def connection():
    return db.session.connection()


def handled(desk, clock, at: str, *, to_end: bool = True) -> Dossier:
    clock(at)
    dossier = desk.receive().dossier
    desk.complete(dossier, "appraisal")
    if to_end:
        desk.run_to_end(dossier)
    return dossier


class TestPartitionYear:
    """Both dialects: the writers set the dossier's local year on its events and tasks."""

    def test_a_dossier_received_on_31_december_local_time_keeps_that_year(self, desk, clock):
        dossier = handled(desk, clock, "2025-12-31 23:30", to_end=False)
        assert dossier.partition_year == 2025
        assert _years(dossier) == {2025}

    def test_a_dossier_received_just_after_midnight_on_1_january_gets_the_new_year_though_utc_is_still_the_old(
            self, desk, clock):
        dossier = handled(desk, clock, "2026-01-01 00:30", to_end=False)
        assert dossier.received_at.astimezone(UTC).year == 2025
        assert _years(dossier) == {2026}


def _years(dossier) -> set[int]:
    events = db.session.scalars(select(DossierEvent.dossier_year).where(DossierEvent.dossier_id == dossier.id))
    tasks = db.session.scalars(select(HumanTask.dossier_year).where(HumanTask.dossier_id == dossier.id))
    return set(events) | set(tasks)


@needs_postgres
class TestPlacement:
    def test_rows_of_dossiers_received_in_different_years_land_in_their_years_partition(self, desk, clock):
        partitions.ensure_years(connection(), [2025])
        old, new = handled(desk, clock, "2025-06-02 09:00"), handled(desk, clock, "2026-03-02 09:00")
        assert homes(old) == in_year(2025)
        assert homes(new) == in_year(2026)

    def test_the_31_december_dossier_is_in_that_years_partition_and_1_january_in_the_next(self, desk, clock):
        partitions.ensure_years(connection(), [2025])
        december = handled(desk, clock, "2025-12-31 23:30", to_end=False)
        january = handled(desk, clock, "2026-01-01 00:30", to_end=False)
        assert homes(december) == in_year(2025)
        assert homes(january) == in_year(2026)

    def test_the_chains_of_dossiers_in_different_partitions_verify(self, desk, clock):
        partitions.ensure_years(connection(), [2024, 2025])
        dossiers = [handled(desk, clock, at) for at in ("2024-05-06 09:00", "2025-05-06 09:00", "2026-05-06 09:00")]
        assert [homes(d)["dossier_events"] for d in dossiers] == [
            {f"dossier_events_y{y}"} for y in (2024, 2025, 2026)]
        for dossier in dossiers:
            report = verify_dossier(dossier)
            assert report.ok and report.events == dossier.event_seq

    def test_a_year_without_its_partition_goes_to_default_and_ensure_moves_it_out(self, desk, clock):
        dossier = handled(desk, clock, "2023-05-08 09:00")
        assert homes(dossier) == in_year(None)
        made = partitions.ensure_years(connection(), [2023])
        assert made == ["dossier_events_y2023", "human_tasks_y2023"]
        assert homes(dossier) == in_year(2023)
        assert _default_rows() == 0
        assert verify_dossier(dossier).ok  # the moved rows are the same rows, links from documents included

    def test_the_nightly_ensure_prepares_next_year_and_any_year_caught_by_default(self, desk, clock):
        dossier = handled(desk, clock, "2022-05-09 09:00")
        clock("2027-03-01 04:05")
        made = partitions.ensure(connection())
        assert "dossier_events_y2028" in made and "human_tasks_y2028" in made
        assert "dossier_events_y2022" in made
        assert homes(dossier) == in_year(2022)
        assert partitions.ensure(connection()) == []


@needs_postgres
def test_generated_history_goes_to_its_years_partitions_not_default(desk):
    from app.demo.generate import generate

    generate(60, end=datetime(2026, 11, 30, 10, 0, tzinfo=UTC), seed=3)
    assert _default_rows() == 0
    assert {2023, 2024, 2025, 2026} <= set(partitions.list_years(connection(), "dossier_events"))
    wrong = db.session.execute(text(
        "SELECT count(*) FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id "
        f"WHERE e.dossier_year <> {partitions.YEAR_SQL['postgresql']}")).scalar()  # noqa: S608
    assert wrong == 0


@needs_postgres
class TestCommands:
    def test_the_scheduler_job_creates_next_years_partitions(self, app, desk, clock):
        from app.scheduler import jobs
        from app.scheduler.runner import job_specs

        assert "partitions" in {spec.id for spec in job_specs(30)}
        clock("2027-12-30 04:05")
        assert jobs.ensure_partitions(app) == ["dossier_events_y2028", "human_tasks_y2028"]
        assert jobs.ensure_partitions(app) == []

    def test_flask_partitions_list_ensure_and_a_refused_detach(self, app, desk, clock):
        runner = app.test_cli_runner()
        clock("2027-12-30 04:05")
        assert runner.invoke(args=["partitions", "ensure"]).output.split() == [
            "dossier_events_y2028", "human_tasks_y2028"]
        listed = runner.invoke(args=["partitions", "list"]).output
        assert "dossier_events: 2026 2027 2028; default 0" in listed
        refused = runner.invoke(args=["partitions", "detach", "2027"])
        assert refused.exit_code == 1 and "current year or later" in refused.output


@needs_postgres
class TestAppendOnly:
    def test_the_app_role_can_neither_move_an_event_to_another_year_nor_truncate_a_partition(self, desk, clock):
        dossier = handled(desk, clock, "2026-03-02 09:00", to_end=False)
        event_id = db.session.scalar(select(DossierEvent.id).where(DossierEvent.dossier_id == dossier.id))
        with pytest.raises(DBAPIError, match="append-only"):  # a move between partitions fires BEFORE DELETE
            as_the_app("UPDATE dossier_events SET dossier_year = 2027, data = CAST(:d AS json) WHERE id = :id",
                       d='{"__redacted__": "sha256:x"}', id=event_id)
        with pytest.raises(DBAPIError, match="append-only"):
            as_the_app("TRUNCATE dossier_events_y2026 CASCADE")  # past the links, to its own trigger
        assert verify_dossier(dossier).ok


def as_the_app(statement: str, **params) -> None:
    """Raw SQL without the DBA's replica mode: what the application's own role can do."""
    with raw_transaction() as conn:
        conn.execute(text(statement), params)


def _default_rows() -> int:
    return sum(db.session.execute(text(f"SELECT count(*) FROM {partitions.partition_name(t, None)}")).scalar()  # noqa: S608
               for t in partitions.TABLES)


@needs_postgres
class TestDetach:
    def test_detaching_a_past_year_takes_its_rows_out_and_leaves_the_other_years(self, desk, clock):
        partitions.ensure_years(connection(), [2024, 2025])
        old, kept = handled(desk, clock, "2024-05-06 09:00"), handled(desk, clock, "2025-05-06 09:00")
        old_events = old.event_seq
        clock("2026-03-02 09:00")
        done = partitions.detach(connection(), 2024, unlink=True)
        assert done.tables == ["dossier_events_y2024", "human_tasks_y2024"]
        assert homes(old) == {"dossier_events": set(), "human_tasks": set()}
        assert homes(kept) == in_year(2025)
        assert verify_dossier(kept).ok
        archived = db.session.execute(text("SELECT count(*) FROM dossier_events_y2024 WHERE dossier_id = :d"),
                                      {"d": old.id}).scalar()
        assert archived == old_events
        assert 2024 not in partitions.list_years(connection(), "dossier_events")

    def test_detach_is_refused_while_documents_link_to_the_years_events(self, desk, clock):
        partitions.ensure_years(connection(), [2024])
        handled(desk, clock, "2024-05-06 09:00")
        clock("2026-03-02 09:00")
        with pytest.raises(partitions.PartitionError, match="documents"):
            partitions.detach(connection(), 2024)

    def test_detach_is_refused_for_a_year_with_open_dossiers_and_for_the_current_year(self, desk, clock):
        partitions.ensure_years(connection(), [2024])
        handled(desk, clock, "2024-05-06 09:00", to_end=False)
        clock("2026-03-02 09:00")
        with pytest.raises(partitions.PartitionError, match="still open"):
            partitions.detach(connection(), 2024, unlink=True)
        with pytest.raises(partitions.PartitionError, match="current year"):
            partitions.detach(connection(), 2026, unlink=True)


@pytest.mark.committing  # a second application on its own database
def test_the_migration_round_trip_keeps_every_row_and_id(tmp_path):
    """PostgreSQL: plain → partitioned → plain → partitioned; SQLite: the columns are backfilled the same way."""
    with fresh_database(tmp_path, "part") as url:
        other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                            "LOG_LEVEL": "WARNING", "DOCUMENT_DIR": str(tmp_path / "docs"),
                            "PKI_DIR": str(tmp_path / "pki")})
        with other.app_context():
            upgrade(directory=str(MIGRATIONS_DIR))
            _history_in_three_years()
            before = _snapshot()
            downgrade(directory=str(MIGRATIONS_DIR), revision="0018_mining_2")
            assert _snapshot(with_year=False) == {k: [r[:-1] for r in v] for k, v in before.items()}
            upgrade(directory=str(MIGRATIONS_DIR))
            assert _snapshot() == before
            if is_postgres():
                assert set(partitions.list_years(connection(), "human_tasks")) >= {2024, 2025, 2026}
            assert all(verify_dossier(d).ok for d in db.session.scalars(select(Dossier)))
            db.session.remove()
            _history_in_three_years(("2026-06-01 09:00",), world=False)  # the id sequences carry on
            after = _snapshot()
            for table in ("dossier_events", "human_tasks"):
                assert min(r[0] for r in after[table][len(before[table]):]) > max(r[0] for r in before[table])
            db.session.remove()
            db.engine.dispose()


def _history_in_three_years(instants=("2024-05-06 09:00", "2025-05-06 09:00", "2026-01-01 00:30"), *,
                            world: bool = True) -> None:
    from tests.factories.dossiers import Desk

    if world:
        load_world()
        _in_force_since_2020()
    desk = Desk()
    for at in instants:
        with time_machine.travel(local(at), tick=False):
            dossier = desk.receive().dossier
            desk.complete(dossier, "appraisal")
    db.session.commit()


def _snapshot(*, with_year: bool = True) -> dict[str, list[tuple]]:
    year = ", dossier_year" if with_year else ""
    link = ", event_year" if with_year else ""
    db.session.remove()
    queries = {"dossier_events": f"SELECT id, dossier_id, seq, hash{year} FROM dossier_events ORDER BY id",
               "human_tasks": f"SELECT id, dossier_id, status, version{year} FROM human_tasks ORDER BY id",
               "documents": f"SELECT id, event_id{link} FROM documents ORDER BY id"}
    rows = {name: [tuple(r) for r in db.session.execute(text(sql))] for name, sql in queries.items()}  # noqa: S608
    db.session.remove()  # the migrations lock the tables: end this read's transaction
    return rows
