"""Running the rules over new feedback: hits, cases and queued notifications, all at once.

For each batch of new feedback a rule records its hits, opens their cases, queues one message per
channel and advances its ``checked_through`` mark in one transaction. A crash between batches
leaves a state from which the next run continues; a second run over the same feedback finds the
hits' unique keys taken and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from klarsyn.actions.cases import SLA_HOURS, insert_case
from klarsyn.actions.finding_rules import finding_alerts
from klarsyn.actions.outbox import dedupe_key, enqueue
from klarsyn.actions.rules import (
    Candidate,
    Rule,
    RuleKind,
    in_scope,
    list_rules,
    match,
    week_key,
)
from klarsyn.actions.trail import Actor, record
from klarsyn.storage.loop_tables import alert_hits, alert_rules, cases
from klarsyn.storage.store import Store
from klarsyn.storage.tables import customers, enrichments, feedback

BATCH = 5_000
#: Comments a theme needs in the window before its share can raise an alert.
MIN_THEME_COMMENTS = 20


@dataclass(frozen=True, slots=True)
class Evaluation:
    checked: int = 0
    hits: int = 0
    cases: int = 0
    queued: int = 0

    def __add__(self, other: Evaluation) -> Evaluation:
        return Evaluation(
            self.checked + other.checked,
            self.hits + other.hits,
            self.cases + other.cases,
            self.queued + other.queued,
        )

    def summary(self) -> str:
        return (
            f"{self.checked:,} feedback checked, {self.hits} alerts, "
            f"{self.cases} cases opened, {self.queued} notifications queued"
        )


def evaluate(
    store: Store, *, now: datetime, batch: int = BATCH, time_zone: str = "Europe/Stockholm"
) -> Evaluation:
    """Run every enabled rule over the feedback it has not seen yet.

    ``time_zone`` sets the calendar months that finding rules judge.
    """
    total = Evaluation()
    for rule in list_rules(store):
        if not rule.enabled:
            continue
        if rule.kind == RuleKind.theme_share:
            total += _evaluate_theme(store, rule, now=now)
        elif rule.kind == RuleKind.finding:
            total += _evaluate_findings(store, rule, now=now, time_zone=time_zone)
        else:
            total += _evaluate_feedback(store, rule, now=now, batch=batch)
    return total


def _candidates(connection: Connection, rule: Rule, *, batch: int) -> list[Candidate]:
    query = (
        select(
            feedback.c.id,
            feedback.c.received_at,
            feedback.c.channel,
            feedback.c.customer_id,
            feedback.c.nps,
            feedback.c.csat,
            feedback.c.ces,
            feedback.c.rating,
            feedback.c.text,
            feedback.c.attributes,
            customers.c.value,
        )
        .select_from(
            feedback.outerjoin(customers, customers.c.customer_id == feedback.c.customer_id)
        )
        .where(feedback.c.id > rule.checked_through)
        .order_by(feedback.c.id)
        .limit(batch)
    )
    return [
        Candidate(
            id=row.id,
            received_at=row.received_at,
            channel=row.channel,
            customer_id=row.customer_id,
            scores={"nps": row.nps, "csat": row.csat, "ces": row.ces, "rating": row.rating},
            text=row.text,
            attributes=row.attributes or {},
            value=row.value,
        )
        for row in connection.execute(query)
    ]


def _evaluate_feedback(store: Store, rule: Rule, *, now: datetime, batch: int) -> Evaluation:
    total = Evaluation()
    while True:
        with store.begin() as connection:
            found = _candidates(connection, rule, batch=batch)
            if not found:
                return total
            result = Evaluation(checked=len(found))
            for candidate in found:
                reason = match(rule, candidate)
                if reason:
                    result += _record(connection, rule, candidate, reason=reason, now=now)
            connection.execute(
                update(alert_rules)
                .where(alert_rules.c.id == rule.id)
                .values(checked_through=found[-1].id)
            )
        total += result
        rule = _advanced(rule, found[-1].id)
        if len(found) < batch:
            return total


def _advanced(rule: Rule, checked_through: int) -> Rule:
    values = rule.to_dict()
    values["checked_through"] = checked_through
    return Rule(**values)


def _payload(
    rule: Rule, candidate: Candidate | None, *, reason: str, event_key: str, case: dict[str, Any]
) -> dict[str, Any]:
    # Imported here: the text package loads its model stack, which every CLI start would pay for.
    from klarsyn.text.pii import masked_text

    item = None
    if candidate is not None:
        language = candidate.attributes.get("language")
        text = candidate.text or ""
        item = {
            "id": candidate.id,
            "received_at": candidate.received_at.isoformat(),
            "channel": candidate.channel,
            "customer_id": candidate.customer_id,
            "scores": {k: v for k, v in candidate.scores.items() if v is not None},
            # Identifiers in the comment are masked before it leaves Klarsyn.
            "text": masked_text(text, language=str(language) if language else None),
        }
    return {
        "event_key": event_key,
        "rule": {"id": rule.id, "name": rule.name, "kind": rule.kind.value},
        "reason": reason,
        "feedback": item,
        "case": case or None,
    }


def _record(
    connection: Connection,
    rule: Rule,
    candidate: Candidate | None,
    *,
    reason: str,
    now: datetime,
    event_key: str | None = None,
    title: str | None = None,
) -> Evaluation:
    """Record one hit with its case and messages, unless the event was recorded before."""
    event_key = event_key or f"feedback:{candidate.id if candidate else 0}"
    try:
        with connection.begin_nested():
            hit_id = connection.execute(
                insert(alert_hits)
                .values(
                    rule_id=rule.id,
                    event_key=event_key,
                    feedback_id=candidate.id if candidate else None,
                    reason=reason,
                    matched_at=now,
                )
                .returning(alert_hits.c.id)
            ).scalar_one()
    except IntegrityError:
        return Evaluation()
    payload = _payload(rule, candidate, reason=reason, event_key=event_key, case={})
    if title is None:
        comment = " ".join(str((payload["feedback"] or {}).get("text") or "").split())
        title = f"{rule.name}: {comment[:120]}" if comment else f"{rule.name}: {reason}"
    opened = 0
    if rule.create_case:
        actor = Actor(name=f"rule: {rule.name}")
        existing = _case_of(connection, candidate)
        if existing is not None:
            # A comment that several rules match is one customer to call back: the later rules
            # join the first one's case and say so in its trail.
            case = existing
            record(connection, case_id=case["id"], actor=actor, action="alert", now=now, new=reason)
        else:
            case_id = insert_case(
                connection,
                title=title,
                actor=actor,
                now=now,
                priority=rule.priority,
                team=rule.route_team,
                owner_id=rule.route_user_id,
                customer_id=candidate.customer_id if candidate else None,
                feedback_id=candidate.id if candidate else None,
                rule_id=rule.id,
                sla_hours=rule.sla_hours,
            )
            hours = SLA_HOURS[rule.priority] if rule.sla_hours is None else rule.sla_hours
            due = (now + timedelta(hours=hours)).isoformat()
            case = {"id": case_id, "team": rule.route_team, "priority": rule.priority}
            case["sla_due_at"] = due
            opened = 1
        linked = update(alert_hits).where(alert_hits.c.id == hit_id).values(case_id=case["id"])
        connection.execute(linked)
        payload["case"] = case
    queued = sum(
        enqueue(
            connection,
            hit_id=hit_id,
            key=dedupe_key(rule_id=rule.id, event_key=event_key, channel=channel),
            channel=channel,
            payload=payload,
            now=now,
        )
        for channel in rule.channels
    )
    return Evaluation(hits=1, cases=opened, queued=queued)


def _case_of(connection: Connection, candidate: Candidate | None) -> dict[str, Any] | None:
    """The case already opened from this feedback item by any rule, if there is one."""
    if candidate is None:
        return None
    row = connection.execute(
        select(cases.c.id, cases.c.team, cases.c.priority, cases.c.sla_due_at)
        .where(cases.c.feedback_id == candidate.id, cases.c.rule_id.is_not(None))
        .order_by(cases.c.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    due = row.sla_due_at.isoformat() if row.sla_due_at else None
    return {"id": row.id, "team": row.team, "priority": row.priority, "sla_due_at": due}


def _evaluate_theme(store: Store, rule: Rule, *, now: datetime) -> Evaluation:
    """Alert once per ISO week when a theme's share of the last 7 days reaches the threshold."""
    theme = str(rule.params["theme"])
    since = now - timedelta(days=7)
    query = (
        select(feedback.c.channel, feedback.c.attributes, enrichments.c.themes)
        .select_from(feedback.join(enrichments, enrichments.c.feedback_id == feedback.c.id))
        .where(and_(feedback.c.received_at >= since, feedback.c.received_at < now))
    )
    mentions = total = 0
    with store.engine.connect() as connection:
        for row in connection.execute(query):
            scoped = Candidate(0, now, row.channel, None, {}, None, row.attributes or {})
            if in_scope(rule, scoped):
                total += 1
                mentions += theme in ((row.themes or {}).get("themes") or [])
    share = mentions / total if total else 0.0
    if total < MIN_THEME_COMMENTS or share < (rule.threshold or 0.0):
        return Evaluation()
    reason = f"theme {theme} in {share:.0%} of {total} comments in the last 7 days"
    with store.begin() as connection:
        return _record(
            connection,
            rule,
            None,
            reason=reason,
            now=now,
            event_key=f"theme:{theme}:{week_key(now)}",
            title=f"{rule.name}: {reason}",
        )


def _evaluate_findings(store: Store, rule: Rule, *, now: datetime, time_zone: str) -> Evaluation:
    """Alert once per finding of the current or last month, with the cause that explains it."""
    result = Evaluation()
    for alert in finding_alerts(store, rule, now=now, time_zone=time_zone):
        with store.begin() as connection:
            result += _record(
                connection,
                rule,
                None,
                reason=alert.reason,
                now=now,
                event_key=alert.key,
                title=f"{rule.name}: {alert.reason}"[:300],
            )
    return result


def hits_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(alert_hits)).scalar_one())
