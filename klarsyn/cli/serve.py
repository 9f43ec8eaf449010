"""``klarsyn serve``: the dashboard and the REST API."""

from __future__ import annotations

from typing import Annotated

import typer

from klarsyn.cli.state import console, state
from klarsyn.config import Settings
from klarsyn.storage.store import Store


def run_dashboard(
    settings: Settings,
    *,
    store: Store,
    host: str = "127.0.0.1",
    port: int = 8000,
    proxy_headers: bool = False,
) -> None:
    """Serve the web app over ``store`` until interrupted (``klarsyn demo`` calls this too)."""
    import uvicorn

    from klarsyn.storage.users import count_users
    from klarsyn.web import create_app

    if count_users(store) == 0:
        console.print(
            "[yellow]No users yet.[/] Create the first admin with "
            "[bold]klarsyn user create --email you@example.com --role admin[/]"
        )
    app = create_app(settings, store=store)
    console.print(f"Klarsyn dashboard on [bold]http://{host}:{port}/[/] (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, proxy_headers=proxy_headers, log_level="warning")


def serve_command(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 for every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers/--no-proxy-headers",
            help="Trust X-Forwarded-Proto/-For from a TLS proxy in front (cookies become Secure).",
        ),
    ] = False,
) -> None:
    """Serve the dashboard and the REST API (/api/v1)."""
    app_state = state(ctx)
    run_dashboard(
        app_state.settings,
        store=app_state.store(),
        host=host,
        port=port,
        proxy_headers=proxy_headers,
    )


def register(app: typer.Typer) -> None:
    app.command("serve", rich_help_panel="Start")(serve_command)
