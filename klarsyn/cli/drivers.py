"""``klarsyn drivers``: what drives a score, how the company does on it, and the 3-5 priorities."""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from klarsyn.analytics.driver_segments import SegmentDrivers
from klarsyn.analytics.drivers import Driver, KeyDrivers
from klarsyn.cli.state import console, state
from klarsyn.cli.windows import (
    PeriodOption,
    PeriodWindow,
    SegmentOption,
    check_segments,
    filters,
    parse_segments,
)
from klarsyn.storage.driver_inputs import driver_inputs, drivers_of, segment_drivers, theme_of
from klarsyn.storage.mirror import scan_feedback


class DriverMetricChoice(StrEnum):
    nps = "nps"
    csat = "csat"
    ces = "ces"
    rating = "rating"
    churn = "churn"


class LevelChoice(StrEnum):
    top = "top"
    all = "all"


def _interval(low: float, high: float, *, digits: int) -> str:
    # Without bootstrap replicates the bounds are NaN: nothing to show.
    if math.isnan(low) or math.isnan(high):
        return "-"
    return f"[{low:.{digits}f}, {high:.{digits}f}]"


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _label(driver: Driver) -> str:
    return theme_of(driver.driver) if driver.kind == "theme" else driver.driver


def render(result: KeyDrivers) -> Table:
    """The drivers, most important first; the priorities are numbered and bold."""
    rank = {name: i for i, name in enumerate(result.priorities, start=1)}
    table = Table(
        title=f"Key drivers of {result.outcome}: {result.rows:,} responses, "
        f"{result.customers:,} customers, R² {result.r2:.3f}"
    )
    table.add_column("#", justify="right")
    table.add_column("driver")
    table.add_column("importance", justify="right")
    table.add_column("% cust.", justify="right")
    table.add_column("uplift if fixed", justify="right")
    table.add_column("at stake", justify="right")
    table.add_column("quadrant")
    for d in result.drivers:
        name = _label(d)
        table.add_row(
            str(rank.get(d.driver, "")),
            f"[bold]{name}[/]" if d.driver in rank else name,
            f"{d.importance:.4f} {_interval(d.importance_low, d.importance_high, digits=4)}",
            f"{d.performance:.1f}",
            f"{d.uplift:+.3f} {_interval(d.uplift_low, d.uplift_high, digits=3)}",
            _money(d.value_at_stake),
            d.quadrant,
        )
    table.caption = (
        "importance: share of R², with its 95% interval · % cust.: customers negative about it · "
        "uplift: change of the mean score if those complaints went away · at stake: yearly value"
    )
    return table


def drivers_command(
    ctx: typer.Context,
    metric: Annotated[
        DriverMetricChoice, typer.Option("--metric", "-m", help="The outcome to explain.")
    ] = DriverMetricChoice.nps,
    segment: SegmentOption = None,
    period: PeriodOption = PeriodWindow.all,
    attribute: Annotated[
        list[str] | None,
        typer.Option(help="Feedback attribute to add as a driver, e.g. delivery_partner."),
    ] = None,
    control: Annotated[
        list[str] | None,
        typer.Option(help="Attribute of who answered (region): modelled, never a priority."),
    ] = None,
    level: Annotated[
        LevelChoice, typer.Option(help="Top-level themes, or every theme of the taxonomy.")
    ] = LevelChoice.top,
    min_customers: Annotated[
        int, typer.Option(help="Themes fewer customers complain about are left out.")
    ] = 30,
    compare: Annotated[
        str | None,
        typer.Option(
            help="Also analyse each value of this attribute (region) and show where drivers differ."
        ),
    ] = None,
    replicates: Annotated[int, typer.Option(help="Bootstrap replicates for the intervals.")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
) -> None:
    """Key drivers of a score: themes and attributes, their importance, and the 3-5 priorities."""
    store = state(ctx).store()
    segments = parse_segments(segment)
    check_segments(segments, available=scan_feedback(store).collect_schema().names())
    inputs = driver_inputs(
        store,
        where=filters(period, segments).where,
        level=level.value,
        min_customers=min_customers,
    )
    result = drivers_of(
        inputs,
        metric=metric.value,
        attributes=attribute or [],
        controls=control or [],
        replicates=replicates,
        seed=seed,
    )
    compared = (
        None
        if compare is None
        else segment_drivers(
            inputs, segment=compare, metric=metric.value, replicates=replicates, seed=seed
        )
    )
    if json_output:
        body = result.to_dict() | {"segment": dict(segments), "period": period.value}
        if compared is not None:
            body["comparison"] = _comparison(compared)
        sys.stdout.write(json.dumps(body, ensure_ascii=False, default=str) + "\n")
        return
    console.print(render(result))
    console.print("[bold]Priorities[/]")
    by_name = {d.driver: d for d in result.drivers}
    for i, name in enumerate(result.priorities, start=1):
        d = by_name[name]
        money = ""
        if d.value_at_stake is not None:
            money = (
                f", {_money(d.value_at_stake)} a year at stake"
                if d.value_at_stake > 0
                else ", no measurable link to churn"
            )
        console.print(
            f"{i}. {_label(d)}: {d.uplift:+.3f} {result.outcome} "
            f"{_interval(d.uplift_low, d.uplift_high, digits=3)}"
            f" if fixed, {d.customers:,} customers{money}"
        )
    if result.note:
        console.print(f"[dim]{result.note}[/]")
    if compared is not None:
        console.print(render_comparison(compared))


def _comparison(compared: SegmentDrivers) -> dict[str, object]:
    """The differences between segments, and each segment's priorities."""
    return {
        "by": compared.segment,
        "priorities": {name: list(r.priorities) for name, r in compared.results.items()},
        "differences": [
            {key: _finite(value) for key, value in row.items()}
            for row in compared.differences.to_dicts()
        ],
        "skipped": list(compared.skipped),
    }


def _finite(value: object) -> object:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def render_comparison(compared: SegmentDrivers) -> Table:
    """Where a driver matters significantly more in one segment than in another."""
    table = Table(title=f"Where drivers differ by {compared.segment}")
    for column in ("driver", "segment a", "segment b"):
        table.add_column(column)
    for column in ("importance a", "importance b", "a - b [95% interval]"):
        table.add_column(column, justify="right")
    significant = compared.differences.filter(pl.col("significant"))
    for row in significant.iter_rows(named=True):
        table.add_row(
            theme_of(row["driver"]),
            str(row["segment_a"]),
            str(row["segment_b"]),
            f"{row['importance_a']:.4f}",
            f"{row['importance_b']:.4f}",
            f"{row['difference']:+.4f} "
            + _interval(row["difference_low"], row["difference_high"], digits=4),
        )
    skipped = (
        f"; too few customers to analyse: {', '.join(compared.skipped)}" if compared.skipped else ""
    )
    table.caption = (
        f"{significant.height} significant difference(s) of {compared.differences.height} "
        f"compared; about {0.05 * compared.differences.height:.0f} would look significant by "
        f"chance alone{skipped}"
    )
    return table


def register(app: typer.Typer) -> None:
    app.command("drivers", rich_help_panel="Measure")(drivers_command)
