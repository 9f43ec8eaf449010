"""Vega-Lite specifications of the dashboard's charts, built from query results.

One declarative grammar serves the dashboard now and the HTML/PDF report later; the browser
draws them with the vendored vega-embed (``static/vendor``), no CDN.
"""

from __future__ import annotations

from typing import Any

from klarsyn.web.queries.overview import TrendPoint, Volume

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# Day-first dates read right in both languages; the browser supplies Swedish month names.
AXIS_FORMAT = {"day": "%-d %b", "week": "%-d %b", "month": "%b %Y"}
CHANNEL_COLOURS = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777"]


def _base(height: int) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": {
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "gridColor": "#eef0f3"},
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "top"},
        },
    }


def trend_chart(
    points: list[TrendPoint], *, label: str, grain: str, band_label: str
) -> dict[str, Any]:
    """A line of the metric with its confidence interval as a band; small samples hollow."""
    values = [
        {
            "period": p.period.isoformat(),
            "value": None if p.value is None else round(p.value, 1),
            "low": None if p.low is None else round(p.low, 1),
            "high": None if p.high is None else round(p.high, 1),
            "n": p.n,
            "hollow": p.small_n or p.partial,
        }
        for p in points
        if p.n > 0
    ]
    time_unit = {"day": "yearmonthdate", "week": "yearmonthdate", "month": "yearmonth"}[grain]
    x = {
        "field": "period",
        "type": "temporal",
        "timeUnit": time_unit,
        "title": None,
        "axis": {"format": AXIS_FORMAT[grain]},
    }
    tooltip = [
        {"field": "period", "type": "temporal", "timeUnit": time_unit, "title": grain},
        {"field": "value", "type": "quantitative", "title": label},
        {"field": "low", "type": "quantitative", "title": f"{band_label} low"},
        {"field": "high", "type": "quantitative", "title": f"{band_label} high"},
        {"field": "n", "type": "quantitative", "title": "n"},
    ]
    return _base(360) | {
        "data": {"values": values},
        "encoding": {"x": x},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.18, "color": "#2563eb"},
                "encoding": {
                    "y": {"field": "low", "type": "quantitative", "title": label},
                    "y2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "line", "color": "#2563eb", "strokeWidth": 2},
                "encoding": {"y": {"field": "value", "type": "quantitative"}},
            },
            {
                "mark": {"type": "point", "color": "#2563eb", "size": 36},
                "encoding": {
                    "y": {"field": "value", "type": "quantitative"},
                    "fill": {
                        "condition": {"test": "datum.hollow", "value": "white"},
                        "value": "#2563eb",
                    },
                    "tooltip": tooltip,
                },
            },
        ],
    }


def volume_chart(
    rows: list[Volume], *, grain: str, count_label: str, channel_label: str
) -> dict[str, Any]:
    """Feedback per period as bars stacked by channel; periods the window cuts short are faded."""
    values = [
        {"period": v.period.isoformat(), "channel": v.channel, "count": v.count, "part": v.partial}
        for v in rows
    ]
    time_unit = {"day": "yearmonthdate", "week": "yearmonthdate", "month": "yearmonth"}[grain]
    return _base(200) | {
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "opacity": {"condition": {"test": "datum.part", "value": 0.35}, "value": 1},
            "x": {
                "field": "period",
                "type": "ordinal",
                "timeUnit": time_unit,
                "title": None,
                "axis": {"format": AXIS_FORMAT[grain], "formatType": "time", "labelAngle": 0},
            },
            "y": {"field": "count", "type": "quantitative", "stack": True, "title": count_label},
            "color": {
                "field": "channel",
                "type": "nominal",
                "title": channel_label,
                "scale": {"range": CHANNEL_COLOURS},
            },
        },
    }
