"""The officials' bell: unread count (polled by htmx), the notice list, mark read, the e-mail copy switch."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.db import unit_of_work
from app.core.permissions import login_required
from app.notify import notices

bp = Blueprint("notify", __name__, url_prefix="/notices")


@bp.route("")
@login_required
def index():
    items = [(notice, *notices.localized(notice)) for notice in notices.list_notices(current_user)]
    return render_template("notify/index.html", items=items, email_enabled=notices.email_enabled(current_user))


@bp.route("/bell")
@login_required
def bell():
    return render_template("notify/_bell.html", unread=notices.unread_count(current_user))


@bp.route("/<int:notice_id>/read", methods=["POST"])
@login_required
def read(notice_id: int):
    with unit_of_work():
        notices.mark_read(current_user, notice_id)  # scoped to the caller: another user's id changes nothing
    return redirect(url_for("notify.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    with unit_of_work():
        notices.mark_read(current_user)
    return redirect(url_for("notify.index"))


@bp.route("/email", methods=["POST"])
@login_required
def email():
    with unit_of_work():
        notices.set_email(current_user, request.form.get("enabled") == "1")
    return redirect(url_for("notify.index"))
