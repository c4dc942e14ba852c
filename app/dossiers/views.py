"""Officials' dossier page and the legal actions on it; the counter intake and task pages live beside it."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.services import list_agencies
from app.core.db import unit_of_work
from app.core.permissions import ensure_role, roles_required
from app.core.timefmt import LOCAL_TZ
from app.dossiers import labels, lifecycle
from app.dossiers.forms import ApologyForm, CommentForm, SupplementForm, TransferForm, WithdrawForm
from app.dossiers.models import DossierStatus
from app.dossiers.pages import dossier_page
from app.dossiers.pins import is_locked
from app.dossiers.services import get_dossier_for
from app.notify.services import list_notifications

bp = Blueprint("dossiers", __name__)
bp.app_context_processor(labels.label_globals)

OFFICIALS = ("receiver", "specialist", "leader", "clerk", "returner", "admin", "auditor")


def _action_forms(dossier, page) -> dict:
    """The action forms this official may use on this dossier (the services check again)."""
    forms = {"comment": CommentForm(prefix="comment")}
    receiver = current_user.has_role("receiver", dossier.receiving_agency)
    if receiver and dossier.status is DossierStatus.WAITING_SUPPLEMENT:
        forms["supplement"] = SupplementForm(prefix="supplement")
    if receiver and dossier.is_open and dossier.result_ready_at is None:
        forms["withdraw"] = WithdrawForm(prefix="withdraw")
    if dossier.is_open and current_user.has_role("leader", dossier.current_agency) and dossier.apology_count == 0:
        forms["apology"] = ApologyForm(prefix="apology")
    if page.open_tasks and all(current_user.has_role(t.role, dossier.current_agency) for t in page.open_tasks):
        transfer = TransferForm(prefix="transfer")
        transfer.to_agency.choices = [(a.code, a.name) for a in list_agencies() if a.id != dossier.current_agency_id]
        forms["transfer"] = transfer
    return forms


@bp.route("/dossiers/<code>")
@roles_required(*OFFICIALS)
def detail(code: str):
    dossier = get_dossier_for(current_user, code)
    page = dossier_page(dossier)
    return render_template("dossiers/detail.html", page=page, d=dossier, forms=_action_forms(dossier, page),
                           notifications=list_notifications(dossier.id), pin_locked=is_locked(dossier.code))


@bp.route("/dossiers/<code>/model.bpmn")
@roles_required(*OFFICIALS)
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
                           open_form=form_name), 422


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
    with unit_of_work():
        lifecycle.receive_supplement(current_user, code, documents=documents, comment=form.comment.data or None)
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


@bp.route("/dossiers/<code>/apology", methods=["POST"])
@roles_required("leader")
def apology(code: str):
    dossier = get_dossier_for(current_user, code)
    ensure_role(current_user, ["leader"], dossier.current_agency)
    form = ApologyForm(prefix="apology")
    if not form.validate_on_submit():
        return _redisplay(dossier, "apology", form)
    new_due = datetime.combine(form.new_date.data, form.new_time.data, tzinfo=LOCAL_TZ)
    with unit_of_work():
        lifecycle.apologize(current_user, code, reason=form.reason.data, new_due_at=new_due)
    flash(_("Đã gửi thư xin lỗi và hẹn lại ngày trả kết quả."), "success")
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


from app.dossiers import intake_views, task_views  # noqa: E402,F401  (routes registered on `bp`)
