"""`flask models migrate PROCESS_KEY --to N [--dry-run]`: move running dossiers to another model version.

An interrupted run (crash, kill) left its batch `running` with pending items: running the same command again
resumes that batch instead of starting a new one.
"""
from __future__ import annotations

import click
from sqlalchemy import select

from app.auth.models import User
from app.core.db import unit_of_work
from app.core.errors import AppError
from app.designer import migration, services
from app.extensions import db
from app.workflow.cli import models_cli


def _run(criteria: migration.DossierFilter, target_number: int, dry_run: bool, username: str | None,
         chunk: int) -> None:
    target = services.get_version_by_number(criteria.process_key, target_number)
    if dry_run:
        report = migration.dry_run(criteria, target)
        click.echo(f"{report.total} dossier(s) selected, {len(report.movable)} can move, {len(report.blocked)} cannot")
        for reason, count in report.reasons:
            click.echo(f"  {count}\t{reason}")
        return
    actor = db.session.scalar(select(User).where(User.username == username)) if username else None
    with unit_of_work():
        batch = migration.unfinished_batch(criteria, target)
        if batch is not None:
            click.echo(f"resuming batch {batch.id}")
        batch_id = (batch or migration.create_batch(actor, criteria, target, comment="flask models migrate")).id
    for _ in range(migration.batch_progress(batch_id)["pending"] // chunk + 2):  # each pass moves a chunk
        with unit_of_work():
            done = migration.process_batch(actor, batch_id, limit=chunk)
        if done < chunk:
            break
    counts = migration.batch_progress(batch_id)
    click.echo(f"batch {batch_id}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@models_cli.command("migrate")
@click.argument("process_key")
@click.option("--to", "to_number", type=int, required=True, help="Target version number (published).")
@click.option("--from", "from_number", type=int, default=None, help="Only dossiers on this version.")
@click.option("--step", "step_kind", default=None, help="Only dossiers waiting at this step kind.")
@click.option("--dry-run", is_flag=True, help="Report what would happen; change nothing.")
@click.option("--user", "username", default=None, help="Official recorded as the actor of the audit events.")
@click.option("--chunk", type=int, default=50, show_default=True, help="Dossiers per transaction.")
def migrate(process_key: str, to_number: int, from_number: int | None, step_kind: str | None, dry_run: bool,
            username: str | None, chunk: int) -> None:
    """Move running dossiers of PROCESS_KEY to version N (re-runnable: an interrupted batch resumes)."""
    try:
        from_id = services.get_version_by_number(process_key, from_number).id if from_number else None
        criteria = migration.DossierFilter(process_key, from_version_id=from_id, step_kind=step_kind)
        _run(criteria, to_number, dry_run, username, chunk)
    except AppError as error:
        raise click.ClickException(f"{error.message_vi} / {error.message_en}") from error
