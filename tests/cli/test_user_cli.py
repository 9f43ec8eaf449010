"""``klarsyn user create|list`` and ``klarsyn serve --help``."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from klarsyn.cli import main as cli_main
from klarsyn.cli import serve, users
from klarsyn.storage.store import Store
from klarsyn.storage.users import authenticate

runner = CliRunner()


def command_line() -> typer.Typer:
    """The root app's options and error handling, with the commands under test."""
    app = typer.Typer(cls=cli_main.KlarsynGroup)
    app.callback()(cli_main.main)
    users.register(app)
    serve.register(app)
    return app


def test_create_the_first_admin_and_list_users(database_url: str) -> None:
    app = command_line()
    args = ["--db", database_url, "user", "create", "--email", "Anna@Example.com"]
    created = runner.invoke(app, args, input="a long passphrase\na long passphrase\n")
    assert created.exit_code == 0, created.output
    assert "Created anna@example.com (admin)" in created.output
    with Store.open(database_url) as store:
        assert authenticate(store, email="anna@example.com", password="a long passphrase")

    listed = runner.invoke(app, ["--db", database_url, "user", "list"])
    assert "anna@example.com" in listed.output and "admin" in listed.output


def test_duplicates_and_short_passwords_are_one_line_errors(database_url: str) -> None:
    app = command_line()
    base = ["--db", database_url, "user", "create", "--email", "a@b.se", "--role", "viewer"]
    env = {"KLARSYN_NEW_USER_PASSWORD": "short"}
    short = runner.invoke(app, base, env=env)
    assert short.exit_code == 1 and "at least 10" in short.output
    env = {"KLARSYN_NEW_USER_PASSWORD": "long enough now"}
    assert runner.invoke(app, base, env=env).exit_code == 0
    again = runner.invoke(app, base, env=env)
    assert again.exit_code == 1 and "already exists" in again.output


def test_serve_has_host_and_port_options() -> None:
    result = runner.invoke(command_line(), ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output
