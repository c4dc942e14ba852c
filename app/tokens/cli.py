"""`flask tokens create USERNAME` prints a new personal API token and nothing else."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth.services import find_user_by_username
from app.core.db import unit_of_work
from app.tokens import services

tokens_cli = AppGroup("tokens", help="Mã truy cập API / personal API tokens.")


@tokens_cli.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="Label shown in the profile page.")
def create(username: str, name: str) -> None:
    """Create a token for USERNAME and print it (shown only once)."""
    user = find_user_by_username(username)
    if user is None:
        raise click.ClickException(f"No user {username}")
    with unit_of_work():
        _token, raw = services.create_token(None, user, name)
    click.echo(raw)


@tokens_cli.command("revoke")
@click.argument("username")
@click.argument("token_id", type=int)
def revoke(username: str, token_id: int) -> None:
    """Revoke token TOKEN_ID of USERNAME."""
    user = find_user_by_username(username)
    if user is None:
        raise click.ClickException(f"No user {username}")
    with unit_of_work():
        services.revoke_token(None, user, token_id)
    click.echo(f"revoked {token_id}")


@tokens_cli.command("purge-idempotency")
@click.option("--hours", default=24, show_default=True, help="Keep stored responses younger than this.")
def purge_idempotency(hours: int) -> None:
    """Delete stored Idempotency-Key responses older than HOURS (run daily)."""
    from datetime import timedelta

    with unit_of_work():
        count = services.purge_idempotency_keys(timedelta(hours=hours))
    click.echo(f"purged {count}")
