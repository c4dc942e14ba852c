"""A request whose transaction only read ends it with COMMIT, so psycopg keeps its prepared statements (issue 15).

psycopg drops every prepared statement on ROLLBACK; with the page reads of the API ending in one, no statement of
a worker ever reached the prepare threshold and PostgreSQL planned each one anew. A request that changed anything
without committing is still rolled back.
"""
from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.dbutil import is_postgres

pytestmark = [pytest.mark.skipif(not is_postgres(), reason="psycopg's prepared statements (PostgreSQL)"),
              pytest.mark.committing]  # the app's own pooled connections, as in production


@pytest.fixture
def ends(app):
    """How the app's transactions end (Connection events), and the DBAPI connections that ran the inbox query."""
    seen = {"commit": 0, "rollback": 0, "inbox": set()}

    def commit(_conn):
        seen["commit"] += 1

    def rollback(_conn):
        seen["rollback"] += 1

    def executed(conn, _cursor, statement, *_args):
        if "FROM human_tasks JOIN dossiers" in statement:
            seen["inbox"].add(conn.connection.dbapi_connection)

    with app.app_context():
        engine = db.engine
    listeners = [("commit", commit), ("rollback", rollback), ("after_cursor_execute", executed)]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    yield seen
    for name, fn in listeners:
        event.remove(engine, name, fn)


def test_page_reads_commit_and_their_statements_get_prepared(api, world, ends):
    api.get("/tasks?scope=queue", user="chuyenvien.snv")  # the token's first use is written (a commit of its own)
    ends.update(commit=0, rollback=0)
    for _ in range(12):
        assert api.get("/tasks?scope=queue", user="chuyenvien.snv").status_code == 200
    assert ends["commit"] == 12 and ends["rollback"] == 0
    for raw in ends["inbox"]:  # psycopg prepares a statement on its 5th execution on a connection
        statements = [row[0] for row in raw.execute("SELECT statement FROM pg_prepared_statements").fetchall()]
        raw.rollback()
        if any("FROM human_tasks JOIN dossiers" in text for text in statements):
            return
    pytest.fail("the queue page's statement was never prepared on any connection")


def test_a_context_that_wrote_without_committing_is_still_rolled_back(app, world, ends):
    from sqlalchemy import select, update

    from app.auth.models import User

    with app.app_context():  # its teardown is the request's (teardown_appcontext)
        db.session.execute(update(User).where(User.username == "chuyenvien.snv").values(full_name="Changed"))
    assert ends["commit"] == 0 and ends["rollback"] == 1
    with app.app_context():
        assert db.session.scalar(select(User.full_name).where(User.username == "chuyenvien.snv")) != "Changed"
