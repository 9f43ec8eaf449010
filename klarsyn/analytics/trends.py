"""Control charts: is this period's value outside what the preceding periods lead us to expect?

For every period the expected band is built only from the ``window`` periods before it in the same
segment, never from the period itself, so a real shift cannot widen its own band. The centre
line is the metric over the pooled baseline responses; the limits are Shewhart's
``centre +- sigmas * sd`` with sd for the period's own (effective) sample size:

- NPS: sd^2 = (p+ + p- - (p+ - p-)^2) / n with the baseline shares (a multinomial p-chart);
- shares: sd^2 = p(1 - p) / n (the p-chart);
- means: sd^2 = s^2 / n with the pooled baseline variance (an x̄-chart for varying n).

Three sigmas (the default) keep false alarms near 0.3% of periods, so a weekly wobble is not
mistaken for a change; periods outside the band are flagged ``above`` or ``below``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from klarsyn.analytics.grouping import Summary
from klarsyn.analytics.intervals import Floats
from klarsyn.analytics.metrics import Metric
from klarsyn.analytics.tallies import SUM_COLUMNS, parts
from klarsyn.errors import InputError


def _unit_bounds(metric: Metric) -> tuple[float, float]:
    if metric.kind == "net":
        return -1.0, 1.0
    if metric.kind == "share":
        return 0.0, 1.0
    return metric.scale if metric.scale is not None else (-np.inf, np.inf)


def _per_response_variance(metric: Metric, baseline: dict[str, Floats]) -> Floats:
    if metric.kind == "mean":
        return baseline["variance"]
    top, bottom = baseline["top"], baseline["bottom"]
    return np.maximum(top + bottom - (top - bottom) ** 2, 0.0)


def control_chart(
    summary: Summary,
    *,
    window: int = 12,
    min_baseline: int = 4,
    sigmas: float = 3.0,
) -> pl.DataFrame:
    """The control chart of a `Summary` made with a ``period``.

    Returns one row per period and segment: the keys, ``n``, ``n_eff``, ``value``, ``centre``,
    ``lower``, ``upper``, ``baseline_periods`` and ``signal`` (``"above"``, ``"below"`` or null).
    Periods with fewer than ``min_baseline`` preceding periods get no band and no signal.
    """
    if summary.period is None:
        raise InputError(
            "a control chart needs a summary made with a period",
            hint="call summarise(..., period='week') first",
        )
    if window < 1 or min_baseline < 1 or min_baseline > window or sigmas <= 0:
        raise InputError(
            f"need 1 <= min_baseline <= window and sigmas > 0; got window={window}, "
            f"min_baseline={min_baseline}, sigmas={sigmas}"
        )
    segments = list(summary.segments)
    tallies = summary.tallies.sort(summary.keys, nulls_last=True)

    def over(expr: pl.Expr) -> pl.Expr:
        return expr.over(segments) if segments else expr

    sums = SUM_COLUMNS[summary.metric.kind]
    baseline = tallies.select(
        *(over(pl.col(c).shift(1).rolling_sum(window, min_samples=1)).alias(c) for c in sums),
        over(pl.int_range(pl.len())).clip(upper_bound=window).alias("baseline_periods"),
    ).fill_null(0.0)
    metric = summary.metric
    current, expected = parts(metric, tallies), parts(metric, baseline)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(_per_response_variance(metric, expected) / current["n_eff"])
    lowest, highest = _unit_bounds(metric)
    usable = (baseline.get_column("baseline_periods").to_numpy() >= min_baseline) & (
        current["n_eff"] > 0.0
    )
    centre = np.where(usable, expected["estimate"], np.nan)
    lower = np.where(usable, np.clip(centre - sigmas * sigma, lowest, highest), np.nan)
    upper = np.where(usable, np.clip(centre + sigmas * sigma, lowest, highest), np.nan)
    value = np.where(current["n_eff"] > 0.0, current["estimate"], np.nan)
    unit = metric.unit
    chart = (
        tallies.select(*summary.keys, "n")
        .with_columns(
            pl.Series("n_eff", current["n_eff"]),
            pl.Series("value", value * unit),
            pl.Series("centre", centre * unit),
            pl.Series("lower", lower * unit),
            pl.Series("upper", upper * unit),
            baseline.get_column("baseline_periods").cast(pl.Int64),
        )
        .with_columns(pl.col("value", "centre", "lower", "upper").fill_nan(None))
    )
    signal = (
        pl.when(pl.col("value") > pl.col("upper"))
        .then(pl.lit("above"))
        .when(pl.col("value") < pl.col("lower"))
        .then(pl.lit("below"))
        .otherwise(None)
    )
    return chart.with_columns(signal.alias("signal"))
