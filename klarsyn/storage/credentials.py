"""Login sessions and API tokens: random secrets held by the client, digests held here.

A stolen database therefore opens no session. Sessions expire; tokens live until revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update

from klarsyn.errors import NotFound
from klarsyn.storage.auth_tables import api_tokens, login_sessions, users
from klarsyn.storage.store import Store
from klarsyn.storage.users import User, get_user

SESSION_LIFETIME = timedelta(days=7)
TOKEN_PREFIX = "ks_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(store: Store, *, user: User, now: datetime | None = None) -> str:
    """A new session for ``user``; returns the secret for the session cookie."""
    now = now or datetime.now(UTC)
    secret = secrets.token_urlsafe(32)
    with store.begin() as connection:
        connection.execute(
            insert(login_sessions).values(
                digest=digest(secret),
                user_id=user.id,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
    return secret


def session_user(store: Store, *, secret: str, now: datetime | None = None) -> User | None:
    """The user of a live session, or None when it is unknown, expired or the user disabled."""
    now = now or datetime.now(UTC)
    with store.engine.connect() as connection:
        user_id = connection.execute(
            select(login_sessions.c.user_id)
            .join(users, users.c.id == login_sessions.c.user_id)
            .where(
                login_sessions.c.digest == digest(secret),
                login_sessions.c.expires_at > now,
                users.c.disabled_at.is_(None),
            )
        ).scalar()
    return None if user_id is None else get_user(store, user_id=user_id)


def end_session(store: Store, *, secret: str) -> None:
    with store.begin() as connection:
        connection.execute(delete(login_sessions).where(login_sessions.c.digest == digest(secret)))


@dataclass(frozen=True, slots=True)
class Token:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


def create_token(
    store: Store, *, user: User, name: str, now: datetime | None = None
) -> tuple[Token, str]:
    """A new API token for ``user``; the secret is returned once and never stored."""
    now = now or datetime.now(UTC)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.begin() as connection:
        key = connection.execute(
            insert(api_tokens).values(
                digest=digest(secret), user_id=user.id, name=name.strip(), created_at=now
            )
        ).inserted_primary_key
    assert key is not None
    return Token(id=int(key[0]), name=name.strip(), created_at=now, last_used_at=None), secret


def token_user(store: Store, *, secret: str, now: datetime | None = None) -> User | None:
    """The owner of a live token, or None; marks the token as used."""
    now = now or datetime.now(UTC)
    with store.begin() as connection:
        row = connection.execute(
            select(api_tokens.c.id, api_tokens.c.user_id)
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(
                api_tokens.c.digest == digest(secret),
                api_tokens.c.revoked_at.is_(None),
                users.c.disabled_at.is_(None),
            )
        ).first()
        if row is None:
            return None
        connection.execute(
            update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now)
        )
    return get_user(store, user_id=row.user_id)


def list_tokens(store: Store, *, user: User) -> list[Token]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(api_tokens)
            .where(api_tokens.c.user_id == user.id, api_tokens.c.revoked_at.is_(None))
            .order_by(api_tokens.c.created_at.desc())
        ).all()
    return [Token(r.id, r.name, r.created_at, r.last_used_at) for r in rows]


def revoke_token(store: Store, *, user: User, token_id: int, now: datetime | None = None) -> None:
    with store.begin() as connection:
        done = connection.execute(
            update(api_tokens)
            .where(
                api_tokens.c.id == token_id,
                api_tokens.c.user_id == user.id,
                api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=now or datetime.now(UTC))
        ).rowcount
    if not done:
        raise NotFound(f"you have no live API token with id {token_id}")
