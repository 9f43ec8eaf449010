"""Team scorecards: what each team did for customers in a period, and what came back.

Per team, for cases closed in ``[since, until)``:

- *handled*: cases resolved or closed;
- *SLA kept*: the share of those closed by their due time and never marked breached;
- *loops closed*: handled cases that came from a customer's feedback and ended with the customer
  helped (any resolution but ``no_action``, ``duplicate`` or ``unreachable``);
- *score follow-up*: the mean change from the case's original score to the same customer's next
  score after the case closed (NPS points), and how many customers answered again;
- *positive feedback*: promoter scores (9-10) received in the period from customers the team
  had a case with before.

Teams also see their open cases and how many of those are past due.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select

from klarsyn.actions.cases import OPEN, CaseStatus
from klarsyn.storage.loop_tables import cases
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback

NOT_HELPED = ("no_action", "duplicate", "unreachable")
PROMOTER = 9


@dataclass(frozen=True, slots=True)
class Scorecard:
    team: str
    handled: int
    sla_kept: float | None
    loops_closed: int
    follow_up: float | None
    follow_up_n: int
    positive_feedback: int
    open: int
    open_breached: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _next_score(connection: Connection, customer_id: str, after: datetime) -> int | None:
    score = connection.execute(
        select(feedback.c.nps)
        .where(
            feedback.c.customer_id == customer_id,
            feedback.c.received_at > after,
            feedback.c.nps.is_not(None),
        )
        .order_by(feedback.c.received_at, feedback.c.id)
        .limit(1)
    ).scalar()
    return None if score is None else int(score)


def scorecards(store: Store, *, since: datetime, until: datetime, now: datetime) -> list[Scorecard]:
    """One scorecard per team that had cases, sorted by team name."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(cases, feedback.c.nps.label("original"))
            .select_from(cases.outerjoin(feedback, feedback.c.id == cases.c.feedback_id))
            .where(cases.c.team.is_not(None))
        ).all()
        by_team: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            by_team[row.team].append(row)
        cards = [
            _card(connection, team, team_rows, since=since, until=until, now=now)
            for team, team_rows in sorted(by_team.items())
        ]
    return cards


def _card(
    connection: Connection,
    team: str,
    rows: list[Any],
    *,
    since: datetime,
    until: datetime,
    now: datetime,
) -> Scorecard:
    closed_states = (CaseStatus.resolved.value, CaseStatus.closed.value)
    handled = [
        row
        for row in rows
        if row.status in closed_states and row.closed_at and since <= row.closed_at < until
    ]
    kept = [row for row in handled if row.sla_breached_at is None and _in_time(row)]
    loops = [row for row in handled if row.feedback_id and row.resolution_code not in NOT_HELPED]
    changes = []
    for row in handled:
        if row.customer_id and row.original is not None:
            later = _next_score(connection, row.customer_id, row.closed_at)
            if later is not None:
                changes.append(later - row.original)
    open_rows = [row for row in rows if row.status in OPEN]
    return Scorecard(
        team=team,
        handled=len(handled),
        sla_kept=len(kept) / len(handled) if handled else None,
        loops_closed=len(loops),
        follow_up=sum(changes) / len(changes) if changes else None,
        follow_up_n=len(changes),
        positive_feedback=_promoters(connection, rows, since=since, until=until),
        open=len(open_rows),
        open_breached=sum(
            1
            for row in open_rows
            if row.sla_breached_at is not None or (row.sla_due_at and now > row.sla_due_at)
        ),
    )


def _in_time(row: Any) -> bool:
    return row.sla_due_at is None or row.closed_at <= row.sla_due_at


def _promoters(connection: Connection, rows: list[Any], *, since: datetime, until: datetime) -> int:
    """Promoter answers in the period from customers after their first case with the team."""
    first: dict[str, datetime] = {}
    for row in rows:
        if row.customer_id:
            seen = first.get(row.customer_id)
            first[row.customer_id] = min(seen, row.created_at) if seen else row.created_at
    if not first:
        return 0
    found = connection.execute(
        select(feedback.c.customer_id, feedback.c.received_at).where(
            and_(
                feedback.c.customer_id.in_(list(first)),
                feedback.c.nps >= PROMOTER,
                feedback.c.received_at >= since,
                feedback.c.received_at < until,
            )
        )
    )
    return sum(1 for customer_id, at in found if at > first[customer_id])
