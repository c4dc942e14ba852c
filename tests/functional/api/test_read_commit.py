"""A request whose transaction only read ends it with COMMIT, so psycopg keeps its prepared statements (issue 15).

psycopg drops every prepared statement on ROLLBACK; with the page reads of the API ending in one, no statement of
a worker ever reached the prepare threshold and PostgreSQL planned each one anew. A request that changed anything
without committing is still rolled back.
"""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.dbutil import is_postgres

pytestmark = [pytest.mark.skipif(not is_postgres(), reason="psycopg's prepared statements (PostgreSQL)"),
              pytest.mark.committing]  # the app's own pooled connections, as in production


@pytest.fixture
def ends(app):
    """How the app's transactions end (Connection events), and the DBAPI connections that ran the inbox query."""
    seen = {"commit": 0, "rollback": 0, "inbox": Counter()}

    def commit(_conn):
        seen["commit"] += 1

    def rollback(_conn):
        seen["rollback"] += 1

    def executed(conn, _cursor, statement, *_args):
        if "FROM human_tasks JOIN dossiers" in statement:
            seen["inbox"][conn.connection.dbapi_connection] += 1

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
    requests = 0
    # psycopg prepares a statement on its 5th execution on one connection; the pool hands its connections out in
    # turn, so read until one of them has run the page's query 6 times (bounded)
    while not ends["inbox"] or max(ends["inbox"].values()) < 6:
        assert api.get("/tasks?scope=queue", user="chuyenvien.snv").status_code == 200
        requests += 1
        assert requests < 400, "the pool never served one connection six times"
    assert ends["commit"] == requests and ends["rollback"] == 0
    raw = ends["inbox"].most_common(1)[0][0]
    statements = [row[0] for row in raw.execute("SELECT statement FROM pg_prepared_statements").fetchall()]
    raw.rollback()
    assert any("FROM human_tasks JOIN dossiers" in text for text in statements), statements


def test_a_context_that_wrote_without_committing_is_still_rolled_back(app, world, ends):
    from sqlalchemy import select, update

    from app.auth.models import User

    with app.app_context():  # its teardown is the request's (teardown_appcontext)
        db.session.execute(update(User).where(User.username == "chuyenvien.snv").values(full_name="Changed"))
    assert ends["commit"] == 0 and ends["rollback"] == 1
    with app.app_context():
        assert db.session.scalar(select(User.full_name).where(User.username == "chuyenvien.snv")) != "Changed"
