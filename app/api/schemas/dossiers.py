"""Dossier submission, reading, events and the actions around a dossier."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.api.schemas.common import LocalDateTime, PageArgsSchema, StrictSchema, page_of
from app.dossiers.models import DossierStatus

SUBMIT_CHANNELS = ("online", "counter")
RETURN_METHODS = ("counter", "post", "online")


class ApplicantCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    kind = fields.String(load_default="person", validate=validate.OneOf(("person", "organisation")))
    id_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32),
                              metadata={"description": "12-digit personal ID number"})
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=255))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    representative = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))


class DossierCreateSchema(StrictSchema):
    procedure_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    agency = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32), metadata={
        "description": "Code of the receiving agency (center or commune). Required online; at the counter it "
                       "defaults to the receiver's agency"})
    channel = fields.String(load_default="online", validate=validate.OneOf(SUBMIT_CHANNELS))
    return_method = fields.String(load_default="counter", validate=validate.OneOf(RETURN_METHODS))
    applicant = fields.Nested(ApplicantCreateSchema, required=True)
    received_documents = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=100),
                                     metadata={"description": "Ids of the procedure's required documents supplied"})
    form_data = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "Intake form data"})
    commune_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32), metadata={
        "description": "Commune deciding competence: the applicant's residence or the site, as the procedure "
                       "declares (defaults to the receiving commune). Received anywhere in the province, the "
                       "dossier goes to the competent agency"})


class DossierReceiptSchema(ma.Schema):
    code = fields.String(required=True)
    status = fields.String(required=True)
    received_at = LocalDateTime(required=True)
    appointment_at = LocalDateTime(required=True, metadata={"description": "Appointment to return the result"})
    pin = fields.String(required=True, metadata={"description": "Lookup PIN (shown only in this response)"})


class ApplicantSchema(ma.Schema):
    name = fields.String(attribute="applicant_name", required=True)
    kind = fields.String(attribute="applicant_kind", required=True)
    id_number = fields.String(attribute="applicant_id_number", allow_none=True)
    phone = fields.String(attribute="applicant_phone", allow_none=True)
    email = fields.String(attribute="applicant_email", allow_none=True)
    address = fields.String(attribute="applicant_address", allow_none=True)
    representative = fields.String(attribute="representative_name", allow_none=True)


class DossierSchema(ma.Schema):
    code = fields.String(required=True)
    procedure_code = fields.Function(lambda d: d.procedure.code, required=True)
    procedure_name = fields.Function(lambda d: d.procedure.name_vi, required=True)
    status = fields.Function(lambda d: d.status.value, required=True)
    channel = fields.Function(lambda d: d.channel.value, required=True)
    current_step = fields.String(allow_none=True)
    current_step_kind = fields.String(allow_none=True)
    receiving_agency = fields.Function(lambda d: d.receiving_agency.code, required=True)
    current_agency = fields.Function(lambda d: d.current_agency.code if d.current_agency else None, allow_none=True)
    handling_agency = fields.Function(lambda d: d.handling_agency.code if d.handling_agency else None,
                                      allow_none=True, metadata={"description": "The competent agency"})
    applicant = fields.Function(lambda d: ApplicantSchema().dump(d), required=True)
    return_method = fields.String(required=True)
    received_at = LocalDateTime(required=True)
    legal_due_at = LocalDateTime(required=True)
    appointment_at = LocalDateTime(attribute="due_at", required=True)
    result_ready_at = LocalDateTime(allow_none=True)
    returned_at = LocalDateTime(allow_none=True)
    finished_at = LocalDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    timing = fields.String(allow_none=True, metadata={"description": "early / on_time / late once finished"})
    result_number = fields.String(allow_none=True)
    rating = fields.String(allow_none=True)
    supplement_count = fields.Integer(required=True)
    apology_count = fields.Integer(required=True)


class DossierDetailSchema(DossierSchema):
    documents = fields.List(fields.Dict(), required=True)
    form_data = fields.Dict(required=True)


class DossierListArgsSchema(PageArgsSchema):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in DossierStatus]))
    procedure = fields.String(load_default=None, validate=validate.Length(max=32))
    received_from = fields.Date(load_default=None, data_key="from")
    received_to = fields.Date(load_default=None, data_key="to")
    q = fields.String(load_default=None, validate=validate.Length(max=200),
                      metadata={"description": "Code, applicant name, ID number or phone"})


DossierPageSchema = page_of(DossierSchema, "DossierPageSchema")


class EventSchema(ma.Schema):
    seq = fields.Integer(required=True)
    kind = fields.String(required=True)
    at = LocalDateTime(required=True)
    actor_name = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    from_step = fields.String(allow_none=True)
    to_step = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    is_internal = fields.Boolean(required=True)
    hash = fields.String(required=True)


class EventListArgsSchema(PageArgsSchema):
    pin = fields.String(load_default=None, validate=validate.Length(max=32),
                        metadata={"description": "Removed (410 Gone): use `POST /api/v1/lookup/events`",
                                  "deprecated": True})


EventPageSchema = page_of(EventSchema, "EventPageSchema")


class PinReissueSchema(ma.Schema):
    code = fields.String(required=True)
    pin = fields.String(required=True, metadata={"description": "The new PIN, shown only in this response"})


class SupplementSchema(StrictSchema):
    documents = fields.List(fields.String(validate=validate.Length(min=1, max=500)), required=True,
                            validate=validate.Length(min=1, max=100))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class WithdrawSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    channel = fields.String(load_default="online", validate=validate.OneOf(("counter", "post", "online")))
