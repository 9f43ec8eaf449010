"""``klarsyn demo``: a realistic Nordic company to explore, built through the normal import."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from klarsyn.cli.actions import seed_loop
from klarsyn.cli.enriching import enrich_with_progress
from klarsyn.cli.state import console, state
from klarsyn.collect.importer import import_file
from klarsyn.storage import mirror


def demo_command(
    ctx: typer.Context,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the dashboard afterwards.")
    ] = True,
    seed: Annotated[
        int, typer.Option(help="Seed of the generator; the same seed, the same company.")
    ] = 7,
    feedback: Annotated[int, typer.Option(help="How many feedback items to generate.")] = 60_000,
    port: Annotated[int, typer.Option(help="Port of the dashboard.")] = 8000,
) -> None:
    """Create the demo company (14 months, 60,000 feedback items) in the store."""
    from klarsyn.demo import generate

    app_state = state(ctx)
    store = app_state.store()
    with console.status("generating the demo company…"):
        company = generate(seed=seed, feedback=feedback)
    with tempfile.TemporaryDirectory(prefix="klarsyn-demo-") as tmp:
        files = company.write(Path(tmp))
        for kind in ("customers", "campaigns", "events", "feedback"):
            with console.status(f"importing {kind}…"):
                report = import_file(files[kind], kind=kind, store=store, source=f"demo-{kind}")
            console.print(f"{kind:>10}: {report.summary()}")
    enriched = enrich_with_progress(store)
    console.print(
        f"{'text':>10}: {enriched.enriched:,} comments read for language, themes and sentiment"
    )
    with console.status("building the columnar mirror for analytics…"):
        mirror.refresh(store)
    seed_loop(store)
    console.print(f"[green]Demo company ready[/] in {app_state.settings.database_url}")
    console.print(
        "Try: [bold]klarsyn metrics --metric nps --period month --control[/] "
        "(a campaign month stands out), "
        "[bold]klarsyn export feedback --format parquet --out demo.parquet[/]"
    )
    if serve:
        from klarsyn.cli.serve import run_dashboard
        from klarsyn.cli.users import demo_login

        email, password = demo_login(store)
        console.print(f"Sign in as [bold]{email}[/] with password [bold]{password}[/]")
        run_dashboard(app_state.settings, store=store, port=port)


def register(app: typer.Typer) -> None:
    app.command("demo", rich_help_panel="Start")(demo_command)
