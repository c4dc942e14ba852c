"""Hash-chain verification report."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


class VerifyReportSchema(ma.Schema):
    code = fields.String(required=True)
    ok = fields.Boolean(required=True)
    checked = fields.Integer(required=True, metadata={"description": "Events checked"})
    first_broken_seq = fields.Integer(allow_none=True, required=True)
    problem = fields.String(allow_none=True, required=True)
