"""Statistics dashboard for leaders, supervisors and admins: filters in the URL, a chart and a table per
dimension, each table as CSV and XLSX (figures from app.reports.services, scoped to the viewer's agencies)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import Agency
from app.auth.services import get_agency_by_code
from app.catalog.models import Procedure
from app.catalog.services import get_procedure
from app.core.permissions import roles_required
from app.dossiers.listing import visible_agency_ids
from app.extensions import db
from app.reports import dashboard
from app.reports.services import StatsFilter

bp = Blueprint("reports", __name__, url_prefix="/thong-ke")
VIEWERS = ("leader", "supervisor", "admin")


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
def index():
    flt = _filter()
    board = dashboard.build(current_user, flt)
    agencies, procedures = _choices()
    return render_template("reports/dashboard.html", board=board, columns=dashboard.COLUMNS, value=dashboard.value,
                           agencies=agencies, procedures=procedures, args=request.args,
                           charts=dashboard.chart_payload(board))


@bp.route("/<table>.<fmt>")
@roles_required(*VIEWERS)
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
