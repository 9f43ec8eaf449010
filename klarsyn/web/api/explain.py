"""``GET /api/v1/explain`` and ``GET /api/v1/findings``: the JSON ``klarsyn explain --json``
and ``klarsyn findings --json`` print, for the same options."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from klarsyn.analytics.explain import ExplainOptions
from klarsyn.analytics.explain_results import as_dict
from klarsyn.analytics.findings import FindingOptions, finding_dict
from klarsyn.storage.explain_inputs import explain_store, store_findings
from klarsyn.web.deps import MirrorDep, SettingsDep, StoreDep, UserDep
from klarsyn.web.scope import parse_segment

router = APIRouter(tags=["explain"])
MetricName = Literal["nps", "csat", "ces", "ces_easy", "rating"]
Grain = Literal["week", "month", "quarter"]
Alpha = Annotated[float, Query(gt=0, lt=1, description="False discovery rate.")]


@router.get("/explain")
def explain_change(
    store: StoreDep,
    mirror: MirrorDep,
    settings: SettingsDep,
    _user: UserDep,
    period: Annotated[str, Query(max_length=40, description="2026-06, 2026-Q2 or DAY..DAY.")],
    metric: MetricName = "nps",
    vs: Annotated[
        str | None, Query(max_length=40, description="Compared with (default: the one before).")
    ] = None,
    by: Annotated[str | None, Query(max_length=500, description="Attributes to search.")] = None,
    segment: Annotated[
        list[str] | None, Query(description="ATTRIBUTE:VALUE, repeatable: explain within it.")
    ] = None,
    alpha: Alpha = 0.05,
) -> dict[str, Any]:
    """Why ``metric`` moved from ``vs`` to ``period``: the change, its causes and symptoms."""
    attributes = [name.strip() for name in by.split(",") if name.strip()] if by else None
    explanation, _ = explain_store(
        store,
        metric=metric,
        period=period,
        vs=vs or None,
        time_zone=settings.timezone,
        where=dict(parse_segment(segment or [])),
        attributes=attributes,
        options=ExplainOptions(alpha=alpha),
        scan=mirror.scan(),
    )
    return as_dict(explanation)


@router.get("/findings")
def list_findings(
    store: StoreDep,
    mirror: MirrorDep,
    settings: SettingsDep,
    _user: UserDep,
    period: Grain = "month",
    alpha: Alpha = 0.05,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, object]]:
    """Changes beyond normal variation in every metric, overall and per segment."""
    found = store_findings(
        store,
        time_zone=settings.timezone,
        period=period,
        options=FindingOptions(alpha=alpha),
        scan=mirror.scan(),
    )
    return [finding_dict(f) for f in found[:limit]]
