"""Priorities: what drives the score, how the company does on it, and the 3-5 things to fix."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response

from klarsyn.analytics.drivers import Driver, KeyDrivers
from klarsyn.errors import InputError
from klarsyn.storage.driver_inputs import theme_of
from klarsyn.web.charts_priorities import quadrant_chart
from klarsyn.web.deps import MirrorDep, StoreDep, UserDep
from klarsyn.web.pages.context import layout
from klarsyn.web.queries.priorities import REPLICATES, cached_drivers
from klarsyn.web.scope import ScopeDep
from klarsyn.web.templating import ThemeNames, formatter, render

router = APIRouter()
MetricName = Literal["nps", "csat", "ces", "rating", "churn"]
METRIC_LABELS = {
    "nps": "NPS (0-10)",
    "csat": "CSAT (1-5)",
    "ces": "CES (1-7)",
    "rating": "Rating",
    "churn": "Churn",
}
QUADRANTS = ("fix first", "keep up", "watch", "don't over-invest")


def driver_labels(result: KeyDrivers, *, names: dict[str, str]) -> dict[str, str]:
    """Readable names: the taxonomy label of a theme, the attribute level as it is."""
    return {
        d.driver: names.get(theme_of(d.driver), theme_of(d.driver))
        if d.kind == "theme"
        else d.driver
        for d in result.drivers
    }


@router.get("/priorities")
def priorities_page(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    user: UserDep,
    scope: ScopeDep,
    metric: MetricName = "nps",
) -> Response:
    fmt = formatter(request)
    t = fmt.t
    names = ThemeNames(store, fmt.locale).all()
    context = layout(mirror, scope) | {
        "metric": metric,
        "metric_labels": METRIC_LABELS,
        "keep": {"metric": metric},
        "replicates": REPLICATES,
    }
    try:
        result = cached_drivers(request.app, store, scope=scope, metric=metric)
    except InputError as exc:
        # Too little data for this filter is a state of the page, not an error page.
        return render(request, "priorities.html", context | {"result": None, "problem": exc})
    labels = driver_labels(result, names=names)
    by_name = {d.driver: d for d in result.drivers}
    chosen: list[Driver] = [by_name[name] for name in result.priorities]
    chart = quadrant_chart(
        result,
        labels=labels,
        names={q: t(q) for q in QUADRANTS},
        importance_label=t("Importance (share of R²)"),
        performance_label=t("% of customers negative about it"),
    )
    context |= {
        "result": result,
        "problem": None,
        "priorities": chosen,
        "labels": labels,
        "chart": chart,
        "money_known": any(d.value_at_stake is not None for d in result.drivers),
    }
    return render(request, "priorities.html", context)
