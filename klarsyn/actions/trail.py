"""The trail of a case: who did what and when, and the internal notes.

Entries are written by :func:`record` inside the transaction of the change they describe (see
:mod:`klarsyn.actions.cases`), so the trail cannot miss an edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from klarsyn.storage.auth_tables import users
from klarsyn.storage.loop_tables import case_audit, case_notes
from klarsyn.storage.store import Store
from klarsyn.storage.users import User


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: a signed-in user, or a rule or job (``user_id`` None)."""

    name: str
    user_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(name=user.email, user_id=user.id)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor: str
    user_id: int | None
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "user_id": self.user_id,
            "action": self.action,
            "field": self.field,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    user_id: int | None
    author: str
    body: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "author": self.author,
            "body": self.body,
            "created_at": self.created_at.isoformat(),
        }


def record(
    connection: Connection,
    *,
    case_id: int,
    actor: Actor,
    action: str,
    now: datetime,
    field: str | None = None,
    old: object = None,
    new: object = None,
) -> None:
    connection.execute(
        insert(case_audit).values(
            case_id=case_id,
            user_id=actor.user_id,
            actor=actor.name,
            action=action,
            field=field,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
            at=now,
        )
    )


def audit_trail(store: Store, *, case_id: int) -> list[AuditEntry]:
    """Every recorded change of a case, oldest first."""
    query = (
        select(case_audit)
        .where(case_audit.c.case_id == case_id)
        .order_by(case_audit.c.at, case_audit.c.id)
    )
    with store.engine.connect() as connection:
        return [
            AuditEntry(
                actor=row.actor,
                user_id=row.user_id,
                action=row.action,
                field=row.field,
                old_value=row.old_value,
                new_value=row.new_value,
                at=row.at,
            )
            for row in connection.execute(query)
        ]


def notes(store: Store, *, case_id: int) -> list[Note]:
    query = (
        select(case_notes, users.c.email)
        .select_from(case_notes.outerjoin(users, users.c.id == case_notes.c.user_id))
        .where(case_notes.c.case_id == case_id)
        .order_by(case_notes.c.created_at, case_notes.c.id)
    )
    with store.engine.connect() as connection:
        return [
            Note(
                id=row.id,
                user_id=row.user_id,
                author=row.email or "(deleted user)",
                body=row.body,
                created_at=row.created_at,
            )
            for row in connection.execute(query)
        ]
