"""What an explanation returns, and its JSON form (the contract the CLI and the API print)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from klarsyn.analytics.explain_themes import ThemeRise


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """The change of the metric from ``vs`` to ``period``, in the metric's unit."""

    metric: str
    period: str
    vs: str
    value_before: float
    value_after: float
    delta: float
    ci_low: float
    ci_high: float
    p_value: float
    n_before: int
    n_after: int


@dataclass(frozen=True, slots=True)
class Cause:
    """One supported cause of the change, with the numbers behind its summary.

    ``kind`` is segment, campaign, event or theme; ``dimension`` the attribute, the pair of
    attributes (joined by a multiplication sign) or the event type; ``effect`` mix, rate or
    exposure.
    ``explained`` is the part of the change it explains in the metric's unit (``mix + rate``),
    ``explained_share`` that part over the whole change. ``share_*`` are its shares of the
    responses, ``value_*`` its metric and ``rest_*`` the metric of everyone else.
    """

    kind: str
    dimension: str
    value: str
    effect: str
    explained_share: float
    p_value: float
    summary: str
    symptoms: tuple[str, ...]
    examples: tuple[str, ...]
    explained: float
    mix: float
    rate: float
    share_before: float
    share_after: float
    value_before: float | None
    value_after: float | None
    rest_before: float | None
    rest_after: float | None
    n_before: int
    n_after: int


@dataclass(frozen=True, slots=True)
class Explanation:
    """The change, its causes (best first, empty when none is supported) and the themes that
    rose, each marked with the cause it is a symptom of."""

    change: ChangeSummary
    causes: tuple[Cause, ...]
    themes: tuple[ThemeRise, ...]
    headline: str
    tested: int

    @property
    def clear(self) -> bool:
        """False when no cause is supported: the honest answer is then "no clear cause"."""
        return bool(self.causes)


def _number(value: float | None, digits: int = 4) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def as_dict(explanation: Explanation) -> dict[str, Any]:
    """The JSON object of ``klarsyn explain --json`` and ``GET /api/v1/explain``."""
    change = explanation.change
    return {
        "change": {
            "metric": change.metric,
            "period": change.period,
            "vs": change.vs,
            "value_before": _number(change.value_before),
            "value_after": _number(change.value_after),
            "delta": _number(change.delta),
            "ci_low": _number(change.ci_low),
            "ci_high": _number(change.ci_high),
            "p_value": _number(change.p_value, 8),
            "n_before": change.n_before,
            "n_after": change.n_after,
        },
        "headline": explanation.headline,
        "causes": [
            {
                "kind": c.kind,
                "dimension": c.dimension,
                "value": c.value,
                "effect": c.effect,
                "explained_share": _number(c.explained_share),
                "p_value": _number(c.p_value, 8),
                "summary": c.summary,
                "symptoms": list(c.symptoms),
                "examples": list(c.examples),
                "explained": _number(c.explained),
                "mix": _number(c.mix),
                "rate": _number(c.rate),
                "share_before": _number(c.share_before),
                "share_after": _number(c.share_after),
                "value_before": _number(c.value_before),
                "value_after": _number(c.value_after),
                "rest_before": _number(c.rest_before),
                "rest_after": _number(c.rest_after),
                "n_before": c.n_before,
                "n_after": c.n_after,
            }
            for c in explanation.causes
        ],
        "themes": [
            {
                "theme": t.theme,
                "share_before": _number(t.share_before),
                "share_after": _number(t.share_after),
                "p_value": _number(t.p_value, 8),
                "symptom_of": t.symptom_of,
            }
            for t in explanation.themes
        ],
        "tested": explanation.tested,
    }
