"""``klarsyn import KIND FILE``: bring feedback, customers, events or campaigns into the store."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from klarsyn.cli.alerts import after_import
from klarsyn.cli.enriching import enrich_with_progress
from klarsyn.cli.state import console, state
from klarsyn.collect.importer import ImportReport, import_file
from klarsyn.collect.mapping import parse_mapping


class ImportKind(StrEnum):
    feedback = "feedback"
    customers = "customers"
    events = "events"
    campaigns = "campaigns"


def import_command(
    ctx: typer.Context,
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds.")],
    file: Annotated[
        Path,
        typer.Argument(help=".csv, .tsv, .jsonl, .json, .xlsx or .parquet", show_default=False),
    ],
    map: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="Rename columns: 'Date received=received_at,Narrative=text'; 'Col=' drops one.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="Name of the source; re-imports of the same source skip known ids. "
            "Default: the file name."
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="Zone of timestamps without one. Default: KLARSYN_TIMEZONE or Europe/Stockholm."
        ),
    ] = None,
    date_format: Annotated[
        str | None, typer.Option(help="strftime format of the dates, e.g. '%m/%d/%Y'.")
    ] = None,
    channel: Annotated[
        str | None, typer.Option(help="Channel of feedback rows that name none (e.g. review).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding; detected (UTF-8 or cp1252) when not given.")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter; sniffed when not given.")
    ] = None,
    sheet: Annotated[
        str | None, typer.Option(help="Excel sheet; the first when not given.")
    ] = None,
    enrich: Annotated[
        bool,
        typer.Option(
            "--enrich/--no-enrich",
            help="Read new feedback for language, themes and sentiment right away.",
        ),
    ] = True,
) -> None:
    """Import a file of feedback, customers, events or campaigns.

    Bad rows never stop the run: each goes to quarantine with its row number and reason.
    Re-importing the same file adds nothing.
    """
    app_state = state(ctx)
    store = app_state.store()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(f"importing {file.name}", total=None)
        report = import_file(
            file,
            kind=kind.value,
            store=store,
            mapping=parse_mapping(map),
            source=source,
            time_zone=timezone or app_state.settings.timezone,
            date_format=date_format,
            channel=channel,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    _print_report(report)
    if kind == ImportKind.feedback and enrich:
        enriched = enrich_with_progress(store)
        console.print(f"enriched {enriched.enriched:,} comments (language, themes, sentiment)")
    if kind == ImportKind.feedback:
        after_import(app_state)


def _print_report(report: ImportReport) -> None:
    for warning in report.warnings:
        console.print(f"[yellow]Warning:[/] {warning}")
    c = report.counts
    table = Table(title=f"Import #{report.run_id}: {report.kind} from {report.source}")
    for column in ("read", "imported", "updated", "duplicates", "quarantined"):
        table.add_column(column, justify="right")
    table.add_row(
        *(f"{n:,}" for n in (c.rows_read, c.imported, c.updated, c.duplicates, c.quarantined))
    )
    console.print(table)
    console.print(report.summary())


def register(app: typer.Typer) -> None:
    app.command("import", rich_help_panel="Data")(import_command)
