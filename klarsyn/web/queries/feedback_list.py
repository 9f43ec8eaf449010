"""Pages of feedback, newest first, by keyset on the indexed ``(received_at, id)``.

OFFSET paging reads and discards every skipped row, so deep pages get slower with the table;
a keyset page starts at the previous page's last row through the ``received_at`` index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, or_, select

from klarsyn.errors import NotFound
from klarsyn.storage.store import Store
from klarsyn.storage.tables import enrichments, feedback
from klarsyn.text.pii import mask_pii
from klarsyn.web.queries.criteria import Search, sql_filter
from klarsyn.web.scope import Scope

MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Mention:
    """Where the text pipeline found a theme: a span of the masked text and its sentiment."""

    theme: str
    start: int
    end: int
    sentiment: str | None


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
    text_masked: str | None = None
    sentiment: str | None = None
    themes: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    def scores(self) -> dict[str, int]:
        found = {"nps": self.nps, "csat": self.csat, "ces": self.ces, "rating": self.rating}
        return {name: value for name, value in found.items() if value is not None}

    def pieces(self) -> list[tuple[str, Mention | None]]:
        """The text to show, personal data masked, cut at the theme mentions.

        Not yet enriched feedback is masked here, so the dashboard never shows raw personal data.
        """
        if self.text_masked is None:
            return [(mask_pii(self.text, language=self.language).text, None)] if self.text else []
        text = self.text_masked
        out: list[tuple[str, Mention | None]] = []
        at = 0
        for mention in sorted(self.mentions, key=lambda m: m.start):
            if mention.start < at or mention.end > len(text):
                continue  # overlapping or out of range: the text stays whole rather than garbled
            out.append((text[at : mention.start], None))
            out.append((text[mention.start : mention.end], mention))
            at = mention.end
        out.append((text[at:], None))
        return [(piece, mention) for piece, mention in out if piece]


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Comment]
    next_before: int | None


def _attributes(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return {k: v for k, v in (loaded or {}).items() if v not in (None, "")}


def comments_query() -> Any:
    """Feedback with its enrichment (masked text, themes), ready for :func:`to_comment`."""
    c = feedback.c
    e = enrichments.c
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
        e.masked_text.label("text_masked"),
        e.sentiment,
        cast(e.themes, Text).label("found"),
    ).select_from(feedback.outerjoin(enrichments, e.feedback_id == c.id))


def to_comment(row: Any) -> Comment:
    values = row._asdict()
    values["attributes"] = _attributes(values["attributes"])
    found = json.loads(values.pop("found") or "{}")
    values["themes"] = list(found.get("themes", []))
    values["mentions"] = [
        Mention(m["theme"], int(m["start"]), int(m["end"]), m.get("sentiment"))
        for m in found.get("mentions", [])
    ]
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
