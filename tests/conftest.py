"""Shared fixtures: one migrated database per test worker; each test runs inside a transaction rolled back at its end.

Tests that need real commits (another thread or process reads the data: live servers, race tests, CLI subprocesses,
leader election) are marked `committing`; they empty the tables afterwards instead.
"""
from __future__ import annotations

import os
import smtplib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from sqlalchemy import event, text

from app import MIGRATIONS_DIR, create_app
from app.extensions import db
from tests.dbutil import fresh_database, is_postgres, run_as_dba

# Under load (CI on two cores, xdist) data generation is slow but correct: no health check on speed or deadline.
settings.register_profile("motcua", suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                          deadline=None)
settings.load_profile("motcua")

# Tables filled by migrations with reference data: kept between tests.
REFERENCE_TABLES = {"alembic_version", "calendar_overrides", "working_hours"}


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the message catalogs, so a bare `pytest` tests the English UI against the current .po files."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (MIGRATIONS_DIR.parent / "app" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        tmp = mo_path.with_suffix(f".{os.getpid()}.tmp")  # xdist workers compile side by side
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)


@pytest.fixture(scope="session", autouse=True)
def cheap_argon2():
    """Still argon2id, with minimal cost so fixtures creating many users stay fast."""
    from argon2 import PasswordHasher

    from app.auth import passwords

    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with fresh_database(tmp_path_factory.mktemp("db"), worker) as url:
        yield url


# The race tests run 50 clients at once in this process: each needs its own connection (production keeps
# SQLAlchemy's 5 + 10 per worker process).
RACE_POOL = {"pool_size": 10, "max_overflow": 60, "pool_timeout": 60}


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from app.config import build_config

    engine_options = build_config(tmp_path_factory.mktemp("instance"))["SQLALCHEMY_ENGINE_OPTIONS"]
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {**engine_options, **(RACE_POOL if is_postgres() else {})},
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "LOG_LEVEL": "WARNING",
        "DOCUMENT_DIR": str(tmp_path_factory.mktemp("documents")),
        "PKI_DIR": str(tmp_path_factory.mktemp("pki")),
    })
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        from app.documents.signing import create_demo_ca

        create_demo_ca()  # the agencies' demo keys are issued by it on first use (app.documents.signing)
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    # SQLite's summary triggers (app.reports.summary) fire on the deletes: empty the summaries last.
    tables.sort(key=lambda t: t.name.startswith("stat_"))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # bypass the append-only trigger on dossier_events (0006_audit)
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            conn.execute(table.delete())


def _commits(request) -> bool:
    """Marked `committing`, or served by the live server (its thread must read committed data)."""
    return request.node.get_closest_marker("committing") is not None or "live_server" in request.fixturenames


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Bind every session of this thread to one connection whose outer transaction is rolled back at the end.

    Sessions join it with a savepoint, so `unit_of_work`'s commit and rollback behave as in production; a session
    opened on another thread would not see the data, so it is refused with a pointer to the `committing` marker.
    """
    connection = db.engine.connect()
    outer = connection.begin()
    if connection.dialect.name == "sqlite":  # pysqlite sends BEGIN only before DML: SAVEPOINTs need a real one
        connection.exec_driver_sql("BEGIN")
    factory = db.session.session_factory
    original_class = factory.class_
    owner = threading.get_ident()

    class BoundSession(original_class):
        def get_bind(self, *args, **kwargs):
            if threading.get_ident() != owner:
                raise RuntimeError("a session on another thread cannot see this test's rolled-back transaction: "
                                   "mark the test @pytest.mark.committing")
            return connection

    db.session.remove()
    factory.class_ = BoundSession
    factory.kw["join_transaction_mode"] = "create_savepoint"
    try:
        yield
    finally:
        db.session.remove()
        factory.class_ = original_class
        factory.kw.pop("join_transaction_mode", None)
        outer.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def app_ctx(app, request):
    """Each test runs in an app context and leaves the database as the migrations left it."""
    with app.app_context():
        if _commits(request):
            yield
            db.session.remove()
            _empty_tables()
        else:
            with _rolled_back():
                yield


@pytest.fixture(autouse=True)
def anchor_file(app, tmp_path, monkeypatch):
    """Each test publishes its audit anchors to its own witness file."""
    path = tmp_path / "anchors.jsonl"
    monkeypatch.setitem(app.config, "ANCHOR_FILE", str(path))
    return path


class IsolatedClient(FlaskClient):
    """Run each request in its own app context, as in production (fresh `g` and DB session)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Rate-limit counters (memory:// in tests) start empty in every test."""
    from app.extensions import limiter

    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture(autouse=True)
def disallow_outbound(monkeypatch):
    """No test may reach a mail server or a remote host."""

    def refuse(*args, **kwargs):
        raise RuntimeError("outbound network access is not allowed in tests")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise RuntimeError(f"outbound connection to {host} refused in tests")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


class QueryCounter:
    """Count SQL statements issued while active (performance budget assertions)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        # the test's savepoints stand in for the request's transaction (production: BEGIN/COMMIT, no statement)
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO SAVEPOINT")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app, monkeypatch):
    """Statements issued while the test runs. The calendar cache's periodic freshness check (one query every
    RECHECK_SECONDS per process, whichever request it falls on) is pushed out, so budgets count requests only."""
    from app.calendar import services as calendar_services

    monkeypatch.setattr(calendar_services, "RECHECK_SECONDS", 3600.0)
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(db.engine, "before_cursor_execute", counter)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = "password-123"):
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def sql():
    """Run raw SQL (used to tamper with rows the way an attacker with DB access would)."""
    return run_as_dba


@pytest.fixture(scope="session")
def sandbox_processes():
    """The identity provider, registry, payment and post sandboxes (tools/sandboxes/), one process each."""
    from tests.sandboxes import start_sandboxes

    boxes = start_sandboxes()
    yield boxes
    for box in boxes.all():
        box.stop()


@pytest.fixture
def sandboxes(app, sandbox_processes, monkeypatch, tmp_path):
    """Point the app at the sandbox processes for this test (the settings `make run` gives it from the Procfile)."""
    for name, value in sandbox_processes.config().items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.setitem(app.config, "EXTERNAL_RETRIES", 0)
    monkeypatch.setitem(app.config, "EXTERNAL_TIMEOUT", 3)
    return sandbox_processes
