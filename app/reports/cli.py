"""`flask reports reclassify`: refill the statistics classification (Dossier.stat_*) after a rule change."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.db import unit_of_work
from app.reports.maintain import reclassify_all

reports_cli = AppGroup("reports", help="Thống kê, báo cáo / statistics and reports.")


@reports_cli.command("reclassify")
def reclassify_command() -> None:
    """Recompute every dossier's owner agency, finishing moment and timing by app.reports.semantics."""
    with unit_of_work():
        changed = reclassify_all()
    click.echo(changed)
