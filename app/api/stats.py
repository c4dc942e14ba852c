"""GET /api/v1/stats: counts and on-time rate over the caller's dossiers (app.reports.services); /scorecard: the
ranking of agencies on the evaluation indexes (app.reports.scorecard)."""
from __future__ import annotations

from dataclasses import asdict

from flask_login import current_user

from app.api.errors import api_blueprint
from app.api.schemas.stats import ScorecardArgsSchema, ScorecardSchema, StatsArgsSchema, StatsSchema
from app.auth.models import Agency
from app.auth.services import get_agency_by_code
from app.catalog.models import Procedure
from app.catalog.services import get_procedure
from app.core.db import lagging_reads
from app.core.permissions import login_required
from app.extensions import db
from app.reports import dashboard, scorecard
from app.reports import services as reports

blp = api_blueprint("stats_api", "/api/v1/stats", "Thống kê / statistics")


def _counts(counts: reports.Counts) -> dict:
    return {**asdict(counts), "on_time_rate": counts.on_time_rate}


@blp.route("")
@blp.arguments(StatsArgsSchema, location="query")
@blp.response(200, StatsSchema)
@login_required
@lagging_reads()
def stats(args):
    """Counts by status, finished early / on time / late, on-time rate and overdue, per agency and procedure."""
    flt = reports.StatsFilter(start=args["start"], end=args["end"],
                              agency=get_agency_by_code(args["agency"]) if args["agency"] else None,
                              procedure=get_procedure(args["procedure"]) if args["procedure"] else None)
    result = reports.dossier_stats(current_user, flt)
    agencies = [(db.session.get(Agency, key), counts) for key, counts in result.by_agency.items()]
    procedures = [(db.session.get(Procedure, key), counts) for key, counts in result.by_procedure.items()]
    return {
        "start": args["start"], "end": args["end"], "overall": _counts(result.overall),
        "by_agency": sorted(({"agency_code": a.code, "agency_name": a.name, **_counts(c)} for a, c in agencies),
                            key=lambda row: row["agency_code"]),
        "by_procedure": sorted(({"procedure_code": p.code, "procedure_name": p.name_vi, **_counts(c)}
                                for p, c in procedures), key=lambda row: row["procedure_code"]),
    }


@blp.route("/scorecard")
@blp.arguments(ScorecardArgsSchema, location="query")
@blp.response(200, ScorecardSchema)
@login_required
@lagging_reads()
def scorecard_ranking(args):
    """Circular 01/2018 art. 13 indexes and Decision 766 groups per handling agency, ranked by the 766 total."""
    start, end = dashboard.period({"from": args["start"] and args["start"].isoformat(),
                                   "to": args["end"] and args["end"].isoformat()})
    flt = reports.StatsFilter(start=start, end=end,
                              agency=get_agency_by_code(args["agency"]) if args["agency"] else None)
    card = scorecard.build(current_user, flt)
    return {"start": card.start, "end": card.end, "effective": card.effective, "ranking": [
        {"rank": c.rank, "agency_code": c.agency.code, "agency_name": c.agency.name,
         "received": c.inputs.counts.total, "finished": c.inputs.counts.finished,
         "circular_01_indexes": c.c01, "circular_01_score": c.c01_score,
         "decision_766_groups": [asdict(g) for g in c.groups], "decision_766_total": c.total, "band": c.band}
        for c in card.cards]}
