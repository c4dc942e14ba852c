"""What the admin page shows about background work: schedulers, jobs, due timers, the outbox."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from app.core.db import utcnow
from app.dossiers.models import Dossier
from app.extensions import db
from app.scheduler.models import SchedulerJob, SchedulerJobRun, SchedulerNode
from app.workflow.models import DueTimer

STALE_AFTER = timedelta(seconds=30)  # a node silent this long is shown as not responding
JOB_HISTORY = 200  # runs kept per job (a minute apart for the sweeps: over three hours of them)


def list_nodes(now: datetime | None = None) -> list[dict]:
    """The scheduler processes, active first, each with whether its heartbeat is recent."""
    now = now or utcnow()
    nodes = db.session.scalars(select(SchedulerNode).order_by(SchedulerNode.role, SchedulerNode.started_at))
    return [{"node": n, "alive": n.heartbeat_at >= now - STALE_AFTER} for n in nodes]


def list_jobs() -> list[SchedulerJob]:
    return list(db.session.scalars(select(SchedulerJob).order_by(SchedulerJob.id)))


def due_timers(now: datetime | None = None, limit: int = 50) -> tuple[int, list[tuple[DueTimer, str]]]:
    """How many timers are due now, and the next ones (due or not) with their dossier codes."""
    now = now or utcnow()
    due = db.session.scalar(select(func.count()).select_from(DueTimer).where(DueTimer.due_at <= now)) or 0
    rows = db.session.execute(select(DueTimer, Dossier.code).join(Dossier, Dossier.id == DueTimer.dossier_id)
                              .order_by(DueTimer.due_at).limit(limit))
    return due, [(timer, code) for timer, code in rows]


def list_job_runs(job_id: str) -> list[SchedulerJobRun]:
    """The latest runs of one job, newest first."""
    return list(db.session.scalars(select(SchedulerJobRun).where(SchedulerJobRun.job_id == job_id)
                                   .order_by(SchedulerJobRun.id.desc()).limit(JOB_HISTORY)))


def failed_runs_since(since: datetime) -> dict[str, int]:
    """How many runs of each job failed since `since`."""
    rows = db.session.execute(select(SchedulerJobRun.job_id, func.count()).where(
        SchedulerJobRun.status != "ok", SchedulerJobRun.started_at >= since).group_by(SchedulerJobRun.job_id))
    return dict(rows.all())


def prune_job_runs(job_id: str, keep: int | None = None) -> None:
    """Keep the last `keep` (JOB_HISTORY) runs of a job."""
    keep = keep or JOB_HISTORY
    oldest_kept = (select(SchedulerJobRun.id).where(SchedulerJobRun.job_id == job_id)
                   .order_by(SchedulerJobRun.id.desc()).offset(keep - 1).limit(1).scalar_subquery())
    db.session.execute(delete(SchedulerJobRun).where(SchedulerJobRun.job_id == job_id,
                                                     SchedulerJobRun.id < oldest_kept))
