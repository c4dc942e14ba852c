"""Decision table pages: DMN library, dmn-js editor (save = draft, deploy = publish) and a server-side try-out."""
from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import unit_of_work
from app.core.errors import ValidationError
from app.core.permissions import roles_required
from app.designer import decision_tables as services
from app.designer.views import MAX_UPLOAD, bp

designer_only = roles_required("designer")


def _version_json(version) -> dict:
    return {"id": version.id, "number": version.number, "status": version.status,
            "decision_key": version.decision_key, "hash": version.content_hash[:12], "comment": version.comment}


@bp.route("/decisions")
@designer_only
def decisions():
    return render_template("designer/decisions.html", entries=services.list_decision_library())


@bp.route("/decisions/<decision_key>/edit")
@designer_only
def decision_editor(decision_key: str):
    version_id = request.args.get("version", type=int)
    version = services.get_decision_version(version_id) if version_id else services.latest_any_decision(decision_key)
    if version.decision_key != decision_key:
        abort(404)
    return render_template("designer/decision_editor.html", version=version, fields=services.input_fields(version))


@bp.route("/decision-versions/<int:version_id>.dmn")
@designer_only
def decision_xml(version_id: int):
    version = services.get_decision_version(version_id)
    filename = f"{version.decision_key}-v{version.number}.dmn"
    return Response(version.xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.route("/decisions/<decision_key>/save", methods=["POST"])
@designer_only
def save_decision(decision_key: str):
    payload = request.get_json(silent=True) or {}
    xml = payload.get("xml")
    if not isinstance(xml, str) or not xml.strip() or len(xml) > MAX_UPLOAD:
        raise ValidationError("Thiếu nội dung bảng quyết định.", "The decision table XML is missing.")
    with unit_of_work():
        version, created = services.save_decision_draft(current_user, xml, decision_key, payload.get("comment"))
        body = {"version": _version_json(version), "created": created, "findings": []}
    return jsonify(body)


@bp.route("/decision-versions/<int:version_id>/deploy", methods=["POST"])
@designer_only
def deploy_decision(version_id: int):
    payload = request.get_json(silent=True) if request.is_json else request.form
    with unit_of_work():
        version = services.deploy_decision(current_user, version_id, (payload or {}).get("comment", ""))
        body = _version_json(version)
    if request.is_json:
        return jsonify(body)
    flash(_("Đã triển khai phiên bản %(number)s của %(key)s.", number=body["number"], key=body["decision_key"]),
          "success")
    return redirect(url_for("designer.decisions"))


@bp.route("/decision-versions/<int:version_id>/try")
@designer_only
def try_decision(version_id: int):
    version = services.get_decision_version(version_id)
    result = services.try_decision(version, request.args.get("decision", ""), request.args)
    return render_template("designer/_decision_try.html", result=result, version=version)
