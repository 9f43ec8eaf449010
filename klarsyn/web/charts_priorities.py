"""Vega-Lite specs of the Priorities and Themes pages: the driver quadrant and loud vs prevalent.

Built like :mod:`klarsyn.web.charts`: plain dicts the page embeds as JSON and the vendored
vega-embed draws, no CDN and no inline script.
"""

from __future__ import annotations

from statistics import median
from typing import Any

from klarsyn.analytics.drivers import KeyDrivers
from klarsyn.web.charts import _base

QUADRANT_COLOURS = {
    "fix first": "#dc2626",
    "keep up": "#16a34a",
    "watch": "#f59e0b",
    "don't over-invest": "#94a3b8",
}


def quadrant_chart(
    result: KeyDrivers,
    *,
    labels: dict[str, str],
    names: dict[str, str],
    importance_label: str,
    performance_label: str,
) -> dict[str, Any]:
    """Importance (x) against the share of customers with the driver (y), one point each.

    The rules sit where `klarsyn.analytics.priorities.quadrants` splits: the mean importance
    and the median share over the drivers that hurt. ``labels`` names the drivers for people;
    ``names`` translates the quadrant names.
    """
    drivers = result.drivers
    values = [
        {
            "driver": labels.get(d.driver, d.driver),
            "importance": round(d.importance, 5),
            "performance": round(d.performance, 2),
            "quadrant": names.get(d.quadrant, d.quadrant),
            "priority": d.driver in result.priorities,
        }
        for d in drivers
    ]
    mean_importance = sum(d.importance for d in drivers) / len(drivers) if drivers else 0.0
    hurting = [d.performance for d in drivers if d.uplift * _sign(result) > 0]
    split = median(hurting) if hurting else 0.0
    order = list(QUADRANT_COLOURS)
    x = {"field": "importance", "type": "quantitative", "title": importance_label}
    y = {"field": "performance", "type": "quantitative", "title": performance_label}
    return _base(380) | {
        "layer": [
            {
                "data": {"values": [{"x": mean_importance}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#64748b"},
                "encoding": {"x": {"field": "x", "type": "quantitative"}},
            },
            {
                "data": {"values": [{"y": split}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#64748b"},
                "encoding": {"y": {"field": "y", "type": "quantitative"}},
            },
            {
                "data": {"values": values},
                "mark": {"type": "point", "filled": True, "size": 90, "tooltip": True},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "quadrant",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": [names.get(q, q) for q in order],
                            "range": [QUADRANT_COLOURS[q] for q in order],
                        },
                    },
                    "shape": {
                        "condition": {"test": "datum.priority", "value": "diamond"},
                        "value": "circle",
                    },
                },
            },
            {
                "data": {"values": values},
                "mark": {"type": "text", "align": "left", "dx": 7, "fontSize": 11},
                "encoding": {"x": x, "y": y, "text": {"field": "driver"}},
            },
        ],
    }


def _sign(result: KeyDrivers) -> float:
    # A driver hurts when switching it off improves the outcome: a positive uplift for scores,
    # a negative one for churn.
    return -1.0 if result.outcome == "churned" else 1.0


def loudness_chart(
    rows: list[dict[str, Any]], *, customers_label: str, messages_label: str, loud_label: str
) -> dict[str, Any]:
    """Distinct customers (x) against messages (y) per theme; loud themes stand above the line.

    On the diagonal each customer wrote once; a loud theme sits far above it, which a chart of
    message counts alone would show as a big theme.
    """
    values = [
        {
            "theme": row["label"],
            "customers": row["customers"],
            "messages": row["feedback"],
            "loud": loud_label if row["loud"] else "",
            "top": round(row["top_k_share"] or 0.0, 1),
        }
        for row in rows
    ]
    top = max([1, *(max(v["customers"], v["messages"]) for v in values)])
    scale = {"type": "log", "domain": [1, top]}
    return _base(320) | {
        "layer": [
            {
                "data": {"values": [{"a": 1, "b": 1}, {"a": top, "b": top}]},
                "mark": {"type": "line", "strokeDash": [4, 4], "color": "#94a3b8"},
                "encoding": {
                    "x": {"field": "a", "type": "quantitative", "scale": scale},
                    "y": {"field": "b", "type": "quantitative", "scale": scale},
                },
            },
            {
                "data": {"values": values},
                "mark": {"type": "point", "filled": True, "size": 70, "tooltip": True},
                "encoding": {
                    "x": {
                        "field": "customers",
                        "type": "quantitative",
                        "scale": scale,
                        "title": customers_label,
                    },
                    "y": {
                        "field": "messages",
                        "type": "quantitative",
                        "scale": scale,
                        "title": messages_label,
                    },
                    "color": {
                        "condition": {"test": "datum.loud", "value": "#dc2626"},
                        "value": "#2563eb",
                    },
                },
            },
            {
                "data": {"values": [v for v in values if v["loud"]]},
                "mark": {"type": "text", "align": "left", "dx": 7, "fontSize": 11},
                "encoding": {
                    "x": {"field": "customers", "type": "quantitative", "scale": scale},
                    "y": {"field": "messages", "type": "quantitative", "scale": scale},
                    "text": {"field": "theme"},
                },
            },
        ],
    }
