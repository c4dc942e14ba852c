"""Sign-in, sign-out, own password change and language switch."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services, throttle
from app.auth.events import Client
from app.auth.forms import LoginForm, PasswordChangeForm
from app.core.db import unit_of_work
from app.core.errors import AppError
from app.core.permissions import login_required, public

bp = Blueprint("auth", __name__)

SESSION_VERSION_KEY = "_sv"  # checked by the user loader (app/__init__.py) against users.session_version
KEPT_ON_SIGN_OUT = ("lang",)


def _safe_next(target: str | None) -> str:
    """Only follow same-site relative redirects after sign-in."""
    if target and urlparse(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


def _client() -> Client:
    return Client(remote_addr=request.remote_addr)


def start_session(user) -> None:
    """A fresh session (no fixation) bound to the user's current session version."""
    kept = {k: session[k] for k in KEPT_ON_SIGN_OUT if k in session}
    session.clear()
    session.update(kept)
    login_user(user)
    session[SESSION_VERSION_KEY] = user.session_version
    session.permanent = True  # PERMANENT_SESSION_LIFETIME is the idle timeout (refreshed on every request)


def _refuse(form: LoginForm, error: AppError, status: int):
    flash(error.message(_locale_code()), "danger")
    return render_template("auth/login.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username, client = form.username.data, _client()
        try:
            with unit_of_work():
                user = services.authenticate(username, form.password.data, client)
        except throttle.LoginThrottledError as error:
            with unit_of_work():
                services.record_login_failure(username, client, locked_out=True)
            return _refuse(form, error, 429)
        except services.InvalidCredentialsError as error:
            with unit_of_work():  # the sign-in's own unit of work rolled back: count the failure in another
                services.record_login_failure(username, client)
            return _refuse(form, error, 401)
        start_session(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    with unit_of_work():  # a copied session cookie must not outlive the logout
        services.end_sessions(current_user, _client())
    logout_user()
    kept = {k: session[k] for k in KEPT_ON_SIGN_OUT if k in session}
    session.clear()
    session.update(kept)
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with unit_of_work():
            services.change_own_password(current_user, form.current.data, form.new.data)
        session[SESSION_VERSION_KEY] = current_user.session_version  # this session goes on, the others end
        flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str):
    if code in ("vi", "en"):
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next") or request.referrer and urlparse(request.referrer).path))


def _locale_code() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "vi")
