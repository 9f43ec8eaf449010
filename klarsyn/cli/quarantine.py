"""``klarsyn quarantine``: the rows imports could not take, with their reasons."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
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
    table.add_column("run", justify="right", no_wrap=True)
    table.add_column("source", max_width=24, overflow="ellipsis", no_wrap=True)
    table.add_column("row", justify="right", no_wrap=True)
    table.add_column("reason", min_width=24)
    table.add_column("raw", max_width=40, overflow="ellipsis", no_wrap=True)
    for row in rows:
        table.add_row(
            str(row["import_run_id"]),
            escape(f"{row['kind']}: {row['source']}"),
            str(row["row_number"]),
            escape(row["reason"]),
            escape(json.dumps(row["raw"], ensure_ascii=False)[:200]),
        )
    console.print(table)
    if not rows:
        console.print("No quarantined rows.")


@quarantine_app.command("export")
def export_rows(
    ctx: typer.Context,
    run: Annotated[int, typer.Option(help="The import run whose rows to export.")],
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
) -> None:
    """Write a run's quarantined rows as CSV with their original columns, to fix and re-import.

    Two extra columns, ``_row`` and ``_reason``, say where each row was and what was wrong;
    drop them with ``--map "_row=,_reason="`` when importing the fixed file.
    """
    with store(ctx).engine.connect() as connection:
        rows = imports.quarantined_rows(connection, run_id=run, limit=None)
    records = [{"_row": r["row_number"], "_reason": r["reason"], **_flat(r["raw"])} for r in rows]
    columns = list(dict.fromkeys(key for record in records for key in record))
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(records)
    console.print(f"wrote {len(records):,} quarantined rows of run {run} to {out}")


def _flat(raw: dict[str, Any]) -> dict[str, Any]:
    # Rows the reader could not split into columns keep their cells as a list.
    cells = raw.get("cells")
    if isinstance(cells, list) and len(raw) == 1:
        return {f"cell_{i + 1}": cell for i, cell in enumerate(cells)}
    return raw


HEADINGS = {
    "rows_read": "read",
    "imported": "new",
    "updated": "upd.",
    "duplicates": "dupl.",
    "quarantined": "quar.",
}


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
    table = Table(title="Import runs", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("run", justify="right", min_width=3)
    table.add_column("source", max_width=24, overflow="ellipsis", no_wrap=True)
    table.add_column("started", min_width=11)
    table.add_column("status", min_width=9)
    counters = ["rows_read", "imported", "duplicates", "quarantined"]
    if any(run["updated"] for run in runs):
        counters.insert(2, "updated")
    for counter in counters:
        table.add_column(HEADINGS[counter], justify="right", min_width=7)
    for run in runs:
        table.add_row(
            str(run["id"]),
            escape(f"{run['kind']}: {run['source']}"),
            f"{run['started_at']:%m-%d %H:%M}",
            run["status"],
            *(f"{run[k]:,}" for k in counters),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(quarantine_app, name="quarantine", rich_help_panel="Data")
