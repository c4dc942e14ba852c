"""Claiming and reassigning human tasks, and the inbox queries (indexed, keyset-paginated)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import Agency, User
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.core.permissions import ensure_role
from app.dossiers.actions import ensure_allowed, require_reason
from app.dossiers.lifecycle import ensure_can_work, get_task
from app.dossiers.models import Dossier
from app.dossiers.pipeline import Step, perform
from app.dossiers.services import TaskContext, load_task_context
from app.extensions import db
from app.history.services import HistoryEvent
from app.inbox.models import SavedView
from app.workflow.models import HumanTask, TaskStatus

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


def claim_task(actor: User, task_id: int) -> TaskContext:
    """Take an open task; of two officials racing, exactly one wins (conditional UPDATE). Returns the task with
    its dossier (one SELECT, one UPDATE)."""
    ctx = load_task_context(task_id, instance=False)
    task = ctx.task
    ensure_can_work(actor, task, ctx.dossier)
    if task.assignee_id == actor.id and task.status == "claimed":
        return ctx
    claimed_at = utcnow()
    version = db.session.execute(
        update(HumanTask).where(HumanTask.id == task_id, HumanTask.status == "open")
        .values(status="claimed", assignee_id=actor.id, claimed_at=claimed_at, version=HumanTask.version + 1)
        .returning(HumanTask.version).execution_options(synchronize_session=False)).scalar_one_or_none()
    if version is None:
        db.session.refresh(task)
        if task.assignee_id == actor.id and task.status == "claimed":  # our own double click won
            return ctx
        raise ConflictError("Công việc này đã được cán bộ khác nhận xử lý.",
                            "Another official has already claimed this task.")
    for name, value in (("status", "claimed"), ("assignee_id", actor.id), ("claimed_at", claimed_at),
                        ("version", version)):
        set_committed_value(task, name, value)  # what the UPDATE wrote: no refresh needed
    return ctx


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

@dataclass(frozen=True)
class SortKey:
    """A sortable inbox column: the SQL expression and how to read the same value from a row for the cursor."""

    column: Any
    value: Callable[[HumanTask, Dossier], Any]
    nullable: bool = False  # rows without a value come last in either direction


SORTS: dict[str, SortKey] = {
    "due": SortKey(HumanTask.due_at, lambda t, d: t.due_at, nullable=True),  # the step's deadline
    "deadline": SortKey(Dossier.due_at, lambda t, d: d.due_at),  # the appointment with the applicant
    "received": SortKey(Dossier.received_at, lambda t, d: d.received_at),
    "code": SortKey(Dossier.code, lambda t, d: d.code),
    "completed": SortKey(HumanTask.completed_at, lambda t, d: t.completed_at),
}
DEFAULT_SORT = {"mine": "due", "queue": "due", "team": "due", "done": "-completed"}


@dataclass
class InboxFilter:
    scope: str = "queue"  # mine / queue / team / done
    procedure_code: str | None = None
    step_kind: str | None = None
    overdue: bool = False
    due_today: bool = False
    search: str | None = None
    after: tuple[Any, int] | None = None  # keyset cursor (value of the sort column, task id)
    limit: int = PAGE_SIZE
    extra: dict = field(default_factory=dict)
    sort: str | None = None  # a SORTS key, "-" in front for descending; None: the tab's default

    @property
    def order(self) -> tuple[str, bool]:
        """(sort key, descending) in force."""
        text = self.sort if self.sort and self.sort.lstrip("-") in SORTS else DEFAULT_SORT.get(self.scope, "due")
        return text.lstrip("-"), text.startswith("-")


def _scope_clause(actor: User, scope: str):
    if scope == "mine":
        return and_(HumanTask.assignee_id == actor.id, HumanTask.status == "claimed")
    if scope == "done":  # what I completed myself (ix_human_tasks_done)
        return and_(HumanTask.completed_by_id == actor.id, HumanTask.status == "completed")
    if scope == "team":
        agency_ids = [a.id for a in actor.agencies_for("leader")]
        return and_(HumanTask.agency_id.in_(agency_ids or [-1]), HumanTask.status.in_(("open", "claimed")))
    pairs = [(a.role, a.agency_id) for a in actor.roles if a.agency_id is not None]
    if not pairs:
        return HumanTask.id == -1
    return and_(HumanTask.status == "open",
                or_(*[and_(HumanTask.role == role, HumanTask.agency_id == agency_id) for role, agency_id in pairs]))


def inbox_query(actor: User, flt: InboxFilter):
    """Select (task, dossier) rows for one inbox tab."""
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


def list_inbox(actor: User, flt: InboxFilter, options: tuple = ()) -> list[tuple[HumanTask, Dossier]]:
    """One page of an inbox tab in the order asked for (by step deadline unless told), keyset-paginated by
    (sort value, task id); rows without a value (steps without a deadline) come last either way.

    `options` narrow what is loaded (e.g. `load_only` for a page that shows a few columns).
    The default `ORDER BY due_at NULLS LAST, id` lets PostgreSQL walk the (agency, role, status, due_at) index
    instead of sorting every open task of the agency: the first page stays fast with a million dossiers; the done
    tab walks (completed_by_id, completed_at).
    """
    key, descending = flt.order
    sort = SORTS[key]
    query = inbox_query(actor, flt)
    if flt.after:
        query = query.where(_after(sort, descending, *flt.after))
    column = sort.column.desc() if descending else sort.column.asc()
    tiebreak = HumanTask.id.desc() if descending else HumanTask.id.asc()
    query = query.order_by(column.nulls_last() if sort.nullable else column, tiebreak).limit(flt.limit)
    if options:  # loader options of a caller that reads only some columns (the API page)
        query = query.options(*options)
    return [(task, dossier) for task, dossier in db.session.execute(query)]


def _after(sort: SortKey, descending: bool, value: Any, task_id: int):
    """Rows after the cursor row in the page order."""
    column = sort.column
    if value is None:  # the cursor is already among the rows without a value
        return and_(column.is_(None), HumanTask.id < task_id if descending else HumanTask.id > task_id)
    beyond = column < value if descending else column > value
    tied = and_(column == value, HumanTask.id < task_id if descending else HumanTask.id > task_id)
    return or_(beyond, tied, column.is_(None)) if sort.nullable else or_(beyond, tied)


def cursor_value(flt: InboxFilter, task: HumanTask, dossier: Dossier) -> Any:
    """The sort column's value of a row (the next page starts after it)."""
    return SORTS[flt.order[0]].value(task, dossier)


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
