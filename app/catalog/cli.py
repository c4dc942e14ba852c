"""`flask catalog import FILE`: load procedures from a CSV/XLSX sheet or a procedures.json package."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.catalog import services
from app.core.db import unit_of_work
from app.core.errors import AppError

catalog_cli = AppGroup("catalog", help="Danh mục thủ tục / procedure catalogue.")


@catalog_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(path: Path) -> None:
    """Import procedures (CSV, XLSX or procedures.json)."""
    try:
        with unit_of_work():
            if path.suffix == ".json":
                procedures = services.load_catalog_file(None, path, {})
            else:
                procedures = services.import_procedures(None, path.name, path.read_bytes())
    except AppError as error:
        raise click.ClickException(f"{error.message_vi} / {error.message_en}") from error
    click.echo(f"imported {len(procedures)} procedures")
