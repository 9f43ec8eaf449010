"""Stored alert rules and channels, and their evaluation over new feedback.

A rule has a *kind* (what it looks for), a *scope* (segment filters such as ``{"region": "DK"}``
or ``{"channel": "web"}``), a *route* (team and/or person the case goes to) and *channels* (names
of stored notification channels). Kinds:

``detractor_comment``
    an NPS at or below ``threshold`` (default 6) with a comment.
``low_score``
    ``metric`` at or below ``threshold`` from a customer whose CRM value is at least
    ``params["min_value"]`` (a high-value customer).
``leave_intent``
    a comment with words of intent to leave in any language (:mod:`klarsyn.actions.intent`),
    plus ``params["words"]``.
``theme_share``
    the share of the last 7 days' comments on ``params["theme"]`` reaching ``threshold``
    (once per theme and ISO week).

Each rule remembers the newest feedback id it has looked at (``checked_through``), so evaluation
reads only new feedback; a new rule starts at the current newest unless asked to backfill.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from klarsyn.actions.intent import leave_intent
from klarsyn.errors import Conflict, InputError, NotFound
from klarsyn.storage.loop_tables import alert_channels, alert_rules
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback


class RuleKind(StrEnum):
    detractor_comment = "detractor_comment"
    low_score = "low_score"
    leave_intent = "leave_intent"
    theme_share = "theme_share"
    finding = "finding"


class ChannelKind(StrEnum):
    email = "email"
    slack = "slack"
    teams = "teams"
    webhook = "webhook"


METRICS = ("nps", "csat", "ces", "rating")
DEFAULT_THRESHOLD = {RuleKind.detractor_comment: 6.0, RuleKind.theme_share: 0.1}


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    name: str
    kind: ChannelKind
    target: str
    secret: str | None = field(default=None, repr=False)

    @property
    def public_target(self) -> str:
        """The target without what lets anyone post to it.

        A Slack, Teams or webhook URL carries its credential in the path and query, so only
        its scheme and host are shown to those who do not manage channels.
        """
        if self.kind == ChannelKind.email:
            return self.target
        parts = urlsplit(self.target)
        return f"{parts.scheme}://{parts.hostname}/…" if parts.hostname else "…"

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        # The secret never leaves the store through the API or CLI output.
        target = self.target if full else self.public_target
        return {"id": self.id, "name": self.name, "kind": self.kind.value, "target": target}


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    name: str
    kind: RuleKind
    enabled: bool
    metric: str | None
    threshold: float | None
    params: dict[str, Any]
    scope: dict[str, str]
    route_team: str | None
    route_user_id: int | None
    channels: list[str]
    create_case: bool
    priority: str
    sla_hours: int | None
    checked_through: int

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A feedback row as rules see it; ``value`` is the customer's CRM value, if known."""

    id: int
    received_at: datetime
    channel: str
    customer_id: str | None
    scores: Mapping[str, int | None]
    text: str | None
    attributes: Mapping[str, Any]
    value: float | None = None


def _rule(row: Any) -> Rule:
    values = dict(row._mapping)
    for dropped in ("created_at", "updated_at"):
        values.pop(dropped)
    values["kind"] = RuleKind(values["kind"])
    return Rule(**values)


def _check_rule(
    kind: RuleKind, metric: str | None, threshold: float | None, params: dict[str, Any]
) -> None:
    if metric is not None and metric not in METRICS:
        raise InputError(f"metric {metric!r} is not one of {', '.join(METRICS)}")
    if kind == RuleKind.low_score and (metric is None or threshold is None):
        raise InputError(
            "a low_score rule needs a metric and a threshold",
            hint="e.g. --metric nps --threshold 4 --min-value 5000",
        )
    if kind == RuleKind.theme_share and not params.get("theme"):
        raise InputError("a theme_share rule needs a theme", hint="e.g. --theme delivery")


def add_rule(
    store: Store,
    *,
    name: str,
    kind: RuleKind | str,
    now: datetime,
    metric: str | None = None,
    threshold: float | None = None,
    params: dict[str, Any] | None = None,
    scope: dict[str, str] | None = None,
    route_team: str | None = None,
    route_user_id: int | None = None,
    channels: Sequence[str] = (),
    create_case: bool = True,
    priority: str = "normal",
    sla_hours: int | None = None,
    backfill: bool = False,
) -> Rule:
    """Store a rule; it looks at feedback arriving from now on (all feedback with ``backfill``)."""
    kind = RuleKind(kind)
    params = dict(params or {})
    _check_rule(kind, metric, threshold, params)
    if kind == RuleKind.detractor_comment and metric is None:
        metric = "nps"
    if threshold is None:
        threshold = DEFAULT_THRESHOLD.get(kind)
    with store.begin() as connection:
        _check_channels(connection, channels)
        newest = connection.execute(select(func.max(feedback.c.id))).scalar_one()
        rule_id = connection.execute(
            insert(alert_rules)
            .values(
                name=name,
                kind=kind.value,
                enabled=True,
                metric=metric,
                threshold=threshold,
                params=params,
                scope=dict(scope or {}),
                route_team=route_team,
                route_user_id=route_user_id,
                channels=list(channels),
                create_case=create_case,
                priority=priority,
                sla_hours=sla_hours,
                checked_through=0 if backfill else (newest or 0),
                created_at=now,
                updated_at=now,
            )
            .returning(alert_rules.c.id)
        ).scalar_one()
    return get_rule(store, rule_id=rule_id)


def _check_channels(connection: Connection, names: Sequence[str]) -> None:
    known = set(connection.execute(select(alert_channels.c.name)).scalars())
    missing = [name for name in names if name not in known]
    if missing:
        raise InputError(
            f"no notification channel named {', '.join(map(repr, missing))}",
            hint="add one with: klarsyn alerts channel add NAME --kind email --target ADDRESS",
        )


def get_rule(store: Store, *, rule_id: int) -> Rule:
    with store.engine.connect() as connection:
        row = connection.execute(select(alert_rules).where(alert_rules.c.id == rule_id)).first()
    if row is None:
        raise NotFound(f"no alert rule #{rule_id}", hint="see: klarsyn alerts rule list")
    return _rule(row)


def list_rules(store: Store) -> list[Rule]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(alert_rules).order_by(alert_rules.c.id))
        return [_rule(row) for row in rows]


EDITABLE = (
    "name",
    "enabled",
    "threshold",
    "params",
    "scope",
    "route_team",
    "route_user_id",
    "channels",
    "create_case",
    "priority",
    "sla_hours",
)


def update_rule(store: Store, *, rule_id: int, now: datetime, **changes: Any) -> Rule:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InputError(f"cannot change {', '.join(sorted(unknown))} of a rule")
    rule = get_rule(store, rule_id=rule_id)
    merged = {"params": rule.params, **changes}
    _check_rule(rule.kind, rule.metric, merged.get("threshold", rule.threshold), merged["params"])
    with store.begin() as connection:
        if "channels" in changes:
            _check_channels(connection, changes["channels"])
        connection.execute(
            update(alert_rules).where(alert_rules.c.id == rule_id).values(**changes, updated_at=now)
        )
    return get_rule(store, rule_id=rule_id)


def remove_rule(store: Store, *, rule_id: int) -> None:
    with store.begin() as connection:
        if not connection.execute(delete(alert_rules).where(alert_rules.c.id == rule_id)).rowcount:
            raise NotFound(f"no alert rule #{rule_id}")


def add_channel(
    store: Store,
    *,
    name: str,
    kind: ChannelKind | str,
    target: str,
    now: datetime,
    secret: str | None = None,
) -> Channel:
    kind = ChannelKind(kind)
    if kind == ChannelKind.email:
        if not all("@" in address for address in _addresses(target)):
            raise InputError(f"{target!r} is not a list of e-mail addresses")
    elif not target.startswith(("http://", "https://")):
        raise InputError(f"{kind.value} channel target {target!r} is not an http(s) URL")
    try:
        with store.begin() as connection:
            connection.execute(
                insert(alert_channels).values(
                    name=name, kind=kind.value, target=target, secret=secret, created_at=now
                )
            )
    except IntegrityError as exc:
        raise Conflict(f"a channel named {name!r} exists already") from exc
    return get_channel(store, name=name)


def _addresses(target: str) -> list[str]:
    return [part.strip() for part in target.split(",") if part.strip()]


def _channel(row: Any) -> Channel:
    return Channel(
        id=row.id, name=row.name, kind=ChannelKind(row.kind), target=row.target, secret=row.secret
    )


def get_channel(store: Store, *, name: str) -> Channel:
    with store.engine.connect() as connection:
        row = connection.execute(
            select(alert_channels).where(alert_channels.c.name == name)
        ).first()
    if row is None:
        raise NotFound(f"no notification channel {name!r}")
    return _channel(row)


def list_channels(store: Store) -> list[Channel]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(alert_channels).order_by(alert_channels.c.name))
        return [_channel(row) for row in rows]


def remove_channel(store: Store, *, name: str) -> None:
    with store.begin() as connection:
        removed = connection.execute(delete(alert_channels).where(alert_channels.c.name == name))
        if not removed.rowcount:
            raise NotFound(f"no notification channel {name!r}")


def in_scope(rule: Rule, candidate: Candidate) -> bool:
    """Whether the feedback belongs to the rule's segment (``channel`` or any attribute)."""
    for key, wanted in rule.scope.items():
        value = candidate.channel if key == "channel" else candidate.attributes.get(key)
        if str(value) != str(wanted):
            return False
    return True


def match(rule: Rule, candidate: Candidate) -> str | None:
    """Why ``candidate`` triggers ``rule`` (a short reason), or ``None`` when it does not."""
    if not in_scope(rule, candidate):
        return None
    if rule.kind == RuleKind.detractor_comment:
        score = candidate.scores.get(rule.metric or "nps")
        limit = 6.0 if rule.threshold is None else rule.threshold
        if score is not None and score <= limit and (candidate.text or "").strip():
            return f"{(rule.metric or 'nps').upper()} {score} with a comment"
    elif rule.kind == RuleKind.low_score:
        score = candidate.scores.get(rule.metric or "nps")
        min_value = float(rule.params.get("min_value", 0))
        if (
            score is not None
            and rule.threshold is not None
            and score <= rule.threshold
            and candidate.value is not None
            and candidate.value >= min_value
        ):
            metric = (rule.metric or "").upper()
            return f"{metric} {score} from a customer worth {candidate.value:g}"
    elif rule.kind == RuleKind.leave_intent:
        words = tuple(str(word) for word in rule.params.get("words", ()))
        found = leave_intent(candidate.text, extra=words)
        if found:
            return f"intent to leave: “{found}”"
    return None


def week_key(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"
