"""Task page: the dossier at a glance and the step's form (form-js viewer, plain HTML without JavaScript)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import unit_of_work
from app.core.permissions import OFFICIAL_ROLES, roles_required
from app.core.signals import page_sections
from app.dossiers import lifecycle
from app.dossiers.actions import ACTIONS, allowed_decisions, available_actions
from app.dossiers.intake_views import submitted_form_data
from app.dossiers.models import Dossier
from app.dossiers.pages import dossier_page, task_defaults
from app.dossiers.task_forms import check_submission, decision_values, fields, load_form, restrict_decisions
from app.dossiers.views import FORMS, bp
from app.extensions import db

OFFICIALS = OFFICIAL_ROLES


def _message(messages: tuple[str, str]) -> str:
    return messages[1] if str(get_locale() or "vi") == "en" else messages[0]


def _render(task, data: dict | None, errors: dict, comment: str = "", status: int = 200):
    dossier = db.session.get(Dossier, task.dossier_id)
    schema = load_form(task.form_key) if task.form_key else None
    page = dossier_page(dossier)
    if data is None:
        data = task_defaults(page, task, current_user) if task.is_open else {}
    decisions = allowed_decisions(current_user, dossier, task, decision_values(task.form_key))
    if schema and decisions:
        schema = restrict_decisions(schema, set(decisions))
    keys = {c["key"] for c in fields(schema)} if schema else set()
    stray = [m for key, messages in errors.items() if key not in keys and key != "_comment" for m in messages]
    return render_template("dossiers/task.html", task=task, d=dossier, page=page, schema=schema,
                           data=data, errors=errors, stray_errors=stray, comment=comment,
                           reason_boxes=lifecycle.reason_boxes(task.form_key),
                           buttons={value: str(label) for value, label in decisions.items() if label},
                           **_other_actions(dossier, page, task), **page_sections(dossier)), status


def _other_actions(dossier: Dossier, page, task) -> dict:
    """What else this official may do from the task page (the declared actions only, no 403 dead ends)."""
    names = available_actions(current_user, dossier, page.open_tasks)
    return {"other_actions": [(FORMS[name][0], ACTIONS[name].label) for name in names if name != "comment"],
            "may_reassign": bool(available_actions(current_user, dossier, [task], names=("reassign",)))}


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
    problem = lifecycle.missing_reason(task.form_key, data, comment)
    if problem and problem[0] not in errors:  # the one reason box, in place
        errors[problem[0]] = [_message(problem[1])]
    if errors:
        return _render(task, data, errors, comment, 422)
    with unit_of_work():
        dossier = lifecycle.complete_task(current_user, task_id, data, comment=comment or None).dossier
    flash(_("Đã hoàn thành bước “%(step)s” của hồ sơ %(code)s.", step=task.name, code=dossier.code), "success")
    return redirect(url_for("inbox.index", tab="mine"))
