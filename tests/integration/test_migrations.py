"""Migrations build the schema from empty, match the models, and downgrade cleanly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import MIGRATIONS_DIR, create_app
from app.audit import partitions
from app.extensions import db
from tests.dbutil import fresh_database


def test_upgrade_from_empty_then_downgrade_to_base(tmp_path):
    with fresh_database(tmp_path, "mig") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        with app.app_context():
            upgrade(directory=str(MIGRATIONS_DIR))
            tables = set(inspect(db.engine).get_table_names())
            assert {"agencies", "users", "role_assignments"} <= tables
            downgrade(directory=str(MIGRATIONS_DIR), revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade(directory=str(MIGRATIONS_DIR))
            db.engine.dispose()


def test_models_and_migrations_agree(app, database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_object": lambda obj, name, type_, reflected, compare_to: (
                name != "ix_dossiers_search_trgm"  # hand-made, PG only
                and not partitions.is_partition_object(obj, name, type_, reflected))})
        diff = compare_metadata(context, db.metadata)
    engine.dispose()
    assert diff == []


def _summary_trigger_sql(conn) -> str:
    if conn.dialect.name == "postgresql":
        query = "SELECT string_agg(prosrc, ' ') FROM pg_proc WHERE proname LIKE 'stat_daily_%'"
    else:
        query = "SELECT group_concat(sql, ' ') FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stat_daily_%'"
    return conn.execute(text(query)).scalar_one()


def test_statdelta_downgrade_folds_the_deltas_into_the_rows_the_old_triggers_keep(tmp_path):
    """0018_statdelta: the triggers append deltas; its downgrade folds the pending ones and restores the upserts."""
    with fresh_database(tmp_path, "delta") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        with app.app_context():
            upgrade(directory=str(MIGRATIONS_DIR))
            with db.engine.begin() as conn:
                assert "INSERT INTO stat_daily_delta" in _summary_trigger_sql(conn)
                for received in (2, 3):
                    conn.execute(text("INSERT INTO stat_daily_delta (day, agency_id, receiving_agency_id, "
                                      "procedure_id, channel, received) VALUES ('2026-03-02', 1, 1, 1, 'counter', "
                                      ":received)"), {"received": received})
            downgrade(directory=str(MIGRATIONS_DIR), revision="0017_stats3")
            with db.engine.begin() as conn:
                assert "stat_daily_delta" not in set(inspect(conn).get_table_names())
                assert conn.execute(text("SELECT received FROM stat_daily")).scalars().all() == [5]
                triggers = _summary_trigger_sql(conn)
                assert "stat_daily_delta" not in triggers and "ON CONFLICT" in triggers
            upgrade(directory=str(MIGRATIONS_DIR))
            db.engine.dispose()


def test_stepkind_downgrade_keeps_the_pending_deltas_and_the_old_step_key(tmp_path):
    """0020_stepkind: the step summary gains step_kind (triggers and key); its downgrade folds stat_daily's
    pending deltas (a rebuild of the steps only: they are not lost) and reinstalls the triggers without the kind."""
    with fresh_database(tmp_path, "stepkind") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        with app.app_context():
            upgrade(directory=str(MIGRATIONS_DIR))
            with db.engine.begin() as conn:
                assert "COALESCE(NEW.step_kind, '')" in _summary_trigger_sql(conn)
                assert inspect(conn).get_pk_constraint("stat_step_daily")["constrained_columns"] == [
                    "day", "agency_id", "procedure_id", "step_kind"]
                for received in (2, 3):
                    conn.execute(text("INSERT INTO stat_daily_delta (day, agency_id, receiving_agency_id, "
                                      "procedure_id, channel, received) VALUES ('2026-03-02', 1, 1, 1, 'counter', "
                                      ":received)"), {"received": received})
            downgrade(directory=str(MIGRATIONS_DIR), revision="0019_score1m")
            with db.engine.begin() as conn:
                assert conn.execute(text("SELECT received FROM stat_daily")).scalars().all() == [5]
                assert "step_kind" not in _summary_trigger_sql(conn)
                for table in ("stat_step_daily", "stat_step_delta"):
                    assert "step_kind" not in {c["name"] for c in inspect(conn).get_columns(table)}
                assert inspect(conn).get_pk_constraint("stat_step_daily")["constrained_columns"] == [
                    "day", "agency_id", "procedure_id"]
            upgrade(directory=str(MIGRATIONS_DIR))
            db.engine.dispose()
