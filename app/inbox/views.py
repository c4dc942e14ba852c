"""Task inboxes: my tasks, the queue of my roles and the leader's team view; claim, unclaim, reassign."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.models import Agency
from app.catalog.services import list_procedures
from app.core.db import unit_of_work
from app.core.permissions import OFFICIAL_ROLES, ensure_role, roles_required
from app.dossiers.actions import available_actions
from app.dossiers.lifecycle import get_task
from app.extensions import db
from app.inbox import services
from app.inbox.forms import ReassignForm, SaveViewForm
from app.inbox.presenters import build_rows, decode_cursor, encode_cursor
from app.workflow.models import StepKind

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

OFFICIALS = OFFICIAL_ROLES
TABS = ("mine", "queue", "team", "done")
FILTER_KEYS = ("tab", "procedure", "step", "overdue", "due_today", "q", "sort")
STEP_KINDS = tuple(StepKind)
#: columns the official may sort by (the header links), per tab
SORTABLE = {"code": _l("Mã hồ sơ"), "received": _l("Tiếp nhận"), "due": _l("Hạn bước"), "deadline": _l("Hạn trả"),
            "completed": _l("Hoàn thành")}


def _filter_from_args() -> services.InboxFilter:
    args = request.args
    tab = args.get("tab") if args.get("tab") in TABS else "mine"
    sort = args.get("sort") if (args.get("sort") or "").lstrip("-") in services.SORTS else None
    flt = services.InboxFilter(
        scope=tab, procedure_code=args.get("procedure") or None,
        step_kind=args.get("step") if args.get("step") in STEP_KINDS else None,
        overdue=args.get("overdue") == "1", due_today=args.get("due_today") == "1",
        search=(args.get("q") or "").strip()[:200] or None, limit=current_app.config["INBOX_PAGE_SIZE"], sort=sort)
    after = decode_cursor(args.get("after"))
    if after and (after[0] is None or isinstance(after[0], str) == (flt.order[0] == "code")):
        flt.after = after  # a cursor of another column's type starts from the first page
    return flt


def _filters_query() -> str:
    return urlencode([(k, request.args[k]) for k in FILTER_KEYS if request.args.get(k)])


def _sort_links(flt: services.InboxFilter) -> dict[str, dict]:
    """Each sortable column's link (the other filters kept) and its state: the order lives in the URL."""
    key, descending = flt.order
    args = {k: request.args[k] for k in FILTER_KEYS if request.args.get(k) and k != "sort"}
    links = {}
    for name in SORTABLE:
        current = name == key
        target = ("" if current and descending else "-") + name if current else name
        links[name] = {"url": url_for("inbox.index", **{**args, "tab": flt.scope, "sort": target}),
                       "aria": ("descending" if descending else "ascending") if current else "none"}
    return links


@bp.route("/")
@roles_required(*OFFICIALS)
def index():
    flt = _filter_from_args()
    pairs = services.list_inbox(current_user, flt)
    next_url = None
    if len(pairs) == flt.limit:
        args = {k: request.args[k] for k in FILTER_KEYS if request.args.get(k)}
        task, dossier = pairs[-1]
        next_url = url_for("inbox.index", **args, after=encode_cursor(services.cursor_value(flt, task, dossier),
                                                                      task.id))
    rows = build_rows(pairs)
    return render_template(
        "inbox/index.html", flt=flt, rows=rows if flt.scope == "done" else _with_permissions(rows),
        counts=services.inbox_counts(current_user), sort_links=_sort_links(flt), sortable=SORTABLE,
        procedures=list_procedures(), step_kinds=STEP_KINDS, next_url=next_url,
        is_leader=current_user.has_role("leader"), saved_views=services.list_saved_views(current_user),
        view_form=SaveViewForm(query=_filters_query()), filters_query=_filters_query(),
        risks={} if flt.scope == "done" else _late_risks(pairs))


def _late_risks(pairs: list) -> dict:
    """The early warning's P(late) per task (app.reports registers it: the inbox sits below reports)."""
    return current_app.extensions.get("late_risks", lambda _pairs: {})(pairs)


def _with_permissions(rows: list) -> list:
    """Offer "Nhận xử lý" only where the declared `complete_step` action allows this official (no 403 dead ends)."""
    for row in rows:
        row.may_work = bool(available_actions(current_user, row.dossier, [row.task], names=("complete_step",)))
    return rows


@bp.route("/counts")
@roles_required(*OFFICIALS)
def counts():
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "mine"
    return render_template("inbox/_tabs.html", counts=services.inbox_counts(current_user), tab=tab,
                           is_leader=current_user.has_role("leader"), filters_query="")


def _back() -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else url_for("inbox.index")


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@roles_required(*OFFICIALS)
def claim(task_id: int):
    with unit_of_work():
        task = services.claim_task(current_user, task_id).task
    flash(_("Bạn đã nhận xử lý công việc “%(name)s”.", name=task.name), "success")
    if request.form.get("open"):
        return redirect(url_for("dossiers.task", task_id=task_id))
    return redirect(_back())


@bp.route("/tasks/<int:task_id>/unclaim", methods=["POST"])
@roles_required(*OFFICIALS)
def unclaim(task_id: int):
    with unit_of_work():
        services.unclaim_task(current_user, task_id)
    flash(_("Đã trả công việc về hàng chờ."), "info")
    return redirect(_back())


@bp.route("/tasks/<int:task_id>/reassign", methods=["GET", "POST"])
@roles_required("leader")
def reassign(task_id: int):
    task = get_task(task_id)
    ensure_role(current_user, ["leader"], db.session.get(Agency, task.agency_id))
    form = ReassignForm()
    form.assignee_id.choices = [(u.id, u.full_name) for u in services.list_assignees(task)]
    if form.validate_on_submit():
        with unit_of_work():
            assignee = next(u for u in services.list_assignees(task) if u.id == form.assignee_id.data)
            services.reassign_task(current_user, task_id, assignee, form.reason.data)
        flash(_("Đã giao công việc cho %(name)s.", name=assignee.full_name), "success")
        return redirect(url_for("inbox.index", tab="team"))
    return render_template("inbox/reassign.html", task=task, form=form), 422 if form.errors else 200


@bp.route("/views", methods=["POST"])
@roles_required(*OFFICIALS)
def save_view():
    form = SaveViewForm()
    if form.validate_on_submit():
        with unit_of_work():
            view = services.save_view(current_user, form.name.data, form.query.data or "")
        flash(_("Đã lưu bộ lọc “%(name)s”.", name=view.name), "success")
        return redirect(url_for("inbox.index") + "?" + view.query)
    flash(_("Cần đặt tên cho bộ lọc."), "danger")
    return redirect(url_for("inbox.index"))


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@roles_required(*OFFICIALS)
def delete_view(view_id: int):
    with unit_of_work():
        services.delete_view(current_user, view_id)
    flash(_("Đã xóa bộ lọc."), "info")
    return redirect(url_for("inbox.index"))
