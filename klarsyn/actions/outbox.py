"""The outbox: notifications waiting to be sent, each under a unique key.

A hit puts one row per channel here in the same transaction that records the hit, keyed
``rule:<id>/<event>/<channel>``; a second evaluation of the same event cannot add a second row.
Sending happens later (:func:`dispatch`) and never inside an import: a receiver that is down only
delays its own message, which is retried with exponential backoff (30 s, 1 min, 2 min, … capped
at one hour) until :data:`MAX_ATTEMPTS` failures mark it ``failed``.

Before sending, a dispatcher *claims* a row by moving its ``next_attempt_at`` past the send lease
in a conditional UPDATE, so two dispatchers (or a dispatcher restarted mid-run) never send the same
row twice while the lease runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from klarsyn.storage.loop_tables import outbox
from klarsyn.storage.store import Store

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
#: How long a claimed row stays reserved for the dispatcher sending it.
LEASE = timedelta(minutes=5)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"


def dedupe_key(*, rule_id: int, event_key: str, channel: str) -> str:
    return f"rule:{rule_id}/{event_key}/{channel}"


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones (30 s doubling, at most 1 h)."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, LONGEST_RETRY)


def enqueue(
    connection: Connection,
    *,
    hit_id: int,
    key: str,
    channel: str,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """Queue one message unless its key is queued already; whether it was added."""
    try:
        with connection.begin_nested():
            connection.execute(
                insert(outbox).values(
                    hit_id=hit_id,
                    channel=channel,
                    dedupe_key=key,
                    payload=payload,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


class DeliveryFailed(Exception):
    """A receiver could not be reached or refused a message; it will be retried."""


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    channel: str
    key: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def summary(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} given up"


def _claim(store: Store, *, now: datetime, limit: int) -> list[Message]:
    due = and_(outbox.c.status.in_((PENDING, SENDING)), outbox.c.next_attempt_at <= now)
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(outbox).where(due).order_by(outbox.c.next_attempt_at, outbox.c.id).limit(limit)
        ).all()
    claimed = []
    for row in rows:
        with store.begin() as connection:
            won = connection.execute(
                update(outbox)
                .where(outbox.c.id == row.id, due)
                .values(status=SENDING, next_attempt_at=now + LEASE)
            ).rowcount
        if won:
            claimed.append(Message(row.id, row.channel, row.dedupe_key, row.payload, row.attempts))
    return claimed


Sender = Callable[[Message], None]


def dispatch(store: Store, *, send: Sender, now: datetime, limit: int = 500) -> DispatchReport:
    """Send every message that is due through ``send``; failures are rescheduled, not raised.

    ``send`` raises :class:`DeliveryFailed` (or ``OSError``) when the receiver could not be
    reached or refused the message.
    """
    sent = retrying = failed = 0
    for message in _claim(store, now=now, limit=limit):
        try:
            send(message)
        except (DeliveryFailed, OSError) as exc:
            attempts = message.attempts + 1
            gave_up = attempts >= MAX_ATTEMPTS
            values: dict[str, Any] = {
                "attempts": attempts,
                "last_error": str(exc)[:2000],
                "status": FAILED if gave_up else PENDING,
                "next_attempt_at": now + backoff(attempts),
            }
            failed += gave_up
            retrying += not gave_up
        else:
            values = {"attempts": message.attempts + 1, "status": SENT, "sent_at": now}
            values["last_error"] = None
            sent += 1
        with store.begin() as connection:
            connection.execute(update(outbox).where(outbox.c.id == message.id).values(**values))
    return DispatchReport(sent=sent, retrying=retrying, failed=failed)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    channel: str
    key: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            name: (value.isoformat() if isinstance(value, datetime) else value)
            for name, value in ((n, getattr(self, n)) for n in self.__dataclass_fields__)
        }


def recent(store: Store, *, limit: int = 100) -> list[OutboxRow]:
    """The newest messages with their delivery state, for the Alerts page and CLI."""
    query = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
    with store.engine.connect() as connection:
        return [
            OutboxRow(
                id=row.id,
                channel=row.channel,
                key=row.dedupe_key,
                status=row.status,
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at,
                last_error=row.last_error,
                created_at=row.created_at,
                sent_at=row.sent_at,
            )
            for row in connection.execute(query)
        ]


def counts(store: Store) -> dict[str, int]:
    query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
    with store.engine.connect() as connection:
        return {str(row[0]): int(row[1]) for row in connection.execute(query)}
