"""Task page: the dossier at a glance and the step's form (form-js viewer, plain HTML without JavaScript)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import unit_of_work
from app.core.permissions import OFFICIAL_ROLES, roles_required
from app.dossiers import attachments, lifecycle
from app.dossiers.intake_views import submitted_form_data
from app.dossiers.models import Dossier
from app.dossiers.pages import dossier_page, task_defaults
from app.dossiers.task_forms import check_submission, load_form
from app.dossiers.views import bp
from app.extensions import db

OFFICIALS = OFFICIAL_ROLES
REASON_DECISIONS = ("refuse", "reject", "supplement")


def reason_error(data: dict, comment: str) -> str | None:
    """Where the law requires a reason (refusal, return to the previous step, supplement), ask for one."""
    decision = data.get("decision")
    if decision not in REASON_DECISIONS or comment:
        return None
    if decision == "supplement" and data.get("supplement_items"):
        return None
    if decision in ("refuse", "reject") and (data.get("refusal_reason") or data.get("opinion")):
        return None
    return _("Cần nêu rõ lý do cho quyết định này.")


def _render(task, data: dict | None, errors: dict, comment: str = "", status: int = 200):
    dossier = db.session.get(Dossier, task.dossier_id)
    schema = load_form(task.form_key) if task.form_key else None
    page = dossier_page(dossier)
    if data is None:
        data = task_defaults(page, task, current_user) if task.is_open else {}
    return render_template("dossiers/task.html", task=task, d=dossier, page=page, schema=schema,
                           data=data, errors=errors, comment=comment, files=attachments.list_attachments(dossier),
                           reason_decisions=REASON_DECISIONS), status


@bp.route("/tasks/<int:task_id>")
@roles_required(*OFFICIALS)
def task(task_id: int):
    task = lifecycle.get_task(task_id)
    lifecycle.ensure_can_work(current_user, task)
    return _render(task, None, {})


@bp.route("/tasks/<int:task_id>", methods=["POST"])
@roles_required(*OFFICIALS)
def complete(task_id: int):
    task = lifecycle.get_task(task_id)
    lifecycle.ensure_can_work(current_user, task)
    data, comment = submitted_form_data(), (request.form.get("comment") or "").strip()
    _cleaned, errors = check_submission(task.form_key, data)
    problem = reason_error(data, comment)
    if problem:
        errors["_comment"] = [problem]
    if errors:
        return _render(task, data, errors, comment, 422)
    with unit_of_work():
        dossier = lifecycle.complete_task(current_user, task_id, data, comment=comment or None).dossier
    flash(_("Đã hoàn thành bước “%(step)s” của hồ sơ %(code)s.", step=task.name, code=dossier.code), "success")
    return redirect(url_for("inbox.index", tab="mine"))
