"""`flask demo load`: idempotent demo data for local runs."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.db import unit_of_work
from app.demo.data import DEMO_PASSWORD, USERS
from app.demo.services import load_demo

demo_cli = AppGroup("demo", help="Dữ liệu mẫu / demo data.")


@demo_cli.command("load")
@click.option("--dossiers", default=200, show_default=True, help="number of demo dossiers on first load")
def load(dossiers: int) -> None:
    """Load the demo organisation, officials, models, catalogue and dossiers (safe to run again)."""
    from app.documents.signing import create_demo_ca

    click.echo(f"demo signing CA (never for real documents): {create_demo_ca()}")
    with unit_of_work():
        counts = load_demo(dossiers)
    click.echo("demo data: " + ", ".join(f"{k} +{v}" for k, v in counts.items()))


@demo_cli.command("logins")
def logins() -> None:
    """Print the demo accounts."""
    click.echo(f"Demo logins (password '{DEMO_PASSWORD}'):")
    for username, full_name, roles in USERS:
        click.echo(f"  {username:<18} {full_name:<24} {', '.join(roles)}")


@demo_cli.command("generate")
@click.option("--dossiers", default=100000, show_default=True, help="number of synthetic dossiers")
@click.option("--seed", default=16, show_default=True)
def generate_command(dossiers: int, seed: int) -> None:
    """Write synthetic history fast (3 years, all agencies and procedures) and rebuild the statistics summary."""
    from app.demo.generate import generate, settle
    from app.extensions import db

    with unit_of_work():
        result = generate(dossiers, seed=seed)
    result["vacuum_seconds"] = settle(db.engine)
    click.echo(", ".join(f"{k} {v}" for k, v in result.items()))
