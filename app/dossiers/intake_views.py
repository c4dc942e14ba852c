"""Counter intake: pick a procedure, check the documents, enter the applicant, print the receipt."""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from uuid import uuid4

import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.services import list_agencies
from app.catalog.services import get_procedure, list_procedures
from app.connectors import ServiceUnavailableError, registry
from app.core.db import unit_of_work, utcnow
from app.core.errors import UploadRefusedError
from app.core.jsonguard import loads_guarded
from app.core.permissions import roles_required
from app.core.signals import files_submitted, intake_sections
from app.core.timefmt import to_local
from app.dossiers import listing
from app.dossiers.counter_views import official_key
from app.dossiers.forms import IntakeForm
from app.dossiers.intake import IncompleteDossierError, receive_dossier
from app.dossiers.labels import RETURN_METHOD
from app.dossiers.pages import intake_form_key
from app.dossiers.pins import reissue_pin
from app.dossiers.rules import legal_form
from app.dossiers.schemas import ApplicantInput, IntakeInput
from app.dossiers.services import get_dossier_for
from app.dossiers.task_forms import check_submission, load_form
from app.dossiers.views import bp
from app.extensions import limiter

SUBMITTED_KEY = "intake_tokens"  # one-time submission token → the dossier it created (this session)
MAX_TOKENS = 20
APPLICANT_KEYS = ("applicant_kind", "applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                  "applicant_address")


def _receiving_agency():
    agencies = current_user.agencies_for("receiver")
    if not agencies:
        abort(403)
    wanted = request.values.get("agency")
    return next((a for a in agencies if a.code == wanted), agencies[0]), agencies


@bp.route("/counter/intake")
@roles_required("receiver")
def intake():
    query = (request.args.get("q") or "").strip()
    return render_template("dossiers/intake_pick.html", procedures=list_procedures(query or None), q=query)


def submitted_form_data() -> dict:
    """Task-form values posted by the plain HTML form (`f.<key>` inputs) or by the form-js viewer (JSON)."""
    if request.form.get("form_json"):
        try:
            data = loads_guarded(request.form["form_json"])  # depth, huge integers, NaN: refused
            return data if isinstance(data, dict) else {}
        except ValueError:
            return {}
    data = {}
    for name in request.form:
        if name.startswith("f."):
            values = request.form.getlist(name)
            data[name[2:]] = values if len(values) > 1 or name.endswith("[]") else values[0]
    return {k.removesuffix("[]"): v for k, v in data.items()}


def _intake_input(procedure, form: IntakeForm, data: dict) -> IntakeInput:
    applicant = ApplicantInput(name=form.name.data.strip(), id_number=form.id_number.data or None,
                               kind=form.applicant_kind.data, phone=form.phone.data or None,
                               email=form.email.data or None, address=form.address.data or None,
                               representative=form.representative.data or None)
    return IntakeInput(procedure_code=procedure.code, applicant=applicant, received_documents=form.documents.data,
                       return_method=form.return_method.data, form_data=data,
                       commune_code=form.commune_code.data or None)


APPLICANT_FIELDS = {"applicant_name": "name", "applicant_id_number": "id_number", "applicant_phone": "phone",
                    "applicant_email": "email", "applicant_address": "address"}


def _applicant_errors_on(form: IntakeForm, errors: dict) -> bool:
    """Show the intake schema's rules on the applicant (e.g. address required) on the counter form's own fields."""
    for key, name in APPLICANT_FIELDS.items():
        field = getattr(form, name)
        if errors.get(key) and not field.errors:
            field.errors = list(field.errors) + errors[key]
    return not any(getattr(form, name).errors for name in APPLICANT_FIELDS.values())


def _applicant_data(form: IntakeForm) -> dict:
    return {"applicant_kind": form.applicant_kind.data, "applicant_name": form.name.data,
            "applicant_id_number": form.id_number.data,
            "applicant_phone": form.phone.data, "applicant_email": form.email.data,
            "applicant_address": form.address.data}


@bp.route("/counter/intake/<procedure_code>", methods=["GET", "POST"])
@roles_required("receiver")
@limiter.limit(lambda: current_app.config["COUNTER_ID_SEARCH_LIMIT"], key_func=official_key,
               exempt_when=lambda: not request.form.get("lookup_registry"))
def intake_form(procedure_code: str):
    procedure = get_procedure(procedure_code, on=to_local(utcnow()).date())
    agency, agencies = _receiving_agency()
    form = IntakeForm()
    form.documents.choices = [(d.id, d.name_vi) for d in procedure.documents]
    form.return_method.choices = [(m, RETURN_METHOD.get(m, m)) for m in procedure.return_methods or ["counter"]]
    form.commune_code.choices = [("", "")] + [(a.code, a.name) for a in list_agencies() if a.level.value == "commune"]
    form_key = intake_form_key(procedure)
    schema = load_form(form_key) if form_key else None
    data, errors, duplicates, upload_errors = submitted_form_data(), {}, [], []
    token = request.form.get("submission_token") or uuid4().hex
    if request.method == "POST" and token in session.get(SUBMITTED_KEY, {}):  # back button + submit again
        code = session[SUBMITTED_KEY][token]
        flash(_("Hồ sơ này đã được tiếp nhận với mã %(code)s; không tạo hồ sơ mới.", code=code), "warning")
        return redirect(url_for("dossiers.receipt", code=code))
    notice = None
    if request.method == "POST" and request.form.get("lookup_registry"):
        notice = _prefill_from_registry(form)
    elif request.method == "POST":
        data = {k: v for k, v in data.items() if k not in APPLICANT_KEYS}
        _cleaned, errors = check_submission(form_key, {**data, **_applicant_data(form)}) if form_key else ({}, {})
        valid = form.validate_on_submit() and _applicant_errors_on(form, errors)
        errors = {k: v for k, v in errors.items() if k not in APPLICANT_KEYS}
        if valid and not errors and not request.form.get("confirm_duplicate"):
            duplicates = listing.same_day_dossiers(agency.id, procedure.id, form.name.data, form.id_number.data or None,
                                                   to_local(utcnow()).date())
        if valid and not errors and not duplicates:
            intake = _intake_input(procedure, form, {**data, **_applicant_data(form)})
            try:
                with unit_of_work():
                    receipt = receive_dossier(current_user, agency, intake)
                    files_submitted.send(receipt.dossier, actor=current_user, stage="intake",
                                         uploads=scanned_files({d.id: d.name_vi for d in procedure.documents}),
                                         reuse=request.form.getlist("reuse"))
            except IncompleteDossierError as incomplete:  # a valid outcome: the guidance slip, nothing created
                with force_locale("vi"):  # the guidance slip is a legal form too
                    return render_template("dossiers/guidance.html", procedure=procedure, agency=agency,
                                           applicant=intake.applicant, missing=incomplete.details["missing"],
                                           form=legal_form("guidance", to_local(utcnow()).date()))
            except UploadRefusedError as refused:  # nothing was received: the official fixes the scan, resubmits
                upload_errors = [refused.message_vi if str(get_locale()) == "vi" else refused.message_en]
            else:
                _hand_over_pin(receipt.dossier.code, receipt.pin)
                session[SUBMITTED_KEY] = dict(list(session.get(SUBMITTED_KEY, {}).items())[-MAX_TOKENS + 1:],
                                              **{token: receipt.dossier.code})
                return redirect(url_for("dossiers.receipt", code=receipt.dossier.code))
    status = 422 if request.method == "POST" and not request.form.get("lookup_registry") else 200
    return render_template("dossiers/intake_form.html", procedure=procedure, form=form, agency=agency,
                           agencies=agencies, schema=schema, data=data, errors=errors, notice=notice,
                           skip_keys=APPLICANT_KEYS, token=token, duplicates=duplicates,
                           upload_errors=upload_errors, **intake_sections(procedure, form.id_number.data)), status


@dataclass(frozen=True)
class ScannedFile:
    """One posted scan, handed to app.documents through the `files_submitted` signal."""

    name: str
    data: bytes
    item: str | None = None
    required_document_id: int | None = None


def scanned_files(items: dict[int, str], field: str = "files") -> list[ScannedFile]:
    """The multipart form's scans: `file-<required document id>` per checklist item, `field` for the others."""
    found = []
    for key in request.files:
        item_id = int(key[5:]) if key.startswith("file-") and key[5:].isdigit() else None
        if item_id is None and key != field:
            continue
        for storage in request.files.getlist(key):
            if storage and storage.filename:
                found.append(ScannedFile(storage.filename, storage.read(), items.get(item_id),
                                         item_id if item_id in items else None))
    return found


def _prefill_from_registry(form: IntakeForm) -> str | None:
    """Fill the applicant from the population database (person) or the business registry (organisation) by the
    number typed; the message to show when nothing could be filled (the fields stay editable)."""
    number = (form.id_number.data or "").strip()
    try:
        if form.applicant_kind.data == "organisation":
            found = registry().find_business(number)
            values = found and {"name": found.name, "address": found.address, "representative": found.representative}
        else:
            found = registry().find_person(number)
            values = found and {"name": found.full_name, "address": found.address, "phone": found.phone,
                                "email": found.email}
    except ServiceUnavailableError as error:
        return error.message_vi
    if not values:
        return _("Không tìm thấy %(n)s trong cơ sở dữ liệu.", n=number)
    for name, value in values.items():
        if value:
            getattr(form, name).data = value
    return None


def qr_data_uri(url: str) -> str:
    """An SVG QR code of `url`, inline as a data URI (allowed by the CSP's img-src data:)."""
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def _pin_box() -> Fernet:
    """Encrypts the fresh PIN for the one redirect to the receipt: the session cookie is signed, not secret."""
    secret = current_app.config["SECRET_KEY"].encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"motcua receipt pin\0" + secret).digest()))


def _hand_over_pin(code: str, pin: str) -> None:
    session["receipt"] = {"code": code, "pin": _pin_box().encrypt(pin.encode()).decode()}


def _take_pin(code: str) -> str | None:
    """The fresh PIN of `code`, once: the next display (a reprint) shows none."""
    fresh = session.get("receipt") or {}
    if fresh.get("code") != code:
        return None
    session.pop("receipt")
    try:
        return _pin_box().decrypt(str(fresh.get("pin", "")).encode(), ttl=600).decode()
    except InvalidToken:
        return None


@bp.route("/dossiers/<code>/receipt")
@roles_required("receiver", "returner")
def receipt(code: str):
    dossier = get_dossier_for(current_user, code)
    pin = _take_pin(dossier.code)
    # The QR carries the code only: the PIN is printed, never put in a URL.
    lookup_url = url_for("citizen.lookup", code=dossier.code, _external=True)
    with force_locale("vi"):  # a legal slip is always in Vietnamese, whatever the official's UI language
        page = render_template("dossiers/receipt.html", d=dossier, pin=pin, lookup_url=lookup_url,
                               form=legal_form("receipt", dossier), qr=qr_data_uri(lookup_url))
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/dossiers/<code>/pin", methods=["POST"])
@roles_required("receiver")
def reissue(code: str):
    """Issue a new lookup PIN at the counter and print it on a new receipt (the old PIN stops working)."""
    with unit_of_work():
        dossier, pin = reissue_pin(current_user, code)
    _hand_over_pin(dossier.code, pin)
    return redirect(url_for("dossiers.receipt", code=dossier.code))
