"""The responses an effect is measured on: who is targeted, who compares, before or after.

`effect_design` turns a feedback frame into plain arrays, one element per scored response of the
target or the comparison group: the response's value in the metric's unit, its group, whether it
came after the start, its calendar period and its customer. The estimators in
:mod:`klarsyn.analytics.effect_models` need nothing else.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.intervals import Floats, Ints
from klarsyn.analytics.metrics import Metric
from klarsyn.analytics.periods import Period, check_time_zone, period_starts
from klarsyn.analytics.tallies import validate
from klarsyn.errors import InputError, SchemaError

Segment = Mapping[str, str | Sequence[str]]
"""Attribute -> value (or values): the rows whose attributes all match. Empty means everyone."""

Bools = np.ndarray[tuple[int], np.dtype[np.bool_]]


@dataclass(frozen=True, slots=True)
class Design:
    """One element per scored response of the target or the comparison group.

    ``value`` is in the metric's unit (an NPS response is +100, 0 or -100). ``period`` numbers the
    calendar periods with responses from 0; ``period_start`` gives each number's first local day
    and ``elapsed`` its time in periods since the first (a month counts as 30.44 days).
    ``cluster`` numbers customers from 0; a response without a customer is a cluster of its own.
    """

    value: Floats
    treated: Bools
    after: Bools
    period: Ints
    period_start: tuple[dt.date, ...]
    elapsed: Floats
    cluster: Ints


_DAYS = {"day": 1.0, "week": 7.0, "month": 30.44, "quarter": 91.31}


def describe(segment: Segment) -> str:
    """``region=DK, channel=web``: a segment as people read it."""
    if not segment:
        return "all customers"
    parts = []
    for attribute, value in segment.items():
        shown = value if isinstance(value, str) else "/".join(value)
        parts.append(f"{attribute}={shown}")
    return ", ".join(parts)


def segment_rows(frame: pl.DataFrame, segment: Segment, *, role: str) -> pl.Series:
    """A boolean Series: the rows of ``frame`` that match every attribute of ``segment``."""
    require_columns(frame, segment, purpose=f"the {role} segment")
    match = pl.lit(True)
    for attribute, value in segment.items():
        values = [value] if isinstance(value, str) else value
        if (
            not isinstance(values, list | tuple)
            or not values
            or not all(isinstance(v, str) for v in values)
        ):
            raise InputError(
                f"the {role} segment's {attribute!r} must be a string or a list of strings, "
                f"not {value!r}",
                hint=f'write it as {{"{attribute}": "value"}}',
            )
        match = match & pl.col(attribute).cast(pl.String).is_in(list(values)).fill_null(False)
    return frame.with_columns(match.alias("_match")).get_column("_match").alias(role)


def check_matches(frame: pl.DataFrame, rows: pl.Series, segment: Segment, *, role: str) -> None:
    """Raise `InputError` when ``rows`` selects nothing, naming values the frame does have."""
    if rows.any():
        return
    seen = []
    for attribute in segment:
        values = frame.get_column(attribute).cast(pl.String).drop_nulls().unique().sort()
        shown = ", ".join(values.head(8).to_list()) or "none"
        seen.append(f"{attribute}: {shown}{', ...' if values.len() > 8 else ''}")
    raise InputError(
        f"no feedback matches the {role} segment {describe(segment)}",
        hint="values in the data are " + "; ".join(seen),
    )


def start_instant(start: dt.datetime | dt.date, *, time_zone: str) -> dt.datetime:
    """The start as an aware UTC datetime; a date starts at local midnight, a naive time is UTC."""
    check_time_zone(time_zone)
    if not isinstance(start, dt.datetime):
        if not isinstance(start, dt.date):
            raise InputError(
                f"start must be a datetime or a date, not {type(start).__name__}",
                hint="pass e.g. datetime(2026, 3, 1, tzinfo=UTC)",
            )
        start = dt.datetime.combine(start, dt.time(), tzinfo=zoneinfo.ZoneInfo(time_zone))
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    return start.astimezone(dt.UTC)


def _utc_instants(frame: pl.DataFrame, column: str) -> pl.Expr:
    dtype = frame.schema[column]
    if not isinstance(dtype, pl.Datetime):
        raise SchemaError(
            f"measuring an effect needs {column!r} to be a datetime, but it is {dtype}",
            hint=f"parse {column!r} as a UTC datetime first",
        )
    moments = pl.col(column)
    if dtype.time_zone is None:
        return moments.dt.replace_time_zone("UTC")
    return moments.dt.convert_time_zone("UTC")


def response_values(metric: Metric) -> pl.Expr:
    """Each response's contribution in the metric's unit, so that their mean is the metric."""
    x = pl.col(metric.column).cast(pl.Float64)
    if metric.kind == "net":
        good = (x >= metric.top).cast(pl.Float64)
        bad = (x <= metric.bottom).cast(pl.Float64)
        return (good - bad) * metric.unit
    if metric.kind == "share":
        return (x >= metric.top).cast(pl.Float64) * metric.unit
    return x


def scored_rows(
    frame: pl.DataFrame, metric: Metric, *, received_at: str = "received_at"
) -> pl.DataFrame:
    """The rows with a score and a time, with ``_at`` (UTC) and ``_value`` added."""
    require_columns(frame, [metric.column, received_at, "customer_id"], purpose="an effect")
    validate(frame, metric, score=metric.column, weight=None)
    at = _utc_instants(frame, received_at)
    return frame.with_columns(at.alias("_at"), response_values(metric).alias("_value")).filter(
        pl.col("_value").is_not_null() & pl.col("_at").is_not_null()
    )


def check_start(scored: pl.DataFrame, start: dt.datetime, *, metric: Metric) -> None:
    """Raise `InputError` unless ``start`` falls after the first and by the last scored response."""
    if scored.is_empty():
        raise InputError(
            f"no response has a {metric.name} score",
            hint=f"pick a metric the feedback carries, or import {metric.column!r} scores",
        )
    first, last = scored.select(pl.col("_at").min().alias("a"), pl.col("_at").max().alias("b")).row(
        0
    )
    if not first < start <= last:
        raise InputError(
            f"the start {start:%Y-%m-%d %H:%M} UTC lies outside the {metric.name} feedback, "
            f"which runs from {first:%Y-%m-%d} to {last:%Y-%m-%d}",
            hint="an effect compares feedback before the start with feedback after it; "
            "pick a start inside that range, or measure again once feedback has arrived",
        )


def effect_design(
    rows: pl.DataFrame,
    *,
    treated: pl.Series,
    start: dt.datetime,
    period: Period,
    time_zone: str,
) -> Design:
    """The `Design` of ``rows`` (from `scored_rows`, target and comparison only).

    ``treated`` marks the target's rows.
    """
    frame = rows.select("_at", "_value", "customer_id").with_columns(treated.alias("_treated"))
    starts = period_starts(frame, period, time_zone=time_zone, column="_at")
    frame = frame.with_columns(starts)
    calendar = frame.get_column("period").unique().sort()
    days = (calendar - calendar[0]).dt.total_days().to_numpy()
    return Design(
        value=frame.get_column("_value").to_numpy().astype(np.float64),
        treated=frame.get_column("_treated").to_numpy().astype(np.bool_),
        after=(frame.get_column("_at") >= start).to_numpy().astype(np.bool_),
        period=calendar.search_sorted(frame.get_column("period")).to_numpy().astype(np.int64),
        period_start=tuple(calendar.to_list()),
        elapsed=days.astype(np.float64) / _DAYS[period],
        cluster=_clusters(frame.get_column("customer_id")),
    )


def _clusters(customer: pl.Series) -> Ints:
    """Customer numbers 0, 1, 2, ...; an anonymous response cannot be matched to anyone, so it
    gets a number of its own."""
    codes = customer.cast(pl.String).cast(pl.Categorical).to_physical()
    missing = codes.is_null().to_numpy()
    raw = codes.fill_null(0).to_numpy().astype(np.int64)
    # Categorical codes need not be dense; renumber them in one pass rather than a sort.
    present = np.zeros(int(raw.max(initial=0)) + 1, dtype=np.bool_)
    present[raw[~missing]] = True
    dense: Ints = (np.cumsum(present) - 1)[raw].astype(np.int64)
    dense[missing] = int(present.sum()) + np.arange(int(missing.sum()))
    return dense
