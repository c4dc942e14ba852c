"""Admin pages of the citizens' message templates: the list, one template's versions, edit with preview."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import unit_of_work
from app.core.errors import PermissionDeniedError, ValidationError
from app.core.permissions import is_global, roles_required
from app.core.timefmt import format_date
from app.notify import message_templates as templates
from app.notify.forms import MessageTemplateForm
from app.notify.messages import KINDS, variables_of

bp = Blueprint("message_templates", __name__, url_prefix="/admin/message-templates")


def _ensure_global_admin() -> None:
    """The templates speak for every agency of the installation: only an installation-wide admin edits them."""
    if not is_global(current_user, "admin"):
        raise PermissionDeniedError("Chỉ quản trị toàn hệ thống sửa được mẫu tin nhắn.",
                                    "Only an installation-wide admin may edit message templates.")


@bp.route("")
@roles_required("admin")
def index():
    _ensure_global_admin()
    return render_template("notify/message_templates.html", rows=templates.overview(), kinds=KINDS)


@bp.route("/<kind>/<channel>/<language>", methods=["GET", "POST"])
@roles_required("admin")
def edit(kind: str, channel: str, language: str):
    _ensure_global_admin()
    templates.check_key(kind, channel, language)
    if request.method == "GET":
        current = templates.text_in_force(kind, channel, language)
        form = MessageTemplateForm(formdata=None, subject=current.subject, body=current.body,
                                   valid_from=templates.local_today())
        return _edit_page(kind, channel, language, form, [], None)
    form = MessageTemplateForm()
    if not form.validate():
        return _edit_page(kind, channel, language, form, [], None), 422
    subject, body = (form.subject.data or "") if channel == "email" else "", form.body.data
    problems = templates.template_problems(kind, channel, subject, body)
    if form.valid_from.data < templates.local_today():
        problems.append(_("Chỉ áp dụng mẫu từ hôm nay trở đi: tin nhắn đã gửi giữ nguyên nội dung."))
    if not problems and request.form.get("action") == "save":
        with unit_of_work():
            version = templates.save_template(current_user, kind, channel, language, subject=subject, body=body,
                                              valid_from=form.valid_from.data)
        flash(_("Đã lưu mẫu, áp dụng từ %(day)s.", day=format_date(version.valid_from)), "success")
        return redirect(url_for("message_templates.edit", kind=kind, channel=channel, language=language))
    rendered = None if problems else _preview(kind, channel, language, subject, body, problems)
    return _edit_page(kind, channel, language, form, problems, rendered), 422 if problems else 200


def _edit_page(kind: str, channel: str, language: str, form: MessageTemplateForm, problems: list[str],
               rendered: tuple[str, str] | None) -> str:
    return render_template(
        "notify/message_template_edit.html", kind=kind, channel=channel, language=language, label=KINDS[kind].label,
        form=form, problems=problems, rendered=rendered, variables=variables_of(kind, channel),
        default=templates.default_text(kind, channel, language),
        versions=templates.list_versions(kind, channel, language), today=templates.local_today())


def _preview(kind: str, channel: str, language: str, subject: str, body: str, problems: list[str]):
    try:
        return templates.preview(kind, channel, language, subject, body)
    except ValidationError as error:
        problems.append(error.message(str(get_locale() or "vi")))
        return None


@bp.route("/<kind>/<channel>/<language>/<int:version_id>/delete", methods=["POST"])
@roles_required("admin")
def delete(kind: str, channel: str, language: str, version_id: int):
    _ensure_global_admin()
    with unit_of_work():
        templates.delete_scheduled(kind, channel, language, version_id)
    flash(_("Đã xoá phiên bản chưa áp dụng."), "success")
    return redirect(url_for("message_templates.edit", kind=kind, channel=channel, language=language))
