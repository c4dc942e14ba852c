"""API callers cached per worker for a few seconds; a revocation reaches every worker at once through the credentials
stamp in Redis; without Redis nothing is cached and a revoked token is never accepted (issue 15)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from app.auth.services import find_user_by_username, revoke_role
from app.core import credentials
from app.core.db import unit_of_work
from app.extensions import db
from app.tokens import cache
from app.tokens.models import ApiToken
from app.tokens.services import digest, revoke_token
from tests.redis_process import redis_available, redis_server

pytestmark = pytest.mark.skipif(not redis_available(), reason="redis-server is not installed (make system-deps)")
ROOT = Path(__file__).resolve().parents[3]


def _fresh_cache(app) -> None:
    app.extensions.pop(credentials.EXTENSION, None)
    app.extensions.pop(cache.EXTENSION, None)


@pytest.fixture
def redis(app, monkeypatch):
    """A Redis of this test's own as the app's REDIS_URL; the app's stamp and cache start empty."""
    with redis_server() as server:
        monkeypatch.setitem(app.config, "REDIS_URL", server.url)
        _fresh_cache(app)
        yield server
    _fresh_cache(app)


def _token_reads(count_queries) -> int:
    return sum("FROM api_tokens" in statement for statement in count_queries.statements)


def _revoke_behind_the_apps_back(raw: str) -> None:
    """Revoke in the database only (no stamp moved): what a cache trusting its entries would miss."""
    with unit_of_work():
        db.session.execute(update(ApiToken).where(ApiToken.token_hash == digest(raw)).values(revoked_at=db.func.now()))


class TestOneWorker:
    def test_a_cached_caller_costs_no_statement_and_keeps_its_roles(self, api, world, redis, count_queries):
        assert api.get("/tasks", user="chuyenvien.snv").status_code == 200
        count_queries.statements.clear()
        response = api.get("/tasks?scope=queue", user="chuyenvien.snv")
        assert response.status_code == 200 and _token_reads(count_queries) == 0
        assert count_queries.count == 1, count_queries.statements  # the page query alone
        assert api.post("/models", {"xml": "<x/>"}, user="chuyenvien.snv").status_code == 403  # roles came along

    def test_a_revocation_through_the_service_is_refused_on_the_next_request(self, api, world, redis):
        raw = api.token("tiepnhan")
        assert api.get("/dossiers", user="tiepnhan").status_code == 200
        user = find_user_by_username("tiepnhan")
        with unit_of_work():
            revoke_token(user, user, db.session.query(ApiToken).filter_by(user_id=user.id).one().id)
        assert api.client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {raw}"}).status_code == 401

    def test_the_cache_is_real_an_unannounced_revocation_waits_for_the_ttl(self, app, api, world, redis, monkeypatch):
        monkeypatch.setitem(app.config, "TOKEN_CACHE_SECONDS", 0.5)
        _fresh_cache(app)
        raw = api.token("tiepnhan")
        assert api.get("/dossiers", user="tiepnhan").status_code == 200
        _revoke_behind_the_apps_back(raw)
        assert api.get("/dossiers", user="tiepnhan").status_code == 200  # cached: why revocations move the stamp
        time.sleep(0.6)
        assert api.get("/dossiers", user="tiepnhan").status_code == 401

    def test_a_revoked_role_is_gone_at_once(self, api, world, redis):
        assert api.post("/models", {"xml": "<x/>"}, user="designer").status_code == 422  # allowed, bad XML
        designer = find_user_by_username("designer")
        admin = find_user_by_username("admin")
        with unit_of_work():
            revoke_role(admin, designer, next(a.id for a in designer.roles if a.role == "designer"))
        assert api.post("/models", {"xml": "<x/>"}, user="designer").status_code == 403

    def test_with_redis_down_every_request_reads_the_database(self, api, world, redis, count_queries):
        raw = api.token("tiepnhan")
        assert api.get("/dossiers", user="tiepnhan").status_code == 200
        redis.stop()
        _revoke_behind_the_apps_back(raw)
        count_queries.statements.clear()
        assert api.get("/dossiers", user="tiepnhan").status_code == 401
        assert _token_reads(count_queries) == 1


class TestWithoutRedis:
    def test_nothing_is_cached_and_a_revoked_token_is_refused(self, app, api, world, count_queries):
        assert app.config["REDIS_URL"] is None
        raw = api.token("tiepnhan")
        for _ in range(2):
            count_queries.statements.clear()
            assert api.get("/dossiers", user="tiepnhan").status_code == 200
            assert _token_reads(count_queries) == 1
        _revoke_behind_the_apps_back(raw)
        assert api.get("/dossiers", user="tiepnhan").status_code == 401


WORKER = """
import json, sys
from sqlalchemy import event, select
from app import create_app
from app.core.db import unit_of_work
from app.extensions import db
from app.tokens.models import ApiToken
from app.tokens.services import digest, revoke_token

app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "REDIS_URL": sys.argv[2], "TOKEN_CACHE_SECONDS": 300})
client, reads = app.test_client(), []
with app.app_context():
    event.listen(db.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: reads.append("FROM api_tokens" in statement))
for line in sys.stdin:
    command, raw = line.split()
    reads.clear()
    if command == "get":
        status = client.get("/api/v1/dossiers", headers={"Authorization": "Bearer " + raw}).status_code
        print(json.dumps({"status": status, "token_reads": sum(reads)}), flush=True)
    else:
        with app.app_context(), unit_of_work():
            token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(raw)))
            revoke_token(None, token.user, token.id)
        print(json.dumps({"revoked": True}), flush=True)
"""


class Worker:
    """One worker process of its own (another gunicorn worker, as far as caches go), driven over stdin."""

    def __init__(self, database_url: str, redis_url: str):
        self.process = subprocess.Popen([sys.executable, "-c", WORKER, database_url, redis_url], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def send(self, command: str, raw: str) -> dict:
        self.process.stdin.write(f"{command} {raw}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "worker died"
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.mark.committing  # the worker processes read the token this test commits
def test_a_revocation_in_one_worker_is_refused_by_the_other_at_once(database_url, api, world, redis):
    raw = api.token("tiepnhan")
    first, second = Worker(database_url, redis.url), Worker(database_url, redis.url)
    try:
        assert second.send("get", raw) == {"status": 200, "token_reads": 1}
        assert second.send("get", raw) == {"status": 200, "token_reads": 0}  # cached for 300 s in that worker
        assert first.send("revoke", raw) == {"revoked": True}
        assert second.send("get", raw)["status"] == 401  # at once, not after the 300 s
        assert first.send("get", raw)["status"] == 401
    finally:
        first.close()
        second.close()


def test_an_entry_read_under_an_older_stamp_is_never_served(app, api, world, redis):
    """The request reads the stamp before the database: a revocation committed meanwhile moves the stamp, and what
    the request read is kept under the old one, which no later request accepts."""
    raw = api.token("tiepnhan")
    stamp = credentials.stamp()
    before = stamp.current()
    stamp.move()  # what the revoking worker does after its commit, while this request reads the database
    token_cache = cache.token_cache()
    assert token_cache.get(digest(raw), before) is None
    token = db.session.query(ApiToken).filter_by(token_hash=digest(raw)).one()
    token_cache.put(digest(raw), token, before)
    assert token_cache.get(digest(raw), stamp.current()) is None
