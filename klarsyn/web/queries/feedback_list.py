"""Pages of feedback, newest first, by keyset on the indexed ``(received_at, id)``.

OFFSET paging reads and discards every skipped row, so deep pages get slower with the table;
a keyset page starts at the previous page's last row through the ``received_at`` index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, or_, select

from klarsyn.errors import NotFound
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback
from klarsyn.web.queries.criteria import Search, sql_filter
from klarsyn.web.scope import Scope

MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    external_id: str
    source: str
    received_at: datetime
    channel: str
    customer_id: str | None
    nps: int | None
    csat: int | None
    ces: int | None
    rating: int | None
    text: str | None
    language: str | None
    attributes: dict[str, Any]

    def scores(self) -> dict[str, int]:
        found = {"nps": self.nps, "csat": self.csat, "ces": self.ces, "rating": self.rating}
        return {name: value for name, value in found.items() if value is not None}


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Comment]
    next_before: int | None


def _attributes(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return {k: v for k, v in (loaded or {}).items() if v not in (None, "")}


def comments_query() -> Any:
    c = feedback.c
    return select(
        c.id,
        c.external_id,
        c.source,
        c.received_at,
        c.channel,
        c.customer_id,
        c.nps,
        c.csat,
        c.ces,
        c.rating,
        c.text,
        c.language,
        cast(c.attributes, Text).label("attributes"),
    )


def to_comment(row: Any) -> Comment:
    values = row._asdict()
    values["attributes"] = _attributes(values["attributes"])
    return Comment(**values)


def feedback_page(
    store: Store,
    *,
    scope: Scope,
    search: Search,
    limit: int = 25,
    before: int | None = None,
    text_only: bool = False,
) -> Page:
    """Up to ``limit`` comments older than the comment ``before`` (a store id), newest first."""
    c = feedback.c
    query = comments_query().where(sql_filter(scope, search))
    if text_only:
        query = query.where(c.text.is_not(None), c.text != "")
    with store.engine.connect() as connection:
        if before is not None:
            anchor = connection.execute(select(c.received_at).where(c.id == before)).scalar()
            if anchor is None:
                raise NotFound(f"no feedback with id {before} to page from")
            # The plain range lets the received_at index seek; the OR only breaks ties.
            query = query.where(c.received_at <= anchor, or_(c.received_at < anchor, c.id < before))
        query = query.order_by(c.received_at.desc(), c.id.desc()).limit(limit + 1)
        rows = connection.execute(query).all()
    items = [to_comment(row) for row in rows[:limit]]
    more = len(rows) > limit
    return Page(items=items, next_before=items[-1].id if more and items else None)


def newest_id(store: Store) -> int:
    with store.engine.connect() as connection:
        newest = connection.execute(select(func.max(feedback.c.id))).scalar()
    return int(newest or 0)


def count_after(store: Store, *, after: int, scope: Scope, search: Search) -> int:
    """How many comments arrived after store id ``after`` (the live-update poll)."""
    c = feedback.c
    query = (
        select(func.count()).select_from(feedback).where(c.id > after, sql_filter(scope, search))
    )
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())
