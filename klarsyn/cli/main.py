"""``klarsyn``: the command line entry point and its one place for error handling."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from klarsyn import __version__
from klarsyn.cli import (
    actions,
    alerts,
    cases,
    demo,
    drivers,
    explain,
    exports,
    imports,
    metrics,
    quarantine,
    serve,
    text,
    themes,
    users,
)
from klarsyn.cli.state import State, errors
from klarsyn.config import Settings
from klarsyn.errors import InputError, KlarsynError


class KlarsynGroup(TyperGroup):
    """Turns :class:`KlarsynError` into one red line and a hint, exit code 1."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except KlarsynError as exc:
            obj = ctx.obj
            if isinstance(obj, State) and obj.debug:
                raise
            errors.print(f"[bold red]Error:[/] {exc}", markup=True, soft_wrap=True)
            if exc.hint:
                errors.print(f"[dim]Hint: {exc.hint}[/]", soft_wrap=True)
            raise typer.Exit(1) from None
        finally:
            if isinstance(ctx.obj, State):
                ctx.obj.close()


app = typer.Typer(
    cls=KlarsynGroup,
    name="klarsyn",
    help=(
        "Klarsyn: self-hosted Voice of the Customer. Import feedback from every channel, "
        "measure it honestly and find what matters to customers."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"klarsyn {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="KLARSYN_DATABASE_URL",
            help="Database URL of the store: sqlite:///klarsyn.db (default) or postgresql://…",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Klarsyn: self-hosted Voice of the Customer."""
    try:
        settings = Settings() if db is None else Settings(database_url=db)
    except ValidationError as exc:
        message = "; ".join(str(e["msg"]) for e in exc.errors())
        raise InputError(f"invalid setting: {message}") from exc
    ctx.obj = State(settings=settings, debug=debug)


imports.register(app)
exports.register(app)
quarantine.register(app)
demo.register(app)
metrics.register(app)
drivers.register(app)
explain.register(app)
themes.register(app)
serve.register(app)
users.register(app)
text.register(app)
alerts.register(app)
cases.register(app)
actions.register(app)


def run() -> None:
    """Console-script entry point."""
    app()
