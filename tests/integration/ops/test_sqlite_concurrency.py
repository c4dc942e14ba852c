"""`make run` puts the web server and the scheduler on one SQLite file: a writer must not fail because the other
process is reading, and a write that still cannot get the lock is a 409 (retry), never a 500."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from app import create_app
from app.core.db import unit_of_work
from app.core.errors import ConflictError
from app.extensions import db

pytestmark = pytest.mark.committing


@pytest.fixture
def file_app(tmp_path):
    path = tmp_path / "motcua.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SQLITE_BUSY_TIMEOUT_MS": 200})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            conn.execute(text("INSERT INTO notes (body) VALUES ('một')"))
        yield app, path
        db.session.remove()
        db.engine.dispose()


def test_a_reader_in_another_process_does_not_block_a_commit(file_app):
    app, path = file_app
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    other = sqlite3.connect(path, isolation_level=None)  # the scheduler, in the middle of a read
    other.execute("BEGIN")
    assert other.execute("SELECT count(*) FROM notes").fetchone() == (1,)
    with app.app_context(), unit_of_work():
        db.session.execute(text("INSERT INTO notes (body) VALUES ('hai')"))
    assert other.execute("SELECT count(*) FROM notes").fetchone() == (1,)  # its snapshot stays
    other.execute("COMMIT")
    assert other.execute("SELECT count(*) FROM notes").fetchone() == (2,)
    other.close()


def test_a_write_that_cannot_get_the_lock_is_a_conflict(file_app):
    app, path = file_app
    other = sqlite3.connect(path, isolation_level=None)  # the scheduler, holding the write lock
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (body) VALUES ('ba')")
    try:
        with app.app_context(), pytest.raises(ConflictError), unit_of_work():
            db.session.execute(text("INSERT INTO notes (body) VALUES ('bốn')"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM notes")).scalar() == 1
