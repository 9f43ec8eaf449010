"""Tests of change against statsmodels, SciPy and simulation."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import polars as pl
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.weightstats import DescrStatsW

from klarsyn.analytics import compare, period_changes, summarise
from klarsyn.analytics.intervals import z_value
from klarsyn.analytics.metrics import NPS
from klarsyn.analytics.significance import difference
from klarsyn.errors import InputError


def _series(values: np.ndarray | Sequence[float | None]) -> pl.Series:
    return pl.Series("score", values, dtype=pl.Float64)


def test_csat_change_matches_statsmodels() -> None:
    rng = np.random.default_rng(1)
    before, after = rng.integers(1, 6, 80), rng.integers(1, 6, 120)
    change = compare(_series(before), _series(after), metric="csat")
    good_before, good_after = int((before >= 4).sum()), int((after >= 4).sum())
    _, p_value = proportions_ztest([good_after, good_before], [120, 80])
    low, high = confint_proportions_2indep(good_after, 120, good_before, 80, method="newcomb")
    assert change.difference == pytest.approx(100 * (good_after / 120 - good_before / 80))
    assert change.p_value == pytest.approx(p_value, abs=1e-9)
    assert (change.low, change.high) == pytest.approx((100 * low, 100 * high), abs=1e-9)


def test_mean_change_matches_scipy_welch() -> None:
    rng = np.random.default_rng(2)
    before, after = rng.integers(1, 8, 30), rng.integers(2, 8, 45)
    change = compare(_series(before), _series(after), metric="ces", confidence=0.9)
    reference = stats.ttest_ind(after, before, equal_var=False)
    interval = reference.confidence_interval(confidence_level=0.9)
    assert change.difference == pytest.approx(after.mean() - before.mean(), abs=1e-12)
    assert change.p_value == pytest.approx(reference.pvalue, abs=1e-9)
    assert (change.low, change.high) == pytest.approx((interval.low, interval.high), abs=1e-9)


def test_weighted_mean_change_matches_welch_on_kish_weights() -> None:
    rng = np.random.default_rng(4)
    before, after = rng.integers(1, 6, 50).astype(float), rng.integers(1, 6, 60).astype(float)
    w_before, w_after = rng.uniform(0.5, 2, 50), rng.uniform(0.5, 2, 60)
    change = compare(
        _series(before),
        _series(after),
        metric="rating",
        weights_before=pl.Series(w_before),
        weights_after=pl.Series(w_after),
    )
    # Welch on the Kish-normalised weighted descriptive statistics, assembled by hand.
    described = []
    for values, weights in ((before, w_before), (after, w_after)):
        n_eff = weights.sum() ** 2 / (weights**2).sum()
        d = DescrStatsW(values, weights=weights * n_eff / weights.sum())
        described.append((d.mean, d.var * n_eff / (n_eff - 1), n_eff))
    (m_b, v_b, n_b), (m_a, v_a, n_a) = described
    reference = stats.ttest_ind_from_stats(
        m_a, math.sqrt(v_a), n_a, m_b, math.sqrt(v_b), n_b, equal_var=False
    )
    assert change.difference == pytest.approx(m_a - m_b, abs=1e-12)
    assert change.p_value == pytest.approx(reference.pvalue, abs=1e-9)


def test_nps_change_is_a_z_test_with_pooled_multinomial_variance() -> None:
    before = _series([10] * 40 + [8] * 30 + [3] * 30)
    after = _series([10] * 25 + [8] * 30 + [3] * 45)
    change = compare(before, after, metric="nps")
    promoters, detractors = 65 / 200, 75 / 200
    pooled = promoters + detractors - (promoters - detractors) ** 2
    z = (-0.2 - 0.1) / math.sqrt(pooled * (1 / 100 + 1 / 100))
    assert change.difference == pytest.approx(-30.0)
    assert change.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), abs=1e-12)
    assert change.significant
    assert change.low < change.difference < change.high < 0


def _simulated_pairs(
    before: tuple[float, float, float], after: tuple[float, float, float], n: int, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    sides = []
    for shares in (before, after):
        counts = rng.multinomial(n, shares, size=4_000).astype(float)
        top, bottom = counts[:, 2] / n, counts[:, 0] / n
        sides.append(
            {
                "n_eff": np.full(len(top), float(n)),
                "estimate": top - bottom,
                "top": top,
                "bottom": bottom,
            }
        )
    return sides[0], sides[1]


def test_nps_test_rejects_five_percent_of_the_time_when_nothing_changed() -> None:
    before, after = _simulated_pairs((0.25, 0.35, 0.4), (0.25, 0.35, 0.4), 120, seed=9)
    _, _, _, p = difference(NPS, before, after, confidence=0.95)
    # Simulation error of a 5% rate over 4,000 pairs is 0.35 points.
    assert 0.04 <= np.mean(p < 0.05) <= 0.06


def test_nps_change_interval_covers_the_true_change() -> None:
    before, after = _simulated_pairs((0.2, 0.3, 0.5), (0.3, 0.3, 0.4), 100, seed=10)
    _, low, high, _ = difference(NPS, before, after, confidence=0.95)
    truth = (0.4 - 0.3) - (0.5 - 0.2)
    assert 0.94 <= np.mean((low <= truth) & (truth <= high)) <= 0.965


def test_change_against_an_empty_sample_is_unknown() -> None:
    change = compare(_series([None]), _series([9, 10]), metric="nps")
    assert change.before.empty and math.isnan(change.p_value) and not change.significant
    change = compare(_series([]), _series([3, 4]), metric="ces")
    assert math.isnan(change.low) and math.isnan(change.p_value)


def test_degenerate_samples_are_handled() -> None:
    same = compare(_series([10, 10]), _series([9, 10, 10]), metric="nps")
    assert same.difference == 0.0 and same.p_value == 1.0
    flat = compare(_series([7, 7, 7]), _series([7, 7]), metric="ces")
    assert (flat.difference, flat.low, flat.high, flat.p_value) == (0.0, 0.0, 0.0, 1.0)
    apart = compare(_series([1, 1, 1]), _series([7, 7]), metric="ces")
    assert apart.p_value == 0.0 and apart.low == apart.high == 6.0
    single = compare(_series([4]), _series([5, 6]), metric="ces")
    assert math.isnan(single.p_value) and single.difference == pytest.approx(1.5)


def test_two_single_opposite_answers_are_not_significant() -> None:
    change = compare(_series([10]), _series([0]), metric="nps")
    assert change.difference == -200.0
    assert change.p_value > 0.1 and change.low == -200.0 and change.high > 0


def _weekly(values_by_week: dict[int, list[int]], region: str = "north") -> list[dict[str, object]]:
    start = dt.datetime(2024, 3, 4, 12, tzinfo=dt.UTC)
    return [
        {"received_at": start + dt.timedelta(weeks=week), "region": region, "nps": v}
        for week, values in values_by_week.items()
        for v in values
    ]


def test_period_changes_match_pairwise_compare() -> None:
    weeks = {0: [10, 9, 3, 8, 7], 1: [10, 2, 3, 1], 2: [9, 9, 10, 10, 8, 6]}
    rows = _weekly(weeks) + _weekly({0: [5, 6], 2: [10]}, region="south")
    frame = pl.DataFrame(rows).with_columns(customer_id=pl.int_range(pl.len()))
    changes = period_changes(summarise(frame, metric="nps", by=["region"], period="week"))
    north = changes.filter(pl.col("region") == "north")
    assert north.get_column("difference")[0] is None
    for index in (1, 2):
        expected = compare(_series(weeks[index - 1]), _series(weeks[index]), metric="nps")
        row = north.row(index, named=True)
        assert (row["difference"], row["ci_low"], row["ci_high"], row["p_value"]) == pytest.approx(
            (expected.difference, expected.low, expected.high, expected.p_value), abs=1e-9
        )
        assert row["significant"] == expected.significant
    south = changes.filter(pl.col("region") == "south")
    assert south.get_column("previous_value").to_list() == [None, -100.0]


def test_period_changes_without_segments() -> None:
    frame = pl.DataFrame(_weekly({0: [5, 4], 1: [1, 2]})).with_columns(customer_id=pl.lit("a"))
    changes = period_changes(summarise(frame, metric="csat", score="nps", period="week"))
    assert changes.get_column("difference").to_list() == [None, -100.0]


def test_period_changes_need_a_period() -> None:
    frame = pl.DataFrame({"nps": [9], "customer_id": ["a"]})
    with pytest.raises(InputError, match="period"):
        period_changes(summarise(frame, metric="nps"))
    with pytest.raises(InputError, match="confidence"):
        compare(_series([9]), _series([9]), metric="nps", confidence=0.0)


def test_z_value_is_used_for_the_two_sided_level() -> None:
    assert z_value(0.9) < z_value(0.95) < z_value(0.99)
