"""Behind PgBouncer in transaction mode (a real pgbouncer the test starts, two server connections for many
clients): whole lifecycles from several threads keep no session state across transactions. The control test
shows the pooling is real: with server-side prepared statements it breaks, which `MOTCUA_DB_PGBOUNCER=1` turns off."""
from __future__ import annotations

import shutil
import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.audit.verify import verify_dossier
from app.config import build_config
from app.dossiers.models import Dossier
from app.extensions import db
from app.scheduler.leader import lock_engine
from tests.pg_processes import as_postgres, free_port, postgres_dir

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [pytest.mark.committing,
              pytest.mark.skipif(not shutil.which(PGBOUNCER), reason="pgbouncer not installed (make system-deps)")]


@pytest.fixture
def bouncer(database_url):
    """pgbouncer in transaction mode in front of the test database; yields its URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("PgBouncer sits in front of PostgreSQL (MOTCUA_TEST_DATABASE_URL)")
    root, port = postgres_dir("motcua-pgbouncer-"), free_port()
    (root / "users.txt").write_text('"postgres" ""\n')
    (root / "pgbouncer.ini").write_text(f"""[databases]
* = host={url.host or '127.0.0.1'} port={url.port or 5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {root / 'users.txt'}
pool_mode = transaction
default_pool_size = 2
max_client_conn = 100
ignore_startup_parameters = extra_float_digits,options
logfile = {root / 'pgbouncer.log'}
""")
    process = subprocess.Popen(as_postgres([PGBOUNCER, str(root / "pgbouncer.ini")]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bounced = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    deadline = time.monotonic() + 20
    while True:
        try:
            with create_engine(bounced, poolclass=None).connect() as conn:
                conn.execute(text("SELECT 1"))
            break
        except Exception:  # noqa: BLE001 - not listening yet
            assert process.poll() is None and time.monotonic() < deadline, (root / "pgbouncer.log").read_text()
            time.sleep(0.1)
    yield bounced
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def bounced_app(bouncer, monkeypatch, tmp_path):
    """The app configured for PgBouncer as an operator would: MOTCUA_DB_PGBOUNCER=1, a direct URL for the lock."""
    monkeypatch.setenv("MOTCUA_DB_PGBOUNCER", "1")
    options = build_config(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "LOG_LEVEL": "WARNING",
                      "SQLALCHEMY_DATABASE_URI": bouncer, "SQLALCHEMY_ENGINE_OPTIONS": {**options, "pool_size": 8},
                      "DIRECT_DATABASE_URL": str(db.engine.url.render_as_string(hide_password=False))})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_whole_lifecycles_from_four_threads_share_two_server_connections(bounced_app, desk, clock):
    clock("2026-11-23 09:00")
    codes, errors = [], []

    def officials() -> None:
        with bounced_app.app_context():
            try:
                for _ in range(3):
                    dossier = desk.receive("1.014199").dossier
                    desk.run_to_end(dossier)
                    codes.append(dossier.code)
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=officials) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == [] and len(codes) == 12
    db.session.expire_all()
    finished = db.session.scalars(select(Dossier).where(Dossier.code.in_(codes))).all()
    assert {d.status.value for d in finished} == {"returned"}
    assert all(verify_dossier(d).ok for d in finished)
    with bounced_app.app_context():
        assert lock_engine(bounced_app).url.port != db.engine.url.port  # the advisory lock bypasses PgBouncer


def test_control_server_side_prepared_statements_break_under_transaction_pooling(bouncer):
    """Without the setting psycopg prepares repeated statements on whichever server connection it had."""
    engine = create_engine(bouncer, connect_args={"prepare_threshold": 0}, pool_size=4)
    errors = []

    def queries(n: int) -> None:
        try:
            for i in range(30):
                with engine.begin() as conn:
                    conn.execute(select(func.abs(n * 100 + i)))
        except Exception as error:  # noqa: BLE001 - the failure we expect
            errors.append(error)

    threads = [threading.Thread(target=queries, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert errors and any("prepared statement" in str(e) for e in errors)
