"""Statistics over a period of local dates."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, fields, validate, validates_schema

from app.api.schemas.common import StrictSchema


class StatsArgsSchema(StrictSchema):
    start = fields.Date(load_default=None, data_key="from", metadata={"description": "First local date (inclusive)"})
    end = fields.Date(load_default=None, data_key="to", metadata={"description": "Last local date (inclusive)"})
    agency = fields.String(load_default=None, validate=validate.Length(max=32),
                           metadata={"description": "Agency code: that agency and its subtree"})
    procedure = fields.String(load_default=None, validate=validate.Length(max=32))

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("`from` must not be after `to`", "to")


class CountsSchema(ma.Schema):
    total = fields.Integer(required=True, metadata={"description": "Dossiers received in the period"})
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    finished = fields.Integer(required=True, metadata={"description": "Returned or refused in the period"})
    early = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    late = fields.Integer(required=True)
    on_time_rate = fields.Float(allow_none=True, required=True, metadata={"description": "(early+on_time)/finished"})
    overdue_open = fields.Integer(required=True, metadata={"description": "Open dossiers past their legal due"})


class AgencyCountsSchema(CountsSchema):
    agency_code = fields.String(required=True)
    agency_name = fields.String(required=True)


class ProcedureCountsSchema(CountsSchema):
    procedure_code = fields.String(required=True)
    procedure_name = fields.String(required=True)


class StatsSchema(ma.Schema):
    start = fields.Date(allow_none=True, data_key="from", required=True)
    end = fields.Date(allow_none=True, data_key="to", required=True)
    overall = fields.Nested(CountsSchema, required=True)
    by_agency = fields.List(fields.Nested(AgencyCountsSchema), required=True)
    by_procedure = fields.List(fields.Nested(ProcedureCountsSchema), required=True)
