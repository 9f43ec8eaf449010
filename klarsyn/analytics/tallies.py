"""Tallies: the additive sums from which every estimate and test is computed.

A tally frame has one row per group and the columns ``n`` (scored responses), ``missing``,
``customers``, ``w`` (sum of weights), ``w2`` (sum of squared weights) and, by metric kind,
``top``/``bottom`` (weighted counts of good and bad scores) or ``wx``/``wx2`` (weighted sums of
scores and squared scores). Sums add up across partitions, which is what makes `combine` exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from klarsyn.analytics.contracts import require_numeric
from klarsyn.analytics.estimates import Estimate
from klarsyn.analytics.intervals import Floats, t_interval, tango, wilson, z_value
from klarsyn.analytics.metrics import Metric
from klarsyn.errors import InputError

SUM_COLUMNS = {
    "net": ("w", "w2", "top", "bottom"),
    "share": ("w", "w2", "top"),
    "mean": ("w", "w2", "wx", "wx2"),
}


def validate(frame: pl.DataFrame, metric: Metric, *, score: str, weight: str | None) -> None:
    """Raise `InputError` for scores off the metric's scale or unusable weights."""
    purpose = f"the {metric.name} metric"
    require_numeric(frame, score, purpose=purpose)
    if metric.scale is not None:
        lowest, highest = metric.scale
        outside = frame.select(((pl.col(score) < lowest) | (pl.col(score) > highest)).sum()).item()
        if outside:
            raise InputError(
                f"{outside} {score!r} value(s) lie outside the {metric.name} scale "
                f"{lowest:g}-{highest:g}",
                hint="fix or quarantine those rows at import",
            )
    if weight is None:
        return
    require_numeric(frame, weight, purpose="weighting")
    scored = pl.col(score).is_not_null()
    bad = frame.select(
        (
            scored & (pl.col(weight).is_null() | (pl.col(weight) < 0) | ~pl.col(weight).is_finite())
        ).sum()
    ).item()
    if bad:
        raise InputError(
            f"{bad} scored response(s) have a missing, negative or infinite {weight!r} weight",
            hint="weights must be finite and >= 0; give unmatched responses a weight explicitly",
        )


def _scored_expressions(
    metric: Metric, *, score: str, weight: str | None, customer: str | None
) -> list[pl.Expr]:
    """Aggregations over the rows that have a score."""
    x = pl.col(score).cast(pl.Float64)
    exprs = [pl.len().alias("n")]
    if customer is not None:
        # An anonymous response cannot be matched to anyone, so it counts as its own customer.
        voices = pl.col(customer).drop_nulls().n_unique() + pl.col(customer).null_count()
        exprs.append(voices.cast(pl.UInt32).alias("customers"))
    else:
        exprs.append(pl.lit(None, dtype=pl.UInt32).alias("customers"))
    w = pl.col(weight).cast(pl.Float64) if weight else None
    # Unweighted tallies count booleans, which is markedly faster than multiplying by ones.
    if w is None:
        exprs += [pl.len().cast(pl.Float64).alias("w"), pl.len().cast(pl.Float64).alias("w2")]
    else:
        exprs += [w.sum().alias("w"), (w * w).sum().alias("w2")]

    def weighted(expr: pl.Expr) -> pl.Expr:
        return expr.sum().cast(pl.Float64) if w is None else (w * expr).sum()

    if metric.kind in ("net", "share"):
        exprs.append(weighted(x >= metric.top).alias("top"))
    if metric.kind == "net":
        exprs.append(weighted(x <= metric.bottom).alias("bottom"))
    if metric.kind == "mean":
        exprs += [weighted(x).alias("wx"), weighted(x * x).alias("wx2")]
    return exprs


def tally(
    frame: pl.DataFrame,
    metric: Metric,
    *,
    keys: Sequence[str],
    score: str,
    weight: str | None,
    customer: str | None,
) -> pl.DataFrame:
    """The tally frame of ``frame`` per combination of ``keys`` (one row when there are none).

    Scored and unscored rows are aggregated apart: filtering once is much cheaper than
    filtering inside every group's distinct count, and groups whose rows all lack a score still
    appear, with n = 0.
    """
    rows = frame.lazy()
    scored = rows.filter(pl.col(score).is_not_null())
    aggregations = _scored_expressions(metric, score=score, weight=weight, customer=customer)
    unscored = rows.filter(pl.col(score).is_null())
    if not keys:
        counted = scored.select(aggregations)
        missing = unscored.select(pl.len().alias("missing"))
        return pl.concat([counted, missing], how="horizontal").collect()
    counted = scored.group_by(keys).agg(aggregations)
    missing = unscored.group_by(keys).agg(pl.len().alias("missing"))
    joined = counted.join(missing, on=list(keys), how="full", coalesce=True, nulls_equal=True)
    # A group whose rows all lack a score has no scored customers (unless none are known at all).
    customers = pl.col("customers") if customer is None else pl.col("customers").fill_null(0)
    filled = joined.with_columns(
        pl.col("n", "missing").fill_null(0),
        *(pl.col(c).fill_null(0.0) for c in SUM_COLUMNS[metric.kind]),
        customers,
    )
    order = [*keys, "n", "missing", "customers", *SUM_COLUMNS[metric.kind]]
    return filled.select(order).sort(keys, nulls_last=True).collect()


def tally_series(
    metric: Metric,
    scores: pl.Series,
    *,
    weights: pl.Series | None,
    customers: pl.Series | None,
) -> pl.DataFrame:
    """One tally row for a single sample given as Series of equal length."""
    columns = {"score": scores}
    for name, series in (("weight", weights), ("customer", customers)):
        if series is not None:
            if len(series) != len(scores):
                raise InputError(
                    f"{name}s has {len(series)} values but the scores have {len(scores)}",
                    hint=f"pass one {name} per score",
                )
            columns[name] = series
    frame = pl.DataFrame(columns)
    weight = "weight" if weights is not None else None
    customer = "customer" if customers is not None else None
    validate(frame, metric, score="score", weight=weight)
    return tally(frame, metric, keys=(), score="score", weight=weight, customer=customer)


def check_confidence(confidence: float) -> None:
    """Raise `InputError` unless 0 < ``confidence`` < 1."""
    if not 0.0 < confidence < 1.0:
        raise InputError(
            f"confidence must lie strictly between 0 and 1, not {confidence}",
            hint="use e.g. 0.95 for a 95% interval",
        )


def _array(tallies: pl.DataFrame, column: str) -> Floats:
    return tallies.get_column(column).cast(pl.Float64).to_numpy().astype(np.float64)


def parts(metric: Metric, tallies: pl.DataFrame) -> dict[str, Floats]:
    """Per-group arrays on the unit scale: n_eff, estimate, per-response variance, shares."""
    w, w2 = _array(tallies, "w"), _array(tallies, "w2")
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(w2 > 0.0, w * w / w2, 0.0)
        if metric.kind == "mean":
            mean = _array(tallies, "wx") / w
            spread = _array(tallies, "wx2") / w - mean * mean
            # Sums keep partitions combinable, but E[x²] - E[x]² cancels: what is left of equal
            # scores is rounding noise, far below the smallest real spread of whole-number scores.
            spread = np.where(spread <= 1e-12 * mean * mean, 0.0, spread)
            variance = spread * n_eff / (n_eff - 1.0)
            return {"n_eff": n_eff, "estimate": mean, "variance": variance}
        top = _array(tallies, "top") / w
        bottom = _array(tallies, "bottom") / w if metric.kind == "net" else np.zeros_like(top)
    variance = top + bottom - (top - bottom) ** 2
    return {
        "n_eff": n_eff,
        "estimate": top - bottom,
        "variance": variance,
        "top": top,
        "bottom": bottom,
    }


def unit_interval(
    metric: Metric, part: dict[str, Floats], *, confidence: float
) -> tuple[Floats, Floats]:
    """The confidence interval on the unit scale (shares, not percentages)."""
    n_eff = part["n_eff"]
    if metric.kind == "net":
        return tango(part["top"], part["bottom"], n_eff, z=z_value(confidence))
    if metric.kind == "share":
        return wilson(part["top"], n_eff, z=z_value(confidence))
    return t_interval(
        part["estimate"], part["variance"], n_eff, confidence=confidence, scale=metric.scale
    )


def with_estimates(
    metric: Metric, tallies: pl.DataFrame, *, confidence: float, small_n: int
) -> pl.DataFrame:
    """``tallies`` plus ``value``, ``ci_low``, ``ci_high``, ``n_eff`` and ``small_n`` columns."""
    part = parts(metric, tallies)
    low, high = unit_interval(metric, part, confidence=confidence)
    empty = ~(part["n_eff"] > 0.0)
    value = np.where(empty, np.nan, part["estimate"])
    # Empty groups get nulls rather than NaN so that they read as "no value" everywhere.
    return tallies.with_columns(
        pl.Series("value", value * metric.unit, dtype=pl.Float64).fill_nan(None),
        pl.Series("ci_low", low * metric.unit, dtype=pl.Float64).fill_nan(None),
        pl.Series("ci_high", high * metric.unit, dtype=pl.Float64).fill_nan(None),
        pl.Series("n_eff", part["n_eff"], dtype=pl.Float64),
        pl.Series("small_n", part["n_eff"] < small_n, dtype=pl.Boolean),
    )


def estimate_at(metric: Metric, table: pl.DataFrame, row: int, *, confidence: float) -> Estimate:
    """Row ``row`` of a `with_estimates` table as an `Estimate`."""
    record = table.row(row, named=True)
    customers = record["customers"]

    def number(column: str) -> float:
        return math.nan if record[column] is None else float(record[column])

    return Estimate(
        metric=metric.name,
        value=number("value"),
        low=number("ci_low"),
        high=number("ci_high"),
        n=int(record["n"]),
        missing=int(record["missing"]),
        customers=None if customers is None else int(customers),
        n_eff=float(record["n_eff"]),
        confidence=confidence,
        small_n=bool(record["small_n"]),
    )
