"""The metrics Klarsyn measures: which column, which scale and which responses count as good."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from klarsyn.errors import InputError

MetricKind = Literal["net", "share", "mean"]


@dataclass(frozen=True, slots=True)
class Metric:
    """How one metric is computed from a score column.

    ``net`` metrics are the share of scores >= ``top`` minus the share <= ``bottom`` (NPS);
    ``share`` metrics are the share of scores >= ``top`` (CSAT, CES % easy); ``mean`` metrics
    average the scores. ``unit`` multiplies shares into points or percentages.
    """

    name: str
    kind: MetricKind
    column: str
    scale: tuple[float, float] | None
    top: float | None = None
    bottom: float | None = None
    unit: float = 1.0
    label: str = ""


NPS = Metric("nps", "net", "nps", (0, 10), top=9, bottom=6, unit=100.0, label="NPS")
CSAT = Metric("csat", "share", "csat", (1, 5), top=4, unit=100.0, label="CSAT %")
CES = Metric("ces", "mean", "ces", (1, 7), label="CES mean")
CES_EASY = Metric("ces_easy", "share", "ces", (1, 7), top=5, unit=100.0, label="CES % easy")
# Review-site stars, which the import normalises to 1-5. A `Metric` with ``scale=None`` suits
# any other scale: its intervals are then not clipped.
RATING = Metric("rating", "mean", "rating", (1, 5), label="Mean rating")

METRICS: Mapping[str, Metric] = MappingProxyType(
    {metric.name: metric for metric in (NPS, CSAT, CES, CES_EASY, RATING)}
)


def metric_named(name: str | Metric) -> Metric:
    """The `Metric` called ``name``; raises `InputError` listing the known ones otherwise."""
    if isinstance(name, Metric):
        return name
    try:
        return METRICS[name]
    except KeyError:
        raise InputError(
            f"unknown metric {name!r}; expected one of {', '.join(METRICS)}",
            hint="pick one of the listed metrics",
        ) from None
