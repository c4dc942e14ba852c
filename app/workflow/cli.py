"""`flask models sync`: import new or changed BPMN (and DMN) files from bpmn/ as model versions."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.db import unit_of_work
from app.core.errors import AppError
from app.workflow import decisions, services

models_cli = AppGroup("models", help="Mô hình quy trình BPMN / BPMN process models.")


def sync_models(directory: Path, author: str = "models-sync") -> list[tuple[str, int, bool]]:
    """Deploy every .bpmn file of `directory` whose content is not deployed yet, then its .dmn files.

    Decision tables are listed after the models, keyed `<file>.dmn` so the two kinds never look alike.
    """
    results = []
    for path in sorted(directory.glob("*.bpmn")):
        version, created = services.deploy_model(author, path.read_bytes(), path.name, comment=f"sync {path.name}")
        results.append((version.process_key, version.number, created))
    stored = decisions.sync_decisions(directory, author)
    results.extend((f"{key}.dmn", number, created) for key, number, created in stored)
    return results


@models_cli.command("sync")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def sync(directory: Path | None) -> None:
    """Import new/changed .bpmn and .dmn files of bpmn/ as published versions (unchanged files are skipped)."""
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
