"""Explain: pick a metric and two periods (or a finding) and read why the metric moved."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from klarsyn.analytics.explain import ExplainOptions
from klarsyn.analytics.findings import Finding
from klarsyn.config import Settings
from klarsyn.errors import InputError
from klarsyn.storage.explain_inputs import explain_store, store_findings
from klarsyn.web.charts_explain import waterfall_chart
from klarsyn.web.deps import MirrorDep, NowDep, SettingsDep, StoreDep, UserDep
from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.pages.context import layout
from klarsyn.web.scope import ScopeDep
from klarsyn.web.templating import formatter, render

router = APIRouter()
MetricName = Literal["nps", "csat", "ces", "ces_easy", "rating"]
METRIC_LABELS = {
    "nps": "NPS (0-10)",
    "csat": "CSAT (1-5)",
    "ces": "CES (1-7)",
    "ces_easy": "CES % easy",
    "rating": "Rating",
}
SCORE_SERIES = frozenset(METRIC_LABELS)
FINDINGS_SHOWN = 12


def _last_month(now: datetime) -> str:
    first = now.date().replace(day=1) - timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def _findings(mirror: MirrorCache, store: Any, settings: Settings) -> list[Finding]:
    """The latest findings of the scores, remembered a while (they change with new data)."""

    def compute() -> list[Finding]:
        found = store_findings(store, time_zone=settings.timezone, scan=mirror.scan())
        scores = [f for f in found if f.series in SCORE_SERIES]
        return sorted(scores, key=lambda f: (f.period, -abs(f.z)), reverse=True)[:FINDINGS_SHOWN]

    return mirror.memo("explain-findings", compute, max_age=300.0)


@router.get("/explain")
def explain_page(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    settings: SettingsDep,
    user: UserDep,
    scope: ScopeDep,
    now: NowDep,
    metric: MetricName = "nps",
    month: Annotated[str | None, Query(max_length=40)] = None,
    vs: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    t = formatter(request).t
    chosen = month or _last_month(now)
    where = dict(scope.segment)
    if scope.channel:
        where["channel"] = scope.channel
    context = layout(mirror, scope) | {
        "metric": metric,
        "metric_labels": METRIC_LABELS,
        "month": chosen,
        "vs": vs or "",
        "findings": _findings(mirror, store, settings),
        "keep": {"metric": metric, "month": chosen, "vs": vs or ""},
        "explanation": None,
        "problem": None,
    }
    try:
        explanation, inputs = explain_store(
            store,
            metric=metric,
            period=chosen,
            vs=vs or None,
            time_zone=settings.timezone,
            where=where,
            options=ExplainOptions(),
            scan=mirror.scan(),
        )
    except InputError as exc:
        # Periods without feedback are a state of the page, not an error page.
        return render(request, "explain.html", context | {"problem": exc})
    examples = [example for cause in explanation.causes for example in cause.examples]
    chart = waterfall_chart(
        explanation,
        value_label=t(METRIC_LABELS[metric]),
        rest_label=t("everything else"),
        change_label=t("Change"),
    )
    context |= {
        "explanation": explanation,
        "texts": inputs.texts(examples),
        "chart": chart,
    }
    return render(request, "explain.html", context)
