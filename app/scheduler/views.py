"""Admin page of the background work: active and standby schedulers, job runs, due timers, the outbox."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import unit_of_work, utcnow
from app.core.errors import NotFoundError, PermissionDeniedError
from app.core.permissions import is_global, roles_required
from app.notify import services as outbox
from app.notify.messages import KINDS
from app.scheduler import status

bp = Blueprint("scheduler", __name__, url_prefix="/admin/background")


def _ensure_global_admin() -> None:
    """The outbox holds every agency's messages: only an admin of the whole installation sees it."""
    if not is_global(current_user, "admin"):
        raise PermissionDeniedError("Chỉ quản trị toàn hệ thống xem được trang này.",
                                    "Only an installation-wide admin may see this page.")


@bp.route("")
@roles_required("admin")
def index():
    _ensure_global_admin()
    state = request.args.get("state") if request.args.get("state") in outbox.OUTBOX_STATES else "failed"
    due_count, timers = status.due_timers()
    failures = status.failed_runs_since(utcnow() - timedelta(days=1))
    return render_template("scheduler/index.html", nodes=status.list_nodes(), jobs=status.list_jobs(),
                           failures=failures,
                           due_count=due_count, timers=timers, counts=outbox.outbox_counts(), state=state,
                           rows=outbox.list_outbox(state), now=utcnow(), kinds=KINDS)


@bp.route("/jobs/<job_id>")
@roles_required("admin")
def job_runs(job_id: str):
    """The history of one job: its latest runs with node, duration and result."""
    _ensure_global_admin()
    runs = status.list_job_runs(job_id)
    if not runs and job_id not in {job.id for job in status.list_jobs()}:
        raise NotFoundError("Không có tác vụ này.", "No such job.")
    return render_template("scheduler/job_runs.html", job_id=job_id, runs=runs)


@bp.route("/outbox/<int:notification_id>/retry", methods=["POST"])
@roles_required("admin")
def retry(notification_id: int):
    _ensure_global_admin()
    with unit_of_work():
        outbox.retry_notification(notification_id)
    flash(_("Tin nhắn sẽ được gửi lại ở lượt tiếp theo."), "success")
    return redirect(url_for("scheduler.index", state=request.form.get("state") or "pending"))


@bp.route("/outbox/<int:notification_id>/cancel", methods=["POST"])
@roles_required("admin")
def cancel(notification_id: int):
    _ensure_global_admin()
    with unit_of_work():
        outbox.cancel_notification(notification_id)
    flash(_("Đã huỷ tin nhắn."), "success")
    return redirect(url_for("scheduler.index", state=request.form.get("state") or "cancelled"))
