"""Dossiers: submit (online or at the counter), list, read, events, supplement, withdraw."""
from __future__ import annotations

from datetime import datetime

from flask import abort
from flask_login import current_user

from app.api.errors import api_blueprint
from app.api.idempotency import transactional
from app.api.pagination import decode_cursor, page
from app.api.schemas.dossiers import (
    DossierCreateSchema,
    DossierDetailSchema,
    DossierListArgsSchema,
    DossierPageSchema,
    DossierReceiptSchema,
    DossierSchema,
    EventListArgsSchema,
    EventPageSchema,
    PinReissueSchema,
    SupplementSchema,
    WithdrawSchema,
)
from app.auth.models import Agency, AgencyLevel
from app.auth.services import find_agency_by_code
from app.core.errors import ValidationError, problem_response
from app.core.permissions import login_required, public, roles_required
from app.dossiers import intake, lifecycle, listing, pins, privacy, services
from app.dossiers.schemas import ApplicantInput, IntakeInput
from app.history.services import list_events

blp = api_blueprint("dossiers_api", "/api/v1/dossiers", "Hồ sơ / dossiers")
RECEIVING_LEVELS = (AgencyLevel.CENTER, AgencyLevel.COMMUNE)


@blp.errorhandler(intake.IncompleteDossierError)
def _incomplete(error: intake.IncompleteDossierError):
    return problem_response(error.status, error.code, error.message_vi, error.message_en,
                            {"received_documents": error.details.get("missing", [])})


def _receiving_agency(code: str | None, channel: str) -> Agency:
    """The agency named in the request, or the counter official's own receiving agency."""
    if code:
        agency = find_agency_by_code(code)
        if agency is None or agency.level not in RECEIVING_LEVELS:
            raise ValidationError(f"Đơn vị tiếp nhận {code} không hợp lệ.", f"Invalid receiving agency {code}.",
                                  details={"errors": {"agency": ["unknown or not a receiving agency"]}})
        return agency
    own = current_user.agencies_for("receiver")
    if channel == "counter" and len(own) == 1:
        return own[0]
    raise ValidationError("Cần chỉ rõ đơn vị tiếp nhận.", "The receiving agency is required.",
                          details={"errors": {"agency": ["required"]}})


def _intake(args: dict) -> IntakeInput:
    applicant = args["applicant"]
    return IntakeInput(procedure_code=args["procedure_code"], applicant=ApplicantInput(**applicant),
                       received_documents=args["received_documents"], channel=args["channel"],
                       return_method=args["return_method"], form_data=args["form_data"],
                       commune_code=args.get("commune_code"))


@blp.route("", methods=["POST"])
@transactional(idempotent=True)
@blp.arguments(DossierCreateSchema)
@blp.response(201, DossierReceiptSchema)
@login_required
def submit(args):
    """Submit a dossier: online by any token holder, at the counter by a receiver of the agency."""
    agency = _receiving_agency(args["agency"], args["channel"])
    actor = current_user if args["channel"] == "counter" else None
    receipt = intake.receive_dossier(actor, agency, _intake(args))
    d = receipt.dossier
    return {"code": d.code, "status": d.status.value, "received_at": d.received_at, "appointment_at": d.due_at,
            "pin": receipt.pin}


@blp.route("", methods=["GET"])
@blp.arguments(DossierListArgsSchema, location="query")
@blp.response(200, DossierPageSchema)
@login_required
def list_dossiers(args):
    """Dossiers of the caller's agencies (received there or with a step there), newest first."""
    flt = listing.DossierFilter(status=args["status"], procedure_code=args["procedure"],
                                received_from=args["received_from"], received_to=args["received_to"],
                                search=args["q"], after=decode_cursor(args["cursor"], datetime, int),
                                limit=args["limit"])
    rows = privacy.for_reader_list(current_user, listing.list_dossiers_for(current_user, flt))
    return page(rows, args["limit"], lambda d: (d.received_at, d.id))


@blp.route("/<code>")
@blp.response(200, DossierDetailSchema)
@login_required
def get_dossier(code: str):
    """One dossier, if it belongs to one of the caller's agencies (personal data masked for supervisors)."""
    return privacy.for_reader(current_user, services.get_dossier_for(current_user, code))


@blp.route("/<code>/events")
@blp.doc(responses={"410": {"description": "`pin` given: removed, use `POST /api/v1/lookup/events`"}})
@blp.arguments(EventListArgsSchema, location="query")
@blp.response(200, EventPageSchema)
@public
def events(args, code: str):
    """Full timeline of a dossier for its officials. Citizens: `POST /api/v1/lookup/events` with the PIN."""
    if args["pin"] is not None:
        abort(410)  # the PIN no longer goes in a URL
    if not current_user.is_authenticated:
        abort(401)
    dossier = services.get_dossier_for(current_user, code)
    after = decode_cursor(args["cursor"], int)
    rows = [e for e in list_events(dossier.id, include_internal=True) if after is None or e.seq > after[0]]
    return page(rows[:args["limit"] + 1], args["limit"], lambda e: (e.seq,))


@blp.route("/<code>/supplement", methods=["POST"])
@transactional(idempotent=True)
@blp.arguments(SupplementSchema)
@blp.response(200, DossierSchema)
@roles_required("receiver")
def supplement(args, code: str):
    """Record the applicant's complete supplement (receiver of the receiving agency); the time limit restarts."""
    return lifecycle.receive_supplement(current_user, code, documents=args["documents"], comment=args["comment"])


@blp.route("/<code>/withdraw", methods=["POST"])
@transactional(idempotent=True)
@blp.arguments(WithdrawSchema)
@blp.response(200, DossierSchema)
@roles_required("receiver")
def withdraw(args, code: str):
    """Stop handling at the applicant's request (receiver of the receiving agency); refused once a result exists."""
    return lifecycle.withdraw(current_user, code, reason=args["reason"], channel=args["channel"])



@blp.route("/<code>/pin", methods=["POST"])
@transactional()
@blp.response(201, PinReissueSchema)
@roles_required("receiver")
def reissue_pin(code: str):
    """Issue a new lookup PIN (receiver of the receiving agency): the old one stops working, a lock is lifted.

    The new PIN is in this response only; print it on a new receipt.
    """
    dossier, pin = pins.reissue_pin(current_user, code)
    return {"code": dossier.code, "pin": pin}
