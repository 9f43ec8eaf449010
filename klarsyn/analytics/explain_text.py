"""The sentences of an explanation: the headline and one summary per cause."""

from __future__ import annotations

import math

from klarsyn.analytics.metrics import Metric


def _p(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def _points(metric: Metric) -> str:
    return (
        "points"
        if metric.unit == 100.0 and metric.kind == "net"
        else ("percentage points" if metric.unit == 100.0 else "scale points")
    )


def headline(
    metric: Metric,
    *,
    delta: float,
    low: float,
    high: float,
    p_value: float,
    period: str,
    vs: str,
    alpha: float,
) -> str:
    """``NPS fell 9.2 points (95% CI 6.8-11.6) from 2026-05 to 2026-06 (p < 0.001).``"""
    label = metric.label or metric.name
    if math.isnan(delta):
        return f"{label} cannot be compared: one of the periods has no scores."
    verb = "fell" if delta < 0 else "rose" if delta > 0 else "did not move"
    size, lowest, highest = abs(delta), min(abs(low), abs(high)), max(abs(low), abs(high))
    if (low < 0.0) != (high < 0.0):
        interval = f"95% CI {low:+.1f} to {high:+.1f}"
    else:
        interval = f"95% CI {lowest:.1f}-{highest:.1f}"
    sentence = (
        f"{label} {verb} {size:.1f} {_points(metric)} ({interval}) from {vs} to {period} "
        f"({_p(p_value)})."
    )
    if not p_value < alpha:
        sentence += " That is within normal variation, so there is no change to explain."
    return sentence


def cause_summary(
    metric: Metric,
    *,
    kind: str,
    dimension: str,
    value: str,
    effect: str,
    share: float,
    values: tuple[float, float],
    rest: tuple[float, float],
    weights: tuple[float, float],
    p_value: float,
) -> str:
    """One sentence with the numbers behind a cause, in the metric's own unit."""
    label = metric.label or metric.name
    unit = metric.unit
    explained = f"explains {share:.0%} of the change ({_p(p_value)})"
    if kind in ("campaign", "event"):
        what = f"campaign '{value}'" if kind == "campaign" else f"{dimension} '{value}'"
        gap = (values[1] - rest[1]) * unit
        return (
            f"Customers exposed to {what} ({weights[1]:.0%} of responses) score {label} "
            f"{abs(gap):.1f} {'below' if gap < 0 else 'above'} comparable customers who were "
            f"not, in the same period; {explained}."
        )
    segment = f"{dimension} = {value}"
    if kind == "theme":
        segment = f"responses complaining about {value}"
    if effect == "mix":
        gaps = [v - r for v, r in zip(values, rest, strict=True) if not math.isnan(v - r)]
        gap = sum(gaps) / len(gaps) * unit if gaps else 0.0
        level = "below" if gap < 0 else "above"
        return (
            f"More responses from {segment} ({weights[0]:.0%} → {weights[1]:.0%}), whose {label} "
            f"is {abs(gap):.1f} {level} the rest: a mix effect that {explained}."
        )
    moved = (values[1] - values[0]) * unit
    others = (rest[1] - rest[0]) * unit
    return (
        f"{label} of {segment} moved {moved:+.1f} (from {values[0] * unit:.1f} to "
        f"{values[1] * unit:.1f}) while the rest moved {others:+.1f}; {explained}."
    )
