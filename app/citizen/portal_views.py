"""The signed-in citizen's portal: procedures offered online, the online submission form, one dossier's page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from app.auth.services import list_agencies
from app.catalog.models import Competence
from app.catalog.services import NoCompetenceError, get_procedure
from app.citizen import online
from app.citizen.forms import OnlineApplicantForm, OnlineSupplementForm, OnlineWithdrawForm, ReturnMethodForm
from app.citizen.services import get_own_dossier
from app.citizen.signin_views import current_citizen
from app.citizen.views import bp
from app.core.db import unit_of_work, utcnow
from app.core.errors import UploadRefusedError
from app.core.headers import csp_with_form_target
from app.core.permissions import citizen_required
from app.core.timefmt import to_local
from app.documents.attachments import Upload, check_all, list_attachments
from app.documents.reuse import offers as reuse_offers
from app.documents.services import has_result
from app.dossiers import lifecycle
from app.dossiers.actions import refusal
from app.dossiers.intake import IncompleteDossierError
from app.dossiers.labels import RETURN_METHOD
from app.dossiers.pages import citizen_step, intake_form_key, missing_items
from app.dossiers.public import public_events
from app.dossiers.schemas import ApplicantInput
from app.dossiers.task_forms import check_submission, load_form
from app.extensions import limiter
from app.payments import services as payments
from app.postal.services import shipment_of


@bp.route("/cong-dan/nop-ho-so")
@citizen_required
def procedures():
    query = (request.args.get("q") or "").strip()[:200]
    return render_template("citizen/procedures.html", procedures=online.online_procedures(query or None), q=query)


def _form(procedure, prefill: online.Prefill) -> OnlineApplicantForm:
    form = OnlineApplicantForm(data={**prefill.applicant, "return_method": "online"
                                     if "online" in (procedure.return_methods or []) else "counter"})
    agencies = online.receiving_agencies(procedure)
    form.agency.choices = [(a.code, a.name) for a in agencies]
    form.return_method.choices = [(m, RETURN_METHOD.get(m, m)) for m in procedure.return_methods or ["counter"]]
    form.site_commune.choices = [("", "")] + [(a.code, a.name) for a in list_agencies() if a.level.value == "commune"]
    return form


def _competence_commune(procedure, form: OnlineApplicantForm, prefill: online.Prefill) -> str | None:
    """The commune competence is found by: the site's, chosen on the form, or the residence the registry gave."""
    if procedure.competence is Competence.SITE:
        return form.site_commune.data or None
    return prefill.commune_code


def submitted_form_data() -> dict:
    """The intake form's values posted as `f.<key>` inputs (the counter's plain HTML rendering of the schema)."""
    data = {}
    for name in request.form:
        if name.startswith("f."):
            values = request.form.getlist(name)
            data[name[2:].removesuffix("[]")] = values if len(values) > 1 or name.endswith("[]") else values[0]
    return data


def _uploads(procedure) -> list[Upload]:
    """The posted files, one `doc-<required document id>` input per checklist item."""
    uploads = []
    for doc in procedure.documents:
        for file in request.files.getlist(f"doc-{doc.id}"):
            if file and file.filename:
                uploads.append(Upload(file.filename, file.read(), doc.name_vi, doc.id))
    return uploads


def _refused(uploads: list[Upload]) -> list[str]:
    """Why each refused file was refused (app.documents' checks: content type, size, pages), every one listed."""
    messages = []
    for upload in uploads:
        try:
            check_all([upload])
        except UploadRefusedError as error:
            messages.append(error.message(str(get_locale() or "vi")))
    return messages


@bp.route("/cong-dan/nop-ho-so/<procedure_code>", methods=["GET", "POST"])
@citizen_required
@limiter.limit("30 per hour", methods=["POST"])
def submit(procedure_code: str):
    procedure = get_procedure(procedure_code, on=to_local(utcnow()).date())
    if procedure not in online.online_procedures():
        abort(404)
    citizen = current_citizen()
    prefill = online.prefill(citizen)
    form = _form(procedure, prefill)
    form_key = intake_form_key(procedure)
    data = {**prefill.form_data, **submitted_form_data()} if request.method == "POST" else dict(prefill.form_data)
    errors, missing, notice, bad_files = {}, [], prefill.notice, []
    if request.method == "POST" and request.form.get("lookup_business"):
        found, notice = online.business_prefill(str(data.get("employer_tax_code") or ""))
        data.update(found)
    elif request.method == "POST":
        applicant = _applicant(form, citizen)
        data.update({f"applicant_{k}": v for k, v in vars(applicant).items() if k in ("name", "phone", "email",
                                                                                     "address") and v})
        data["applicant_id_number"] = citizen.id_number
        _cleaned, errors = check_submission(form_key, data) if form_key else ({}, {})
        uploads = _uploads(procedure)
        bad_files = _refused(uploads)
        if form.validate_on_submit() and not errors and not bad_files:
            agency = next(a for a in online.receiving_agencies(procedure) if a.code == form.agency.data)
            submission = online.OnlineSubmission(procedure, agency, applicant, data, form.return_method.data,
                                                 uploads, _competence_commune(procedure, form, prefill),
                                                 request.form.getlist("reuse"))
            try:
                with unit_of_work():
                    receipt = online.submit(citizen, submission)
            except IncompleteDossierError as incomplete:
                missing = incomplete.details["missing"]
            except NoCompetenceError as no_competence:
                form.site_commune.errors = [no_competence.message(str(get_locale()))]
            except UploadRefusedError as refused:  # a reuse choice that is not the citizen's
                bad_files = [refused.message(str(get_locale() or "vi"))]
            else:
                flash(_("Đã nộp hồ sơ %(code)s. Mã tra cứu: %(pin)s (dùng khi tra cứu không đăng nhập).",
                        code=receipt.dossier.code, pin=receipt.pin), "success")
                return redirect(url_for("citizen.my_dossier", code=receipt.dossier.code))
    status = 422 if request.method == "POST" and (form.errors or errors or missing or bad_files) else 200
    return render_template("citizen/submit.html", procedure=procedure, form=form, citizen=citizen,
                           schema=load_form(form_key) if form_key else None, data=data, errors=errors,
                           skip_keys=online.APPLICANT_KEYS, missing=missing, notice=notice,
                           bad_files=bad_files, max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
                           reuse_offers=reuse_offers(citizen.id_number)), status


def _applicant(form: OnlineApplicantForm, citizen) -> ApplicantInput:
    return ApplicantInput(name=(form.name.data or "").strip(), id_number=citizen.id_number,
                          phone=form.phone.data or None, email=form.email.data or None,
                          address=form.address.data or None)


@bp.route("/cong-dan/ho-so/<code>")
@citizen_required
def my_dossier(code: str):
    dossier = get_own_dossier(current_citizen(), code)
    response = make_response(render_template(
        "citizen/my_dossier.html", d=dossier, step=citizen_step(dossier), missing=missing_items(dossier),
        events=public_events(dossier), files=list_attachments(dossier.id), initials=dossier.applicant_name,
        payments=payments.payments_of(dossier), fee_due=payments.fee_due(dossier) if dossier.is_open else 0,
        shipment=shipment_of(dossier), return_form=_return_form(dossier),
        result_url=url_for("citizen.my_result_pdf", code=dossier.code) if has_result(dossier) else None,
        supplement_form=OnlineSupplementForm(prefix="supplement") if _may(dossier, "receive_supplement") else None,
        withdraw_form=OnlineWithdrawForm(prefix="withdraw") if _may(dossier, "withdraw") else None))
    # The pay button posts here and is redirected to the gateway: the page lets its forms go there.
    response.headers["Content-Security-Policy"] = csp_with_form_target(_gateway_origin())
    return response


@bp.route("/cong-dan/ho-so/<code>/ket-qua.pdf")
@citizen_required
def my_result_pdf(code: str):
    """The signed electronic result of the citizen's own dossier (someone else's code is an unknown one: 404)."""
    from app.documents.views import result_download

    return result_download(get_own_dossier(current_citizen(), code))


def _may(dossier, action: str) -> bool:
    """Whether the declared action is open on the dossier now (the citizen acts through the online channel)."""
    return refusal(None, action, dossier) is None


@bp.route("/cong-dan/ho-so/<code>/bo-sung", methods=["POST"])
@citizen_required
@limiter.limit("20 per hour")
def supplement(code: str):
    """Answer a supplement request online: upload what was asked for."""
    dossier = get_own_dossier(current_citizen(), code)
    form = OnlineSupplementForm(prefix="supplement")
    uploads = _uploads(dossier.procedure)
    refused = _refused(uploads)
    if not form.validate_on_submit() or refused:
        flash(" ".join(refused) or _("Tệp bổ sung không hợp lệ (chỉ nhận PDF, JPEG hoặc PNG)."), "danger")
        return redirect(url_for("citizen.my_dossier", code=code))
    with unit_of_work():
        online.supplement(dossier, uploads, form.note.data)
    flash(_("Đã gửi hồ sơ bổ sung; thời hạn giải quyết được tính lại từ hôm nay."), "success")
    return redirect(url_for("citizen.my_dossier", code=code))


@bp.route("/cong-dan/ho-so/<code>/rut-ho-so", methods=["POST"])
@citizen_required
@limiter.limit("10 per hour")
def withdraw(code: str):
    """Ask online to stop handling the dossier (stop notice) while no result is issued."""
    dossier = get_own_dossier(current_citizen(), code)
    form = OnlineWithdrawForm(prefix="withdraw")
    if not form.validate_on_submit():
        flash(_("Cần ghi lý do đề nghị dừng giải quyết hồ sơ."), "danger")
        return redirect(url_for("citizen.my_dossier", code=code))
    with unit_of_work():
        lifecycle.withdraw(None, dossier.code, reason=form.reason.data, channel="online")
    flash(_("Hồ sơ đã được dừng giải quyết theo đề nghị của ông/bà."), "success")
    return redirect(url_for("citizen.my_dossier", code=code))


def _return_form(dossier) -> ReturnMethodForm | None:
    if not dossier.is_open or dossier.returned_at is not None or shipment_of(dossier) is not None:
        return None
    form = ReturnMethodForm(prefix="return", data={"method": dossier.return_method,
                                                   "address": dossier.applicant_address})
    form.method.choices = [(m, RETURN_METHOD.get(m, m)) for m in dossier.procedure.return_methods or ["counter"]]
    return form


@bp.route("/cong-dan/ho-so/<code>/nhan-ket-qua", methods=["POST"])
@citizen_required
def choose_return(code: str):
    """The citizen chooses how to receive the result (by post: to which address)."""
    dossier = get_own_dossier(current_citizen(), code)
    form = _return_form(dossier)
    if form is None or not form.validate_on_submit():
        flash(_("Không thay đổi được hình thức nhận kết quả."), "danger")
        return redirect(url_for("citizen.my_dossier", code=code))
    with unit_of_work():
        lifecycle.choose_return(None, code, method=form.method.data, address=form.address.data)
    flash(_("Đã ghi nhận hình thức nhận kết quả."), "success")
    return redirect(url_for("citizen.my_dossier", code=code))


# --- fees ---------------------------------------------------------------------------------------

def _gateway_origin() -> str:
    parts = urlsplit(current_app.config.get("PAYMENT_URL") or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


@bp.route("/cong-dan/ho-so/<code>/thanh-toan", methods=["POST"])
@citizen_required
@limiter.limit("20 per hour")
def pay(code: str):
    """Open a payment of the fee due and send the citizen to the gateway."""
    dossier = get_own_dossier(current_citizen(), code)
    with unit_of_work():
        _payment, url = payments.open_payment(
            dossier, return_url=url_for("payments.back_from_gateway", _external=True),
            notify_url=url_for("payments.notify", _external=True), minutes=current_app.config["PAYMENT_MINUTES"])
    return redirect(url, 303)


@bp.route("/cong-dan/ho-so/<code>/thanh-toan/kiem-tra", methods=["POST"])
@citizen_required
@limiter.limit("20 per hour")
def check_payment(code: str):
    """Ask the gateway about a payment that is still pending (no notification arrived)."""
    dossier = get_own_dossier(current_citizen(), code)
    with unit_of_work():
        for payment in payments.payments_of(dossier):
            payments.reconcile(payment)
    return redirect(url_for("citizen.my_dossier", code=code))


@bp.route("/cong-dan/ho-so/<code>/bien-lai/<reference>")
@citizen_required
def payment_receipt(code: str, reference: str):
    """The confirmation of an online payment (printable)."""
    dossier, payment = _paid(code, reference)
    with force_locale("vi"):  # a legal document: always in Vietnamese
        return render_template("citizen/payment_receipt.html", d=dossier, payment=payment)


@bp.route("/cong-dan/ho-so/<code>/bien-lai/<reference>.pdf")
@citizen_required
def payment_receipt_pdf(code: str, reference: str):
    """The receipt as a PDF, with the collecting agency's e-receipt series and number."""
    from app.documents.render import html_to_pdf

    dossier, payment = _paid(code, reference)
    with force_locale("vi"):
        html = render_template("citizen/payment_receipt_pdf.html", d=dossier, payment=payment)
    response = make_response(html_to_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="bien-lai-{payment.receipt_number}.pdf"'
    return response


def _paid(code: str, reference: str):
    dossier = get_own_dossier(current_citizen(), code)
    payment = next((p for p in payments.payments_of(dossier) if p.reference == reference and p.is_paid), None)
    if payment is None:
        abort(404)
    return dossier, payment
