"""The Explain page's chart: a waterfall from the earlier value to the later one.

Each supported cause is a step of the part of the change it explains; whatever no cause
explains is one grey step ("everything else"). Built like :mod:`klarsyn.web.charts`: a plain
Vega-Lite dict the page embeds as JSON and the vendored vega-embed draws.
"""

from __future__ import annotations

from typing import Any

from klarsyn.analytics.explain_results import Explanation
from klarsyn.web.charts import _base

COLOURS = {"total": "#2563eb", "down": "#dc2626", "up": "#16a34a", "rest": "#94a3b8"}


def waterfall_steps(explanation: Explanation, *, rest_label: str) -> list[dict[str, Any]]:
    """Bars from ``value_before`` through each cause to ``value_after``, rounded for display."""
    change = explanation.change
    steps: list[dict[str, Any]] = [
        {"label": change.vs, "start": 0.0, "end": change.value_before, "kind": "total"},
    ]
    level = change.value_before
    for rank, cause in enumerate(explanation.causes, 1):
        label = f"{rank}. {cause.value}"
        steps.append(
            {
                "label": label,
                "start": level,
                "end": level + cause.explained,
                "kind": "down" if cause.explained < 0 else "up",
            }
        )
        level += cause.explained
    if abs(change.value_after - level) > 1e-9:
        steps.append(
            {"label": rest_label, "start": level, "end": change.value_after, "kind": "rest"}
        )
    steps.append({"label": change.period, "start": 0.0, "end": change.value_after, "kind": "total"})
    for order, step in enumerate(steps):
        step |= {
            "order": order,
            "start": round(step["start"], 1),
            "end": round(step["end"], 1),
            "delta": round(step["end"] - step["start"], 1),
        }
    return steps


def waterfall_chart(
    explanation: Explanation, *, value_label: str, rest_label: str, change_label: str
) -> dict[str, Any]:
    """The waterfall of an explained change; totals blue, drops red, rises green, rest grey."""
    steps = waterfall_steps(explanation, rest_label=rest_label)
    kinds = list(COLOURS)
    return _base(280) | {
        "data": {"values": steps},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "label",
                "type": "nominal",
                "sort": {"field": "order"},
                "title": None,
                "axis": {"labelAngle": 0, "labelLimit": 160},
            },
            "y": {"field": "start", "type": "quantitative", "title": value_label},
            "y2": {"field": "end"},
            "color": {
                "field": "kind",
                "type": "nominal",
                "legend": None,
                "scale": {"domain": kinds, "range": [COLOURS[k] for k in kinds]},
            },
            "tooltip": [
                {"field": "label", "type": "nominal", "title": " "},
                {"field": "end", "type": "quantitative", "title": value_label},
                {"field": "delta", "type": "quantitative", "title": change_label},
            ],
        },
    }
