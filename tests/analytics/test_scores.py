"""Single-sample estimators against references computed independently."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from klarsyn.analytics import (
    METRICS,
    Metric,
    ces,
    ces_easy,
    csat,
    mean_rating,
    metric_named,
    nps,
    score,
)
from klarsyn.errors import InputError, SchemaError


def _series(values: Sequence[float | None] | np.ndarray) -> pl.Series:
    return pl.Series("score", values, dtype=pl.Float64)


def test_nps_counts_promoters_minus_detractors_and_ignores_missing() -> None:
    estimate = nps(_series([10, 9, 8, 7, 6, 0, None, None]))
    assert estimate.value == pytest.approx(100 * (2 - 2) / 6)
    assert (estimate.n, estimate.missing) == (6, 2)
    assert estimate.small_n
    assert estimate.low < estimate.value < estimate.high


def test_nps_of_a_large_sample_matches_the_wald_interval() -> None:
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 11, 20_000)
    estimate = nps(_series(scores))
    promoters, detractors = np.mean(scores >= 9), np.mean(scores <= 6)
    variance = (promoters + detractors - (promoters - detractors) ** 2) / len(scores)
    half = 100 * 1.959963984540054 * math.sqrt(variance)
    assert estimate.value == pytest.approx(100 * (promoters - detractors), abs=1e-9)
    # The score interval converges on the Wald interval as n grows.
    assert estimate.low == pytest.approx(estimate.value - half, abs=0.02)
    assert estimate.high == pytest.approx(estimate.value + half, abs=0.02)
    assert not estimate.small_n


def test_csat_matches_statsmodels_wilson() -> None:
    scores = [5, 4, 4, 3, 1, 2, 5, 5, None, 4, 3]
    estimate = csat(_series(scores), confidence=0.9)
    low, high = proportion_confint(6, 10, alpha=0.1, method="wilson")
    assert estimate.value == pytest.approx(60.0)
    assert (estimate.low, estimate.high) == pytest.approx((100 * low, 100 * high), abs=1e-9)


def test_weighted_csat_uses_the_effective_sample_size() -> None:
    scores = np.array([5, 4, 1, 2, 3, 5, 4, 4])
    weights = np.array([0.5, 2.0, 1.0, 3.0, 1.0, 0.2, 1.5, 0.8])
    estimate = csat(_series(scores), weights=pl.Series(weights))
    n_eff = weights.sum() ** 2 / (weights**2).sum()
    share = weights[scores >= 4].sum() / weights.sum()
    low, high = proportion_confint(share * n_eff, n_eff, method="wilson")
    assert estimate.n_eff == pytest.approx(n_eff, abs=1e-12)
    assert estimate.value == pytest.approx(100 * share, abs=1e-9)
    assert (estimate.low, estimate.high) == pytest.approx((100 * low, 100 * high), abs=1e-9)


def test_ces_mean_matches_the_scipy_t_interval() -> None:
    scores = np.array([5, 6, 4, 7, 5, 3, 6, 6, 5, 4, 6, 7])
    estimate = ces(_series(scores))
    ref = stats.t.interval(0.95, len(scores) - 1, loc=scores.mean(), scale=stats.sem(scores))
    assert estimate.value == pytest.approx(scores.mean(), abs=1e-12)
    assert (estimate.low, estimate.high) == pytest.approx(ref, abs=1e-9)


def test_weighted_mean_matches_statsmodels_with_kish_weights() -> None:
    rng = np.random.default_rng(11)
    scores = rng.integers(1, 6, 40).astype(float)
    weights = rng.uniform(0.2, 3.0, 40)
    estimate = mean_rating(_series(scores), weights=pl.Series(weights), confidence=0.9)
    n_eff = weights.sum() ** 2 / (weights**2).sum()
    reference = DescrStatsW(scores, weights=weights * n_eff / weights.sum())
    assert estimate.value == pytest.approx(reference.mean, abs=1e-9)
    assert (estimate.low, estimate.high) == pytest.approx(reference.tconfint_mean(0.1), abs=1e-9)


def test_ces_interval_stays_on_the_scale() -> None:
    estimate = ces(_series([7, 7, 6]))
    assert 1.0 <= estimate.low <= estimate.value <= estimate.high == 7.0


def test_ces_easy_counts_five_to_seven() -> None:
    estimate = ces_easy(_series([1, 4, 5, 7, 6, None]))
    low, high = proportion_confint(3, 5, method="wilson")
    assert estimate.value == pytest.approx(60.0)
    assert (estimate.low, estimate.high) == pytest.approx((100 * low, 100 * high), abs=1e-9)
    assert estimate.missing == 1


def test_a_single_rating_spans_the_whole_scale() -> None:
    estimate = mean_rating(_series([4]))
    assert (estimate.value, estimate.low, estimate.high) == (4.0, 1.0, 5.0)


def test_a_metric_without_a_scale_is_neither_checked_nor_clipped() -> None:
    points = Metric("points", "mean", "points", None)
    single = score(_series([1_000]), metric=points)
    assert (single.value, single.low, single.high) == (1_000.0, -math.inf, math.inf)
    spread = score(_series([1, 1_000]), metric=points)
    assert spread.low < 1 and spread.high > 1_000


def test_no_scores_give_an_empty_estimate() -> None:
    estimate = nps(_series([None, None]))
    assert estimate.empty and estimate.n == 0 and estimate.missing == 2
    assert math.isnan(estimate.low) and math.isnan(estimate.high)
    assert not csat(_series([4])).empty


def test_zero_weights_everywhere_leave_nothing_to_estimate() -> None:
    estimate = nps(_series([9, 3]), weights=pl.Series([0.0, 0.0]))
    assert estimate.empty and estimate.n_eff == 0.0


def test_customers_count_distinct_ids_and_each_anonymous_response() -> None:
    estimate = nps(
        _series([10, 9, 3, 7, None, 8]),
        customers=pl.Series(["a", "a", "b", None, "c", None]),
    )
    assert estimate.customers == 4
    assert nps(_series([10])).customers is None


def test_score_dispatches_on_the_metric_name() -> None:
    values = _series([5, 4, 2])
    assert score(values, metric="csat") == csat(values)
    assert score(values, metric=METRICS["ces"]) == ces(values)
    assert metric_named(METRICS["nps"]) is METRICS["nps"]


@pytest.mark.parametrize(
    "call",
    [
        lambda: score(_series([1]), metric="loyalty"),
        lambda: nps(_series([11])),
        lambda: csat(_series([0])),
        lambda: nps(_series([9]), confidence=1.0),
        lambda: nps(_series([9, 8]), weights=pl.Series([1.0])),
        lambda: nps(_series([9, 8]), customers=pl.Series(["a"])),
        lambda: nps(_series([9, 8]), weights=pl.Series([1.0, -1.0])),
        lambda: nps(_series([9, 8]), weights=pl.Series([1.0, None])),
        lambda: nps(_series([9, 8]), weights=pl.Series([1.0, math.inf])),
    ],
)
def test_bad_input_raises_input_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        call()


def test_text_scores_raise_schema_error() -> None:
    with pytest.raises(SchemaError, match="numeric"):
        nps(pl.Series(["nine"]))
    with pytest.raises(SchemaError, match="numeric"):
        nps(_series([9]), weights=pl.Series(["heavy"]))


def test_a_null_typed_series_is_just_missing() -> None:
    estimate = nps(pl.Series([None, None]))
    assert estimate.missing == 2 and estimate.empty
