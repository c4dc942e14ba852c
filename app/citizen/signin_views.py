"""Citizen sign-in with the national identity provider (OpenID Connect), sign-out, and "my dossiers"."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.citizen import services
from app.citizen.views import bp
from app.connectors import identity
from app.core.db import unit_of_work
from app.core.permissions import CITIZEN_SESSION_KEY, citizen_required, public
from app.extensions import limiter

logger = logging.getLogger(__name__)
NEXT_KEY = "citizen_next"


def current_citizen():
    """The signed-in citizen (views decorated with citizen_required only)."""
    return services.get_citizen(session[CITIZEN_SESSION_KEY]["id"])


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host): never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return None
    return target


@bp.route("/cong-dan/dang-nhap")
@public
def sign_in():
    """The portal's sign-in page: one button to the identity provider."""
    session[NEXT_KEY] = _safe_next(request.args.get("next")) or url_for("citizen.my_dossiers")
    configured = all(current_app.config.get(s) for s in identity.SETTINGS)
    return render_template("citizen/sign_in.html", configured=configured)


@bp.route("/cong-dan/dang-nhap/vneid")
@public
@limiter.limit("20 per minute")
def sign_in_start():
    return identity.authorize_redirect(url_for("citizen.sign_in_callback", _external=True))


@bp.route("/cong-dan/dang-nhap/callback")
@public
@limiter.limit("20 per minute")
def sign_in_callback():
    try:
        claims = identity.finish_sign_in()
    except identity.OAuthError as error:
        logger.warning("Citizen sign-in refused: %s", error.error)
        flash(_("Đăng nhập không thành công. Vui lòng thử lại."), "danger")
        return redirect(url_for("citizen.sign_in"))
    with unit_of_work():
        citizen = services.sign_in(current_app.config["OIDC_ISSUER"], claims)
        identity_row = {"id": citizen.id, "id_number": citizen.id_number, "name": citizen.full_name}
    target = session.pop(NEXT_KEY, None) or url_for("citizen.my_dossiers")
    session[CITIZEN_SESSION_KEY] = identity_row
    session.permanent = True
    return redirect(target)


@bp.route("/cong-dan/dang-xuat", methods=["POST"])
@public
def sign_out():
    session.pop(CITIZEN_SESSION_KEY, None)
    flash(_("Ông/bà đã đăng xuất."), "info")
    return redirect(url_for("citizen.sign_in"))


@bp.route("/cong-dan/ho-so")
@citizen_required
def my_dossiers():
    citizen = current_citizen()
    return render_template("citizen/my_dossiers.html", citizen=citizen, dossiers=services.list_dossiers(citizen))
