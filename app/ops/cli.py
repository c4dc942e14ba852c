"""`flask backup [--out PATH]` and `flask restore PATH [--yes]` (then the same checks as `flask audit verify`)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.audit.checks import verify_all
from app.audit.witness import get_witness
from app.core.errors import AppError
from app.extensions import db
from app.ops import backup as ops


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default instance/backups/motcua-YYYYmmdd-HHMMSS.dump or .sqlite).")
@with_appcontext
def backup_command(out: Path | None) -> None:
    """Back up the database (pg_dump -Fc / SQLite online backup) and the anchor witness; print path and sha256."""
    try:
        made = ops.create_backup(out or ops.default_path(current_app.instance_path, db.engine.url))
    except AppError as error:
        raise click.ClickException(f"{error.message_vi} / {error.message_en}") from error
    click.echo(str(made.path))
    click.echo(f"sha256 {made.sha256}")
    if made.anchors:
        click.echo(f"anchors {made.anchors}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the content of a database that is not empty.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Restore a backup into MOTCUA_DATABASE_URL, then verify every chain and the anchors (exit 1 if broken)."""
    if not yes and not ops.is_empty():
        raise click.ClickException("Cơ sở dữ liệu đích không trống: thêm --yes để ghi đè. / "
                                   "The target database is not empty: add --yes to overwrite it.")
    click.echo(f"sha256 {ops.sha256_file(path)}")
    try:
        ops.restore_backup(path, overwrite=yes)
    except AppError as error:
        raise click.ClickException(f"{error.message_vi} / {error.message_en}") from error
    sidecar = ops.sidecar_for(path)
    if sidecar.exists():
        click.echo(f"anchors {sidecar}")
    result = verify_all(witness=get_witness(sidecar) if sidecar.exists() else None)
    for line in result.lines():
        click.echo(line)
    if not result.ok:
        sys.exit(1)
