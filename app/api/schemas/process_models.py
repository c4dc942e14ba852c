"""Deployed BPMN models and their versions."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.api.schemas.common import LocalDateTime, PageArgsSchema, StrictSchema, page_of

MAX_XML = 2_000_000


class ProcessVersionSchema(ma.Schema):
    id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    number = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    content_hash = fields.String(required=True)
    status = fields.String(required=True)
    source_name = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    author = fields.String(allow_none=True)
    created_at = LocalDateTime(required=True)


class ProcessVersionXmlSchema(ProcessVersionSchema):
    xml = fields.String(allow_none=True, metadata={"description": "BPMN XML (only with include_xml=true)"})


class ProcessModelSchema(ma.Schema):
    process_key = fields.String(required=True)
    name = fields.String(allow_none=True)
    latest_version = fields.Integer(required=True)
    versions = fields.Integer(required=True)
    updated_at = LocalDateTime(required=True)


class DeployedVersionSchema(ProcessVersionSchema):
    created = fields.Boolean(required=True, metadata={"description": "false when identical content was deployed"})


class ModelDeploySchema(StrictSchema):
    xml = fields.String(required=True, validate=validate.Length(min=1, max=MAX_XML))
    source_name = fields.String(load_default=None, allow_none=True,
                                validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,120}\.bpmn$"))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class VersionListArgsSchema(PageArgsSchema):
    include_xml = fields.Boolean(load_default=False)


ProcessModelPageSchema = page_of(ProcessModelSchema, "ProcessModelPageSchema")
ProcessVersionPageSchema = page_of(ProcessVersionXmlSchema, "ProcessVersionPageSchema")
