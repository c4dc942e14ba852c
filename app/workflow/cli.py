"""`flask models sync`: import new or changed BPMN files from bpmn/ as model versions."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.db import unit_of_work
from app.core.errors import AppError
from app.workflow import services

models_cli = AppGroup("models", help="Mô hình quy trình BPMN / BPMN process models.")


def sync_models(directory: Path, author: str = "models-sync") -> list[tuple[str, int, bool]]:
    """Deploy every .bpmn file of `directory` whose content is not deployed yet."""
    results = []
    for path in sorted(directory.glob("*.bpmn")):
        version, created = services.deploy_model(author, path.read_bytes(), path.name, comment=f"sync {path.name}")
        results.append((version.process_key, version.number, created))
    return results


@models_cli.command("sync")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def sync(directory: Path | None) -> None:
    """Import new/changed files of bpmn/ as published versions (unchanged files are skipped)."""
    directory = directory or Path(current_app.config["BPMN_DIR"])
    try:
        with unit_of_work():
            results = sync_models(directory)
    except AppError as error:
        raise click.ClickException(f"{error.message_vi} / {error.message_en}") from error
    for key, number, created in results:
        click.echo(f"{key}\tv{number}\t{'deployed' if created else 'unchanged'}")


@models_cli.command("list")
def list_models() -> None:
    """Print every deployed version."""
    for version in services.list_versions():
        click.echo(f"{version.process_key}\tv{version.number}\t{version.status}\t{version.content_hash[:12]}")
