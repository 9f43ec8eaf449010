"""Confidence intervals as vectorised NumPy functions.

Every function takes arrays (one element per group) so that one call serves a single score and a
table of ten thousand segments alike. Weighted samples enter through Kish's effective sample size:
the weighted shares, means and variances are put into the unweighted formula with ``n`` replaced
by ``n_eff``, so all-equal weights give exactly the unweighted interval.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

# Bisection halves the bracket each step; 2**-64 of a width-2 bracket is far below 1e-12.
_BISECTION_STEPS = 64


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile for ``confidence`` (1.96 for 0.95)."""
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def wilson(share: Floats, n: Floats, *, z: float) -> tuple[Floats, Floats]:
    """Wilson score interval for a proportion; stays inside [0, 1] and is sane at n = 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = z * z
        denominator = 1.0 + z2 / n
        centre = (share + z2 / (2.0 * n)) / denominator
        half = z * np.sqrt(share * (1.0 - share) / n + z2 / (4.0 * n * n)) / denominator
    # The interval contains the share exactly; min/max only undo rounding at 0 and 1.
    low = np.minimum(np.clip(centre - half, 0.0, 1.0), share)
    high = np.maximum(np.clip(centre + half, 0.0, 1.0), share)
    return low, high


def multinomial_variance(top: Floats, bottom: Floats) -> Floats:
    """Variance of one response's contribution to ``top - bottom`` (e.g. promoters - detractors).

    Each response is +1, 0 or -1, so the variance is p+ + p- - (p+ - p-)^2.
    """
    return np.maximum(top + bottom - (top - bottom) ** 2, 0.0)


def _tango_statistic(delta: Floats, top: Floats, bottom: Floats, n: Floats) -> Floats:
    """Tango's score statistic for ``top - bottom = delta`` in one multinomial sample.

    The variance is the multinomial one, evaluated at the maximum-likelihood shares constrained
    to the hypothesised difference rather than at the observed shares; that is what keeps the
    interval honest when every response is a promoter.
    """
    b, c = top * n, bottom * n
    a_coef = 2.0 * n
    b_coef = -b - c + (2.0 * n - b + c) * delta
    c_coef = -c * delta * (1.0 - delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(np.maximum(b_coef * b_coef - 4.0 * a_coef * c_coef, 0.0))
        constrained_bottom = np.maximum((root - b_coef) / (2.0 * a_coef), 0.0)
        spread = np.sqrt(n * np.maximum(2.0 * constrained_bottom + delta * (1.0 - delta), 0.0))
        numerator = b - c - n * delta
        statistic = numerator / spread
    # A zero spread only happens at delta = +-1; the sign of the numerator is the answer there.
    at_edge = np.where(numerator > 0.0, np.inf, np.where(numerator < 0.0, -np.inf, 0.0))
    return np.where(spread > 0.0, statistic, at_edge)


def tango(top: Floats, bottom: Floats, n: Floats, *, z: float) -> tuple[Floats, Floats]:
    """Score interval for a difference of two proportions of one multinomial sample.

    This is Tango's (1998) interval for a paired difference, which is the NPS structure: each
    response is a promoter (+1), passive (0) or detractor (-1). It inverts the score test, so it
    always contains the estimate, never leaves [-1, 1] and does not collapse at n = 1 or when all
    responses agree. The bounds are found by bisection, vectorised over groups.
    """
    estimate = top - bottom
    low_lo, low_hi = np.full_like(estimate, -1.0), estimate.copy()
    high_lo, high_hi = estimate.copy(), np.full_like(estimate, 1.0)
    for _ in range(_BISECTION_STEPS):
        mid = (low_lo + low_hi) / 2.0
        inside = _tango_statistic(mid, top, bottom, n) <= z
        low_lo, low_hi = np.where(inside, low_lo, mid), np.where(inside, mid, low_hi)
        mid = (high_lo + high_hi) / 2.0
        inside = _tango_statistic(mid, top, bottom, n) >= -z
        high_lo, high_hi = np.where(inside, mid, high_lo), np.where(inside, high_hi, mid)
    empty = ~(n > 0.0)
    low = np.where(empty, np.nan, low_hi)
    high = np.where(empty, np.nan, high_lo)
    return low, high


def t_interval(
    mean: Floats,
    variance: Floats,
    n: Floats,
    *,
    confidence: float,
    scale: tuple[float, float] | None,
) -> tuple[Floats, Floats]:
    """Student t interval for a mean, clipped to the scale the scores live on.

    With fewer than two (effective) responses the spread is unknown, so the interval is the
    whole scale, or unbounded when the scale is not known.
    """
    lowest, highest = scale if scale is not None else (-np.inf, np.inf)
    df = n - 1.0
    defined = df > 0.0
    safe_df = np.where(defined, df, 1.0)
    quantile = stats.t.ppf(0.5 + confidence / 2.0, safe_df)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = quantile * np.sqrt(variance / n)
    low = np.where(defined, np.clip(mean - half, lowest, highest), lowest)
    high = np.where(defined, np.clip(mean + half, lowest, highest), highest)
    empty = ~(n > 0.0)
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)
