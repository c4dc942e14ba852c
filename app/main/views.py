"""Home page (routes each role to its work) and a health probe."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from app.core.permissions import public
from app.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("main/home.html")


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon instead of a 404."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/healthz")
@public
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
