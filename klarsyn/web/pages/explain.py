"""Explain: pick a metric and two periods (or a finding) and read why the metric moved."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request, Response

from klarsyn.analytics.explain import ExplainOptions
from klarsyn.analytics.explain_results import Explanation
from klarsyn.errors import InputError
from klarsyn.storage.explain_inputs import ExplainInputs, explain_store
from klarsyn.storage.store import Store
from klarsyn.web.charts_explain import waterfall_chart
from klarsyn.web.deps import MirrorDep, NowDep, SettingsDep, StoreDep, UserDep
from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.pages.context import layout
from klarsyn.web.queries.findings import latest_findings
from klarsyn.web.queries.priorities import current_version
from klarsyn.web.scope import Scope, ScopeDep
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


def last_month(now: datetime) -> str:
    """The month before ``now``'s, the period Explain shows when none is asked for."""
    first = now.date().replace(day=1) - timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def explained(
    app: FastAPI,
    store: Store,
    mirror: MirrorCache,
    *,
    scope: Scope,
    time_zone: str,
    metric: MetricName,
    month: str,
    vs: str | None,
) -> tuple[Explanation, ExplainInputs] | InputError:
    """Why ``metric`` moved from ``vs`` to ``month`` within the filters' segment and channel.

    Periods without feedback come back as the InputError: they are a state of the page.
    """
    where = dict(scope.segment)
    if scope.channel:
        where["channel"] = scope.channel

    def compute() -> tuple[Explanation, ExplainInputs] | InputError:
        try:
            return explain_store(
                store,
                metric=metric,
                period=month,
                vs=vs or None,
                time_zone=time_zone,
                where=where,
                options=ExplainOptions(),
                scan=mirror.scan(),
            )
        except InputError as exc:
            return exc

    # The same question over the same data has the same answer: remember it per data version.
    asked = (metric, month, vs, sorted(where.items()), current_version(app))
    return mirror.memo(f"explain:{asked!r}", compute, max_age=600.0)


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
    chosen = month or last_month(now)
    context = layout(mirror, scope) | {
        "metric": metric,
        "metric_labels": METRIC_LABELS,
        "month": chosen,
        "vs": vs or "",
        "findings": latest_findings(mirror, store, time_zone=settings.timezone),
        "keep": {"metric": metric, "month": chosen, "vs": vs or ""},
        "explanation": None,
        "problem": None,
    }
    found = explained(
        request.app,
        store,
        mirror,
        scope=scope,
        time_zone=settings.timezone,
        metric=metric,
        month=chosen,
        vs=vs,
    )
    if isinstance(found, InputError):
        # Periods without feedback are a state of the page, not an error page.
        return render(request, "explain.html", context | {"problem": found})
    explanation, inputs = found
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
