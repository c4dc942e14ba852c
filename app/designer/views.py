"""Designer pages: model library, BPMN editor (save = draft, deploy = publish), import, diff."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import unit_of_work
from app.core.errors import ValidationError
from app.core.permissions import roles_required
from app.core.timefmt import LOCAL_TZ
from app.designer import import_vi, services, simulator

bp = Blueprint("designer", __name__, url_prefix="/designer")
designer_only = roles_required("designer")
MAX_UPLOAD = 5_000_000


def _version_json(version) -> dict:
    return {"id": version.id, "number": version.number, "status": version.status, "process_key": version.process_key,
            "hash": version.content_hash[:12], "comment": version.comment}


@bp.route("/")
@designer_only
def library():
    return render_template("designer/library.html", entries=services.list_library())


@bp.route("/models/<process_key>/edit")
@designer_only
def editor(process_key: str):
    return render_template("designer/editor.html", version=_requested_version(process_key))


def _requested_version(process_key: str):
    """The version `?version=N` names (it must belong to this model), else the model's latest."""
    version_id = request.args.get("version", type=int)
    version = services.get_version(version_id) if version_id else services.latest_any(process_key)
    if version.process_key != process_key:
        abort(404)
    return version


@bp.route("/versions/<int:version_id>.bpmn")
@designer_only
def version_xml(version_id: int):
    version = services.get_version(version_id)
    return Response(version.xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'inline; filename="{version.process_key}-v{version.number}.bpmn"'})


@bp.route("/models/<process_key>/save", methods=["POST"])
@designer_only
def save(process_key: str):
    payload = request.get_json(silent=True) or {}
    xml = payload.get("xml")
    if not isinstance(xml, str) or not xml.strip() or len(xml) > MAX_UPLOAD:
        raise ValidationError("Thiếu nội dung mô hình.", "The model XML is missing.")
    with unit_of_work():
        result = services.save_draft(current_user, xml, process_key=process_key, comment=payload.get("comment"))
        body = {"version": _version_json(result.version), "created": result.created,
                "findings": services.findings_as_dicts(result.findings),
                "warnings": services.findings_as_dicts(result.warnings)}
    return jsonify(body)


@bp.route("/versions/<int:version_id>/deploy", methods=["POST"])
@designer_only
def deploy(version_id: int):
    payload = request.get_json(silent=True) if request.is_json else request.form
    with unit_of_work():
        version = services.deploy_version(current_user, version_id, (payload or {}).get("comment", ""))
        body = _version_json(version)
    if request.is_json:
        return jsonify(body)
    flash(_("Đã triển khai phiên bản %(number)s của %(key)s.", number=body["number"], key=body["process_key"]),
          "success")
    return redirect(url_for("designer.library"))


@bp.route("/import", methods=["GET", "POST"])
@designer_only
def import_model():
    if request.method == "GET":
        return render_template("designer/import.html", report=None)
    upload = request.files.get("file")
    data = upload.read(MAX_UPLOAD + 1) if upload else b""
    if not data or len(data) > MAX_UPLOAD:
        raise ValidationError("Hãy chọn một tệp BPMN (tối đa 5 MB).", "Choose a BPMN file (5 MB at most).")
    with unit_of_work():
        report = services.import_model(current_user, data, upload.filename or "upload.bpmn",
                                       make_executable=request.form.get("executable") == "1")
    return render_template("designer/import.html", report=report, message_vi=import_vi.message_vi,
                           fix_vi=import_vi.fix_vi)


@bp.route("/diff")
@designer_only
def diff():
    old_id, new_id = request.args.get("old", type=int), request.args.get("new", type=int)
    if not old_id or not new_id:
        raise ValidationError("Chọn hai phiên bản để so sánh.", "Choose two versions to compare.")
    view = services.diff(old_id, new_id)
    return render_template("designer/diff.html", view=view)


from app.designer import views_decisions, views_forms, views_migration  # noqa: E402,F401  (routes registered on `bp`)


@bp.route("/models/<process_key>/simulate")
@designer_only
def simulate(process_key: str):
    """Deadline simulator: receipt date/time and agency in, each step's start and due along every path out."""
    version = _requested_version(process_key)
    agencies = simulator.candidate_agencies(process_key)
    received_text = request.args.get("received", "").strip()
    agency_id = request.args.get("agency", type=int)
    result = None
    if received_text:
        try:
            received = datetime.strptime(received_text, "%d/%m/%Y %H:%M").replace(tzinfo=LOCAL_TZ)
        except ValueError:
            raise ValidationError("Ngày giờ tiếp nhận phải có dạng dd/mm/yyyy HH:MM.",
                                  "The receipt time must read dd/mm/yyyy HH:MM.") from None
        result = simulator.simulate(version.xml, process_key, received, agency_id)
    return render_template("designer/simulate.html", version=version, agencies=agencies, agency_id=agency_id,
                           received_text=received_text, sim=result)
