"""`flask users ...` commands for operators."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth import services
from app.core.db import unit_of_work
from app.core.errors import AppError

users_cli = AppGroup("users", help="Quản lý người dùng / manage users.")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Họ và tên / full name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--email", default=None)
@click.option("--role", "roles", multiple=True, help="role or role@AGENCYCODE, repeatable")
def create_user(username: str, full_name: str, password: str, email: str | None, roles: tuple[str, ...]) -> None:
    """Create a user with argon2-hashed password and roles."""
    try:
        with unit_of_work():
            user = services.create_user(None, username=username, full_name=full_name, password=password,
                                        email=email, grants=[services.RoleGrant.parse(r) for r in roles])
    except AppError as error:
        raise click.ClickException(f"{error.message_vi} / {error.message_en}") from error
    click.echo(f"created {user.username}")


@users_cli.command("list")
def list_users() -> None:
    """Print users with their roles."""
    for user in services.list_users():
        roles = ", ".join(f"{a.role}@{a.agency.code}" if a.agency else a.role for a in user.roles)
        click.echo(f"{user.username}\t{user.full_name}\t{roles}")


@users_cli.command("grant")
@click.argument("username")
@click.argument("role")
def grant(username: str, role: str) -> None:
    """Grant ROLE (role or role@AGENCYCODE) to USERNAME."""
    try:
        with unit_of_work():
            user = services.find_user_by_username(username)
            if user is None:
                raise click.ClickException(f"Không có người dùng {username} / no such user")
            services.grant_role(None, user, services.RoleGrant.parse(role))
    except AppError as error:
        raise click.ClickException(f"{error.message_vi} / {error.message_en}") from error
    click.echo("ok")
