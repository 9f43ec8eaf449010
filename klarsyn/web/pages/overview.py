"""Overview: where the customer experience stands, how it moves, what customers just said."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from klarsyn.actions.cases import count_open
from klarsyn.analytics.findings import Finding
from klarsyn.web.charts import trend_chart, volume_chart
from klarsyn.web.deps import MirrorDep, NowDep, SettingsDep, StoreDep, UserDep
from klarsyn.web.pages.context import layout
from klarsyn.web.queries.criteria import Search
from klarsyn.web.queries.feedback_list import feedback_page, newest_id
from klarsyn.web.queries.findings import findings_if_ready
from klarsyn.web.queries.overview import overview
from klarsyn.web.queries.priorities import current_version, scope_key
from klarsyn.web.scope import ScopeDep
from klarsyn.web.templating import formatter, render

router = APIRouter()
RECENT = 6
FINDINGS = 5
# What each headline measures, in the reader's words (see docs/metrics.md).
SCALES = {
    "nps": "promoters minus detractors, -100 to 100",
    "csat": "% satisfied (4-5 of 5)",
    "ces": "mean ease, 1-7 (7 = very easy)",
}


@router.get("/overview")
def overview_page(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    settings: SettingsDep,
    user: UserDep,
    scope: ScopeDep,
    now: NowDep,
) -> Response:
    t = formatter(request).t
    # The same view over the same data has the same numbers: remembered per data version.
    asked = (scope_key(scope), now.date(), current_version(request.app))
    data = mirror.memo(
        f"overview:{asked!r}",
        lambda: overview(mirror, scope=scope, time_zone=settings.timezone, now=now),
    )
    recent = feedback_page(store, scope=scope, search=Search(), limit=RECENT, text_only=True)
    charts = {
        "trend": trend_chart(
            data.trend, label="NPS", grain=data.grain, band_label=t("95% interval")
        ),
        "volume": volume_chart(
            data.volume, grain=data.grain, count_label=t("Count"), channel_label=t("Channel")
        ),
    }
    context = layout(mirror, scope) | {
        "data": data,
        "recent": recent.items,
        "charts": charts,
        "newest": newest_id(store),
        "scales": SCALES,
        "findings": _first(findings_if_ready(mirror, store, time_zone=settings.timezone)),
        "open_cases": count_open(store, user=user),
    }
    return render(request, "overview.html", context)


def _first(findings: list[Finding] | None) -> list[Finding] | None:
    return None if findings is None else findings[:FINDINGS]
