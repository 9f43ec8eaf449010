"""The chart of an action plan: its metric per month in the target and in the comparison.

The lines show what the effect estimate compares; the vertical rule marks the start. Months with
fewer than :data:`MIN_N` scored answers in a group are left out rather than drawn as noise.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from klarsyn.actions.plans import Plan
from klarsyn.analytics.metrics import Metric, metric_named
from klarsyn.web.charts import SCHEMA

MIN_N = 20


def _score(spec: Metric) -> pl.Expr:
    x = pl.col(spec.column)
    if spec.kind == "net":
        return ((x >= spec.top).mean() - (x <= spec.bottom).mean()) * spec.unit
    if spec.kind == "share":
        return (x >= spec.top).mean() * spec.unit
    return x.mean()


def _segment(frame: pl.DataFrame, segment: dict[str, str]) -> pl.Expr | None:
    if any(key not in frame.columns for key in segment):
        return None
    condition = pl.lit(True)
    for key, value in segment.items():
        condition = condition & (pl.col(key).cast(pl.String) == value)
    return condition


def effect_series(
    frame: pl.DataFrame, plan: Plan, *, time_zone: str, target_label: str, other_label: str
) -> list[dict[str, Any]]:
    """Monthly values of the plan's metric per group: ``month``, ``group``, ``value``, ``n``."""
    spec = metric_named(plan.metric)
    target = _segment(frame, plan.target)
    if target is None or spec.column not in frame.columns:
        return []
    groups = [(target_label, target)]
    if plan.comparison is None:
        groups.append((other_label, ~target))
    elif plan.comparison:
        chosen = _segment(frame, plan.comparison)
        if chosen is not None:
            groups.append((other_label, chosen & ~target))
    month = pl.col("received_at").dt.convert_time_zone(time_zone).dt.truncate("1mo").dt.date()
    scored = frame.filter(pl.col(spec.column).is_not_null())
    rows: list[dict[str, Any]] = []
    for label, condition in groups:
        table = (
            scored.filter(condition)
            .group_by(month.alias("month"))
            .agg(_score(spec).alias("value"), pl.len().alias("n"))
            .filter(pl.col("n") >= MIN_N)
            .sort("month")
        )
        rows += [
            {
                "month": r["month"].isoformat(),
                "group": label,
                "value": round(r["value"], 1),
                "n": r["n"],
            }
            for r in table.iter_rows(named=True)
        ]
    return rows


def effect_chart(
    rows: list[dict[str, Any]], *, start: str, metric_label: str, start_label: str
) -> dict[str, Any]:
    """Lines per group with a rule at ``start`` (an ISO date)."""
    x: dict[str, Any] = {"field": "month", "type": "temporal", "timeUnit": "yearmonth"}
    x |= {"title": None, "axis": {"format": "%b %Y"}}
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 240,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": {"view": {"stroke": None}, "legend": {"orient": "top", "title": None}},
        "layer": [
            {
                "data": {"values": rows},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "value", "type": "quantitative", "title": metric_label},
                    "color": {"field": "group", "type": "nominal", "title": None},
                    "tooltip": [
                        {"field": "month", "type": "temporal", "timeUnit": "yearmonth"},
                        {"field": "group", "type": "nominal"},
                        {"field": "value", "type": "quantitative", "title": metric_label},
                        {"field": "n", "type": "quantitative"},
                    ],
                },
            },
            {
                "data": {"values": [{"start": start, "label": start_label}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#6b7280"},
                "encoding": {
                    "x": {"field": "start", "type": "temporal"},
                    "tooltip": [{"field": "label", "type": "nominal", "title": None}],
                },
            },
        ],
    }
