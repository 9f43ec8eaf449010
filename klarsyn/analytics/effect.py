"""The measured effect of an action on a metric, since the day it started.

With a comparison group the effect is a difference-in-differences: how much more the target's
metric moved after the start than the comparison's did in the same calendar periods. Without one
it is an interrupted time series: how far the target's metric moved off its own earlier trend.
Both come with an interval and a p-value, and both refuse to claim anything while the feedback
after the start is thin ("too early"). See docs/effect.md for the methods and the rules.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np
import polars as pl

from klarsyn.analytics.effect_data import (
    Bools,
    Design,
    Segment,
    check_matches,
    check_start,
    describe,
    effect_design,
    scored_rows,
    segment_rows,
    start_instant,
)
from klarsyn.analytics.effect_models import Fit, difference_in_differences, interrupted_time_series
from klarsyn.analytics.metrics import Metric, metric_named
from klarsyn.analytics.periods import Period, check_period
from klarsyn.analytics.tallies import check_confidence
from klarsyn.errors import InputError

Method = Literal["difference-in-differences", "interrupted-time-series"]
Status = Literal["measured", "too early"]

# An effect is claimed only from this many scored responses after the start, spread over this
# many calendar periods, in the target and in the comparison alike. Fewer responses give an
# interval too wide to act on, and fewer periods cannot tell an effect from one odd week.
MIN_RESPONSES = 30
MIN_PERIODS = 3

_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "ces_easy": "CES % easy"}
_UNITS = {"net": " points", "share": " percentage points", "mean": ""}


@dataclass(frozen=True, slots=True)
class Effect:
    """The effect of an action on ``metric`` among its target, since its start.

    ``estimate``, ``ci_low`` and ``ci_high`` are in the metric's unit (NPS points, percentage
    points for shares, scale points for means); they and ``p_value`` are None while ``status`` is
    ``"too early"``. ``n_before`` and ``n_after`` count the target's scored responses on each side
    of the start and ``periods_before``/``periods_after`` the calendar periods they fall in;
    ``comparison_n`` counts the comparison's scored responses (None without a comparison).
    ``statement`` says it all in one plain sentence.
    """

    metric: str
    method: Method
    status: Status
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n_before: int
    n_after: int
    comparison_n: int | None
    periods_before: int
    periods_after: int
    statement: str
    confidence: float = 0.95

    @property
    def significant(self) -> bool:
        """True when an effect was measured and its p-value is below 1 - confidence."""
        return self.p_value is not None and self.p_value < 1.0 - self.confidence

    def to_dict(self) -> dict[str, Any]:
        """The fields (and ``significant``) as JSON-ready values."""
        return {**asdict(self), "significant": self.significant}


@dataclass(frozen=True, slots=True)
class _Counts:
    """Scored responses and their periods on each side of the start, for one group."""

    before: int
    after: int
    periods_before: int
    periods_after: int

    @classmethod
    def of(cls, design: Design, rows: Bools) -> _Counts:
        before, after = rows & ~design.after, rows & design.after
        return cls(
            before=int(before.sum()),
            after=int(after.sum()),
            periods_before=int(np.count_nonzero(np.bincount(design.period[before]))),
            periods_after=int(np.count_nonzero(np.bincount(design.period[after]))),
        )


def measure_effect(
    feedback: pl.DataFrame,
    *,
    metric: str | Metric = "nps",
    start: dt.datetime | dt.date,
    target: Segment,
    comparison: Segment | None = None,
    period: str = "week",
    confidence: float = 0.95,
    time_zone: str = "Europe/Stockholm",
    min_responses: int = MIN_RESPONSES,
    min_periods: int = MIN_PERIODS,
) -> Effect:
    """The effect on ``metric`` among the ``target`` segment since ``start``.

    ``feedback`` needs ``received_at`` (a datetime; naive means UTC), ``customer_id``, the
    metric's score column and the attribute columns the segments name. ``comparison`` None
    compares the target with everyone outside it, a segment compares it with that segment's
    customers outside the target (difference-in-differences), and an empty mapping asks for an
    interrupted time series of the target alone. ``period`` (day, week, month or quarter, in
    ``time_zone``) sets the fixed effects or the time series' steps. ``start`` may be a date,
    meaning local midnight.
    """
    spec = metric_named(metric)
    check_confidence(confidence)
    checked = check_period(period)
    if min_responses < 1 or min_periods < 1:
        raise InputError(
            f"min_responses and min_periods must be at least 1, not {min_responses} and "
            f"{min_periods}",
            hint="leave them at their defaults unless you know why",
        )
    moment = start_instant(start, time_zone=time_zone)
    scored = scored_rows(feedback, spec)
    check_start(scored, moment, metric=spec)
    in_target = segment_rows(scored, target, role="target")
    check_matches(scored, in_target, target, role="target")
    in_comparison = _comparison_rows(scored, in_target, comparison)
    method: Method = (
        "interrupted-time-series" if in_comparison is None else "difference-in-differences"
    )
    keep = in_target if in_comparison is None else in_target | in_comparison
    design = effect_design(
        scored.filter(keep),
        treated=in_target.filter(keep),
        start=moment,
        period=checked,
        time_zone=time_zone,
    )
    counts = _Counts.of(design, design.treated)
    others = None if in_comparison is None else _Counts.of(design, ~design.treated)
    _check_history(counts, others, method=method, min_responses=min_responses, spec=spec)
    words = _Words(
        spec=spec,
        target=describe(target),
        baseline=_baseline(method, comparison),
        since=moment.astimezone(zoneinfo.ZoneInfo(time_zone)).date(),
        period=checked,
        confidence=confidence,
    )
    pending = Effect(
        metric=spec.name,
        method=method,
        status="too early",
        estimate=None,
        ci_low=None,
        ci_high=None,
        p_value=None,
        n_before=counts.before,
        n_after=counts.after,
        comparison_n=None if others is None else others.before + others.after,
        periods_before=counts.periods_before,
        periods_after=counts.periods_after,
        statement=words.too_early(
            counts, others, min_responses=min_responses, min_periods=min_periods
        ),
        confidence=confidence,
    )
    if any(
        group.after < min_responses or group.periods_after < min_periods
        for group in (counts, others)
        if group is not None
    ):
        return pending
    fit = interrupted_time_series(design) if others is None else difference_in_differences(design)
    low, high = fit.interval(confidence)
    return replace(
        pending,
        status="measured",
        estimate=fit.estimate,
        ci_low=low,
        ci_high=high,
        p_value=fit.p_value,
        statement=words.measured(fit, low, high),
    )


def _comparison_rows(
    scored: pl.DataFrame, in_target: pl.Series, comparison: Segment | None
) -> pl.Series | None:
    """The comparison's rows (never the target's), or None for an interrupted time series."""
    if comparison is None:
        others = ~in_target
        # Everyone is targeted, so nobody is left to compare with: the target's own trend it is.
        return others if others.any() else None
    if not comparison:
        return None
    rows = segment_rows(scored, comparison, role="comparison") & ~in_target
    check_matches(scored, rows, comparison, role="comparison")
    return rows


def _check_history(
    counts: _Counts, others: _Counts | None, *, method: Method, min_responses: int, spec: Metric
) -> None:
    """Raise `InputError` when the feedback before the start cannot anchor a comparison.

    Waiting does not fix missing history, so this is an error rather than "too early".
    """
    periods = 3 if method == "interrupted-time-series" else 1
    groups = [("target", counts)] + ([("comparison", others)] if others is not None else [])
    for role, group in groups:
        if group.before < min_responses or group.periods_before < periods:
            raise InputError(
                f"the {role} has {group.before} {spec.name} response(s) in "
                f"{group.periods_before} period(s) before the start; measuring an effect "
                f"({method}) needs at least {min_responses} in {periods} period(s)",
                hint="pick a broader segment, a shorter period or a later start",
            )


def _baseline(method: Method, comparison: Segment | None) -> str | None:
    if method == "interrupted-time-series":
        return None
    return "other customers" if comparison is None else describe(comparison)


@dataclass(frozen=True, slots=True)
class _Words:
    """What goes into the plain sentence about an effect."""

    spec: Metric
    target: str
    baseline: str | None  # who the target is compared with; None: its own earlier trend
    since: dt.date
    period: Period
    confidence: float

    @property
    def _name(self) -> str:
        return _NAMES.get(self.spec.name, self.spec.label or self.spec.name)

    def _number(self, value: float, *, signed: bool = False) -> str:
        digits = 2 if self.spec.kind == "mean" else 1
        return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"

    def _periods(self, count: int) -> str:
        return f"{count} {self.period}{'' if count == 1 else 's'}"

    def measured(self, fit: Fit, low: float, high: float) -> str:
        level = f"{self.confidence * 100:g}% CI"
        joint = "-" if low >= 0 else " to "
        interval = f"{level} {self._number(low)}{joint}{self._number(high)}"
        significant = fit.p_value < 1.0 - self.confidence
        trend = (
            "its own earlier trend" if self.baseline is None else f"the trend of {self.baseline}"
        )
        verdict = "beyond" if significant else "not distinguishable from"
        return (
            f"{self._name} among {self.target} {self._number(fit.estimate, signed=True)}"
            f"{_UNITS[self.spec.kind]} ({interval}) since {self.since.isoformat()}, "
            f"{verdict} {trend}."
        )

    def too_early(
        self, counts: _Counts, others: _Counts | None, *, min_responses: int, min_periods: int
    ) -> str:
        seen = (
            f"{self._name} among {self.target} has {counts.after} response(s) in "
            f"{self._periods(counts.periods_after)} since {self.since.isoformat()}"
        )
        if others is not None:
            seen += f", {self.baseline} {others.after} in {self._periods(others.periods_after)}"
        need = f"at least {min_responses} responses over {self._periods(min_periods)}"
        scope = " in each group" if others is not None else ""
        return f"Too early to tell: {seen}; an effect is measured from {need}{scope}."
