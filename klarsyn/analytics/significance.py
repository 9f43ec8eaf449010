"""Is a change real? Tests and intervals for the difference of a metric between two samples.

The samples are independent: two periods, or two segments. Differences are ``after - before``.

- NPS: z-test with multinomial variances pooled under "no change"; the interval combines the two
  Tango score intervals by Newcombe's square-and-add (MOVER) method.
- Shares (CSAT, CES % easy): pooled two-proportion z-test; Newcombe's hybrid score interval.
- Means (CES, rating): Welch's unequal-variance t-test and interval.

Weighted samples enter through Kish's effective sample size, as in `scores`.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from klarsyn.analytics.estimates import SMALL_N, Change
from klarsyn.analytics.grouping import Summary
from klarsyn.analytics.intervals import Floats, multinomial_variance
from klarsyn.analytics.metrics import Metric, metric_named
from klarsyn.analytics.tallies import (
    check_confidence,
    estimate_at,
    parts,
    tally_series,
    unit_interval,
    with_estimates,
)
from klarsyn.errors import InputError

Arrays = tuple[Floats, Floats, Floats, Floats]


def _mover(
    metric: Metric, before: dict[str, Floats], after: dict[str, Floats], *, confidence: float
) -> tuple[Floats, Floats]:
    """Newcombe's square-and-add interval for ``after - before`` from the one-sample intervals."""
    low_b, high_b = unit_interval(metric, before, confidence=confidence)
    low_a, high_a = unit_interval(metric, after, confidence=confidence)
    e_b, e_a = before["estimate"], after["estimate"]
    difference = e_a - e_b
    low = difference - np.sqrt((e_a - low_a) ** 2 + (high_b - e_b) ** 2)
    high = difference + np.sqrt((high_a - e_a) ** 2 + (e_b - low_b) ** 2)
    return low, high


def _pooled_p(before: dict[str, Floats], after: dict[str, Floats]) -> Floats:
    """Two-sided p-value of the z-test with the variance pooled under "no change"."""
    n_b, n_a = before["n_eff"], after["n_eff"]
    with np.errstate(divide="ignore", invalid="ignore"):
        top = (before["top"] * n_b + after["top"] * n_a) / (n_b + n_a)
        bottom = (before["bottom"] * n_b + after["bottom"] * n_a) / (n_b + n_a)
        spread = np.sqrt(multinomial_variance(top, bottom) * (1.0 / n_b + 1.0 / n_a))
        z = (after["estimate"] - before["estimate"]) / spread
    # No spread means both samples sit in one and the same category: nothing changed.
    return np.where(spread > 0.0, 2.0 * stats.norm.sf(np.abs(z)), 1.0)


def _welch(before: dict[str, Floats], after: dict[str, Floats], *, confidence: float) -> Arrays:
    """Welch's t-test and interval for the difference of two means."""
    difference = after["estimate"] - before["estimate"]
    n_b, n_a = before["n_eff"], after["n_eff"]
    with np.errstate(divide="ignore", invalid="ignore"):
        v_b, v_a = before["variance"] / n_b, after["variance"] / n_a
        spread = np.sqrt(v_b + v_a)
        df = (v_b + v_a) ** 2 / (v_b**2 / (n_b - 1.0) + v_a**2 / (n_a - 1.0))
    defined = (n_b > 1.0) & (n_a > 1.0)
    moving = spread > 0.0
    safe_df = np.where(defined & moving, df, 1.0)
    half = stats.t.ppf(0.5 + confidence / 2.0, safe_df) * spread
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2.0 * stats.t.sf(np.abs(difference / spread), safe_df)
    # Two samples without any spread differ for certain, or not at all.
    p = np.where(moving, p, np.where(difference == 0.0, 1.0, 0.0))
    half = np.where(moving, half, 0.0)
    nan = np.full_like(difference, np.nan)
    return (
        difference,
        np.where(defined, difference - half, nan),
        np.where(defined, difference + half, nan),
        np.where(defined, p, nan),
    )


def difference(
    metric: Metric, before: dict[str, Floats], after: dict[str, Floats], *, confidence: float
) -> Arrays:
    """Vectorised ``after - before`` on the unit scale: difference, low, high and p-value."""
    if metric.kind == "mean":
        return _welch(before, after, confidence=confidence)
    diff = after["estimate"] - before["estimate"]
    low, high = _mover(metric, before, after, confidence=confidence)
    defined = (before["n_eff"] > 0.0) & (after["n_eff"] > 0.0)
    p = np.where(defined, _pooled_p(before, after), np.nan)
    return diff, low, high, p


def compare(
    before: pl.Series,
    after: pl.Series,
    *,
    metric: str | Metric,
    weights_before: pl.Series | None = None,
    weights_after: pl.Series | None = None,
    confidence: float = 0.95,
) -> Change:
    """Test the change of ``metric`` from the ``before`` scores to the ``after`` scores.

    Each sample is a Series of scores (missing ones are ignored), optionally with weights.
    """
    spec = metric_named(metric)
    check_confidence(confidence)
    tallies = pl.concat(
        [
            tally_series(spec, before, weights=weights_before, customers=None),
            tally_series(spec, after, weights=weights_after, customers=None),
        ]
    )
    table = with_estimates(spec, tallies, confidence=confidence, small_n=SMALL_N)
    both = parts(spec, tallies)
    first = {key: values[:1] for key, values in both.items()}
    second = {key: values[1:] for key, values in both.items()}
    diff, low, high, p = difference(spec, first, second, confidence=confidence)
    return Change(
        metric=spec.name,
        before=estimate_at(spec, table, 0, confidence=confidence),
        after=estimate_at(spec, table, 1, confidence=confidence),
        difference=float(diff[0]) * spec.unit,
        low=float(low[0]) * spec.unit,
        high=float(high[0]) * spec.unit,
        p_value=float(p[0]),
        confidence=confidence,
    )


def period_changes(summary: Summary, *, confidence: float = 0.95) -> pl.DataFrame:
    """Each period against the previous one in the same segment.

    Needs a `Summary` made with a ``period``. Returns the keys, ``n``, ``value``,
    ``previous_value``, ``difference``, ``ci_low``, ``ci_high`` (of the difference), ``p_value``
    and ``significant``; the first period of each segment has nulls.
    """
    check_confidence(confidence)
    if summary.period is None:
        raise InputError(
            "period_changes needs a summary made with a period",
            hint="call summarise(..., period='week') first",
        )
    segments = list(summary.segments)
    tallies = summary.tallies.sort(summary.keys, nulls_last=True)
    sums = [c for c in tallies.columns if c not in summary.keys and c != "customers"]

    def shifted(column: str) -> pl.Expr:
        expr = pl.col(column).shift(1)
        return (expr.over(segments) if segments else expr).alias(column)

    previous = tallies.select(shifted(column) for column in sums).fill_null(0)
    spec = summary.metric
    now, before = parts(spec, tallies), parts(spec, previous)
    diff, low, high, p = difference(spec, before, now, confidence=confidence)
    has_previous = previous.get_column("n").to_numpy() > 0
    result = tallies.select(*summary.keys, "n").with_columns(
        pl.Series("value", now["estimate"] * spec.unit),
        pl.Series("previous_value", np.where(has_previous, before["estimate"], np.nan) * spec.unit),
        pl.Series("difference", np.where(has_previous, diff, np.nan) * spec.unit),
        pl.Series("ci_low", np.where(has_previous, low, np.nan) * spec.unit),
        pl.Series("ci_high", np.where(has_previous, high, np.nan) * spec.unit),
        pl.Series("p_value", np.where(has_previous, p, np.nan)),
    )
    numbers = ["value", "previous_value", "difference", "ci_low", "ci_high", "p_value"]
    result = result.with_columns(pl.col(numbers).fill_nan(None))
    return result.with_columns(significant=pl.col("p_value") < 1.0 - confidence)
