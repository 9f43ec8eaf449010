"""``GET /api/v1/drivers`` and ``/api/v1/themes``: what ``klarsyn drivers/themes --json`` print."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from klarsyn.web.api.filters import ApiScopeDep
from klarsyn.web.deps import StoreDep, UserDep
from klarsyn.web.queries.priorities import cached_drivers, cached_themes

router = APIRouter(tags=["drivers"])
MetricName = Literal["nps", "csat", "ces", "rating", "churn"]
LevelName = Literal["top", "all"]


def _number(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


@router.get("/drivers")
def drivers(
    request: Request,
    store: StoreDep,
    _user: UserDep,
    scope: ApiScopeDep,
    metric: MetricName = "nps",
    level: Annotated[LevelName, Query(description="Top-level themes, or all.")] = "top",
    min_customers: Annotated[int, Query(ge=1, le=100_000)] = 30,
) -> dict[str, Any]:
    """Key drivers of ``metric`` with intervals, and the 3-5 priorities (``priorities``)."""
    result = cached_drivers(
        request.app, store, scope=scope, metric=metric, level=level, min_customers=min_customers
    )
    return result.to_dict()


@router.get("/themes")
def themes(
    request: Request,
    store: StoreDep,
    _user: UserDep,
    scope: ApiScopeDep,
    level: Annotated[LevelName, Query(description="Every theme, or top-level only.")] = "all",
) -> list[dict[str, Any]]:
    """Per theme: customers, messages, shares, negative share, loudness; ranked by customers."""
    overview = cached_themes(request.app, store, scope=scope, level=level)
    return [
        {key: _number(value) for key, value in row.items()}
        for row in overview.table.iter_rows(named=True)
    ]
