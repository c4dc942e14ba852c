"""`flask reports reclassify | rebuild-summary | fold | fit-warnings | backfill-hours`: refill the statistics after a
rule change or a bulk load, fold the summary deltas now, refit the early warning, store the working hours of tasks
closed before migration 0017_stats3."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.db import unit_of_work
from app.extensions import db
from app.reports import summary
from app.reports.maintain import backfill_hours, reclassify_all

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


@reports_cli.command("fold")
def fold_command() -> None:
    """Add the summary deltas to the daily summary rows now (the scheduler does it every few seconds)."""
    with unit_of_work():
        written = summary.fold(db.session.connection())
    click.echo(f"folded: {written}")


@reports_cli.command("fit-warnings")
@click.option("--days", default=365, show_default=True, help="history window (dossiers finished in these days)")
def fit_warnings_command(days: int) -> None:
    """Refit the early warning's step histories (stat_outlook) from the finished dossiers (run nightly)."""
    from app.reports.warning import fit

    with unit_of_work():
        rows = fit(days=days)
    click.echo(f"stat_outlook: {rows}")


@reports_cli.command("backfill-hours")
def backfill_hours_command() -> None:
    """Store the working hours of closed tasks that have none (once, after migration 0017_stats3)."""
    with unit_of_work():
        filled = backfill_hours()
    click.echo(f"human_tasks.working_hours: {filled}")
