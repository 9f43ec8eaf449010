"""One customer's story: their CRM record, feedback and events, newest first.

Both lists come from the store through the ``customer_id`` indexes, so a timeline costs the same
at a thousand rows as at ten million.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, select

from klarsyn.errors import NotFound
from klarsyn.storage.store import Store
from klarsyn.storage.tables import customers, events, feedback
from klarsyn.web.queries.feedback_list import Comment, comments_query, to_comment

LIMIT = 300


@dataclass(frozen=True, slots=True)
class Event:
    occurred_at: datetime
    type: str
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Entry:
    """A row of the timeline: either a comment or an event."""

    at: datetime
    comment: Comment | None = None
    event: Event | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    customer_id: str
    value: float | None
    churned_at: datetime | None
    attributes: dict[str, Any]
    entries: list[Entry] = field(default_factory=list)
    feedback_count: int = 0
    event_count: int = 0
    truncated: bool = False


def _decode(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return {k: v for k, v in (loaded or {}).items() if v not in (None, "")}


def customer_timeline(store: Store, *, customer_id: str, limit: int = LIMIT) -> Timeline:
    """The newest ``limit`` comments and ``limit`` events of ``customer_id``, merged by time."""
    with store.engine.connect() as connection:
        record = connection.execute(
            select(
                customers.c.value,
                customers.c.churned_at,
                cast(customers.c.attributes, Text).label("attributes"),
            ).where(customers.c.customer_id == customer_id)
        ).first()
        comments = connection.execute(
            comments_query()
            .where(feedback.c.customer_id == customer_id)
            .order_by(feedback.c.received_at.desc(), feedback.c.id.desc())
            .limit(limit + 1)
        ).all()
        happened = connection.execute(
            select(events.c.occurred_at, events.c.type, cast(events.c.attributes, Text))
            .where(events.c.customer_id == customer_id)
            .order_by(events.c.occurred_at.desc(), events.c.id.desc())
            .limit(limit + 1)
        ).all()
    if record is None and not comments and not happened:
        raise NotFound(f"no customer {customer_id!r}: no CRM record, feedback or events")
    entries = [Entry(at=row.received_at, comment=to_comment(row)) for row in comments[:limit]]
    entries += [
        Entry(at=row[0], event=Event(row[0], row[1], _decode(row[2]))) for row in happened[:limit]
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return Timeline(
        customer_id=customer_id,
        value=None if record is None else record.value,
        churned_at=None if record is None else record.churned_at,
        attributes={} if record is None else _decode(record.attributes),
        entries=entries,
        feedback_count=min(len(comments), limit),
        event_count=min(len(happened), limit),
        truncated=len(comments) > limit or len(happened) > limit,
    )
