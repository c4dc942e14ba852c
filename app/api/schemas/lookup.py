"""Public lookup by code + PIN, and the citizen's rating: the PIN always travels in a POST body."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.api.schemas.common import DEFAULT_LIMIT, MAX_LIMIT, LocalDateTime, StrictSchema, page_of

RATINGS = ("very_satisfied", "satisfied", "unsatisfied")


def _code():
    return fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"description": "Dossier code printed on the receipt"})


def _pin():
    return fields.String(required=True, validate=validate.Length(min=1, max=32),
                         metadata={"description": "Lookup PIN printed on the receipt (never put it in a URL)"})


class LookupCreateSchema(StrictSchema):
    code = _code()
    pin = _pin()


class LookupEventsCreateSchema(LookupCreateSchema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=500),
                           metadata={"description": "Opaque cursor: `next_cursor` of the previous page"})
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


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
    pin = _pin()
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class RatingSchema(ma.Schema):
    code = fields.String(required=True)
    rating = fields.String(required=True)


class PublicEventSchema(ma.Schema):
    """One public event: what happened and which office did it, never a person's name or an internal id."""

    seq = fields.Integer(required=True)
    kind = fields.String(required=True)
    kind_vi = fields.String(required=True)
    kind_en = fields.String(required=True)
    at = LocalDateTime(required=True)
    office_vi = fields.String(allow_none=True, metadata={"description": "e.g. Bộ phận tiếp nhận"})
    office_en = fields.String(allow_none=True)
    agency_name = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)


PublicEventPageSchema = page_of(PublicEventSchema, "PublicEventPageSchema")
