"""Metrics per period and per any attribute, as one vectorised Polars aggregation.

`summarise` reduces feedback rows to additive tallies per group, `combine` adds the tallies of
several partitions, and `estimate_table` turns tallies into values with intervals. `metric_table`
does all three for one frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import polars as pl

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.estimates import SMALL_N
from klarsyn.analytics.metrics import Metric, metric_named
from klarsyn.analytics.periods import Period, check_period, period_starts
from klarsyn.analytics.tallies import (
    SUM_COLUMNS,
    check_confidence,
    tally,
    validate,
    with_estimates,
)
from klarsyn.errors import InputError

PERIOD_COLUMN = "period"


@dataclass(frozen=True, slots=True)
class Summary:
    """Tallies of one metric per group; ``keys`` are the group columns (``period`` first)."""

    metric: Metric
    keys: tuple[str, ...]
    period: Period | None
    tallies: pl.DataFrame

    @property
    def segments(self) -> tuple[str, ...]:
        """The attribute keys, without the period."""
        return tuple(key for key in self.keys if key != PERIOD_COLUMN)


def summarise(
    frame: pl.DataFrame,
    *,
    metric: str | Metric,
    by: Sequence[str] = (),
    period: str | None = None,
    time_zone: str = "Europe/Stockholm",
    score: str | None = None,
    weight: str | None = None,
    customer: str | None = "customer_id",
    received_at: str = "received_at",
) -> Summary:
    """Tally ``metric`` per ``period`` and per combination of the ``by`` attributes.

    Needs the score column (``nps``, ``csat``, ``ces`` or ``rating`` unless ``score`` names
    another), ``customer_id`` (unless ``customer`` is None), the ``by`` columns, ``received_at``
    (a UTC datetime) when ``period`` is given, and ``weight`` when given. Missing attribute values
    form their own (null) segment rather than being dropped.
    """
    spec = metric_named(metric)
    score_column = score or spec.column
    by = list(by)
    if PERIOD_COLUMN in by:
        raise InputError(
            f"{PERIOD_COLUMN!r} is reserved for the time period and cannot be an attribute",
            hint="rename that attribute column",
        )
    needed = [score_column, *by]
    needed += [c for c in (customer, weight) if c is not None]
    require_columns(frame, needed, purpose=f"the {spec.name} table")
    validate(frame, spec, score=score_column, weight=weight)
    checked = None
    if period is not None:
        checked = check_period(period)
        starts = period_starts(frame, checked, time_zone=time_zone, column=received_at)
        frame = frame.with_columns(starts.alias(PERIOD_COLUMN))
    names = tuple(([PERIOD_COLUMN] if checked else []) + by)
    tallies = tally(frame, spec, keys=names, score=score_column, weight=weight, customer=customer)
    return Summary(metric=spec, keys=names, period=checked, tallies=tallies)


def combine(summaries: Sequence[Summary]) -> Summary:
    """Add up the tallies of partitions summarised with the same metric, keys and period.

    Counts and sums are exact. ``customers`` is exact only when each customer's feedback sits in
    one partition (partition by ``customer_id``); otherwise it counts a customer once per partition.
    """
    if not summaries:
        raise InputError("combine needs at least one summary")
    first = summaries[0]
    for other in summaries[1:]:
        if (other.metric, other.keys, other.period) != (first.metric, first.keys, first.period):
            raise InputError(
                "combine needs summaries of the same metric, keys and period; got "
                f"{first.metric.name} by {first.keys} and {other.metric.name} by {other.keys}"
            )
    stacked = pl.concat([s.tallies for s in summaries], how="vertical_relaxed")
    sums = [pl.col(c).sum() for c in ("n", "missing", *SUM_COLUMNS[first.metric.kind])]
    # A null customer count means no customer column; keep it null rather than summing to 0.
    customers = pl.when(pl.col("customers").is_null().all()).then(None)
    sums.append(customers.otherwise(pl.col("customers").sum()).alias("customers"))
    if first.keys:
        tallies = stacked.group_by(first.keys).agg(sums).sort(first.keys, nulls_last=True)
    else:
        tallies = stacked.select(sums)
    return Summary(metric=first.metric, keys=first.keys, period=first.period, tallies=tallies)


def estimate_table(
    summary: Summary, *, confidence: float = 0.95, small_n: int = SMALL_N
) -> pl.DataFrame:
    """One row per group: the keys, ``n``, ``customers``, ``missing``, ``n_eff``, ``value``,
    ``ci_low``, ``ci_high`` and ``small_n`` (True when ``n_eff`` < ``small_n``)."""
    check_confidence(confidence)
    table = with_estimates(summary.metric, summary.tallies, confidence=confidence, small_n=small_n)
    columns = [*summary.keys, "n", "customers", "missing", "n_eff", "value", "ci_low", "ci_high"]
    return table.select([*columns, "small_n"])


def metric_table(
    frame: pl.DataFrame,
    *,
    metric: str | Metric,
    by: Sequence[str] = (),
    period: str | None = None,
    time_zone: str = "Europe/Stockholm",
    score: str | None = None,
    weight: str | None = None,
    customer: str | None = "customer_id",
    confidence: float = 0.95,
    small_n: int = SMALL_N,
) -> pl.DataFrame:
    """`summarise` then `estimate_table`: the metric per period and segment with intervals."""
    summary = summarise(
        frame,
        metric=metric,
        by=by,
        period=period,
        time_zone=time_zone,
        score=score,
        weight=weight,
        customer=customer,
    )
    return estimate_table(summary, confidence=confidence, small_n=small_n)


def side_by_side(
    frame: pl.DataFrame,
    *,
    metric: str | Metric,
    weight: str,
    by: Sequence[str] = (),
    period: str | None = None,
    time_zone: str = "Europe/Stockholm",
    score: str | None = None,
    customer: str | None = "customer_id",
    confidence: float = 0.95,
    small_n: int = SMALL_N,
) -> pl.DataFrame:
    """The unweighted and the ``weight``-weighted metric per group, next to each other.

    Returns the keys, ``n``, ``customers``, ``value``, ``ci_low``, ``ci_high`` (unweighted),
    ``weighted_value``, ``weighted_ci_low``, ``weighted_ci_high``, ``n_eff`` and ``small_n``
    (judged on ``n_eff``, since weighting spends precision).
    """
    table = partial(
        metric_table,
        frame,
        metric=metric,
        by=by,
        period=period,
        time_zone=time_zone,
        score=score,
        customer=customer,
        confidence=confidence,
        small_n=small_n,
    )
    plain, weighted = table(), table(weight=weight)
    keys = [c for c in plain.columns if c not in _ESTIMATE_COLUMNS]
    renamed = weighted.select(
        *keys,
        pl.col("value").alias("weighted_value"),
        pl.col("ci_low").alias("weighted_ci_low"),
        pl.col("ci_high").alias("weighted_ci_high"),
        "n_eff",
        "small_n",
    )
    left = plain.select(*keys, "n", "customers", "value", "ci_low", "ci_high")
    if not keys:
        return pl.concat([left, renamed], how="horizontal")
    return left.join(renamed, on=keys, how="left", nulls_equal=True, maintain_order="left")


_ESTIMATE_COLUMNS = frozenset(
    ("n", "customers", "missing", "n_eff", "value", "ci_low", "ci_high", "small_n")
)
