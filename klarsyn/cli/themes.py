"""``klarsyn themes``: how many customers raise each theme, how negatively, and how loudly."""

from __future__ import annotations

import json
import math
import sys
from typing import Annotated, Any

import polars as pl
import typer
from rich.table import Table

from klarsyn.cli.drivers import LevelChoice
from klarsyn.cli.state import console, state
from klarsyn.cli.windows import (
    PeriodOption,
    PeriodWindow,
    SegmentOption,
    check_segments,
    filters,
    parse_segments,
)
from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.theme_inputs import TOP_K, theme_overview
from klarsyn.text.catalogue import stored_taxonomy


def _number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(table: pl.DataFrame) -> list[dict[str, Any]]:
    """The JSON output: one object per theme, ranked by distinct customers."""
    return [
        {key: _number(value) for key, value in row.items()} for row in table.iter_rows(named=True)
    ]


def render(table: pl.DataFrame, *, feedback: int, customers: int) -> Table:
    out = Table(title=f"Themes in {feedback:,} comments from {customers:,} customers, by customers")
    for name in ("#", "theme", "customers", "%", "messages", "% neg.", "trend"):
        out.add_column(name, justify="left" if name == "theme" else "right")
    out.add_column(f"top {TOP_K}", justify="right")
    for row in table.iter_rows(named=True):
        trend = row["trend"]
        out.add_row(
            str(row["rank"]),
            row["theme"],
            f"{row['customers']:,}",
            f"{row['customer_share']:.1f}",
            f"{row['feedback']:,}",
            f"{row['negative_share']:.0f}",
            "-" if trend is None else f"{trend:+.1f}",
            f"[red]{row['top_k_share']:.0f} % loud[/]"
            if row["loud"]
            else f"{row['top_k_share']:.0f} %",
        )
    out.caption = (
        f"Ranked by distinct customers, not messages. top {TOP_K}: share of the theme's messages "
        f"from its {TOP_K} most vocal customers; loud when they wrote a quarter or more, "
        "repeating themselves. trend: change of % customers vs the previous period."
    )
    return out


def themes_command(
    ctx: typer.Context,
    period: PeriodOption = PeriodWindow.all,
    segment: SegmentOption = None,
    level: Annotated[
        LevelChoice, typer.Option(help="Every theme of the taxonomy, or top-level themes only.")
    ] = LevelChoice.all,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
) -> None:
    """Theme prevalence per distinct customer, negative share, trend and the loudness view."""
    store = state(ctx).store()
    segments = parse_segments(segment)
    check_segments(segments, available=scan_feedback(store).collect_schema().names())
    chosen = filters(period, segments)
    labels = {theme.id: theme.label("en") for theme in stored_taxonomy(store).themes}
    overview = theme_overview(
        store, where=chosen.where, previous=chosen.previous, level=level.value, labels=labels
    )
    if json_output:
        sys.stdout.write(json.dumps(records(overview.table), ensure_ascii=False) + "\n")
    elif overview.table.is_empty():
        console.print("No themes found yet: enrich the text first (klarsyn text enrich).")
    else:
        console.print(
            render(overview.table, feedback=overview.feedback, customers=overview.customers)
        )


def register(app: typer.Typer) -> None:
    app.command("themes", rich_help_panel="Measure")(themes_command)
