"""The interval formulas against independent references: statsmodels, SciPy and brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint

from klarsyn.analytics.intervals import (
    multinomial_variance,
    t_interval,
    tango,
    wilson,
    z_value,
)

Z95 = 1.959963984540054


def _constrained_bottom(delta: float, b: float, c: float, n: float) -> float:
    """Maximum-likelihood detractor share given promoters - detractors = delta, numerically."""
    lowest, highest = max(0.0, -delta), (1.0 - delta) / 2.0

    def negative_log_likelihood(q: float) -> float:
        terms = [(b, q + delta), (c, q), (n - b - c, 1.0 - 2.0 * q - delta)]
        return -sum(k * math.log(p) for k, p in terms if k > 0)

    eps = 1e-15
    found = optimize.minimize_scalar(
        negative_log_likelihood,
        bounds=(lowest + eps, highest - eps),
        method="bounded",
        options={"xatol": 1e-14},
    )
    return float(found.x)


def _score_interval(b: float, c: float, n: float, z: float) -> tuple[float, float]:
    """Invert the multinomial score test by root finding: the definition, not the closed form."""
    estimate = (b - c) / n

    def statistic(delta: float) -> float:
        q = _constrained_bottom(delta, b, c, n)
        return (b - c - n * delta) / math.sqrt(n * (2.0 * q + delta * (1.0 - delta)))

    edge = 1.0 - 1e-9
    inner_low, inner_high = max(estimate, -edge), min(estimate, edge)
    low = -1.0 if c == n else optimize.brentq(lambda d: statistic(d) - z, -edge, inner_high)
    high = 1.0 if b == n else optimize.brentq(lambda d: statistic(d) + z, inner_low, edge)
    return low, high


def test_z_value_matches_the_normal_quantile() -> None:
    assert z_value(0.95) == pytest.approx(Z95, abs=1e-12)
    assert z_value(0.8) == pytest.approx(stats.norm.ppf(0.9), abs=1e-12)


@pytest.mark.parametrize("count, n", [(0, 1), (1, 1), (3, 10), (47, 120), (120, 120), (9, 2000)])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_matches_statsmodels(count: int, n: int, confidence: float) -> None:
    low, high = wilson(np.array([count / n]), np.array([float(n)]), z=z_value(confidence))
    ref_low, ref_high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    assert low[0] == pytest.approx(ref_low, abs=1e-9)
    assert high[0] == pytest.approx(ref_high, abs=1e-9)


def test_wilson_with_fractional_effective_counts_matches_statsmodels() -> None:
    low, high = wilson(np.array([0.37]), np.array([41.3]), z=Z95)
    ref_low, ref_high = proportion_confint(0.37 * 41.3, 41.3, alpha=0.05, method="wilson")
    assert (low[0], high[0]) == pytest.approx((ref_low, ref_high), abs=1e-9)


@pytest.mark.parametrize(
    "b, c, n",
    [(5, 2, 10), (1, 0, 1), (0, 1, 1), (10, 0, 10), (0, 0, 4), (60, 25, 200), (3, 40, 50)],
)
def test_tango_matches_a_brute_force_inversion_of_the_score_test(b: int, c: int, n: int) -> None:
    low, high = tango(np.array([b / n]), np.array([c / n]), np.array([float(n)]), z=Z95)
    ref_low, ref_high = _score_interval(b, c, n, Z95)
    assert low[0] == pytest.approx(ref_low, abs=1e-6)
    assert high[0] == pytest.approx(ref_high, abs=1e-6)


def test_tango_is_empty_without_responses() -> None:
    low, high = tango(np.array([0.0]), np.array([0.0]), np.array([0.0]), z=Z95)
    assert math.isnan(low[0]) and math.isnan(high[0])


def test_multinomial_variance_matches_a_direct_simulation() -> None:
    rng = np.random.default_rng(7)
    shares, n = (0.45, 0.35, 0.2), 50
    counts = rng.multinomial(n, shares, size=200_000)
    simulated = np.var((counts[:, 0] - counts[:, 2]) / n)
    formula = multinomial_variance(np.array([shares[0]]), np.array([shares[2]]))[0] / n
    # The sampling error of a variance from 200,000 draws is well under 1% here.
    assert simulated == pytest.approx(formula, rel=0.01)


def test_t_interval_matches_scipy() -> None:
    values = np.array([3.0, 4.0, 4.0, 5.0, 6.0, 2.0, 5.0])
    low, high = t_interval(
        np.array([values.mean()]),
        np.array([values.var(ddof=1)]),
        np.array([float(len(values))]),
        confidence=0.9,
        scale=None,
    )
    ref = stats.t.interval(0.9, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert (low[0], high[0]) == pytest.approx(ref, abs=1e-9)


def test_t_interval_falls_back_to_the_scale_below_two_responses() -> None:
    ones = np.array([1.0])
    low, high = t_interval(ones * 4, ones * 0, ones, confidence=0.95, scale=(1, 7))
    assert (low[0], high[0]) == (1.0, 7.0)
    low, high = t_interval(ones * 4, ones * 0, ones, confidence=0.95, scale=None)
    assert (low[0], high[0]) == (-math.inf, math.inf)
    empty = t_interval(ones * np.nan, ones * np.nan, ones * 0, confidence=0.95, scale=(1, 7))
    assert all(math.isnan(bound[0]) for bound in empty)
