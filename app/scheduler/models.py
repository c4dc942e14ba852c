"""What the scheduler processes tell each other and the admin page: who leads, which jobs ran when."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SchedulerLease(db.Model):
    """Leadership where there is no advisory lock (SQLite): the holder renews `expires_at`; others wait for it."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]


class SchedulerNode(db.Model):
    """One running `flask scheduler run` process: active (runs the jobs) or standby, with its last heartbeat."""

    __tablename__ = "scheduler_nodes"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)  # host:pid:random
    role: Mapped[str] = mapped_column(String(16))  # active / standby
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class SchedulerJob(db.Model):
    """The last run of each scheduled job (written by the active scheduler after every run)."""

    __tablename__ = "scheduler_jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    node_id: Mapped[str] = mapped_column(String(128))
    last_started_at: Mapped[datetime]
    last_duration_ms: Mapped[int]
    last_status: Mapped[str] = mapped_column(String(16))  # ok / error
    last_result: Mapped[str | None] = mapped_column(Text)
    next_run_at: Mapped[datetime | None]
    run_count: Mapped[int] = mapped_column(default=0)


class SchedulerJobRun(db.Model):
    """One run of a scheduled job (the last JOB_HISTORY of each are kept), for the admin page's history."""

    __tablename__ = "scheduler_job_runs"
    __table_args__ = (db.Index("ix_scheduler_job_runs_job", "job_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    node_id: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime]
    duration_ms: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # ok / error
    result: Mapped[str | None] = mapped_column(Text)
