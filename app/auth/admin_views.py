"""Administration of users, role assignments and agencies (role `admin`, within its agency subtree)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import events, services
from app.auth.forms import AgencyForm, RoleGrantForm, UserCreateForm, UserEditForm
from app.core.db import unit_of_work
from app.core.permissions import admin_scope, roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _agency_choices(blank: str) -> list[tuple[str, str]]:
    """The agencies this admin manages; the blank (whole system / no parent) only for global admins."""
    choices = [(a.code, f"{a.name} ({a.code})") for a in services.managed_agencies(current_user)]
    return ([("", blank)] if admin_scope(current_user) is None else []) + choices


def _client() -> events.Client:
    return events.Client(remote_addr=request.remote_addr)


@bp.route("/users")
@roles_required("admin")
def users():
    return render_template("admin/users.html", users=services.list_users(current_user))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        with unit_of_work():
            user = services.create_user(current_user, username=form.username.data, full_name=form.full_name.data,
                                        password=form.password.data, email=form.email.data or None)
        flash(_("Đã tạo người dùng %(name)s.", name=user.username), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id: int):
    user = services.get_user_for(current_user, user_id)
    form = UserEditForm(obj=user)
    grant_form = RoleGrantForm(prefix="grant")
    grant_form.agency_code.choices = _agency_choices(_("(Toàn hệ thống)"))
    if form.validate_on_submit():
        with unit_of_work():
            services.set_enabled(current_user, user, form.is_enabled.data)
            if form.password.data:
                services.set_password(current_user, user, form.password.data)
        flash(_("Đã lưu."), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_edit.html", user=user, form=form, grant_form=grant_form,
                           can_manage=services.can_manage_user(current_user, user))


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@roles_required("admin")
def user_grant(user_id: int):
    services.get_user_for(current_user, user_id)  # out of scope: refused before the form is even read
    grant_form = RoleGrantForm(prefix="grant")
    if grant_form.validate_on_submit():
        with unit_of_work():
            user = services.get_user_for(current_user, user_id)
            services.grant_role(current_user, user, services.RoleGrant(grant_form.role.data,
                                                                        grant_form.agency_code.data or None))
        flash(_("Đã cấp vai trò."), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/roles/<int:assignment_id>/delete", methods=["POST"])
@roles_required("admin")
def user_revoke(user_id: int, assignment_id: int):
    with unit_of_work():
        services.revoke_role(current_user, services.get_user_for(current_user, user_id), assignment_id)
    flash(_("Đã thu hồi vai trò."), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.route("/agencies")
@roles_required("admin")
def agencies():
    return render_template("admin/agencies.html", agencies=services.managed_agencies(current_user))


@bp.route("/agencies/new", methods=["GET", "POST"])
@roles_required("admin")
def agency_new():
    form = AgencyForm()
    form.parent_code.choices = _agency_choices(_("(Không có)"))
    if form.validate_on_submit():
        with unit_of_work():
            services.create_agency(current_user, code=form.code.data, name=form.name.data, level=form.level.data,
                                   parent_code=form.parent_code.data or None, edoc_code=form.edoc_code.data or None,
                                   name_en=form.name_en.data or None)
        flash(_("Đã tạo đơn vị."), "success")
        return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=None)


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@roles_required("admin")
def agency_edit(agency_id: int):
    agency = services.get_agency_for(current_user, agency_id)
    form = AgencyForm(obj=agency)
    form.parent_code.choices = _agency_choices(_("(Không có)"))
    if form.validate_on_submit():
        with unit_of_work():
            services.update_agency(current_user, agency, name=form.name.data, name_en=form.name_en.data or None,
                                   edoc_code=form.edoc_code.data or None, is_active=form.is_active.data)
        flash(_("Đã lưu."), "success")
        return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency)


@bp.route("/auth-events")
@roles_required("admin", "auditor")
def auth_events():
    """Sign-ins and account changes within the reader's scope."""
    kind = request.args.get("kind") or None
    rows = events.list_auth_events(current_user, kind=kind if kind in events.KINDS else None)
    return render_template("admin/auth_events.html", rows=rows, names=events.target_names(rows),
                           kinds=events.KINDS, kind=kind)
