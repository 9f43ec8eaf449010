"""``klarsyn quarantine``: the rows imports could not take, with their reasons."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from klarsyn.cli.state import console, store
from klarsyn.storage import imports

quarantine_app = typer.Typer(help="Rows imports could not take, and why.", no_args_is_help=True)


@quarantine_app.command("list")
def list_rows(
    ctx: typer.Context,
    run: Annotated[int | None, typer.Option(help="Only this import run.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List quarantined rows, newest import first."""
    with store(ctx).engine.connect() as connection:
        rows = imports.quarantined_rows(connection, run_id=run, limit=limit)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    table = Table(title="Quarantined rows")
    for column in ("run", "kind", "source", "row", "reason", "raw"):
        table.add_column(column, overflow="fold")
    for row in rows:
        raw = json.dumps(row["raw"], ensure_ascii=False)
        table.add_row(
            str(row["import_run_id"]),
            row["kind"],
            escape(row["source"]),
            str(row["row_number"]),
            escape(row["reason"]),
            escape(raw if len(raw) < 120 else raw[:117] + "…"),
        )
    console.print(table)
    if not rows:
        console.print("No quarantined rows.")


@quarantine_app.command("runs")
def list_runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="At most this many runs.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List import runs with their counts."""
    with store(ctx).engine.connect() as connection:
        runs = imports.runs(connection, limit=limit)
    if as_json:
        typer.echo(json.dumps(runs, default=str))
        return
    table = Table(title="Import runs")
    for column in (
        "run",
        "kind",
        "source",
        "started",
        "status",
        "read",
        "imported",
        "updated",
        "duplicates",
        "quarantined",
    ):
        table.add_column(column, justify="right" if column in {"read", "imported"} else "left")
    for run in runs:
        table.add_row(
            str(run["id"]),
            run["kind"],
            escape(run["source"]),
            f"{run['started_at']:%Y-%m-%d %H:%M}",
            run["status"],
            *(
                f"{run[k]:,}"
                for k in ("rows_read", "imported", "updated", "duplicates", "quarantined")
            ),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(quarantine_app, name="quarantine", rich_help_panel="Data")
