"""Procedure catalogue as published to portals."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.api.schemas.common import AgencyRefSchema, PageArgsSchema, page_of


class RequiredDocumentSchema(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "Pass in `received_documents` when submitting"})
    name = fields.String(attribute="name_vi", required=True)
    copies = fields.Integer(required=True)
    original = fields.Boolean(attribute="is_original", required=True)
    mandatory = fields.Boolean(attribute="is_mandatory", required=True)


class FeeSchema(ma.Schema):
    name = fields.String(attribute="name_vi", required=True)
    amount_vnd = fields.Integer(required=True)


class ProcedureSchema(ma.Schema):
    code = fields.String(required=True)
    name_vi = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    field_vi = fields.String(allow_none=True)
    level = fields.String(required=True)
    legal_days = fields.Float(required=True, metadata={"description": "Legal time limit in working days"})
    deadline_policy = fields.Function(lambda p: p.deadline_policy.value, required=True)
    online_level = fields.Function(lambda p: p.online_level.value, required=True)
    return_methods = fields.List(fields.String(), required=True)
    five_on_site = fields.Boolean(required=True)
    handling_agency = fields.Nested(AgencyRefSchema, required=True)
    total_fee_vnd = fields.Integer(attribute="total_fee", required=True)


class ProcedureDetailSchema(ProcedureSchema):
    documents = fields.List(fields.Nested(RequiredDocumentSchema), required=True)
    fees = fields.List(fields.Nested(FeeSchema), required=True)


class ProcedureListArgsSchema(PageArgsSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200),
                      metadata={"description": "Search code or name (accents ignored)"})


ProcedurePageSchema = page_of(ProcedureSchema, "ProcedurePageSchema")
