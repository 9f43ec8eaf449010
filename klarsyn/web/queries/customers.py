"""The customers who wrote most in the period: where a CX manager starts reading a story.

Read from the mirror, so the ranking costs one group-by however large the feedback grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.queries.criteria import Search, frame_filter
from klarsyn.web.scope import Scope


@dataclass(frozen=True, slots=True)
class ActiveCustomer:
    customer_id: str
    feedback: int
    lowest_nps: int | None
    last_at: datetime


def active_customers(mirror: MirrorCache, *, scope: Scope, limit: int = 15) -> list[ActiveCustomer]:
    scan = mirror.scan()
    available = scan.collect_schema().names()
    ranked = (
        scan.filter(frame_filter(scope, Search(), available=available))
        .filter(pl.col("customer_id").is_not_null())
        .group_by("customer_id")
        .agg(
            pl.len().alias("feedback"),
            pl.col("nps").min().alias("lowest_nps"),
            pl.col("received_at").max().alias("last_at"),
        )
        .sort(["feedback", "last_at"], descending=True)
        .head(limit)
        .collect()
    )
    return [ActiveCustomer(**row) for row in ranked.iter_rows(named=True)]
