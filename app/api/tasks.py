"""Tasks: inbox lists, claim, unclaim, complete (idempotent) and reassign — the inbox and lifecycle services."""
from __future__ import annotations

from datetime import datetime

from flask_login import current_user
from sqlalchemy.orm import joinedload, load_only

from app.api.errors import api_blueprint
from app.api.idempotency import transactional
from app.api.pagination import decode_cursor, page
from app.api.schemas.tasks import (
    TaskCompleteSchema,
    TaskCompletionSchema,
    TaskListArgsSchema,
    TaskPageSchema,
    TaskReassignSchema,
    TaskSchema,
)
from app.auth.services import find_user_by_username
from app.catalog.models import Procedure
from app.core.errors import ValidationError
from app.core.permissions import login_required
from app.dossiers import lifecycle
from app.dossiers.models import Dossier
from app.extensions import db
from app.inbox import services as inbox
from app.workflow.models import HumanTask

blp = api_blueprint("tasks_api", "/api/v1/tasks", "Công việc / tasks")
def _after(cursor: str | None) -> tuple[datetime | None, int] | None:
    """(step deadline, task id) of the last row; no deadline (""): among the tasks without one, sorted last."""
    key = decode_cursor(cursor, str, int)
    if key is None:
        return None
    try:
        return (datetime.fromisoformat(key[0]) if key[0] else None), key[1]
    except ValueError as error:
        raise ValidationError("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.") from error


# What the page shows, nothing more: the full rows were ~100 columns each, built into objects and thrown away.
_PAGE_COLUMNS = (
    load_only(*(getattr(HumanTask, name) for name in TaskSchema._declared_fields if name != "dossier_code"),
              HumanTask.dossier_id),
    load_only(Dossier.code, Dossier.procedure_id, Dossier.applicant_name, Dossier.status, Dossier.channel,
              Dossier.received_at, Dossier.due_at),
    joinedload(Dossier.procedure).load_only(Procedure.code),
)


def _inbox_item(task, dossier) -> dict:
    return {**{name: getattr(task, name) for name in TaskSchema._declared_fields if name != "dossier_code"},
            "dossier_code": dossier.code, "dossier": dossier}


@blp.route("")
@blp.arguments(TaskListArgsSchema, location="query")
@blp.response(200, TaskPageSchema)
@login_required
def list_tasks(args):
    """One inbox tab, ordered by step deadline (tasks without one last)."""
    flt = inbox.InboxFilter(scope=args["scope"], procedure_code=args["procedure"], step_kind=args["step_kind"],
                            overdue=args["overdue"], search=args["q"], after=_after(args["cursor"]),
                            limit=args["limit"] + 1)
    rows = [_inbox_item(task, dossier) for task, dossier in inbox.list_inbox(current_user, flt, _PAGE_COLUMNS)]
    return page(rows, args["limit"],
                lambda row: (row["due_at"].isoformat() if row["due_at"] else "", row["id"]))


def _task_out(task, dossier=None) -> dict:
    dossier = dossier or db.session.get(Dossier, task.dossier_id)
    return {**{name: getattr(task, name) for name in TaskSchema._declared_fields if name != "dossier_code"},
            "dossier_code": dossier.code}


@blp.route("/<int(max=2147483647):task_id>/claim", methods=["POST"])
@transactional()
@blp.response(200, TaskSchema)
@login_required
def claim(task_id: int):
    """Take an open task; if another official was faster: 409."""
    ctx = inbox.claim_task(current_user, task_id)
    return _task_out(ctx.task, ctx.dossier)


@blp.route("/<int(max=2147483647):task_id>/unclaim", methods=["POST"])
@transactional()
@blp.response(200, TaskSchema)
@login_required
def unclaim(task_id: int):
    """Give a claimed task back to the queue (its holder, or a leader of the agency)."""
    return _task_out(inbox.unclaim_task(current_user, task_id))


@blp.route("/<int(max=2147483647):task_id>/complete", methods=["POST"])
@transactional(idempotent=True)
@blp.arguments(TaskCompleteSchema)
@blp.response(200, TaskCompletionSchema)
@login_required
def complete(args, task_id: int):
    """Complete the task with its form data; the dossier moves to the next step of its model."""
    data = dict(args["data"])
    if args["decision"]:
        data["decision"] = args["decision"]
    outcome = lifecycle.complete_task(current_user, task_id, data, comment=args["comment"])
    dossier = outcome.dossier
    return {"task_id": task_id, "dossier_code": dossier.code, "dossier_status": dossier.status.value,
            "current_step": dossier.current_step, "next_tasks": outcome.open_tasks}


@blp.route("/<int(max=2147483647):task_id>/reassign", methods=["POST"])
@transactional()
@blp.arguments(TaskReassignSchema)
@blp.response(200, TaskSchema)
@login_required
def reassign(args, task_id: int):
    """A leader hands the task to another official of the agency, with a reason."""
    assignee = find_user_by_username(args["assignee"])
    if assignee is None:
        raise ValidationError(f"Không tìm thấy cán bộ {args['assignee']}.", f"No official {args['assignee']}.",
                              details={"errors": {"assignee": ["unknown user"]}})
    return _task_out(inbox.reassign_task(current_user, task_id, assignee, args["reason"]))
