"""NPS, CSAT, CES and mean rating of one sample, each with its confidence interval.

Every function takes the scores as a Polars Series; missing scores are ignored and counted in
``Estimate.missing``. Optional ``weights`` (same length, finite, >= 0, any total) make the
estimate representative; the interval then uses Kish's effective sample size. Optional
``customers`` (same length) fills ``Estimate.customers`` with the number of distinct customers.

Intervals: NPS uses Tango's score interval for a difference of two multinomial proportions,
shares use Wilson's score interval, means use the Student t interval. See docs/metrics.md.
"""

from __future__ import annotations

import polars as pl

from klarsyn.analytics.estimates import SMALL_N, Estimate
from klarsyn.analytics.metrics import Metric, metric_named
from klarsyn.analytics.tallies import (
    check_confidence,
    estimate_at,
    tally_series,
    with_estimates,
)


def score(
    scores: pl.Series,
    *,
    metric: str | Metric,
    weights: pl.Series | None = None,
    customers: pl.Series | None = None,
    confidence: float = 0.95,
    small_n: int = SMALL_N,
) -> Estimate:
    """The ``metric`` estimate of ``scores`` (see the module docstring for the arguments)."""
    spec = metric_named(metric)
    check_confidence(confidence)
    tallies = tally_series(spec, scores, weights=weights, customers=customers)
    table = with_estimates(spec, tallies, confidence=confidence, small_n=small_n)
    return estimate_at(spec, table, 0, confidence=confidence)


def nps(
    scores: pl.Series,
    *,
    weights: pl.Series | None = None,
    customers: pl.Series | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Net Promoter Score of 0-10 scores: % promoters (9-10) minus % detractors (0-6)."""
    return score(scores, metric="nps", weights=weights, customers=customers, confidence=confidence)


def csat(
    scores: pl.Series,
    *,
    weights: pl.Series | None = None,
    customers: pl.Series | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Customer satisfaction: the percentage of 1-5 scores that are 4 or 5."""
    return score(scores, metric="csat", weights=weights, customers=customers, confidence=confidence)


def ces(
    scores: pl.Series,
    *,
    weights: pl.Series | None = None,
    customers: pl.Series | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Customer effort score: the mean of 1-7 scores (7 = very easy)."""
    return score(scores, metric="ces", weights=weights, customers=customers, confidence=confidence)


def ces_easy(
    scores: pl.Series,
    *,
    weights: pl.Series | None = None,
    customers: pl.Series | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """The percentage of 1-7 effort scores that are 5 to 7 ("easy")."""
    return score(
        scores, metric="ces_easy", weights=weights, customers=customers, confidence=confidence
    )


def mean_rating(
    scores: pl.Series,
    *,
    weights: pl.Series | None = None,
    customers: pl.Series | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """The mean of 1-5 ratings (review stars), with a t interval."""
    return score(
        scores, metric="rating", weights=weights, customers=customers, confidence=confidence
    )
