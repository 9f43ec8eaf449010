"""``klarsyn user``: people who sign in to the dashboard."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer
from rich.table import Table

from klarsyn.cli.state import console, state
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, create_user, find_user, list_users, set_password

user_app = typer.Typer(help="Dashboard users and their roles.", no_args_is_help=True)


@user_app.command("create")
def create_command(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(help="E-mail address; the login name.")],
    role: Annotated[Role, typer.Option(help="admin, analyst, agent or viewer.")] = Role.admin,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    team: Annotated[str | None, typer.Option(help="Team, for agents' cases.")] = None,
    locale: Annotated[str, typer.Option(help="Interface language: en or sv.")] = "en",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="KLARSYN_NEW_USER_PASSWORD",
            help="At least 10 characters; asked for when not given.",
        ),
    ] = "",
) -> None:
    """Create a user (the first one is usually the admin)."""
    user = create_user(
        state(ctx).store(),
        email=email,
        password=password,
        role=role,
        name=name,
        team=team,
        locale=locale,
    )
    console.print(f"[green]Created[/] {user.email} ({user.role.value})")


@user_app.command("list")
def list_command(ctx: typer.Context) -> None:
    """List active users."""
    table = Table("e-mail", "name", "role", "team", "language")
    for user in list_users(state(ctx).store()):
        table.add_row(user.email, user.name, user.role.value, user.team or "", user.locale)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user", rich_help_panel="Start")


DEMO_EMAIL = "demo@klarsyn.local"


def demo_login(store: Store) -> tuple[str, str]:
    """The demo's admin login with a fresh random password (``klarsyn demo`` prints it)."""
    password = secrets.token_urlsafe(12)
    existing = find_user(store, email=DEMO_EMAIL)
    if existing is None:
        create_user(store, email=DEMO_EMAIL, password=password, role=Role.admin, name="Demo")
    else:
        set_password(store, user_id=existing.id, password=password)
    return DEMO_EMAIL, password
