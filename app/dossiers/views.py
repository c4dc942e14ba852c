"""Officials' dossier page and the legal actions on it; the counter intake and task pages live beside it."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.services import list_agencies
from app.core.db import unit_of_work
from app.core.permissions import roles_required
from app.core.signals import files_submitted, page_sections
from app.core.timefmt import LOCAL_TZ
from app.dossiers import labels, lifecycle, listing, privacy
from app.dossiers.actions import available_actions
from app.dossiers.forms import (
    ApologyForm,
    CommentForm,
    DiscloseForm,
    RefuseReceiptForm,
    SupplementForm,
    TransferForm,
    VerificationForm,
    WithdrawForm,
)
from app.dossiers.pages import dossier_page
from app.dossiers.pins import is_locked
from app.dossiers.services import get_dossier_for

bp = Blueprint("dossiers", __name__)
bp.app_context_processor(labels.label_globals)

OFFICIALS = ("receiver", "specialist", "leader", "clerk", "returner", "admin", "auditor")
READERS = OFFICIALS + ("supervisor",)
DISCLOSED_KEY = "disclosed_dossiers"  # ids opened with a logged reason in this session
MAX_DISCLOSED = 50


#: action → (form name on the page, form class)
FORMS = {"refuse_receipt": ("refuse_receipt", RefuseReceiptForm),
         "comment": ("comment", CommentForm), "receive_supplement": ("supplement", SupplementForm),
         "withdraw": ("withdraw", WithdrawForm), "apologize": ("apology", ApologyForm),
         "transfer": ("transfer", TransferForm), "extend_for_verification": ("verification", VerificationForm)}


def _action_forms(dossier, page) -> dict:
    """The forms of the actions this official may run on this dossier now (the single `available_actions`)."""
    forms = {}
    for action in available_actions(current_user, dossier, page.open_tasks):
        name, form_class = FORMS[action]
        forms[name] = form_class(prefix=name)
    requested = page.panel.open_supplement if page.panel else None
    if "supplement" in forms and requested and not forms["supplement"].is_submitted():
        forms["supplement"].documents.data = requested.items  # the receiver strikes what did not come
    if "transfer" in forms:
        forms["transfer"].to_agency.choices = [(a.code, a.name) for a in list_agencies()
                                               if a.id != dossier.current_agency_id]
    return forms


def _reader_view(dossier):
    return privacy.for_reader(current_user, dossier, disclosed=dossier.id in session.get(DISCLOSED_KEY, []))


@bp.route("/dossiers/<code>")
@roles_required(*READERS)
def detail(code: str):
    dossier = get_dossier_for(current_user, code)
    d = _reader_view(dossier)
    page = dossier_page(dossier, masked=d is not dossier)
    return render_template("dossiers/detail.html", page=page, d=d, forms=_action_forms(dossier, page),
                           disclose_form=DiscloseForm(prefix="disclose") if d is not dossier else None,
                           pin_locked=is_locked(dossier.code),
                           **page_sections(dossier))


@bp.route("/supervision")
@roles_required("supervisor")
def supervision():
    """The supervisor's read-only list of the subtree's dossiers, newest first (search by code or name)."""
    search = (request.args.get("q") or "").strip()[:200] or None
    rows = listing.list_dossiers_for(current_user, listing.DossierFilter(search=search, limit=100))
    return render_template("dossiers/supervision.html", dossiers=rows[:100], search=search or "")


@bp.route("/dossiers/<code>/disclose", methods=["POST"])
@roles_required("supervisor")
def disclose(code: str):
    """A supervisor opens the personal data of one dossier, for this session, with a logged reason."""
    dossier = get_dossier_for(current_user, code)
    form = DiscloseForm(prefix="disclose")
    with unit_of_work():
        privacy.disclose(current_user, dossier, form.reason.data or "", remote_addr=request.remote_addr)
    session[DISCLOSED_KEY] = ([i for i in session.get(DISCLOSED_KEY, []) if i != dossier.id]
                              + [dossier.id])[-MAX_DISCLOSED:]
    flash(_("Đã ghi nhận lý do; thông tin cá nhân của hồ sơ được hiển thị trong phiên làm việc này."), "info")
    return redirect(url_for("dossiers.detail", code=code))


@bp.route("/dossiers/<code>/model.bpmn")
@roles_required(*READERS)
def model_xml(code: str):
    """The exact model version this dossier runs on (for the read-only diagram)."""
    page = dossier_page(get_dossier_for(current_user, code))
    return Response(page.version.xml, mimetype="application/xml",
                    headers={"Cache-Control": "private, max-age=3600"})


def _redisplay(dossier, form_name: str, form):
    page = dossier_page(dossier)
    forms = _action_forms(dossier, page)
    forms[form_name] = form
    return render_template("dossiers/detail.html", page=page, d=dossier, forms=forms,
                           open_form=form_name,
                           **page_sections(dossier)), 422


@bp.route("/dossiers/<code>/comments", methods=["POST"])
@roles_required(*OFFICIALS)
def comment(code: str):
    dossier = get_dossier_for(current_user, code)
    form = CommentForm(prefix="comment")
    if not form.validate_on_submit():
        return _redisplay(dossier, "comment", form)
    with unit_of_work():
        lifecycle.add_comment(current_user, code, form.text.data)
    flash(_("Đã thêm trao đổi nội bộ."), "success")
    return redirect(url_for("dossiers.detail", code=code) + "#timeline")


@bp.route("/dossiers/<code>/supplement", methods=["POST"])
@roles_required("receiver")
def supplement(code: str):
    dossier = get_dossier_for(current_user, code)
    form = SupplementForm(prefix="supplement")
    if not form.validate_on_submit():
        return _redisplay(dossier, "supplement", form)
    documents = [line.strip() for line in form.documents.data.splitlines() if line.strip()]
    from app.dossiers.intake_views import scanned_files

    with unit_of_work():
        lifecycle.receive_supplement(current_user, code, documents=documents, comment=form.comment.data or None)
        files_submitted.send(dossier, actor=current_user, stage="supplement",
                             uploads=scanned_files({}, field="supplement-files"))
    flash(_("Đã nhận hồ sơ bổ sung; thời hạn giải quyết được tính lại từ đầu."), "success")
    return redirect(url_for("dossiers.detail", code=code))


@bp.route("/dossiers/<code>/withdraw", methods=["POST"])
@roles_required("receiver")
def withdraw(code: str):
    dossier = get_dossier_for(current_user, code)
    form = WithdrawForm(prefix="withdraw")
    if not form.validate_on_submit():
        return _redisplay(dossier, "withdraw", form)
    with unit_of_work():
        lifecycle.withdraw(current_user, code, reason=form.reason.data)
    flash(_("Đã dừng giải quyết hồ sơ theo đề nghị của người nộp."), "success")
    return redirect(url_for("dossiers.detail", code=code))


@bp.route("/dossiers/<code>/refuse-receipt", methods=["POST"])
@roles_required("receiver")
def refuse_receipt(code: str):
    """Refuse to receive an online dossier (the applicant is told the reason)."""
    dossier = get_dossier_for(current_user, code)
    form = RefuseReceiptForm(prefix="refuse_receipt")
    if not form.validate_on_submit():
        return _redisplay(dossier, "refuse_receipt", form)
    with unit_of_work():
        lifecycle.refuse_receipt(current_user, code, reason=form.reason.data)
    flash(_("Đã từ chối tiếp nhận hồ sơ; người nộp được thông báo lý do."), "success")
    return redirect(url_for("dossiers.detail", code=code))


@bp.route("/dossiers/<code>/apology", methods=["POST"])
@roles_required("leader", "receiver")
def apology(code: str):
    dossier = get_dossier_for(current_user, code)
    form = ApologyForm(prefix="apology")
    if not form.validate_on_submit():
        return _redisplay(dossier, "apology", form)
    new_due = datetime.combine(form.new_date.data, form.new_time.data, tzinfo=LOCAL_TZ)
    with unit_of_work():
        lifecycle.apologize(current_user, code, reason=form.reason.data, new_due_at=new_due)
    flash(_("Đã gửi thư xin lỗi và hẹn lại ngày trả kết quả."), "success")
    return redirect(url_for("dossiers.detail", code=code))


@bp.route("/dossiers/<code>/verification", methods=["POST"])
@roles_required("specialist", "leader")
def verification(code: str):
    dossier = get_dossier_for(current_user, code)
    form = VerificationForm(prefix="verification")
    if not form.validate_on_submit():
        return _redisplay(dossier, "verification", form)
    with unit_of_work():
        lifecycle.extend_for_verification(current_user, code, reason=form.reason.data)
    flash(_("Đã gia hạn thời hạn giải quyết để xác minh."), "success")
    return redirect(url_for("dossiers.detail", code=code))


@bp.route("/dossiers/<code>/transfer", methods=["POST"])
@roles_required(*OFFICIALS)
def transfer(code: str):
    dossier = get_dossier_for(current_user, code)
    form = TransferForm(prefix="transfer")
    form.to_agency.choices = [(a.code, a.name) for a in list_agencies()]
    if not form.validate_on_submit():
        return _redisplay(dossier, "transfer", form)
    with unit_of_work():
        lifecycle.transfer(current_user, code, to_agency_code=form.to_agency.data, reason=form.reason.data)
    flash(_("Đã chuyển hồ sơ sang đơn vị khác."), "success")
    return redirect(url_for("inbox.index"))


from app.dossiers import counter_views, intake_views, task_views  # noqa: E402,F401  (routes registered on `bp`)
