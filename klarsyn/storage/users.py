"""People who sign in to the dashboard: roles, argon2-hashed passwords, language setting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from klarsyn.errors import Conflict, InputError, NotFound
from klarsyn.storage.auth_tables import users
from klarsyn.storage.store import Store

LOCALES = ("en", "sv")
MIN_PASSWORD = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class Role(StrEnum):
    """What a user may do; each role includes the rights of those below it."""

    admin = "admin"  # users, tokens, settings
    analyst = "analyst"  # imports, taxonomy, exports, every case
    agent = "agent"  # their own team's cases
    viewer = "viewer"  # reads dashboards


RANK = {Role.viewer: 0, Role.agent: 1, Role.analyst: 2, Role.admin: 3}


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    name: str
    role: Role
    team: str | None
    locale: str

    def can(self, role: Role) -> bool:
        """Whether this user holds ``role`` or a higher one."""
        return RANK[self.role] >= RANK[role]


def _hasher() -> PasswordHasher:
    # OWASP's argon2id profile (19 MiB, 2 passes, 1 lane): a small self-hosted server signs people
    # in within tens of milliseconds without leaving the hashes cheap to crack.
    return PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        team=row.team,
        locale=row.locale,
    )


def _check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise InputError(
            f"language {locale!r} is not available; expected one of {', '.join(LOCALES)}"
        )
    return locale


def create_user(
    store: Store,
    *,
    email: str,
    password: str,
    role: Role,
    name: str | None = None,
    team: str | None = None,
    locale: str = "en",
    now: datetime | None = None,
) -> User:
    """Add a user; the e-mail address (case-insensitive) is the login name."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise InputError(f"{email!r} is not an e-mail address", hint="e.g. anna@example.com")
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"the password has {len(password)} characters; it needs at least {MIN_PASSWORD}"
        )
    values = {
        "email": email,
        "name": (name or email.split("@")[0]).strip(),
        "role": Role(role).value,
        "team": team,
        "locale": _check_locale(locale),
        "password_hash": _hasher().hash(password),
        "created_at": now or datetime.now(UTC),
    }
    try:
        with store.begin() as connection:
            new_id = connection.execute(insert(users).values(values)).inserted_primary_key
    except IntegrityError as exc:
        raise Conflict(f"a user with e-mail {email!r} already exists") from exc
    assert new_id is not None
    return get_user(store, user_id=int(new_id[0]))


def get_user(store: Store, *, user_id: int) -> User:
    with store.engine.connect() as connection:
        row = connection.execute(
            select(users).where(users.c.id == user_id, users.c.disabled_at.is_(None))
        ).first()
    if row is None:
        raise NotFound(f"no active user with id {user_id}")
    return _user(row)


def authenticate(store: Store, *, email: str, password: str) -> User | None:
    """The user with these credentials, or None; the same work is done for unknown e-mails."""
    hasher = _hasher()
    with store.engine.connect() as connection:
        row = connection.execute(
            select(users).where(
                users.c.email == email.strip().lower(), users.c.disabled_at.is_(None)
            )
        ).first()
    # Verifying against a dummy hash keeps unknown addresses as slow as wrong passwords.
    stored = row.password_hash if row is not None else _dummy_hash(hasher)
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if hasher.check_needs_rehash(stored):
        with store.begin() as connection:
            connection.execute(
                update(users)
                .where(users.c.id == row.id)
                .values(password_hash=hasher.hash(password))
            )
    return _user(row)


_DUMMY: dict[str, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    if "hash" not in _DUMMY:
        _DUMMY["hash"] = hasher.hash("klarsyn-no-such-user")
    return _DUMMY["hash"]


def set_password(store: Store, *, user_id: int, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"the password has {len(password)} characters; it needs at least {MIN_PASSWORD}"
        )
    with store.begin() as connection:
        done = connection.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(password_hash=_hasher().hash(password))
        ).rowcount
    if not done:
        raise NotFound(f"no user with id {user_id}")


def find_user(store: Store, *, email: str) -> User | None:
    with store.engine.connect() as connection:
        row = connection.execute(
            select(users).where(
                users.c.email == email.strip().lower(), users.c.disabled_at.is_(None)
            )
        ).first()
    return None if row is None else _user(row)


def set_locale(store: Store, *, user_id: int, locale: str) -> None:
    with store.begin() as connection:
        connection.execute(
            update(users).where(users.c.id == user_id).values(locale=_check_locale(locale))
        )


def list_users(store: Store) -> list[User]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(users).where(users.c.disabled_at.is_(None)).order_by(users.c.email)
        ).all()
    return [_user(row) for row in rows]


def count_users(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(users)).scalar_one())
