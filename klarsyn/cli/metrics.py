"""``klarsyn metrics``: NPS, CSAT, CES or rating per period and segment, always with intervals."""

from __future__ import annotations

import json
import math
import sys
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import polars as pl
import typer
from rich.table import Table

from klarsyn.analytics import (
    Metric,
    control_chart,
    metric_named,
    metric_table,
    period_starts,
    poststratify,
    side_by_side,
    summarise,
)
from klarsyn.cli.state import console, errors, state
from klarsyn.errors import InputError
from klarsyn.storage.columnar import customers_frame
from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.store import Store

WEIGHT = "_weight"
SCORE_COLUMNS = ("nps", "csat", "ces", "rating")


class MetricChoice(StrEnum):
    nps = "nps"
    csat = "csat"
    ces = "ces"
    ces_easy = "ces_easy"
    rating = "rating"


class PeriodChoice(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"


def _names(option: str | None) -> list[str]:
    return [name.strip() for name in (option or "").split(",") if name.strip()]


def load_feedback(store: Store, spec: Metric, *, by: list[str], period: bool) -> pl.DataFrame:
    """The feedback columns the table needs, read from the columnar mirror."""
    scan = scan_feedback(store)
    available = scan.collect_schema().names()
    internal = {"row_id", "id", "text", "received_at", "customer_id", *SCORE_COLUMNS}
    attributes = [c for c in available if c not in internal]
    unknown = [name for name in by if name not in available]
    if unknown:
        raise InputError(
            f"feedback has no attribute {', '.join(repr(n) for n in unknown)}",
            hint=f"group by one of: {', '.join(attributes) or '(no attributes imported yet)'}",
        )
    columns = [spec.column, "customer_id", *by, *(["received_at"] if period else [])]
    return scan.select(list(dict.fromkeys(columns))).collect()


def customer_weights(
    frame: pl.DataFrame,
    customers: pl.DataFrame,
    *,
    score: str,
    on: list[str],
    stratum: str | None,
) -> tuple[pl.DataFrame, int]:
    """``frame`` with a ``_weight`` column matching the customer table's mix of ``on``.

    A respondent's cell comes from their own customer record; scored responses without one weigh
    0 and are counted. With a ``stratum`` column (the period), each stratum is weighted on its
    own, so every period speaks for the whole customer base.
    """
    population = customers.select("customer_id", *on)
    indexed = frame.with_row_index("_row")
    scored = indexed.filter(pl.col(score).is_not_null())
    keep = ["_row", "customer_id", *([stratum] if stratum else [])]
    cells = scored.select(keep).join(population, on="customer_id", how="inner")
    parts = cells.partition_by(stratum) if stratum and not cells.is_empty() else [cells]
    found = [
        part.select("_row").with_columns(
            poststratify(part, population, by=on).weights.alias(WEIGHT)
        )
        for part in parts
        if not part.is_empty()
    ]
    schema = {"_row": pl.UInt32, WEIGHT: pl.Float64}
    weights = pl.concat(found) if found else pl.DataFrame(schema=schema)
    joined = indexed.join(weights, on="_row", how="left", maintain_order="left")
    scored_weight = pl.when(pl.col(score).is_not_null()).then(pl.col(WEIGHT).fill_null(0.0))
    return joined.with_columns(scored_weight.alias(WEIGHT)).drop(
        "_row"
    ), scored.height - weights.height


def weighted_table(
    frame: pl.DataFrame,
    customers: pl.DataFrame,
    *,
    spec: Metric,
    by: list[str],
    weight_by: list[str],
    period: str | None,
    time_zone: str,
    confidence: float,
) -> tuple[pl.DataFrame, int]:
    """Unweighted and weighted side by side per group, plus an all-segments row per period."""
    missing = [name for name in weight_by if name not in customers.columns]
    if missing or not weight_by:
        known = [
            c for c in customers.columns if c not in {"customer_id", "annual_value", "churned_at"}
        ]
        raise InputError(
            "--weighted needs customer attributes to weight by"
            + (f"; customers have no {', '.join(repr(m) for m in missing)}" if missing else ""),
            hint=f"name them with --weight-by; customers have: {', '.join(known) or 'none'}",
        )
    stratum = None
    if period is not None:
        stratum = "_period"
        frame = frame.with_columns(period_starts(frame, period, time_zone=time_zone).alias(stratum))
    weighted, unmatched = customer_weights(
        frame, customers, score=spec.column, on=weight_by, stratum=stratum
    )
    options: dict[str, Any] = {
        "metric": spec,
        "weight": WEIGHT,
        "period": period,
        "time_zone": time_zone,
        "confidence": confidence,
    }
    table = side_by_side(weighted, by=by, **options)
    if by:
        # Weighting matters most for the whole: each period also gets an all-segments row.
        overall = side_by_side(weighted, **options).with_columns(_all=pl.lit(True))
        table = pl.concat([table.with_columns(_all=pl.lit(False)), overall], how="diagonal_relaxed")
        if period is not None:
            table = table.sort("period", "_all", maintain_order=True)
    return table, unmatched


def _number(value: Any) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def records(table: pl.DataFrame, *, by: list[str], weighted: bool) -> list[dict[str, Any]]:
    """The JSON output: ``period``, ``segment``, ``n``, ``customers``, ``value``, ``ci_low``,
    ``ci_high``, ``small_n``, ``n_eff`` and, when weighted, the unweighted figures beside them."""
    rows = []
    for row in table.iter_rows(named=True):
        period = row.get("period")
        overall = bool(row.get("_all"))
        record: dict[str, Any] = {
            "period": period.isoformat() if isinstance(period, date) else None,
            "segment": {} if overall else {name: row[name] for name in by},
            "n": row["n"],
            "customers": row["customers"],
        }
        if weighted:
            record |= {
                "value": _number(row["weighted_value"]),
                "ci_low": _number(row["weighted_ci_low"]),
                "ci_high": _number(row["weighted_ci_high"]),
                "unweighted_value": _number(row["value"]),
                "unweighted_ci_low": _number(row["ci_low"]),
                "unweighted_ci_high": _number(row["ci_high"]),
            }
        else:
            record |= {
                "value": _number(row["value"]),
                "ci_low": _number(row["ci_low"]),
                "ci_high": _number(row["ci_high"]),
            }
        record |= {"n_eff": _number(row["n_eff"]), "small_n": bool(row["small_n"])}
        rows.append(record)
    return rows


def _interval(low: float | None, high: float | None) -> str:
    return "-" if low is None or high is None else f"[{low:.1f}, {high:.1f}]"


def render(
    rows: list[dict[str, Any]], *, spec: Metric, by: list[str], weighted: bool, confidence: float
) -> Table:
    """A readable table; small samples are marked, never left out."""
    table = Table(title=f"{spec.label or spec.name} with {confidence:.0%} confidence intervals")
    has_period = any(row["period"] for row in rows)
    for name in (["period"] if has_period else []) + by:
        table.add_column(name, no_wrap=True)
    table.add_column("n", justify="right")
    table.add_column("customers", justify="right")
    if weighted:
        table.add_column("unweighted", justify="right")
        table.add_column("CI", justify="right", no_wrap=True)
    table.add_column("weighted" if weighted else spec.name, justify="right")
    table.add_column("CI", justify="right", no_wrap=True)
    if weighted:
        table.add_column("n eff", justify="right")
    control = any("signal" in row for row in rows)
    if control:
        table.add_column("control", no_wrap=True)
    for row in rows:
        cells = [row["period"] or ""] if has_period else []
        cells += [_label(row["segment"], name) for name in by]
        cells += [f"{row['n']:,}", "" if row["customers"] is None else f"{row['customers']:,}"]
        if weighted:
            cells += [
                _value(row["unweighted_value"]),
                _interval(row["unweighted_ci_low"], row["unweighted_ci_high"]),
            ]
        cells += [
            _value(row["value"], small=row["small_n"]),
            _interval(row["ci_low"], row["ci_high"]),
        ]
        if weighted:
            cells.append(_value(row["n_eff"]))
        if control:
            cells.append(SIGNALS.get(row.get("signal") or "", ""))
        table.add_row(*cells)
    table.caption = "* small sample (effective n < 30): read the interval, not the value"
    return table


SIGNALS = {"above": "[green]▲ above band[/]", "below": "[red]▼ below band[/]"}


def _label(segment: dict[str, Any], name: str) -> str:
    if not segment:
        return "all"
    return "(none)" if segment[name] is None else str(segment[name])


def _value(value: float | None, *, small: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" + ("*" if small else "")


def metrics_command(
    ctx: typer.Context,
    metric: Annotated[
        MetricChoice, typer.Option("--metric", "-m", help="Which score.")
    ] = MetricChoice.nps,
    by: Annotated[
        str | None,
        typer.Option(help="Attribute(s) to split by, comma-separated: channel, region, store…"),
    ] = None,
    period: Annotated[
        PeriodChoice | None, typer.Option(help="One row per calendar period.")
    ] = None,
    weighted: Annotated[
        bool,
        typer.Option(
            "--weighted",
            help="Weight responses to the customer table's mix; shows weighted and unweighted.",
        ),
    ] = False,
    weight_by: Annotated[
        str | None,
        typer.Option(
            help="Customer attributes to weight by (default: the --by attributes customers have)."
        ),
    ] = None,
    confidence: Annotated[float, typer.Option(help="Confidence level of the intervals.")] = 0.95,
    control: Annotated[
        bool,
        typer.Option(
            "--control",
            help="Control chart: flag periods outside the band the previous periods set.",
        ),
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
) -> None:
    """NPS, CSAT, CES or mean rating per period and segment, with confidence intervals."""
    app_state = state(ctx)
    store = app_state.store()
    spec = metric_named(metric.value)
    attributes = _names(by)
    frame = load_feedback(store, spec, by=attributes, period=period is not None)
    time_zone = app_state.settings.timezone
    period_name = period.value if period else None
    if weighted:
        customers = customers_frame(store)
        chosen = _names(weight_by) or [a for a in attributes if a in customers.columns]
        table, unmatched = weighted_table(
            frame,
            customers,
            spec=spec,
            by=attributes,
            weight_by=chosen,
            period=period_name,
            time_zone=time_zone,
            confidence=confidence,
        )
        if unmatched:
            errors.print(
                f"{unmatched:,} scored responses have no customer record; "
                "they weigh 0 in the weighted figures"
            )
    else:
        table = metric_table(
            frame,
            metric=spec,
            by=attributes,
            period=period_name,
            time_zone=time_zone,
            confidence=confidence,
        )
    rows = records(table, by=attributes, weighted=weighted)
    if control:
        _add_signals(rows, frame, spec=spec, by=attributes, period=period_name, time_zone=time_zone)
    if json_output:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, default=str) + "\n")
    elif not any(row["n"] for row in rows):
        console.print(f"No feedback with a {spec.name} score yet.")
    else:
        console.print(
            render(rows, spec=spec, by=attributes, weighted=weighted, confidence=confidence)
        )


def _add_signals(
    rows: list[dict[str, Any]],
    frame: pl.DataFrame,
    *,
    spec: Metric,
    by: list[str],
    period: str | None,
    time_zone: str,
) -> None:
    """Give each row the control chart's ``signal``: "above", "below" or null (within the band)."""
    if period is None:
        raise InputError("--control needs --period", hint="e.g. --control --period week")
    chart = control_chart(summarise(frame, metric=spec, by=by, period=period, time_zone=time_zone))
    signals = {
        (row["period"].isoformat(), tuple(row[name] for name in by)): row["signal"]
        for row in chart.iter_rows(named=True)
    }
    for row in rows:
        key = (row["period"], tuple(row["segment"].get(name) for name in by))
        row["signal"] = signals.get(key) if row["segment"] or not by else None


def register(app: typer.Typer) -> None:
    app.command("metrics", rich_help_panel="Measure")(metrics_command)
