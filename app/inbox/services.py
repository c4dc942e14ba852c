"""Claiming and reassigning human tasks, and the inbox queries (indexed, keyset-paginated)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from app.auth.models import Agency, User
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.core.permissions import ensure_role
from app.dossiers.actions import ensure_allowed, require_reason
from app.dossiers.lifecycle import ensure_can_work, get_task
from app.dossiers.models import Dossier
from app.dossiers.pipeline import Step, perform
from app.extensions import db
from app.history.services import HistoryEvent
from app.inbox.models import SavedView
from app.workflow.models import HumanTask, TaskStatus

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
NO_DUE_YEAR = 9999  # cursors of tasks without a deadline carry this year


def claim_task(actor: User, task_id: int) -> HumanTask:
    """Take an open task; of two officials racing, exactly one wins (conditional UPDATE)."""
    task = get_task(task_id)
    ensure_can_work(actor, task)
    result = db.session.execute(
        update(HumanTask).where(HumanTask.id == task_id, HumanTask.status == "open")
        .values(status="claimed", assignee_id=actor.id, claimed_at=utcnow(), version=HumanTask.version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(task)
        if task.assignee_id == actor.id and task.status == "claimed":
            return task
        raise ConflictError("Công việc này đã được cán bộ khác nhận xử lý.",
                            "Another official has already claimed this task.")
    db.session.refresh(task)
    return task


def unclaim_task(actor: User, task_id: int) -> HumanTask:
    """Give a claimed task back to the queue (its holder or a leader of the agency)."""
    task = get_task(task_id)
    agency = db.session.get(Agency, task.agency_id)
    if task.assignee_id != actor.id:  # permission first: a 409 must not tell outsiders the task's state
        ensure_role(actor, [task.role, "leader"], agency)
    if task.status != "claimed":
        raise ConflictError("Công việc chưa được nhận.", "The task is not claimed.")
    if task.assignee_id != actor.id:
        ensure_role(actor, ["leader"], agency)
    task.status, task.assignee_id, task.claimed_at = "open", None, None
    return task


def reassign_task(actor: User, task_id: int, assignee: User, reason: str) -> HumanTask:
    """A leader hands a task to another official of the agency holding the task's role."""
    task = get_task(task_id)
    agency = db.session.get(Agency, task.agency_id)
    dossier = db.session.get(Dossier, task.dossier_id)
    ensure_allowed(actor, "reassign", dossier, [task])
    if not task.is_open:
        raise ConflictError("Công việc đã kết thúc.", "The task is already finished.")
    require_reason("reassign", reason)
    if not assignee.has_role(task.role, agency):
        raise PermissionDeniedError("Người được giao không có vai trò phù hợp tại đơn vị này.",
                                    "The assignee lacks the task's role in this agency.")
    step = Step("reassign", dossier, actor, tasks=[task],
                event=HistoryEvent("", role="leader", agency_id=task.agency_id, comment=reason, from_step=task.name,
                                   to_step=task.name,
                                   data={"task": task.bpmn_id, "from_user": task.assignee_id, "to_user": assignee.id}))

    def hand_over(_result) -> None:
        task.status, task.assignee_id, task.claimed_at = TaskStatus.CLAIMED, assignee.id, step.at

    step.apply = hand_over
    perform(step)
    return task


# --- queries --------------------------------------------------------------------------------

@dataclass
class InboxFilter:
    scope: str = "queue"  # mine / queue / team
    procedure_code: str | None = None
    step_kind: str | None = None
    overdue: bool = False
    due_today: bool = False
    search: str | None = None
    after: tuple[datetime, int] | None = None  # keyset cursor (due_at, id)
    limit: int = PAGE_SIZE
    extra: dict = field(default_factory=dict)


def _scope_clause(actor: User, scope: str):
    if scope == "mine":
        return and_(HumanTask.assignee_id == actor.id, HumanTask.status == "claimed")
    if scope == "team":
        agency_ids = [a.id for a in actor.agencies_for("leader")]
        return and_(HumanTask.agency_id.in_(agency_ids or [-1]), HumanTask.status.in_(("open", "claimed")))
    pairs = [(a.role, a.agency_id) for a in actor.roles if a.agency_id is not None]
    if not pairs:
        return HumanTask.id == -1
    return and_(HumanTask.status == "open",
                or_(*[and_(HumanTask.role == role, HumanTask.agency_id == agency_id) for role, agency_id in pairs]))


def inbox_query(actor: User, flt: InboxFilter):
    """Select (task, dossier) rows for one inbox tab, ordered by step deadline."""
    query = (select(HumanTask, Dossier).join(Dossier, Dossier.id == HumanTask.dossier_id)
             .where(_scope_clause(actor, flt.scope)))
    now = utcnow()
    if flt.procedure_code:
        from app.catalog.models import Procedure

        query = query.join(Procedure, Procedure.id == Dossier.procedure_id).where(Procedure.code == flt.procedure_code)
    if flt.step_kind:
        query = query.where(HumanTask.step_kind == flt.step_kind)
    if flt.overdue:
        query = query.where(HumanTask.due_at < now)
    if flt.due_today:
        query = query.where(HumanTask.due_at < now + timedelta(hours=24))
    if flt.search:
        from unidecode import unidecode

        query = query.where(Dossier.search_text.like(f"%{unidecode(flt.search).lower().strip()}%"))
    return query


def list_inbox(actor: User, flt: InboxFilter) -> list[tuple[HumanTask, Dossier]]:
    """One page of an inbox tab, by step deadline then id (tasks without a deadline last).

    Plain `ORDER BY due_at NULLS LAST, id` so PostgreSQL walks the (agency, role, status, due_at) index instead of
    sorting every open task of the agency: the first page stays fast with a million dossiers.
    """
    query = inbox_query(actor, flt)
    if flt.after:
        due, task_id = flt.after
        if due.year >= NO_DUE_YEAR:  # the cursor is already among the tasks without a deadline
            query = query.where(HumanTask.due_at.is_(None), HumanTask.id > task_id)
        else:
            query = query.where(or_(HumanTask.due_at > due, and_(HumanTask.due_at == due, HumanTask.id > task_id),
                                    HumanTask.due_at.is_(None)))
    query = query.order_by(HumanTask.due_at.asc().nulls_last(), HumanTask.id).limit(flt.limit)
    return [(task, dossier) for task, dossier in db.session.execute(query)]


def inbox_counts(actor: User) -> dict[str, int]:
    """Number of tasks per tab, for the tab badges."""
    counts = {}
    for scope in ("mine", "queue", "team"):
        query = select(func.count()).select_from(HumanTask).where(_scope_clause(actor, scope))
        counts[scope] = db.session.scalar(query) or 0
    return counts


# --- saved views and helpers for the inbox page ---------------------------------------------

def list_saved_views(actor: User) -> list[SavedView]:
    """The official's saved filter sets, by name."""
    return list(db.session.scalars(select(SavedView).where(SavedView.user_id == actor.id).order_by(SavedView.name)))


def save_view(actor: User, name: str, query: str) -> SavedView:
    """Store (or overwrite) a named filter set for the official."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Cần đặt tên cho bộ lọc.", "The view needs a name.")
    view = db.session.scalar(select(SavedView).where(SavedView.user_id == actor.id, SavedView.name == name))
    if view is None:
        view = SavedView(user_id=actor.id, name=name[:80], query="")
        db.session.add(view)
    view.query = query[:1000]
    db.session.flush()
    return view


def delete_view(actor: User, view_id: int) -> None:
    """Remove one of the official's own saved views."""
    view = db.session.get(SavedView, view_id)
    if view is None or view.user_id != actor.id:
        raise NotFoundError("Không tìm thấy bộ lọc đã lưu.", "Saved view not found.")
    db.session.delete(view)


def list_assignees(task: HumanTask) -> list[User]:
    """Officials holding the task's role in the task's agency (candidates for reassignment)."""
    from app.auth.models import RoleAssignment

    return list(db.session.scalars(select(User).join(RoleAssignment).where(
        RoleAssignment.role == task.role, RoleAssignment.agency_id == task.agency_id,
        User.is_enabled.is_(True)).order_by(User.full_name)))
