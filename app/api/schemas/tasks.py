"""Human tasks (inbox rows) and the actions on them."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.api.schemas.common import LocalDateTime, PageArgsSchema, StrictSchema, page_of
from app.workflow.models import StepKind


class TaskDossierSchema(ma.Schema):
    code = fields.String(required=True)
    procedure_code = fields.Function(lambda d: d.procedure.code, required=True)
    applicant_name = fields.String(required=True)
    status = fields.Function(lambda d: d.status.value, required=True)
    channel = fields.Function(lambda d: d.channel.value, required=True)
    received_at = LocalDateTime(required=True)
    appointment_at = LocalDateTime(attribute="due_at", required=True)


class TaskSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    step_kind = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    form_key = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"description": "open / claimed / completed / cancelled"})
    assignee_id = fields.Integer(allow_none=True)
    created_at = LocalDateTime(required=True)
    due_at = LocalDateTime(allow_none=True, metadata={"description": "Deadline of this step"})
    claimed_at = LocalDateTime(allow_none=True)
    completed_at = LocalDateTime(allow_none=True)
    dossier_code = fields.String(required=True)


class InboxTaskSchema(TaskSchema):
    dossier = fields.Nested(TaskDossierSchema, required=True)


class TaskListArgsSchema(PageArgsSchema):
    scope = fields.String(load_default="queue", validate=validate.OneOf(("mine", "queue", "team")), metadata={
        "description": "mine: claimed by me; queue: unclaimed for my roles; team: my agencies (leaders)"})
    procedure = fields.String(load_default=None, validate=validate.Length(max=32))
    step_kind = fields.String(load_default=None, validate=validate.OneOf(tuple(StepKind)))
    overdue = fields.Boolean(load_default=False)
    q = fields.String(load_default=None, validate=validate.Length(max=200))


TaskPageSchema = page_of(InboxTaskSchema, "TaskPageSchema")


class TaskCompleteSchema(StrictSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "The step's form data"})
    decision = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32), metadata={
        "description": "Shortcut for data.decision (approve / supplement / refuse ...)"})
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class TaskReassignSchema(StrictSchema):
    assignee = fields.String(required=True, validate=validate.Length(min=1, max=64),
                             metadata={"description": "Username of the official taking the task"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class NextTaskSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    step_kind = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)


class TaskCompletionSchema(ma.Schema):
    task_id = fields.Integer(required=True)
    dossier_code = fields.String(required=True)
    dossier_status = fields.String(required=True)
    current_step = fields.String(allow_none=True)
    next_tasks = fields.List(fields.Nested(NextTaskSchema), required=True)
