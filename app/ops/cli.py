"""`flask backup [--out PATH]` and `flask restore PATH [--yes]` (then the same checks as `flask audit verify`);
`flask partitions ensure | list | detach YEAR` (app.audit.partitions)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import text

from app.audit import partitions
from app.audit.checks import verify_all
from app.audit.witness import get_witness
from app.core.db import unit_of_work
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


partitions_cli = AppGroup("partitions", help="Phân vùng theo năm (PostgreSQL) / yearly partitions (PostgreSQL).")


@partitions_cli.command("ensure")
@click.option("--ahead", default=1, show_default=True, help="Years after the current one to prepare.")
def ensure_command(ahead: int) -> None:
    """Create the partitions of this year and the next ones (and move the DEFAULT partition's rows into them)."""
    with unit_of_work():
        made = partitions.ensure(db.session.connection(), ahead)
    click.echo("\n".join(made) if made else "Không cần tạo phân vùng mới. / No partition to create.")


@partitions_cli.command("list")
def list_command() -> None:
    """The years that have partitions, per table, and the rows the DEFAULT partitions hold."""
    conn = db.session.connection()
    if not partitions.is_partitioned(conn):
        click.echo("Bảng không phân vùng (SQLite). / The tables are not partitioned (SQLite).")
        return
    for table in partitions.TABLES:
        stray = conn.execute(text(f"SELECT count(*) FROM {partitions.partition_name(table, None)}")).scalar()  # noqa: S608
        years = " ".join(str(y) for y in partitions.list_years(conn, table))
        click.echo(f"{table}: {years}; default {stray}")


@partitions_cli.command("detach")
@click.argument("year", type=int)
@click.option("--unlink", is_flag=True, help="Clear the event link of documents and attachments of that year.")
def detach_command(year: int, unlink: bool) -> None:
    """Detach a past year's partitions into standalone tables to archive (pg_dump -t) and drop."""
    try:
        with unit_of_work():
            done = partitions.detach(db.session.connection(), year, unlink=unlink)
    except partitions.PartitionError as error:
        raise click.ClickException(f"Không tách được năm {year}. / Cannot detach {year}: {error}") from error
    for table in done.tables:
        click.echo(table)
    if done.unlinked:
        click.echo(f"unlinked {done.unlinked}")
