"""Officials' dossier page and the legal actions on it; the counter intake and task pages live beside it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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


def _receive_supplement(dossier, form) -> None:
    from app.dossiers.intake_views import scanned_files

    documents = [line.strip() for line in form.documents.data.splitlines() if line.strip()]
    lifecycle.receive_supplement(current_user, dossier.code, documents=documents, comment=form.comment.data or None)
    files_submitted.send(dossier, actor=current_user, stage="supplement",
                         uploads=scanned_files({}, field="supplement-files"))


def _apologize(dossier, form) -> None:
    new_due = datetime.combine(form.new_date.data, form.new_time.data, tzinfo=LOCAL_TZ)
    lifecycle.apologize(current_user, dossier.code, reason=form.reason.data, new_due_at=new_due)


def _agency_choices(form) -> None:
    form.to_agency.choices = [(a.code, a.name) for a in list_agencies()]


@dataclass(frozen=True)
class PostAction:
    """One legal action posted from the dossier page: who may post it, its form (FORMS), the lifecycle call made in
    one unit of work, what the official is told and where they go next. A form that does not validate is shown
    again in place (422)."""

    action: str
    path: str
    roles: tuple[str, ...]
    run: Callable[[Any, Any], None]
    done: Any  # lazy message
    prepare: Callable[[Any], None] | None = None
    after: Callable[[str], str] = lambda code: url_for("dossiers.detail", code=code)


POST_ACTIONS = (
    PostAction("comment", "comments", OFFICIALS,
               lambda d, f: lifecycle.add_comment(current_user, d.code, f.text.data), _l("Đã thêm trao đổi nội bộ."),
               after=lambda code: url_for("dossiers.detail", code=code) + "#timeline"),
    PostAction("receive_supplement", "supplement", ("receiver",), _receive_supplement,
               _l("Đã nhận hồ sơ bổ sung; thời hạn giải quyết được tính lại từ đầu.")),
    PostAction("withdraw", "withdraw", ("receiver",),
               lambda d, f: lifecycle.withdraw(current_user, d.code, reason=f.reason.data),
               _l("Đã dừng giải quyết hồ sơ theo đề nghị của người nộp.")),
    PostAction("refuse_receipt", "refuse-receipt", ("receiver",),  # an online dossier; the applicant reads why
               lambda d, f: lifecycle.refuse_receipt(current_user, d.code, reason=f.reason.data),
               _l("Đã từ chối tiếp nhận hồ sơ; người nộp được thông báo lý do.")),
    PostAction("apologize", "apology", ("leader", "receiver"), _apologize,
               _l("Đã gửi thư xin lỗi và hẹn lại ngày trả kết quả.")),
    PostAction("extend_for_verification", "verification", ("specialist", "leader"),
               lambda d, f: lifecycle.extend_for_verification(current_user, d.code, reason=f.reason.data),
               _l("Đã gia hạn thời hạn giải quyết để xác minh.")),
    PostAction("transfer", "transfer", OFFICIALS,
               lambda d, f: lifecycle.transfer(current_user, d.code, to_agency_code=f.to_agency.data,
                                               reason=f.reason.data),
               _l("Đã chuyển hồ sơ sang đơn vị khác."), prepare=_agency_choices,
               after=lambda _code: url_for("inbox.index")),
)


def _register(spec: PostAction) -> None:
    form_name, form_class = FORMS[spec.action]

    def view(code: str):
        dossier = get_dossier_for(current_user, code)
        form = form_class(prefix=form_name)
        if spec.prepare is not None:
            spec.prepare(form)
        if not form.validate_on_submit():
            return _redisplay(dossier, form_name, form)
        with unit_of_work():
            spec.run(dossier, form)
        flash(str(spec.done), "success")
        return redirect(spec.after(code))

    view.__name__ = view.__qualname__ = form_name  # the endpoint: dossiers.<form name>
    bp.add_url_rule(f"/dossiers/<code>/{spec.path}", form_name, roles_required(*spec.roles)(view),
                    methods=["POST"])


for _spec in POST_ACTIONS:
    _register(_spec)


from app.dossiers import counter_views, intake_views, task_views  # noqa: E402,F401  (routes registered on `bp`)
