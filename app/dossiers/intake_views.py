"""Counter intake: pick a procedure, check the documents, enter the applicant, print the receipt."""
from __future__ import annotations

import segno
from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth.services import list_agencies
from app.catalog.services import get_procedure, list_procedures
from app.core.db import unit_of_work, utcnow
from app.core.permissions import roles_required
from app.core.timefmt import to_local
from app.dossiers.forms import IntakeForm
from app.dossiers.intake import IncompleteDossierError, receive_dossier
from app.dossiers.labels import RETURN_METHOD
from app.dossiers.pages import intake_form_key
from app.dossiers.rules import form_set_for, get_form_set
from app.dossiers.schemas import ApplicantInput, IntakeInput
from app.dossiers.services import get_dossier_for
from app.dossiers.task_forms import check_submission, load_form
from app.dossiers.views import bp

APPLICANT_KEYS = ("applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
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
    import json

    if request.form.get("form_json"):
        try:
            data = json.loads(request.form["form_json"])
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


def _applicant_data(form: IntakeForm) -> dict:
    return {"applicant_name": form.name.data, "applicant_id_number": form.id_number.data,
            "applicant_phone": form.phone.data, "applicant_email": form.email.data,
            "applicant_address": form.address.data}


@bp.route("/counter/intake/<procedure_code>", methods=["GET", "POST"])
@roles_required("receiver")
def intake_form(procedure_code: str):
    procedure = get_procedure(procedure_code, on=to_local(utcnow()).date())
    agency, agencies = _receiving_agency()
    form = IntakeForm()
    form.documents.choices = [(d.id, d.name_vi) for d in procedure.documents]
    form.return_method.choices = [(m, RETURN_METHOD.get(m, m)) for m in procedure.return_methods or ["counter"]]
    form.commune_code.choices = [("", "")] + [(a.code, a.name) for a in list_agencies() if a.level.value == "commune"]
    form_key = intake_form_key(procedure)
    schema = load_form(form_key) if form_key else None
    data, errors = submitted_form_data(), {}
    if request.method == "POST":
        data = {k: v for k, v in data.items() if k not in APPLICANT_KEYS}
        _cleaned, errors = check_submission(form_key, {**data, **_applicant_data(form)}) if form_key else ({}, {})
        errors = {k: v for k, v in errors.items() if k not in APPLICANT_KEYS}
        if form.validate_on_submit() and not errors:
            intake = _intake_input(procedure, form, {**data, **_applicant_data(form)})
            try:
                with unit_of_work():
                    receipt = receive_dossier(current_user, agency, intake)
            except IncompleteDossierError as incomplete:  # a valid outcome: the guidance slip, nothing created
                return render_template("dossiers/guidance.html", procedure=procedure, agency=agency,
                                       applicant=intake.applicant, missing=incomplete.details["missing"])
            session["receipt"] = {"code": receipt.dossier.code, "pin": receipt.pin}
            return redirect(url_for("dossiers.receipt", code=receipt.dossier.code))
    status = 422 if request.method == "POST" else 200
    return render_template("dossiers/intake_form.html", procedure=procedure, form=form, agency=agency,
                           agencies=agencies, schema=schema, data=data, errors=errors,
                           skip_keys=APPLICANT_KEYS), status


def qr_data_uri(url: str) -> str:
    """An SVG QR code of `url`, inline as a data URI (allowed by the CSP's img-src data:)."""
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


@bp.route("/dossiers/<code>/receipt")
@roles_required("receiver", "returner")
def receipt(code: str):
    dossier = get_dossier_for(current_user, code)
    fresh = session.get("receipt") or {}
    pin = fresh.get("pin") if fresh.get("code") == dossier.code else None
    lookup_url = url_for("citizen.lookup", code=dossier.code, pin=pin, _external=True) if pin else \
        url_for("citizen.lookup", code=dossier.code, _external=True)
    form_set = get_form_set(dossier.form_set or form_set_for(to_local(dossier.received_at).date()).code)
    return render_template("dossiers/receipt.html", d=dossier, pin=pin, lookup_url=lookup_url, form_set=form_set,
                           qr=qr_data_uri(lookup_url))
