"""Shared API schemas: problem documents, Vietnam-time datetimes, cursor pagination."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from app.core.timefmt import to_local

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class ProblemSchema(ma.Schema):
    """RFC 9457 problem document with both languages."""

    type = fields.String(required=True, metadata={"description": "Stable error URI, e.g. .../problems/conflict"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(metadata={"description": "Message in the request's language"})
    detail_vi = fields.String()
    detail_en = fields.String()
    request_id = fields.String(allow_none=True)
    errors = fields.Dict(metadata={"description": "Field errors (marshmallow messages)"})


class LocalDateTime(fields.DateTime):
    """ISO 8601 in Asia/Ho_Chi_Minh (+07:00); accepts any offset on input."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any):
        if value is None:
            return None
        return to_local(value).isoformat()


class StrictSchema(ma.Schema):
    """Input schemas refuse unknown fields so typos surface as 422."""

    class Meta:
        unknown = ma.RAISE


class PageArgsSchema(StrictSchema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=500),
                           metadata={"description": "Opaque cursor: `next_cursor` of the previous page"})
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


class PageSchema(ma.Schema):
    next_cursor = fields.String(allow_none=True, required=True,
                                metadata={"description": "Pass as `cursor` for the next page; null on the last"})


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A `{items: [...], next_cursor}` schema around `item_schema`."""
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema), required=True)})


class AgencyRefSchema(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
