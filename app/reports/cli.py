"""`flask reports reclassify | rebuild-summary`: refill the statistics after a rule change or a bulk load."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.db import unit_of_work
from app.extensions import db
from app.reports import summary
from app.reports.maintain import reclassify_all

reports_cli = AppGroup("reports", help="Thống kê, báo cáo / statistics and reports.")


@reports_cli.command("reclassify")
def reclassify_command() -> None:
    """Recompute every dossier's owner agency, finishing moment and timing by app.reports.semantics."""
    with unit_of_work():
        changed = reclassify_all()
    click.echo(changed)


@reports_cli.command("rebuild-summary")
def rebuild_summary_command() -> None:
    """Recompute the daily summary tables (stat_daily, stat_step_daily) from the dossiers and tasks."""
    with unit_of_work():
        summary.rebuild(db.session.connection())
        rows = summary.row_counts(db.session.connection())
    click.echo(", ".join(f"{table}: {count}" for table, count in rows.items()))
