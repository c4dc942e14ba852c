"""Statistics over a period of local dates."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, fields, validate, validates_schema

from app.api.schemas.common import StrictSchema


class StatsArgsSchema(StrictSchema):
    start = fields.Date(load_default=None, data_key="from", metadata={"description": "First local date (inclusive)"})
    end = fields.Date(load_default=None, data_key="to", metadata={"description": "Last local date (inclusive)"})
    agency = fields.String(load_default=None, validate=validate.Length(max=32),
                           metadata={"description": "Agency code: dossiers handled by that agency and its subtree"})
    procedure = fields.String(load_default=None, validate=validate.Length(max=32))

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("`from` must not be after `to`", "to")


class StepCountsSchema(ma.Schema):
    finished = fields.Integer(required=True, metadata={"description": "Steps completed in the period"})
    early = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    late = fields.Integer(required=True)


class CountsSchema(ma.Schema):
    total = fields.Integer(required=True, metadata={"description": "Dossiers received in the period, counted for "
                                                                   "their handling agency"})
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    finished = fields.Integer(required=True, metadata={
        "description": "Finished in the period: result ready or handed over (per rule set), refusals at their "
                       "decision"})
    early = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    late = fields.Integer(required=True)
    on_time_rate = fields.Float(allow_none=True, required=True, metadata={"description": "(early+on_time)/finished"})
    overdue_open = fields.Integer(required=True, metadata={
        "description": "Open dossiers past their legal due (waiting for the applicant is paused, not overdue)"})
    paused = fields.Integer(required=True, metadata={
        "description": "Waiting for the applicant (a supplement, or a fee the handling waits for)"})
    late_supplements = fields.Integer(required=True, metadata={
        "description": "Supplement requests sent past the legal window (non-compliant)"})
    apologies = fields.Integer(required=True)
    late_apologies = fields.Integer(required=True, metadata={"description": "Apologies sent too late (non-compliant)"})
    counter_received = fields.Integer(required=True, metadata={
        "description": "Dossiers received at this agency's counter, whoever handles them"})
    steps = fields.Nested(StepCountsSchema, required=True, metadata={
        "description": "Steps done by this agency: early / on time / late against each step's budget"})


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


class ScorecardArgsSchema(StrictSchema):
    start = fields.Date(load_default=None, data_key="from", metadata={"description": "First local date (inclusive); "
                                                                                     "default 1 January"})
    end = fields.Date(load_default=None, data_key="to", metadata={"description": "Last local date (inclusive); "
                                                                                 "default today"})
    agency = fields.String(load_default=None, validate=validate.Length(max=32),
                           metadata={"description": "Agency code: rank that agency's subtree only"})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("`from` must not be after `to`", "to")


class IndicatorSchema(ma.Schema):
    key = fields.String(required=True)
    value = fields.Float(allow_none=True, required=True, metadata={"description": "Share 0–1; null: no data"})
    points = fields.Float(allow_none=True, required=True)
    max_points = fields.Float(required=True, metadata={"description": "Configured points (before rescaling over "
                                                                      "the indicators with data)"})


class GroupSchema(ma.Schema):
    key = fields.String(required=True, metadata={"description": "publicity / progress / digitisation / online / "
                                                                "satisfaction"})
    points = fields.Float(allow_none=True, required=True)
    max_points = fields.Float(required=True)
    indicators = fields.List(fields.Nested(IndicatorSchema), required=True)


class CardSchema(ma.Schema):
    rank = fields.Integer(required=True)
    agency_code = fields.String(required=True)
    agency_name = fields.String(required=True)
    received = fields.Integer(required=True)
    finished = fields.Integer(required=True)
    circular_01_indexes = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True,
                                      metadata={"description": "Circular 01/2018 art. 13 index number -> points "
                                                               "0–2 (per-dossier indexes averaged); null: no data"})
    circular_01_score = fields.Float(allow_none=True, required=True,
                                     metadata={"description": "Weighted mean of the indexes, % of the maximum"})
    decision_766_groups = fields.List(fields.Nested(GroupSchema), required=True)
    decision_766_total = fields.Float(allow_none=True, required=True, metadata={
        "description": "Out of 100, scaled over the groups with data"})
    band = fields.String(allow_none=True, required=True, metadata={"description": "excellent / good / average / weak"})


class ScorecardSchema(ma.Schema):
    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True)
    effective = fields.Date(required=True, metadata={"description": "The configuration in force on this date "
                                                                    "(scorecard_configs) scored the period"})
    ranking = fields.List(fields.Nested(CardSchema), required=True)
