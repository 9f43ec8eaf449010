"""Key driver analysis: what drives a score, how the company does on it, and the 3-5 to fix first.

`key_drivers` takes a feedback frame with one row per response:

* ``customer_id``: who answered (a missing id makes the row its own customer);
* the outcome column: a score (NPS 0-10, CSAT 1-5, …) or a 0/1 outcome (promoter, churned);
* theme columns: 0/1 or boolean flags, typically "mentions X negatively";
* attribute columns: 0/1 or boolean flags kept as they are, anything else one-hot encoded
  against a reference level (see `klarsyn.analytics.driver_data`);
* optionally ``annual_value`` (a customer's yearly revenue) with a churn flag, and a period
  column for the trend.

Each customer has one voice: a response weighs 1 / (that customer's responses), so a handful of
customers writing again and again cannot outweigh everyone else. Importance is a share of R²
that handles correlated drivers honestly (exact Shapley for up to `EXACT_LIMIT` predictors,
Johnson's relative weights beyond, relative weights on the logit scale for 0/1 outcomes);
``uplift`` is the model's expected change in the mean outcome if the driver's negative mentions
became neutral. All intervals come from a seeded customer bootstrap. See docs/drivers.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import polars as pl

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.driver_bootstrap import draw_counts, interval
from klarsyn.analytics.driver_data import DriverData, Predictor, driver_data, plan_predictors
from klarsyn.analytics.driver_models import Fit, linear_fit, logistic_fit
from klarsyn.analytics.intervals import Floats
from klarsyn.analytics.priorities import choose, helps, quadrants
from klarsyn.analytics.tallies import check_confidence
from klarsyn.errors import InputError

# Up to this many predictors the exact Shapley decomposition (2^p subset regressions, grown from
# one covariance matrix) takes one to two seconds for 200 replicates on two cores, doubling with
# each further predictor; relative weights stay within 2% of R² of it (docs/drivers.md).
EXACT_LIMIT = 14

Model = Literal["auto", "linear", "logistic"]
Method = Literal["auto", "shapley", "relative_weights"]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True, slots=True)
class Driver:
    """One driver's importance, performance, uplift and reach.

    ``importance`` is its share of R² (the drivers' importances sum to the model's R²);
    ``performance`` the percentage of customers with the driver set (negative about it);
    ``uplift`` the expected change of the mean outcome if it were switched off, in the outcome's
    unit (score points, or the change of a 0/1 outcome's rate as a fraction); ``customers`` the
    distinct customers with it; ``value_at_stake`` the yearly value kept if it were fixed, when
    customer value and churn are known; ``trend`` the change of ``performance`` between the last
    two periods in percentage points, when a period column was given; ``examples`` a few
    comments from customers with the driver, for the priorities when a text column was given.
    """

    driver: str
    kind: str
    importance: float
    importance_low: float
    importance_high: float
    performance: float
    uplift: float
    uplift_low: float
    uplift_high: float
    customers: int
    value_at_stake: float | None
    trend: float | None
    quadrant: str
    significant: bool
    examples: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict; unknown numbers (no bootstrap, no trend) are None."""
        return {
            "driver": self.driver,
            "kind": self.kind,
            "importance": self.importance,
            "importance_low": _number(self.importance_low),
            "importance_high": _number(self.importance_high),
            "performance": self.performance,
            "uplift": self.uplift,
            "uplift_low": _number(self.uplift_low),
            "uplift_high": _number(self.uplift_high),
            "customers": self.customers,
            "value_at_stake": self.value_at_stake,
            "trend": None if self.trend is None else _number(self.trend),
            "quadrant": self.quadrant,
            "significant": self.significant,
            "examples": list(self.examples),
        }


@dataclass(frozen=True, slots=True)
class KeyDrivers:
    """The drivers of ``outcome`` (most important first) and the priority list.

    ``model`` is ``linear`` or ``logistic``; ``method`` the importance measure (``shapley``,
    ``relative_weights`` or ``logit_relative_weights``); ``r2`` the model's R² (for logistic
    models the squared correlation of outcome and fitted probability); ``rows`` and
    ``customers`` the responses and distinct customers used, ``dropped`` the rows left out for a
    missing outcome or predictor; ``note`` says why the priority list is short, if it is.
    """

    outcome: str
    model: str
    method: str
    r2: float
    rows: int
    customers: int
    dropped: int
    replicates: int
    confidence: float
    drivers: tuple[Driver, ...]
    priorities: tuple[str, ...]
    note: str | None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with ``drivers`` and ``priorities`` as in the CLI's output."""
        return {
            "outcome": self.outcome,
            "model": self.model,
            "method": self.method,
            "r2": self.r2,
            "rows": self.rows,
            "customers": self.customers,
            "dropped": self.dropped,
            "replicates": self.replicates,
            "confidence": self.confidence,
            "drivers": [driver.to_dict() for driver in self.drivers],
            "priorities": list(self.priorities),
            "note": self.note,
        }

    def table(self) -> pl.DataFrame:
        """The drivers as a frame, one row each, in the order of ``drivers``."""
        return pl.DataFrame([driver.to_dict() for driver in self.drivers])


@dataclass(frozen=True, slots=True)
class Options:
    """The settings of one analysis, as `key_drivers` takes them (shared with segments)."""

    outcome: str
    controls: tuple[str, ...]
    customer: str
    model: Model
    method: Method
    higher_is_better: bool
    per_customer: bool
    value: str | None
    churn: str | None
    period: str | None
    text: str | None
    examples: int
    replicates: int
    confidence: float
    seed: int


def key_drivers(
    frame: pl.DataFrame,
    *,
    outcome: str,
    themes: Sequence[str] = (),
    attributes: Sequence[str] = (),
    controls: Sequence[str] = (),
    customer: str = "customer_id",
    model: Model = "auto",
    method: Method = "auto",
    higher_is_better: bool = True,
    per_customer: bool = True,
    reference: Mapping[str, str] | None = None,
    max_levels: int = 20,
    value: str | None = None,
    churn: str | None = None,
    period: str | None = None,
    text: str | None = None,
    examples: int = 3,
    replicates: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> KeyDrivers:
    """Key drivers of ``outcome`` over ``themes`` and ``attributes``, with the 3-5 priorities.

    ``controls`` are attributes that describe who the customer is rather than something to fix
    (region, customer segment): they enter the model like attributes, so the other drivers are
    measured net of them, and are reported, but never become priorities. An attribute that is
    not 0/1 gets one flag per level against ``reference[column]`` (default: its most common
    level); more than ``max_levels`` levels raise `SchemaError`.

    Needs ``customer`` (default ``customer_id``), ``outcome``, every theme and attribute column,
    and ``value``/``churn``/``period`` when named. ``model="auto"`` fits a logistic model when
    the outcome only holds 0 and 1, else least squares; ``method="auto"`` uses exact Shapley up
    to `EXACT_LIMIT` predictors and relative weights beyond. Set ``higher_is_better=False`` for
    outcomes such as churn. ``value`` names a customer's annual value and ``churn`` a 0/1 churn
    flag; with both, ``value_at_stake`` is filled in. With ``text`` (the comment column), each
    priority carries up to ``examples`` comments, one per customer, worst outcomes first.
    ``replicates`` bootstrap replicates (0 for none) give the intervals at ``confidence``;
    ``seed`` fixes them.
    """
    options = Options(
        outcome=outcome,
        controls=tuple(controls),
        customer=customer,
        model=model,
        method=method,
        higher_is_better=higher_is_better,
        per_customer=per_customer,
        value=value,
        churn=churn,
        period=period,
        text=text,
        examples=examples,
        replicates=replicates,
        confidence=confidence,
        seed=seed,
    )
    predictors = plan_predictors(
        frame,
        themes=themes,
        attributes=[*attributes, *controls],
        reference=reference,
        max_levels=max_levels,
    )
    return analyse(frame, predictors=predictors, options=options, stream=(seed,))[0]


def analyse(
    frame: pl.DataFrame,
    *,
    predictors: Sequence[Predictor],
    options: Options,
    stream: Sequence[int],
) -> tuple[KeyDrivers, Fit]:
    """The analysis with its model fit; ``stream`` seeds the bootstrap draws."""
    check_confidence(options.confidence)
    if options.replicates < 0:
        raise InputError(
            f"replicates must be 0 or more, got {options.replicates}",
            hint="use 200 for stable 95% intervals, 0 to skip them",
        )
    if options.text is not None:
        require_columns(frame, [options.text], purpose="example comments")
    data = driver_data(
        frame,
        predictors=predictors,
        outcome=options.outcome,
        customer=options.customer,
        per_customer=options.per_customer,
        value=options.value,
        churn=options.churn,
        period=options.period,
        seed=options.seed,
    )
    rng = np.random.default_rng(list(stream))
    counts = draw_counts(rng, groups=data.groups, replicates=options.replicates)
    if _model_kind(data.y, options) == "logistic":
        churned = options.churn == options.outcome
        fit = logistic_fit(data, counts=counts, outcome_is_churn=churned)
    else:
        fit = linear_fit(data, counts=counts, method=_method(options, len(predictors)))
    result = _summarise(fit, data=data, options=options)
    if options.text is not None:
        result = _with_examples(result, frame=frame, predictors=predictors, options=options)
    return result, fit


def _model_kind(y: Floats, options: Options) -> str:
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    if options.model == "logistic" and not binary:
        raise InputError(
            f"a logistic model needs {options.outcome!r} to hold only 0 and 1",
            hint="use model='linear' for scores, or recode the outcome as 0/1",
        )
    if options.model == "auto":
        return "logistic" if binary else "linear"
    return options.model


def _method(options: Options, p: int) -> str:
    if options.method == "auto":
        return "shapley" if p <= EXACT_LIMIT else "relative_weights"
    if options.method == "shapley" and p > 18:
        raise InputError(
            f"exact Shapley over {p} predictors needs 2^{p} subset regressions",
            hint="use method='relative_weights' (or 'auto') beyond 18 predictors",
        )
    return options.method


def _summarise(fit: Fit, *, data: DriverData, options: Options) -> KeyDrivers:
    """Intervals, performance, quadrants and priorities from a model fit."""
    level = options.confidence
    imp_low, imp_high = interval(
        fit.importance, replicates=fit.importance_replicates, confidence=level
    )
    up_low, up_high = interval(fit.uplift, replicates=fit.uplift_replicates, confidence=level)
    sign = 1.0 if options.higher_is_better else -1.0
    gain_low, gain_high = (up_low, up_high) if options.higher_is_better else (-up_high, -up_low)
    eligible = helps(sign * fit.uplift, gain_low=gain_low)
    performance = data.affected / max(data.customers, 1) * 100.0
    labels = quadrants(fit.importance, performance=performance, hurts=sign * fit.uplift > 0)
    names = [p.name for p in data.predictors]
    # Without replicates the gain's upper bound is NaN, so nothing ties with the third.
    actionable = np.array([p.column not in options.controls for p in data.predictors])
    priorities, note = choose(
        names, gain=sign * fit.uplift, gain_high=gain_high, eligible=eligible & actionable
    )
    drivers = [
        Driver(
            driver=predictor.name,
            kind=predictor.kind,
            importance=float(fit.importance[j]),
            importance_low=float(imp_low[j]),
            importance_high=float(imp_high[j]),
            performance=float(performance[j]),
            uplift=float(fit.uplift[j]),
            uplift_low=float(up_low[j]),
            uplift_high=float(up_high[j]),
            customers=int(data.affected[j]),
            value_at_stake=None if fit.value_at_stake is None else float(fit.value_at_stake[j]),
            trend=None if data.trend is None else float(data.trend[j]),
            quadrant=labels[j],
            significant=bool(eligible[j]),
        )
        for j, predictor in enumerate(data.predictors)
    ]
    drivers.sort(key=lambda d: (-d.importance, d.driver))
    return KeyDrivers(
        outcome=options.outcome,
        model=fit.model,
        method=fit.method,
        r2=fit.r2,
        rows=data.rows,
        customers=data.customers,
        dropped=data.dropped,
        replicates=options.replicates,
        confidence=options.confidence,
        drivers=tuple(drivers),
        priorities=priorities,
        note=note,
    )


def _with_examples(
    result: KeyDrivers, *, frame: pl.DataFrame, predictors: Sequence[Predictor], options: Options
) -> KeyDrivers:
    """The result with example comments on each priority: one per customer, worst first."""
    text, outcome, customer = options.text or "", options.outcome, options.customer
    voiced = frame.filter(pl.col(text).is_not_null() & pl.col(outcome).is_not_null())
    # Anonymous comments are each their own customer, as everywhere else.
    voice = pl.coalesce(pl.col(customer).cast(pl.String), pl.lit("row:") + pl.col(text))
    voiced = voiced.select(
        voice.alias("_voice"), outcome, text, *(p.expression() for p in predictors)
    )
    chosen = {}
    for name in result.priorities:
        rows = voiced.filter(pl.col(name) > 0).sort(
            [outcome, text], descending=[not options.higher_is_better, False]
        )
        first = rows.unique(subset="_voice", keep="first", maintain_order=True)
        chosen[name] = tuple(first.get_column(text).cast(pl.String).head(options.examples))
    drivers = tuple(replace(d, examples=chosen.get(d.driver, ())) for d in result.drivers)
    return replace(result, drivers=drivers)
