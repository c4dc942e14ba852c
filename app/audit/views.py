"""Auditor screens: dossier search, step-by-step replay, chain verification, re-execution, bundle export;
the admin's retention list and access log. Read-only on dossiers; every auditor view is itself logged."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.audit import anchors, reexecute, retention, services, verify
from app.audit.export import bundle_zip
from app.audit.replay import build_replay
from app.core.db import unit_of_work
from app.core.permissions import roles_required
from app.dossiers.services import can_view, get_dossier

bp = Blueprint("audit", __name__, url_prefix="/audit")
AUDIT_ROLES = ("auditor", "admin")


def _lang() -> str:
    return str(get_locale() or "vi")


def _log(action: str, dossier=None, detail: str | None = None) -> None:
    with unit_of_work():
        services.log_access(current_user, action, dossier=dossier, path=request.full_path.rstrip("?"),
                            remote_addr=request.remote_addr, detail=detail)


def _audited_dossier(code: str):
    dossier = get_dossier(code)
    services.ensure_can_audit(current_user, dossier)
    return dossier


@bp.route("/")
@roles_required(*AUDIT_ROLES)
def index():
    search = request.args.get("q", "")
    dossiers = services.list_auditable_dossiers(current_user, search)
    _log("search", detail=search or None)
    return render_template("audit/index.html", dossiers=dossiers, search=search)


@bp.route("/dossiers/<code>")
@roles_required(*AUDIT_ROLES)
def replay(code: str):
    dossier = _audited_dossier(code)
    view = build_replay(dossier)
    _log("replay", dossier)
    frames = [{"seq": f.event.seq, "active": list(f.point.active) if f.point else [],
               "ready": [bpmn_id for bpmn_id, _ in f.point.ready] if f.point else []} for f in view.frames]
    return render_template("audit/replay.html", view=view, dossier=dossier, chain=verify.verify_dossier(dossier),
                           payload={"xml": view.version.xml, "frames": frames})


@bp.route("/dossiers/<code>/verify", methods=["POST"])
@roles_required(*AUDIT_ROLES)
def verify_chain(code: str):
    dossier = _audited_dossier(code)
    report = verify.verify_dossier(dossier)
    problems = anchors.verify_anchors({dossier.id})
    _log("verify", dossier, "ok" if report.ok and not problems else "broken")
    if report.ok and not problems:
        flash(_ok_message(report), "success")
    messages = ([report.problem.message(_lang())] if report.problem else []) + [p.message(_lang()) for p in problems]
    for message in messages:
        flash(message, "danger")
    return redirect(url_for("audit.replay", code=code))


def _ok_message(report: verify.ChainReport) -> str:
    return _("Chuỗi sự kiện toàn vẹn: %(n)d sự kiện đã được kiểm tra.", n=report.events)


@bp.route("/dossiers/<code>/reexecute", methods=["POST"])
@roles_required(*AUDIT_ROLES)
def reexecute_dossier(code: str):
    dossier = _audited_dossier(code)
    report = reexecute.reexecute_dossier(dossier)
    _log("reexecute", dossier, report.outcome)
    flash(report.message(_lang()), "success" if report.ok else "danger")
    return redirect(url_for("audit.replay", code=code))


@bp.route("/dossiers/<code>/bundle.zip")
@roles_required(*AUDIT_ROLES)
def export_bundle(code: str):
    dossier = _audited_dossier(code)
    content = bundle_zip(dossier)
    _log("export", dossier)
    return Response(content, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{dossier.code}.zip"'})


@bp.route("/retention")
@roles_required("admin")
def retention_due():
    due = [row for row in retention.list_due() if can_view(current_user, row.dossier)]  # the admin's subtree
    return render_template("audit/retention.html", due=due)


@bp.route("/access-log")
@roles_required("admin")
def access_log():
    return render_template("audit/access_log.html", entries=services.list_access(current_user))
