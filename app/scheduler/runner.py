"""The scheduler process: a heartbeat loop that keeps (or waits for) leadership and runs the jobs only while active.

Every process starts its APScheduler paused; the one holding leadership resumes it, a standby keeps it paused and
retries every heartbeat. Each job run is recorded (start, duration, result, next run) for the admin page.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError

from app.core.db import unit_of_work, utcnow
from app.core.errors import ConflictError
from app.extensions import db
from app.scheduler import jobs
from app.scheduler.leader import leadership_for, lock_engine, node_name
from app.scheduler.models import SchedulerJob, SchedulerJobRun, SchedulerNode
from app.scheduler.status import prune_job_runs

logger = logging.getLogger(__name__)

NODE_FORGET_AFTER = timedelta(minutes=2)
FOLD_SECONDS = 5  # the statistics deltas are folded this often (readers are exact between folds anyway)
SQLITE_LEASE_SECONDS = 90  # longer than one sweep (jobs.SWEEP_SECONDS), during which the heartbeat waits


@dataclass(frozen=True)
class JobSpec:
    id: str
    fn: Callable[[Flask], Any]
    trigger: str
    options: dict[str, Any]


def job_specs(interval: int) -> list[JobSpec]:
    """Every scheduled job: BPMN timers and the outbox every `interval` seconds, the daily ones by the clock."""
    every = {"seconds": interval}
    return [
        JobSpec("timers", jobs.sweep_timers, "interval", every),
        JobSpec("notifications", jobs.deliver_notifications, "interval", every),
        JobSpec("documents", jobs.render_documents, "interval", every),
        JobSpec("stats-fold", jobs.fold_statistics, "interval", {"seconds": FOLD_SECONDS}),
        JobSpec("ocr", jobs.ocr_scans, "interval", {"seconds": max(interval, 60)}),
        JobSpec("payments", jobs.reconcile_payments, "interval", {"seconds": max(interval, 60)}),
        JobSpec("step-warnings", jobs.warn_officials, "interval", {"seconds": max(interval, 300)}),
        JobSpec("apology-alerts", jobs.alert_due_tomorrow, "cron", {"hour": "7,13", "minute": 35}),
        JobSpec("idempotency-purge", jobs.purge_idempotency_keys, "cron", {"hour": 2, "minute": 15}),
        JobSpec("pin-guard-prune", jobs.prune_pin_guards, "cron", {"hour": 2, "minute": 25}),
        JobSpec("audit-anchor", jobs.anchor_yesterday, "cron", {"hour": 0, "minute": 20}),
        JobSpec("document-gc", jobs.collect_document_garbage, "cron", {"hour": 3, "minute": 10}),
        JobSpec("warning-refit", jobs.refit_warnings, "cron", {"hour": 1, "minute": 40}),
        JobSpec("partitions", jobs.ensure_partitions, "cron", {"hour": 4, "minute": 5}),
    ]


class SchedulerNodeLoop:
    """One `flask scheduler run` process."""

    def __init__(self, app: Flask, specs: list[JobSpec], heartbeat: float = 2.0) -> None:
        self.app, self.heartbeat, self.node = app, heartbeat, node_name()
        self.started_at = utcnow()
        self.active = False
        with app.app_context():
            self.leadership = leadership_for(lock_engine(app), self.node)
            # SQLite has one writer at a time and refuses (not waits) a second one upgrading mid-transaction: run
            # the jobs one after the other there; PostgreSQL runs them side by side.
            sqlite = db.engine.dialect.name == "sqlite"
            threads = 1 if sqlite else 4
        # ... and the heartbeat waits for the running job there (hence a lease longer than a sweep).
        self.writing = threading.Lock() if sqlite else contextlib.nullcontext()
        if sqlite:
            self.leadership.ttl = timedelta(seconds=SQLITE_LEASE_SECONDS)
        self.scheduler = BackgroundScheduler(timezone="Asia/Ho_Chi_Minh",
                                             executors={"default": ThreadPoolExecutor(threads)})
        for spec in specs:
            self.scheduler.add_job(self._tracked, spec.trigger, args=[spec], id=spec.id, name=spec.id, coalesce=True,
                                   max_instances=1, **spec.options)

    def run(self, stop: threading.Event) -> None:
        """Beat until `stop` is set; then finish the running job, step down and leave."""
        self.scheduler.start(paused=True)
        logger.info("Scheduler %s started as standby; jobs: %s", self.node,
                    ", ".join(job.id for job in self.scheduler.get_jobs()))
        try:
            while True:
                self.beat()
                if stop.wait(self.heartbeat):
                    break
        finally:
            self.scheduler.shutdown(wait=True)
            self.leadership.release()
            self._forget_node()
            logger.info("Scheduler %s stopped", self.node)

    def beat(self) -> None:
        """Take, keep or lose leadership, and tell the others (node row) which it is."""
        try:
            with self.writing:
                leading = self.leadership.hold()
        except DBAPIError as error:
            logger.warning("Scheduler %s cannot reach the database: %s", self.node, error)
            leading = False
        if leading and not self.active:
            self.active = True
            self.scheduler.resume()
            logger.warning("Scheduler %s is now ACTIVE (runs the jobs) / đang chạy các tác vụ nền", self.node)
        elif not leading and self.active:
            self.active = False
            self.scheduler.pause()
            logger.warning("Scheduler %s lost leadership: now standby / chuyển sang dự phòng", self.node)
        with self.writing:
            self._record_node()

    def _record_node(self) -> None:
        try:
            with self.app.app_context(), unit_of_work():
                now = utcnow()
                db.session.merge(SchedulerNode(id=self.node, role="active" if self.active else "standby",
                                               started_at=self.started_at, heartbeat_at=now))
                if self.active:
                    stale = SchedulerNode.heartbeat_at < now - NODE_FORGET_AFTER
                    db.session.execute(delete(SchedulerNode).where(stale))
        except (DBAPIError, ConflictError) as error:
            logger.warning("Scheduler %s heartbeat not recorded: %s", self.node, error)

    def _forget_node(self) -> None:
        try:
            with self.app.app_context(), unit_of_work():
                db.session.execute(delete(SchedulerNode).where(SchedulerNode.id == self.node))
        except DBAPIError:
            pass

    def _tracked(self, spec: JobSpec) -> None:
        if not self.active:  # paused between the trigger and the run
            return
        with self.writing:
            started, clock = utcnow(), time.monotonic()
            try:
                result, status = spec.fn(self.app), "ok"
            except Exception as error:  # noqa: BLE001 (a failing job must not stop the scheduler; it is recorded)
                logger.exception("Job %s failed", spec.id)
                result, status = repr(error), "error"
            job = self.scheduler.get_job(spec.id)
            record_job_run(self.app, JobRun(spec.id, self.node, started, int((time.monotonic() - clock) * 1000),
                                            status, result, job.next_run_time if job else None))


@dataclass(frozen=True)
class JobRun:
    job_id: str
    node: str
    started_at: datetime
    duration_ms: int
    status: str
    result: Any
    next_run_at: datetime | None


def record_job_run(app: Flask, run: JobRun) -> None:
    """Keep the last run of a job for the admin page."""
    try:
        with app.app_context(), unit_of_work():
            row = db.session.get(SchedulerJob, run.job_id) or SchedulerJob(id=run.job_id, run_count=0)
            row.node_id, row.last_started_at, row.last_duration_ms = run.node, run.started_at, run.duration_ms
            row.last_status, row.last_result = run.status, None if run.result is None else str(run.result)[:1000]
            row.next_run_at, row.run_count = run.next_run_at, (row.run_count or 0) + 1
            db.session.add(row)
            db.session.add(SchedulerJobRun(job_id=run.job_id, node_id=run.node, started_at=run.started_at,
                                           duration_ms=run.duration_ms, status=run.status, result=row.last_result))
            prune_job_runs(run.job_id)
    except (DBAPIError, ConflictError) as error:
        logger.warning("Run of job %s not recorded: %s", run.job_id, error)
