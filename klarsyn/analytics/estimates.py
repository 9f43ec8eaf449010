"""The result types every estimator returns: a value that always travels with its uncertainty."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Below this many (effective) responses an interval is wide enough to mislead a casual reader;
# such estimates are flagged in every table and chart, never hidden.
SMALL_N = 30


@dataclass(frozen=True, slots=True)
class Estimate:
    """A metric value with its confidence interval and the sample behind it.

    ``value``, ``low`` and ``high`` are in the metric's own unit (NPS points from -100 to 100,
    percentages for shares, scale points for means) and are NaN when there are no responses.
    ``n`` counts responses with a score, ``missing`` those without one, ``customers`` the distinct
    customers behind the scored responses (None when no customer column was given) and ``n_eff``
    Kish's effective sample size, equal to ``n`` when unweighted.
    """

    metric: str
    value: float
    low: float
    high: float
    n: int
    missing: int
    customers: int | None
    n_eff: float
    confidence: float
    small_n: bool

    @property
    def empty(self) -> bool:
        """True when no response carried a score, so nothing can be said."""
        return self.n == 0 or math.isnan(self.value)


@dataclass(frozen=True, slots=True)
class Change:
    """The change of a metric from ``before`` to ``after`` with its interval and p-value.

    ``difference`` is ``after.value - before.value`` in the metric's unit (NPS points or
    percentage points); ``low``/``high`` bound it and ``p_value`` tests "no change".
    """

    metric: str
    before: Estimate
    after: Estimate
    difference: float
    low: float
    high: float
    p_value: float
    confidence: float

    @property
    def significant(self) -> bool:
        """True when the p-value is below 1 - confidence (0.05 by default)."""
        return self.p_value < 1.0 - self.confidence
