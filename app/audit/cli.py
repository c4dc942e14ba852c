"""`flask audit ...`: verify chains and anchors, anchor a day, re-execute dossiers, export bundles, archive."""
from __future__ import annotations

import sys
from datetime import UTC
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.audit import anchors, checks, reexecute, retention
from app.audit.export import write_bundle
from app.core.db import unit_of_work
from app.dossiers.services import get_dossier

audit_cli = AppGroup("audit", help="Sổ sự kiện chống sửa đổi / tamper-evident event log.")


def _both(vi: str, en: str) -> str:
    return f"{vi} | {en}"


@audit_cli.command("verify")
@click.option("--dossier", "code", help="Mã hồ sơ / dossier code (default: every dossier).")
def verify_command(code: str | None) -> None:
    """Check hash chains and daily anchors; exit 1 at the first broken event of any dossier."""
    result = checks.verify_all(code)
    for line in result.lines():
        click.echo(line)
    if not result.ok:
        sys.exit(1)


@audit_cli.command("anchor")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD (default: yesterday).")
def anchor_command(day) -> None:
    """Hash every chain head as of the end of a day into the anchors table."""
    with unit_of_work():
        anchor = anchors.create_anchor(day.date() if day else None)
    click.echo(f"{anchor.day:%Y-%m-%d} {anchor.chain_count} {anchor.digest}")


@audit_cli.command("reexecute")
@click.argument("code", required=False)
@click.option("--sample", type=int, help="Re-execute N closed dossiers instead of one.")
@click.option("--open", "include_open", is_flag=True, help="With --sample: open dossiers too.")
def reexecute_command(code: str | None, sample: int | None, include_open: bool) -> None:
    """Re-run dossiers in the engine over their recorded inputs and compare every state fingerprint."""
    if not code and not sample:
        raise click.UsageError("give a dossier CODE or --sample N")
    dossiers = [get_dossier(code)] if code else reexecute.sample_closed_dossiers(sample, include_open)
    reports = []
    for dossier in dossiers:
        report = reexecute.reexecute_dossier(dossier)
        reports.append(report)
        if code or not report.ok:
            click.echo(f"{report.code}: " + _both(report.message("vi"), report.message("en")))
    counts = reexecute.summarize(reports)
    click.echo(" ".join(f"{outcome}={count}" for outcome, count in sorted(counts.items())) or "nothing to do")
    if any(not r.ok for r in reports):
        sys.exit(1)


@audit_cli.command("export")
@click.argument("code")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
def export_command(code: str, out: Path) -> None:
    """Write the case-history bundle <CODE>.zip (check it with tools/verify_bundle.py)."""
    click.echo(str(write_bundle(get_dossier(code), out)))


@audit_cli.command("archive")
@click.option("--dry-run", is_flag=True, help="Only list the dossiers due for archiving.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), hidden=True)
def archive_command(dry_run: bool, today) -> None:
    """Archive closed dossiers past their retention period and remove their personal data."""
    folder = retention.archive_dir(current_app.config, current_app.instance_path)
    now = today.replace(tzinfo=UTC) if today else None
    with unit_of_work():
        due = retention.archive_due(folder, dry_run=dry_run, actor_name="flask audit archive", now=now)
    for item in due:
        click.echo(f"{item.dossier.code} {item.retention_years}y {item.due_since:%Y-%m-%d}")
    verb = ("sẽ lưu trữ", "would archive") if dry_run else ("đã lưu trữ", "archived")
    click.echo(_both(f"{len(due)} hồ sơ {verb[0]} vào {folder}", f"{verb[1]} {len(due)} dossiers to {folder}"))
