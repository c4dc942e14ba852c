"""Test databases: SQLite files by default, PostgreSQL when MOTCUA_TEST_DATABASE_URL is set."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

PG_ENV = "MOTCUA_TEST_DATABASE_URL"


def is_postgres() -> bool:
    return bool(os.environ.get(PG_ENV))


@contextmanager
def fresh_database(tmp_dir: Path, label: str) -> Iterator[str]:
    """Yield the URL of a new empty database, dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        path = tmp_dir / f"{label}-{uuid.uuid4().hex[:8]}.sqlite"
        yield f"sqlite:///{path}"
        return
    url = make_url(base)
    name = f"{url.database}_{label}_{uuid.uuid4().hex[:6]}".lower()
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def raw_transaction(*, dba: bool = False) -> Iterator[Connection]:
    """Raw SQL through the test's own connection, in a savepoint committed (or rolled back) as a unit.

    With `dba`, PostgreSQL's append-only trigger is bypassed (superuser replica mode) only inside it.
    """
    from app.extensions import db

    connection = db.session.connection()
    with connection.begin_nested():
        if dba and connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield connection
        if dba and connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = origin"))
    db.session.commit()
    db.session.expire_all()


def run_as_dba(statement: str, **params):
    """One raw statement as a DBA-level attacker would run it (past the append-only trigger)."""
    with raw_transaction(dba=True) as connection:
        return connection.execute(text(statement), params)
