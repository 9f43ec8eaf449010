"""What the layout needs on every dashboard page: the filters and their choices."""

from __future__ import annotations

from typing import Any

from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.queries.options import filter_options
from klarsyn.web.scope import Scope

PERIOD_LABELS = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "12m": "Last 12 months",
    "all": "All time",
    "custom": "Custom",
}


def layout(mirror: MirrorCache, scope: Scope) -> dict[str, Any]:
    return {
        "scope": scope,
        "options": filter_options(mirror),
        "period_labels": PERIOD_LABELS,
    }
