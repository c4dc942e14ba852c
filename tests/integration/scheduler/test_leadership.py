"""One active scheduler: a second process waits as standby and takes over within seconds when the first dies."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.scheduler.leader import LeaseRow
from app.scheduler.models import SchedulerJob, SchedulerNode
from tests.dbutil import is_postgres

pytestmark = pytest.mark.committing  # leases and advisory locks are held by separate connections

ROOT = Path(__file__).resolve().parents[3]


def nodes() -> dict[str, str]:
    db.session.remove()
    return {n.id: n.role for n in db.session.scalars(select(SchedulerNode))}


def job_nodes() -> dict[str, tuple[str, int]]:
    db.session.remove()
    return {j.id: (j.node_id, j.run_count) for j in db.session.scalars(select(SchedulerJob))}


def poll(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    return None


def start_scheduler(database_url: str, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(PYTHONPATH=str(ROOT), MOTCUA_DATABASE_URL=database_url, MOTCUA_SECRET_KEY="leader-test",
               PYTHONUNBUFFERED="1")
    with log.open("wb") as out:
        return subprocess.Popen([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "scheduler", "run",
                                 "--interval", "1", "--heartbeat", "0.5"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)


@pytest.mark.skipif(not is_postgres(), reason="the advisory lock is PostgreSQL's; SQLite uses the lease below")
def test_two_schedulers_run_the_jobs_once_and_the_standby_takes_over_after_sigkill(app, database_url, tmp_path):
    first = start_scheduler(database_url, tmp_path / "first.log")
    second = start_scheduler(database_url, tmp_path / "second.log")
    processes = {first.pid: first, second.pid: second}
    try:
        def one_active_one_standby():
            found = nodes()
            return found if sorted(found.values()) == ["active", "standby"] else None

        both = poll(one_active_one_standby, 60)
        assert both, (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
        leader = next(node for node, role in both.items() if role == "active")
        standby = next(node for node in both if node != leader)
        assert poll(lambda: job_nodes().get("timers", ("", 0))[1] >= 3, 30)
        time.sleep(1.5)  # both have beaten several times: still one active, and only it ran jobs
        assert one_active_one_standby()
        assert {node for node, _count in job_nodes().values()} == {leader}

        processes.pop(int(leader.split(":")[1])).send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        assert poll(lambda: nodes().get(standby) == "active", 15)
        runs_before = job_nodes()["timers"][1]
        assert poll(lambda: job_nodes()["timers"][0] == standby and job_nodes()["timers"][1] > runs_before, 15)
        assert time.monotonic() - killed_at < 10  # "within seconds"
    finally:
        for process in processes.values():
            process.terminate()
        for process in (first, second):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class TestLeaseRow:
    """The SQLite equivalent: a renewed lease row."""

    def test_second_holder_waits_until_the_lease_expires(self, app):
        a, b = LeaseRow(db.engine, "a", ttl_seconds=30), LeaseRow(db.engine, "b", ttl_seconds=30)
        assert a.hold() and not b.hold()
        assert a.hold()  # renewal
        import time_machine

        with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
            assert b.hold() and not a.hold()

    def test_released_lease_is_taken_at_once(self, app):
        a, b = LeaseRow(db.engine, "a"), LeaseRow(db.engine, "b")
        assert a.hold()
        a.release()
        assert b.hold()
