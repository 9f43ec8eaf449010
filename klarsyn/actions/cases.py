"""Cases: owned follow-up of one customer's feedback, with a workflow, an SLA and an audit trail.

Workflow::

    new ──► in_progress ◄──► waiting_for_customer
     │           │                 │
     └───────────┴──► resolved ──► closed      (resolved or closed may be reopened)

Every change is written to ``case_audit`` in the same transaction as the change itself, naming
the user (or rule) and the time, so the trail cannot miss an edit. Agents see and change only
their own team's cases; to them, another team's case does not exist (``NotFound``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from klarsyn.actions.trail import Actor, Note, record
from klarsyn.errors import Forbidden, InputError, NotFound
from klarsyn.storage.loop_tables import case_notes, cases
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, User, get_user


class CaseStatus(StrEnum):
    new = "new"
    in_progress = "in_progress"
    waiting_for_customer = "waiting_for_customer"
    resolved = "resolved"
    closed = "closed"


OPEN = (CaseStatus.new, CaseStatus.in_progress, CaseStatus.waiting_for_customer)
NEXT: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.new: frozenset(
        {CaseStatus.in_progress, CaseStatus.waiting_for_customer, CaseStatus.resolved}
        | {CaseStatus.closed}
    ),
    CaseStatus.in_progress: frozenset(
        {CaseStatus.waiting_for_customer, CaseStatus.resolved, CaseStatus.closed}
    ),
    CaseStatus.waiting_for_customer: frozenset(
        {CaseStatus.in_progress, CaseStatus.resolved, CaseStatus.closed}
    ),
    CaseStatus.resolved: frozenset({CaseStatus.closed, CaseStatus.in_progress}),
    CaseStatus.closed: frozenset({CaseStatus.in_progress}),
}

PRIORITIES = ("low", "normal", "high", "urgent")
#: Hours to the SLA due time when a case is opened without an explicit one.
SLA_HOURS = {"low": 168, "normal": 72, "high": 24, "urgent": 4}
RESOLUTION_CODES = ("fixed", "compensated", "explained", "no_action", "duplicate", "unreachable")


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    title: str
    status: CaseStatus
    priority: str
    team: str | None
    owner_id: int | None
    customer_id: str | None
    feedback_id: int | None
    rule_id: int | None
    sla_due_at: datetime | None
    sla_breached_at: datetime | None
    resolution_code: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def breached(self, now: datetime) -> bool:
        """Whether the SLA was missed: marked so, or still open past its due time."""
        if self.sla_breached_at is not None:
            return True
        return self.is_open and self.sla_due_at is not None and now > self.sla_due_at

    def to_dict(self) -> dict[str, Any]:
        return {
            name: (value.isoformat() if isinstance(value, datetime) else value)
            for name, value in (
                (field, getattr(self, field)) for field in self.__dataclass_fields__
            )
        }


def _case(row: Any) -> Case:
    values = dict(row._mapping)
    values["status"] = CaseStatus(values["status"])
    return Case(**values)


def _check_priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise InputError(
            f"priority {priority!r} is not one of {', '.join(PRIORITIES)}",
            hint="use e.g. --priority high",
        )
    return priority


def insert_case(
    connection: Connection,
    *,
    title: str,
    actor: Actor,
    now: datetime,
    priority: str = "normal",
    team: str | None = None,
    owner_id: int | None = None,
    customer_id: str | None = None,
    feedback_id: int | None = None,
    rule_id: int | None = None,
    sla_hours: int | None = None,
) -> int:
    """Open a case inside the caller's transaction (rules use this with their hit); its id."""
    title = title.strip()
    if not title:
        raise InputError("a case needs a title", hint="describe what needs following up")
    hours = SLA_HOURS[_check_priority(priority)] if sla_hours is None else sla_hours
    case_id = connection.execute(
        insert(cases)
        .values(
            title=title[:300],
            status=CaseStatus.new.value,
            priority=priority,
            team=team,
            owner_id=owner_id,
            customer_id=customer_id,
            feedback_id=feedback_id,
            rule_id=rule_id,
            sla_due_at=now + timedelta(hours=hours),
            created_at=now,
            updated_at=now,
        )
        .returning(cases.c.id)
    ).scalar_one()
    record(connection, case_id=case_id, actor=actor, action="created", now=now, new=title[:300])
    return int(case_id)


def create_case(store: Store, *, user: User, title: str, now: datetime, **fields: Any) -> Case:
    """Open a case by hand; agents may only open cases for their own team."""
    require_writer(user)
    if fields.get("owner_id") is not None:
        get_user(store, user_id=fields["owner_id"])
    if not user.can(Role.analyst):
        if fields.get("team") not in (None, user.team):
            raise Forbidden(
                f"{user.email} may open cases only for team {user.team!r}",
                hint="leave the team empty to use your own",
            )
        fields["team"] = user.team
    with store.begin() as connection:
        case_id = insert_case(connection, title=title, actor=Actor.of(user), now=now, **fields)
    return get_case(store, case_id=case_id, user=user)


def require_writer(user: User) -> None:
    if not user.can(Role.agent):
        raise Forbidden(
            f"{user.email} is a viewer and cannot change cases",
            hint="ask an admin for the agent or analyst role",
        )


def _visible(user: User | None) -> Any:
    """The WHERE clause limiting ``user`` to the cases they may see (``None``: no limit)."""
    if user is None or user.role != Role.agent:
        return None
    return cases.c.team == user.team if user.team else cases.c.id.is_(None)


def get_case(store: Store, *, case_id: int, user: User | None) -> Case:
    """The case ``case_id`` as ``user`` may see it (``None``: unrestricted, for the CLI)."""
    query = select(cases).where(cases.c.id == case_id)
    limit = _visible(user)
    if limit is not None:
        query = query.where(limit)
    with store.engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        raise NotFound(f"no case #{case_id}", hint="list cases with: klarsyn cases list")
    return _case(row)


def list_cases(
    store: Store,
    *,
    user: User | None,
    status: Sequence[str] = (),
    team: str | None = None,
    customer_id: str | None = None,
    limit: int = 200,
) -> list[Case]:
    """Cases newest first, restricted to what ``user`` may see."""
    query = select(cases).order_by(cases.c.created_at.desc(), cases.c.id.desc()).limit(limit)
    limit_clause = _visible(user)
    if limit_clause is not None:
        query = query.where(limit_clause)
    if status:
        query = query.where(cases.c.status.in_([CaseStatus(s).value for s in status]))
    if team:
        query = query.where(cases.c.team == team)
    if customer_id:
        query = query.where(cases.c.customer_id == customer_id)
    with store.engine.connect() as connection:
        return [_case(row) for row in connection.execute(query)]


def count_open(store: Store, *, user: User | None) -> int:
    query = select(func.count()).select_from(cases).where(cases.c.status.in_(OPEN))
    limit = _visible(user)
    if limit is not None:
        query = query.where(limit)
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _changes(case: Case, user: User, fields: dict[str, Any]) -> dict[str, Any]:
    """Check changes against the workflow and ``user``'s rights; return those that differ."""
    if "status" in fields:
        target = CaseStatus(fields["status"])
        if target != case.status and target not in NEXT[case.status]:
            allowed = ", ".join(sorted(NEXT[case.status]))
            raise InputError(
                f"case #{case.id} cannot go from {case.status} to {target}",
                hint=f"from {case.status} it may go to: {allowed}",
            )
        fields["status"] = target.value
        if target == CaseStatus.resolved and not (
            fields.get("resolution_code") or case.resolution_code
        ):
            raise InputError(
                "resolving a case needs a resolution code",
                hint=f"one of: {', '.join(RESOLUTION_CODES)}",
            )
    if "priority" in fields:
        _check_priority(fields["priority"])
    code = fields.get("resolution_code")
    if code is not None and code not in RESOLUTION_CODES:
        raise InputError(
            f"resolution code {code!r} is not known", hint=f"one of: {', '.join(RESOLUTION_CODES)}"
        )
    if "team" in fields and fields["team"] != case.team and not user.can(Role.analyst):
        raise Forbidden(
            "only analysts and admins move cases between teams",
            hint="ask an analyst to reassign the case",
        )
    current = {name: getattr(case, name) for name in fields}
    return {name: value for name, value in fields.items() if current[name] != value}


EDITABLE = ("status", "priority", "team", "owner_id", "resolution_code", "sla_due_at", "title")


#: Fields a case may have empty again: no owner, no SLA due time.
CLEARABLE = ("owner_id", "sla_due_at")


def update_case(
    store: Store,
    *,
    case_id: int,
    user: User,
    now: datetime,
    clear: Sequence[str] = (),
    **fields: Any,
) -> Case:
    """Change fields of a case; each changed field becomes one audit entry.

    A field given as ``None`` stays as it is; those named in ``clear`` become empty.
    """
    require_writer(user)
    wrong = set(clear) - set(CLEARABLE)
    if wrong:
        raise InputError(
            f"cannot empty {', '.join(sorted(wrong))} of a case",
            hint=f"only {' and '.join(CLEARABLE)} may be emptied",
        )
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InputError(
            f"cannot change {', '.join(sorted(unknown))} of a case",
            hint=f"editable: {', '.join(EDITABLE)}",
        )
    case = get_case(store, case_id=case_id, user=user)
    if fields.get("owner_id") is not None:
        get_user(store, user_id=fields["owner_id"])  # an unknown owner is a 404, not a crash
    changes = _changes(case, user, {k: v for k, v in fields.items() if v is not None})
    changes |= {name: None for name in clear if getattr(case, name) is not None}
    if not changes:
        return case
    values = dict(changes, updated_at=now)
    status = changes.get("status")
    if status in (CaseStatus.resolved, CaseStatus.closed):
        values["closed_at"] = now
    elif status is not None:
        values["closed_at"] = None
    actor = Actor.of(user)
    with store.begin() as connection:
        connection.execute(update(cases).where(cases.c.id == case_id).values(**values))
        for name, new in changes.items():
            old = getattr(case, name)
            record(
                connection,
                case_id=case_id,
                actor=actor,
                action="changed",
                now=now,
                field=name,
                old=old.isoformat() if isinstance(old, datetime) else old,
                new=new.isoformat() if isinstance(new, datetime) else new,
            )
    return get_case(store, case_id=case_id, user=None)


def add_note(store: Store, *, case_id: int, user: User, body: str, now: datetime) -> Note:
    """An internal note on a case (never sent to the customer)."""
    require_writer(user)
    body = body.strip()
    if not body:
        raise InputError("the note is empty", hint="write what happened or what is next")
    get_case(store, case_id=case_id, user=user)
    with store.begin() as connection:
        note_id = connection.execute(
            insert(case_notes)
            .values(case_id=case_id, user_id=user.id, body=body, created_at=now)
            .returning(case_notes.c.id)
        ).scalar_one()
        connection.execute(update(cases).where(cases.c.id == case_id).values(updated_at=now))
        record(
            connection,
            case_id=case_id,
            actor=Actor.of(user),
            action="note",
            now=now,
            new=body[:200],
        )
    return Note(id=note_id, user_id=user.id, author=user.email, body=body, created_at=now)


def mark_breaches(store: Store, *, now: datetime) -> int:
    """Mark open cases past their SLA due time as breached (once each); how many were marked."""
    system = Actor(name="system")
    with store.begin() as connection:
        late = (
            connection.execute(
                select(cases.c.id).where(
                    cases.c.status.in_(OPEN),
                    cases.c.sla_breached_at.is_(None),
                    cases.c.sla_due_at < now,
                )
            )
            .scalars()
            .all()
        )
        for case_id in late:
            connection.execute(
                update(cases).where(cases.c.id == case_id).values(sla_breached_at=now)
            )
            record(connection, case_id=case_id, actor=system, action="sla_breached", now=now)
    return len(late)
