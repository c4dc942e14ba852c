"""`flask documents gc`: delete stored bytes no row refers to any more (also a daily scheduler job)."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.core.db import unit_of_work

documents_cli = AppGroup("documents", help="Documents: storage maintenance.")


@documents_cli.command("gc")
@click.option("--grace-hours", type=float, default=24.0, show_default=True,
              help="Keep unreferenced bytes written more recently than this (an open transaction may need them).")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
def gc_command(grace_hours: float, dry_run: bool) -> None:
    from app.documents.gc import collect

    with unit_of_work():
        removed = collect(timedelta(hours=grace_hours), dry_run=dry_run)
    for digest in removed:
        click.echo(digest)
    click.echo(f"{'would delete' if dry_run else 'deleted'} {len(removed)} stored file(s)")
