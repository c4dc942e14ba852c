"""Profile page where a user creates and revokes their personal API tokens."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import unit_of_work
from app.core.permissions import login_required
from app.tokens import services
from app.tokens.forms import TokenCreateForm, TokenRevokeForm

bp = Blueprint("tokens", __name__, url_prefix="/profile/tokens")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form, new_token = TokenCreateForm(), None
    if form.validate_on_submit():
        with unit_of_work():
            _token, new_token = services.create_token(current_user, current_user, form.name.data)
        flash(_("Đã tạo mã truy cập. Hãy sao chép ngay: mã chỉ hiển thị một lần."), "success")
        form = TokenCreateForm(formdata=None)
    return render_template("tokens/index.html", form=form, revoke_form=TokenRevokeForm(), new_token=new_token,
                           tokens=services.list_tokens(current_user))


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    if TokenRevokeForm().validate_on_submit():
        with unit_of_work():
            services.revoke_token(current_user, current_user, token_id)
        flash(_("Đã thu hồi mã truy cập."), "info")
    return redirect(url_for("tokens.index"))
