"""Public lookup by code + PIN, and the citizen's rating."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.api.schemas.common import LocalDateTime, StrictSchema

RATINGS = ("very_satisfied", "satisfied", "unsatisfied")


class LookupArgsSchema(StrictSchema):
    pin = fields.String(required=True, validate=validate.Length(min=1, max=32),
                        metadata={"description": "Lookup PIN printed on the receipt"})


class LookupSchema(ma.Schema):
    code = fields.String(required=True)
    procedure_code = fields.String(required=True)
    procedure_name = fields.String(required=True)
    status = fields.String(required=True)
    status_vi = fields.String(required=True)
    status_en = fields.String(required=True)
    step_vi = fields.String(allow_none=True, metadata={"description": "Current step in plain Vietnamese"})
    step_en = fields.String(allow_none=True)
    received_at = LocalDateTime(required=True)
    appointment_at = LocalDateTime(required=True)
    result_ready_at = LocalDateTime(allow_none=True)
    returned_at = LocalDateTime(allow_none=True)
    applicant_initials = fields.String(required=True)
    missing_items = fields.String(allow_none=True, metadata={"description": "What to supplement, when requested"})
    rating = fields.String(allow_none=True)
    can_rate = fields.Boolean(required=True)


class RatingCreateSchema(StrictSchema):
    pin = fields.String(required=True, validate=validate.Length(min=1, max=32))
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class RatingSchema(ma.Schema):
    code = fields.String(required=True)
    rating = fields.String(required=True)
