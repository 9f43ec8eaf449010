"""``klarsyn export feedback``: take the data to a notebook or another tool."""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import polars as pl
import typer

from klarsyn.cli.state import console, state
from klarsyn.storage.columnar import feedback_frame

ISO = "%Y-%m-%dT%H:%M:%S%.f%:z"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"


class ExportKind(StrEnum):
    feedback = "feedback"


def export_command(
    ctx: typer.Context,
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")] = ExportKind.feedback,
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.csv,
    out: Annotated[
        Path | None, typer.Option(help="File to write; standard output when not given.")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Only feedback received on or after this date.")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(help="Only feedback received before this date.")
    ] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this import source.")] = None,
) -> None:
    """Export feedback, one record each with its external id, fields and attributes."""
    app_state = state(ctx)
    zone = ZoneInfo(app_state.settings.timezone)
    frame = feedback_frame(
        app_state.store(),
        since=_aware(since, zone),
        until=_aware(until, zone),
        channel=channel,
        source=source,
    )
    if format is ExportFormat.parquet:
        if out is None:
            raise typer.BadParameter("Parquet is binary: give --out FILE", param_hint="--out")
        frame.write_parquet(out)
    elif format is ExportFormat.jsonl:
        text = frame.with_columns(pl.col("received_at").dt.strftime(ISO)).write_ndjson()
        _write(text, out)
    else:
        _write(frame.write_csv(datetime_format=ISO), out)
    if out is not None:
        console.print(f"exported {len(frame):,} feedback rows to {out}")


def _aware(value: datetime | date | None, zone: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    app.command("export", rich_help_panel="Data")(export_command)
