"""The two estimators of an action's effect, on the arrays of a `Design`.

- `difference_in_differences`: response-level least squares of the value on period fixed
  effects, a target indicator and the target-after-start indicator, whose coefficient is the
  effect. Standard errors are clustered by customer (the Liang-Zeger sandwich with the small-sample
  factor ``G/(G-1) * (N-1)/(N-K)`` that statsmodels and Stata use) and the interval uses Student's
  t with ``G - 1`` degrees of freedom, so repeat customers do not pass for independent evidence.
  The period effects are swept out by demeaning within each period (Frisch-Waugh-Lovell), which
  gives exactly the full regression's coefficients and sandwich without a column per period.
- `interrupted_time_series`: segmented regression of the target's period values on time and a
  level shift at the start, weighted by the responses behind each value. Its standard error is
  the larger of Newey-West (HAC) on the period values and customer-clustered on the responses
  (Angrist and Pischke's advice against the small-sample bias of robust errors), with Student's
  t on the residual degrees of freedom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from klarsyn.analytics.effect_data import Design
from klarsyn.analytics.intervals import Floats, Ints
from klarsyn.errors import InputError


@dataclass(frozen=True, slots=True)
class Fit:
    """An estimated effect with its standard error and the t degrees of freedom to judge it."""

    estimate: float
    standard_error: float
    df: float

    def interval(self, confidence: float) -> tuple[float, float]:
        """The two-sided Student t interval."""
        half = float(stats.t.ppf(0.5 + confidence / 2.0, self.df)) * self.standard_error
        return self.estimate - half, self.estimate + half

    @property
    def p_value(self) -> float:
        """Two-sided p-value of "no effect"."""
        if self.standard_error == 0.0:
            return 0.0 if self.estimate != 0.0 else 1.0
        return float(2.0 * stats.t.sf(abs(self.estimate / self.standard_error), self.df))


def _demeaned(values: Floats, groups: Ints, count: Floats) -> Floats:
    """``values`` minus the mean of their group."""
    means = np.bincount(groups, weights=values, minlength=count.size) / count
    return values - means[groups]


def clusters(cluster: Ints) -> int:
    """The number of distinct clusters among non-negative cluster numbers."""
    return int(np.count_nonzero(np.bincount(cluster)))


def cluster_covariance(x: Floats, residual: Floats, cluster: Ints, *, parameters: int) -> Floats:
    """Cluster-robust covariance of least-squares coefficients on the columns of ``x``.

    ``parameters`` counts every coefficient of the full model (swept-out effects included) for
    the small-sample factor ``G/(G-1) * (N-1)/(N-K)``.
    """
    n = x.shape[0]
    bread = np.linalg.inv(x.T @ x)
    size = int(cluster.max()) + 1
    scores = np.column_stack(
        [np.bincount(cluster, weights=column * residual, minlength=size) for column in x.T]
    )
    groups = clusters(cluster)
    meat = scores.T @ scores
    factor = groups / (groups - 1.0) * (n - 1.0) / (n - parameters)
    covariance: Floats = factor * bread @ meat @ bread
    return covariance


def difference_in_differences(design: Design) -> Fit:
    """The target-after-start coefficient with period fixed effects, clustered by customer."""
    periods = int(design.period.max()) + 1
    count = np.bincount(design.period, minlength=periods).astype(np.float64)
    treated = design.treated.astype(np.float64)
    exposed = (design.treated & design.after).astype(np.float64)
    x = np.column_stack(
        [_demeaned(treated, design.period, count), _demeaned(exposed, design.period, count)]
    )
    y = _demeaned(design.value, design.period, count)
    gram = x.T @ x
    # Both columns vanish after demeaning when target and comparison never share a period, or
    # the target is never seen before (or after) the start: nothing then separates the effect.
    if np.linalg.cond(gram) > 1e12:
        raise InputError(
            "the target and the comparison do not overlap in time around the start, so their "
            "trends cannot be compared",
            hint="pick a comparison segment with feedback both before and after the start",
        )
    beta = np.linalg.solve(gram, x.T @ y)
    residual = y - x @ beta
    covariance = cluster_covariance(x, residual, design.cluster, parameters=periods + 2)
    df = float(clusters(design.cluster) - 1)
    return Fit(float(beta[1]), math.sqrt(max(covariance[1, 1], 0.0)), df)


def newey_west_lags(observations: int) -> int:
    """Newey and West's (1994) rule of thumb ``floor(4 (T/100)^(2/9))``, at least one lag."""
    return max(1, int(4.0 * (observations / 100.0) ** (2.0 / 9.0)))


def interrupted_time_series(design: Design) -> Fit:
    """The level shift at the start in the target's period values, beyond their linear trend.

    A period that the start cuts in two gives two values, one on each side. The standard error is
    the larger of two robust ones, since each is biased low in short series in its own way:
    Newey-West on the period values (shocks that linger from one period to the next) and
    clustered by customer on the responses (the same customers answering before and after).
    """
    target = design.treated
    cell = design.period[target] * 2 + design.after[target]
    cells, index = np.unique(cell, return_inverse=True)
    n = np.bincount(index).astype(np.float64)
    mean = np.bincount(index, weights=design.value[target]) / n
    after = (cells % 2).astype(np.float64)
    if after.sum() < 1 or (1 - after).sum() < 2 or cells.size < 5:
        raise InputError(
            "an interrupted time series needs at least two periods before the start, one after "
            "it and five in all",
            hint="pick a shorter period (e.g. week) or a comparison segment",
        )
    # Imported here: statsmodels takes seconds to import, which every CLI command would pay.
    from statsmodels.regression.linear_model import WLS

    exog = np.column_stack([np.ones(cells.size), design.elapsed[cells // 2], after])
    # Weighting each period by its responses makes these exactly the response-level coefficients.
    result = WLS(mean, exog, weights=n).fit(
        cov_type="HAC", cov_kwds={"maxlags": newey_west_lags(cells.size)}, use_t=True
    )
    responses = exog[index]
    residual = design.value[target] - responses @ result.params
    clustered = cluster_covariance(responses, residual, design.cluster[target], parameters=3)
    error = max(float(result.bse[2]), math.sqrt(max(clustered[2, 2], 0.0)))
    return Fit(float(result.params[2]), error, float(result.df_resid))
