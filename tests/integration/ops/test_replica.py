"""Reads that may lag go to a real PostgreSQL streaming replica: the test starts a primary and a replica of its own
(initdb, pg_basebackup -R, pg_ctl on free ports), pauses the replica's replay and sees the dashboard figures trail
the primary while dossier reads and every write stay on the primary."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app import MIGRATIONS_DIR, create_app
from app.core.db import lagging_reads, unit_of_work
from app.extensions import db
from tests.pg_processes import as_postgres, free_port, postgres_dir

PG_BIN = Path(os.environ.get("MOTCUA_PG_BIN", "/usr/lib/postgresql/15/bin"))

pytestmark = [
    pytest.mark.committing,
    pytest.mark.skipif(not (PG_BIN / "pg_basebackup").exists(), reason="PostgreSQL server binaries not installed"),
]


class Cluster:
    """A primary and its streaming replica in a temporary directory, run as the postgres OS user under root."""

    def __init__(self) -> None:
        self.root = postgres_dir("motcua-replica-")
        self.primary_port, self.replica_port = free_port(), free_port()

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(as_postgres([str(PG_BIN / tool), *args]), check=True, capture_output=True, timeout=120)

    def _start(self, name: str, port: int) -> None:
        self.run("pg_ctl", "-D", str(self.root / name), "-l", str(self.root / f"{name}.log"), "-w", "-t", "60",
                 "-o", f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def start(self) -> None:
        self.run("initdb", "-D", str(self.root / "primary"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C", "--no-sync")
        self._start("primary", self.primary_port)
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", "motcua")
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                 "-D", str(self.root / "replica"), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
        self._start("replica", self.replica_port)

    def url(self, port: int) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/motcua"

    def stop(self) -> None:
        for name in ("replica", "primary"):
            if (self.root / name / "postmaster.pid").exists():
                self.run("pg_ctl", "-D", str(self.root / name), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def replicated_app(cluster):
    """The app on the primary with the replica as its `replica` bind, the tests' world loaded."""
    from flask_migrate import upgrade

    from tests.world import load_world

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "LOG_LEVEL": "WARNING",
                      "SQLALCHEMY_DATABASE_URI": cluster.url(cluster.primary_port),
                      "SQLALCHEMY_BINDS": {"replica": cluster.url(cluster.replica_port)}})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        load_world()
    yield app
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def _caught_up(app) -> None:
    """Wait until the replica has replayed everything the primary wrote (bounded)."""
    with app.app_context():
        target = db.session.scalar(text("SELECT pg_current_wal_lsn()"))
        replica = db.engines["replica"]
        deadline = time.monotonic() + 30
        with replica.connect() as conn:
            while conn.scalar(text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": target}) \
                    is not True:
                assert time.monotonic() < deadline, "replica did not catch up within 30 s"
                time.sleep(0.05)
        db.session.remove()


def _replay(app, action: str) -> None:
    with app.app_context(), db.engines["replica"].connect() as conn:
        conn.execute(text(f"SELECT pg_wal_replay_{action}()"))


def _token(app, username: str) -> str:
    from app.auth.services import find_user_by_username
    from app.tokens.services import create_token

    with app.app_context(), unit_of_work():
        return create_token(None, find_user_by_username(username), "replica test")[1]


def _receive(client, token: str, n: int) -> str:
    from tests.factories.dossiers import form_data

    with client.application.app_context():
        documents = [d["id"] for d in client.get("/api/v1/procedures/1.014199",
                                                 headers={"Authorization": f"Bearer {token}"}).get_json()["documents"]]
        form = form_data("work_permit/intake", seed=n)
    response = client.post("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"}, json={
        "procedure_code": "1.014199", "channel": "counter", "agency": "H38.TTPVHCC",
        "applicant": {"name": f"Người nộp {n}", "id_number": f"{n:012d}", "phone": "0912345678"},
        "received_documents": documents, "form_data": form})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["code"]


def test_selects_inside_lagging_reads_use_the_replica_and_everything_else_the_primary(replicated_app):
    with replicated_app.app_context():
        in_recovery = select(func.pg_is_in_recovery())
        assert db.session.scalar(in_recovery) is False
        with lagging_reads():
            assert db.session.scalar(in_recovery) is True
            assert db.session.scalar(in_recovery.with_for_update()) is False  # a lock needs the primary
            assert db.session.execute(text("SELECT pg_is_in_recovery()")).scalar() is False  # raw SQL: primary
        assert db.session.scalar(in_recovery) is False
        db.session.rollback()


def test_statistics_trail_the_primary_while_dossier_reads_do_not(replicated_app):
    client = replicated_app.test_client()
    receiver, leader = _token(replicated_app, "tiepnhan"), _token(replicated_app, "lanhdao.snv")
    first = _receive(client, receiver, 1)
    _caught_up(replicated_app)
    stats = lambda: client.get("/api/v1/stats?agency=H38.SNV",  # noqa: E731
                               headers={"Authorization": f"Bearer {leader}"}).get_json()["overall"]["total"]
    assert stats() == 1

    _replay(replicated_app, "pause")
    try:
        second = _receive(client, receiver, 2)  # written on the primary while the replica stands still
        assert stats() == 1  # the dashboard figures lag ...
        for code in (first, second):  # ... the dossier itself is read from the primary
            assert client.get(f"/api/v1/dossiers/{code}",
                              headers={"Authorization": f"Bearer {receiver}"}).status_code == 200
    finally:
        _replay(replicated_app, "resume")
    _caught_up(replicated_app)
    assert stats() == 2
