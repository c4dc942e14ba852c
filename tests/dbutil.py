"""Test databases: SQLite files by default, PostgreSQL when MOTCUA_TEST_DATABASE_URL is set."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
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
