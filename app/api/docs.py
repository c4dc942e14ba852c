"""GET /api/v1/openapi.json (generated spec) and /api/v1/docs (Swagger UI from npm, static init script)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from app.core.permissions import public

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


@bp.route("/openapi.json")
@public
def openapi_json():
    api = current_app.extensions["motcua_api"]
    return jsonify(api.spec.to_dict())


@bp.route("/docs")
@public
def docs():
    return render_template("api/docs.html")
