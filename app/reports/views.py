"""Statistics dashboard for leaders, supervisors and admins: filters in the URL, a chart and a table per
dimension, each table as CSV and XLSX (figures from app.reports.services, scoped to the viewer's agencies)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import Agency
from app.auth.services import get_agency_by_code
from app.calendar.rules import LOCAL_TZ
from app.catalog.models import Procedure
from app.catalog.services import get_procedure
from app.core.db import lagging_reads, utcnow
from app.core.permissions import roles_required
from app.dossiers.listing import visible_agency_ids
from app.extensions import db
from app.reports import dashboard, mining, periodic, scorecard, warning
from app.reports.services import StatsFilter

bp = Blueprint("reports", __name__, url_prefix="/thong-ke")
VIEWERS = ("leader", "supervisor", "admin")
# The inbox shows the early warning's badge without importing app.reports (it is a lower layer).
bp.record_once(lambda state: state.app.extensions.setdefault("late_risks", warning.risks))


@bp.context_processor
def _period_errors() -> dict:
    """The filter forms' date errors (reports/_period.html), for every statistics page."""
    return {"period_errors": dashboard.period_errors(request.args)}


def _filter() -> StatsFilter:
    start, end = dashboard.period(request.args)
    agency = request.args.get("agency") or None
    procedure = request.args.get("procedure") or None
    return StatsFilter(start=start, end=end, agency=get_agency_by_code(agency) if agency else None,
                       procedure=get_procedure(procedure) if procedure else None)


def _choices():
    visible = visible_agency_ids(current_user)
    query = select(Agency).order_by(Agency.path)
    agencies = [a for a in db.session.scalars(query) if visible is None or a.id in visible]
    procedures = {p.code: p for p in db.session.scalars(select(Procedure).order_by(Procedure.code, Procedure.version))}
    return agencies, list(procedures.values())


@bp.route("/")
@roles_required(*VIEWERS)
@lagging_reads()
def index():
    flt = _filter()
    board = dashboard.build(current_user, flt)
    agencies, procedures = _choices()
    return render_template("reports/dashboard.html", board=board, columns=dashboard.COLUMNS, value=dashboard.value,
                           agencies=agencies, procedures=procedures, args=request.args,
                           charts=dashboard.chart_payload(board))


@bp.route("/<table>.<fmt>")
@roles_required(*VIEWERS)
@lagging_reads()
def export(table: str, fmt: str):
    if table not in dashboard.TABLES or fmt not in ("csv", "xlsx"):
        abort(404)
    flt = _filter()
    board = dashboard.build(current_user, flt)
    data = board.tables[table]
    name = f"thong-ke-{table}-{flt.start:%Y%m%d}-{flt.end:%Y%m%d}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(dashboard.to_csv(data), mimetype="text/csv", headers=headers)
    caption = f"{data.title} — {flt.start:%d/%m/%Y} – {flt.end:%d/%m/%Y}"
    return Response(dashboard.to_xlsx(data, caption), headers=headers,
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _report():
    today = utcnow().astimezone(LOCAL_TZ).date()
    period = periodic.parse_period(request.args, today)
    code = request.args.get("agency") or None
    agency = get_agency_by_code(code) if code else None
    return periodic.build(current_user, period, agency), today


def _render_report(report, today, printable: bool) -> str:
    agencies, _procedures = _choices()
    unit = report.agency.name.upper() if report.agency else "UBND TỈNH"
    return render_template("reports/periodic.html", report=report, head=periodic.HEAD, title=periodic.TITLE,
                           form=periodic.FORM, unit=unit, today=today, preparer=current_user.full_name,
                           agencies=agencies, printable=printable)


@bp.route("/bao-cao")
@roles_required(*VIEWERS)
@lagging_reads()
def periodic_report():
    report, today = _report()
    return _render_report(report, today, printable=False)


@bp.route("/bao-cao.<fmt>")
@roles_required(*VIEWERS)
@lagging_reads()
def periodic_file(fmt: str):
    if fmt not in ("xlsx", "pdf"):
        abort(404)
    report, today = _report()
    p = report.period
    name = f"bao-cao-ket-qua-giai-quyet-{p.kind}-{p.year}-{p.number:02d}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "xlsx":
        unit = report.agency.name.upper() if report.agency else "UBND TỈNH"
        return Response(periodic.to_xlsx(report, unit), headers=headers,
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    pdf = periodic.to_pdf(_render_report(report, today, printable=True), request.url_root)
    return Response(pdf, mimetype="application/pdf", headers=headers)


@bp.route("/xep-hang")
@roles_required(*VIEWERS)
@lagging_reads()
def scorecard_page():
    flt = _filter()
    card = scorecard.build(current_user, flt)
    agencies, _procedures = _choices()
    return render_template("reports/scorecard.html", card=card, indexes=scorecard.C01_INDEXES,
                           groups=scorecard.GROUPS, defaults=scorecard.DEFAULTS, bands=scorecard.BANDS,
                           agencies=agencies, args=request.args)


@bp.route("/xep-hang.<fmt>")
@roles_required(*VIEWERS)
@lagging_reads()
def scorecard_file(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    flt = _filter()
    table = scorecard.RankingTable(scorecard.build(current_user, flt))
    name = f"xep-hang-{flt.start:%Y%m%d}-{flt.end:%Y%m%d}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(dashboard.to_csv(table), mimetype="text/csv", headers=headers)
    caption = f"Xếp hạng đơn vị — {flt.start:%d/%m/%Y} – {flt.end:%d/%m/%Y}"
    return Response(dashboard.to_xlsx(table, caption), headers=headers,
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/quy-trinh")
@roles_required(*VIEWERS)
@lagging_reads()
def process_heatmap():
    flt = _filter()
    choices = mining.versions()
    wanted = request.args.get("version", type=int)
    version = next((v for v in choices if v.id == wanted), None) if wanted else (choices[-1] if choices else None)
    if wanted and version is None:
        abort(404)
    result = mining.heatmap(current_user, version, flt) if version is not None else None
    overlays = {f.bpmn_id: {"median": f.median_hours, "p95": f.p95_hours, "late": f.late_rate,
                            "supplement": f.supplement_rate, "budget": f.budget_hours, "colour": f.colour,
                            "count": f.count} for f in (result.steps if result else [])}
    return render_template("reports/heatmap.html", result=result, versions=choices, version=version, flt=flt,
                           overlays=overlays, args=request.args, computed_at=utcnow())
