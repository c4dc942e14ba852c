"""One active scheduler per database: the others wait as standby and take over when it dies.

PostgreSQL: a session-level advisory lock held on a connection of its own; the server frees it the moment the
holder's connection closes (crash, SIGKILL, network loss), so a standby polling every few seconds takes over
within seconds. SQLite (one machine, no advisory locks): a lease row the holder renews; a standby takes it once
it has expired.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, or_, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from app.core.db import utcnow
from app.extensions import db
from app.scheduler.models import SchedulerLease

logger = logging.getLogger(__name__)

#: pg advisory lock key: "motcua-scheduler" folded into a bigint (any constant the app owns alone)
ADVISORY_KEY = 0x6D6F74637561_01
LEASE_NAME = "scheduler"


def node_name() -> str:
    """host:pid:random — unique per process, readable on the admin page."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class AdvisoryLock:
    """Leadership through `pg_try_advisory_lock` on a dedicated autocommit connection."""

    def __init__(self, engine: Engine, node: str) -> None:
        self.engine, self.node = engine, node
        self.conn: Connection | None = None

    def hold(self) -> bool:
        """Take the lock if free, or check that the connection holding it is still alive."""
        if self.conn is not None:
            try:
                self.conn.exec_driver_sql("SELECT 1")
                return True
            except DBAPIError as error:  # the server is gone or restarted: the lock went with the connection
                logger.warning("Scheduler lock connection lost: %s", error)
                self._drop()
                return False
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        except DBAPIError:
            conn.close()
            raise
        if got:
            self.conn = conn
        else:
            conn.close()
        return bool(got)

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            except DBAPIError:
                pass
            self._drop()

    def _drop(self) -> None:
        try:
            self.conn.invalidate()  # never hand a connection that held the lock back to the pool
            self.conn.close()
        finally:
            self.conn = None


class LeaseRow:
    """Leadership through a renewed lease row (SQLite, the embedded default: no advisory locks)."""

    def __init__(self, engine: Engine, node: str, ttl_seconds: float = 10) -> None:
        self.engine, self.node, self.ttl = engine, node, timedelta(seconds=ttl_seconds)

    def hold(self) -> bool:
        """Renew our lease, or take it over when it expired (one UPDATE, so two standbys cannot both win)."""
        now = utcnow()
        with self.engine.begin() as conn:
            insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            conn.execute(insert(SchedulerLease).values(name=LEASE_NAME, holder="", expires_at=now - self.ttl)
                         .on_conflict_do_nothing())
            taken = conn.execute(update(SchedulerLease).where(
                SchedulerLease.name == LEASE_NAME,
                or_(SchedulerLease.holder == self.node, SchedulerLease.expires_at < now))
                .values(holder=self.node, expires_at=now + self.ttl)).rowcount
        return taken == 1

    def release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(SchedulerLease).where(SchedulerLease.name == LEASE_NAME,
                                                      SchedulerLease.holder == self.node)
                         .values(expires_at=utcnow() - timedelta(seconds=1)))


def lock_engine(app: Any) -> Engine:
    """The engine the leadership lock is held on: a direct server connection when the app goes through PgBouncer.

    A session-level advisory lock lives on one server connection; in PgBouncer's transaction mode the next
    statement may run on another, so `MOTCUA_DIRECT_DATABASE_URL` names the server itself for this one connection.
    """
    url = app.config.get("DIRECT_DATABASE_URL")
    return create_engine(url, poolclass=NullPool) if url else db.engine


def leadership_for(engine: Engine, node: str) -> AdvisoryLock | LeaseRow:
    """The advisory lock on PostgreSQL, the lease row elsewhere."""
    return AdvisoryLock(engine, node) if engine.dialect.name == "postgresql" else LeaseRow(engine, node)
