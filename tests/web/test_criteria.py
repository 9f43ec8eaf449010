"""The Polars filter (aggregates) and the SQL filter (lists) select the same feedback."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback
from klarsyn.web.queries.criteria import Search, frame_filter, sql_filter
from klarsyn.web.scope import make_scope
from tests.web.conftest import NOW

SCOPES = [
    {"period": "30d"},
    {"period": "7d", "channel": "survey"},
    {"period": "all", "segment": (("region", "Skåne"),)},
    {"period": "custom", "start": date(2026, 2, 1), "end": date(2026, 5, 10)},
]
SEARCHES = [
    Search(),
    Search(q="LEVERANS"),
    Search(score="nps", min=7, max=10),
    Search(language="en", customer_id="c2"),
]


@pytest.mark.parametrize("scope_args", SCOPES)
@pytest.mark.parametrize("search", SEARCHES)
def test_sql_and_frame_filters_agree(
    seeded: Store, scope_args: dict[str, object], search: Search
) -> None:
    scope = make_scope(now=NOW, time_zone="Europe/Stockholm", **scope_args)  # type: ignore[arg-type]
    scan = scan_feedback(seeded)
    available = scan.collect_schema().names()
    from_frame = scan.filter(frame_filter(scope, search, available=available)).collect()
    with seeded.engine.connect() as connection:
        query = select(feedback.c.external_id).where(sql_filter(scope, search))
        from_sql = set(connection.execute(query).scalars())
    assert set(from_frame["id"]) == from_sql
