"""Form editor pages: form-js editor with live preview; saving validates and writes forms/<key>.json."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_login import current_user

from app.core.errors import ValidationError
from app.core.permissions import roles_required
from app.designer import form_files
from app.designer.views import bp

designer_only = roles_required("designer")


@bp.route("/forms")
@designer_only
def forms():
    return render_template("designer/forms.html", keys=form_files.list_forms())


@bp.route("/forms/<path:form_key>/edit")
@designer_only
def form_editor(form_key: str):
    form_files.form_path(form_key)
    schema = form_files.load_form(form_key) if request.args.get("new") is None else \
        {"type": "default", "components": [], "schemaVersion": 16}
    return render_template("designer/form_editor.html", form_key=form_key, schema=schema)


@bp.route("/forms/<path:form_key>", methods=["POST"])
@designer_only
def save_form(form_key: str):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or "schema" not in payload:
        raise ValidationError("Thiếu nội dung biểu mẫu.", "The form schema is missing.")
    form_files.save_form(current_user, form_key, payload["schema"])
    return jsonify({"form_key": form_key, "saved": True})
