"""Users, login sessions and API tokens in the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from klarsyn.cli.users import DEMO_EMAIL, demo_login
from klarsyn.errors import Conflict, InputError, NotFound
from klarsyn.storage.auth_tables import api_tokens, login_sessions, users
from klarsyn.storage.credentials import (
    SESSION_LIFETIME,
    create_token,
    digest,
    end_session,
    list_tokens,
    revoke_token,
    session_user,
    start_session,
    token_user,
)
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, authenticate, create_user, get_user, set_locale

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
PASSWORD = "ten or more characters"


def test_roles_rank_from_viewer_to_admin(store: Store) -> None:
    agent = create_user(
        store, email="a@b.se", password=PASSWORD, role=Role.agent, team="kundtjänst"
    )
    assert agent.can(Role.viewer) and agent.can(Role.agent)
    assert not agent.can(Role.analyst) and agent.team == "kundtjänst"


@pytest.mark.parametrize(
    ("email", "password", "locale"),
    [("not-an-address", PASSWORD, "en"), ("a@b.se", "short", "en"), ("a@b.se", PASSWORD, "de")],
)
def test_bad_users_are_refused(store: Store, email: str, password: str, locale: str) -> None:
    with pytest.raises(InputError):
        create_user(store, email=email, password=password, role=Role.viewer, locale=locale)


def test_e_mail_is_unique_whatever_its_case(store: Store) -> None:
    create_user(store, email="Anna@Example.com", password=PASSWORD, role=Role.viewer)
    with pytest.raises(Conflict):
        create_user(store, email="anna@example.COM", password=PASSWORD, role=Role.viewer)


def test_sessions_expire_and_end(store: Store) -> None:
    user = create_user(store, email="a@b.se", password=PASSWORD, role=Role.viewer)
    secret = start_session(store, user=user, now=T0)
    assert session_user(store, secret=secret, now=T0 + timedelta(days=1)) == user
    assert session_user(store, secret=secret, now=T0 + SESSION_LIFETIME) is None
    end_session(store, secret=secret)
    assert session_user(store, secret=secret, now=T0) is None
    with store.engine.connect() as connection:
        assert connection.execute(select(login_sessions)).all() == []


def test_only_digests_are_stored(store: Store) -> None:
    user = create_user(store, email="a@b.se", password=PASSWORD, role=Role.viewer)
    secret = start_session(store, user=user)
    _, token = create_token(store, user=user, name="ci")
    with store.engine.connect() as connection:
        stored = {
            *connection.execute(select(login_sessions.c.digest)).scalars(),
            *connection.execute(select(api_tokens.c.digest)).scalars(),
        }
    assert stored == {digest(secret), digest(token)}


def test_disabled_users_lose_sessions_and_tokens(store: Store) -> None:
    user = create_user(store, email="a@b.se", password=PASSWORD, role=Role.analyst)
    secret = start_session(store, user=user)
    _, token = create_token(store, user=user, name="ci")
    with store.begin() as connection:
        connection.execute(update(users).values(disabled_at=T0))
    assert session_user(store, secret=secret) is None
    assert token_user(store, secret=token) is None
    assert authenticate(store, email="a@b.se", password=PASSWORD) is None
    with pytest.raises(NotFound):
        get_user(store, user_id=user.id)


def test_tokens_record_use_and_revoke_per_owner(store: Store) -> None:
    owner = create_user(store, email="a@b.se", password=PASSWORD, role=Role.viewer)
    other = create_user(store, email="c@d.se", password=PASSWORD, role=Role.admin)
    token, secret = create_token(store, user=owner, name="nightly")
    assert token_user(store, secret=secret, now=T0) == owner
    assert list_tokens(store, user=owner)[0].last_used_at == T0
    with pytest.raises(NotFound):
        revoke_token(store, user=other, token_id=token.id)
    revoke_token(store, user=owner, token_id=token.id)
    assert token_user(store, secret=secret) is None and list_tokens(store, user=owner) == []


def test_locale_setting(store: Store) -> None:
    user = create_user(store, email="a@b.se", password=PASSWORD, role=Role.viewer)
    set_locale(store, user_id=user.id, locale="sv")
    assert get_user(store, user_id=user.id).locale == "sv"


def test_demo_login_gets_a_fresh_password_each_time(store: Store) -> None:
    email, first = demo_login(store)
    again, second = demo_login(store)
    assert email == again == DEMO_EMAIL and first != second
    assert authenticate(store, email=email, password=first) is None
    signed_in = authenticate(store, email=email, password=second)
    assert signed_in is not None and signed_in.role == Role.admin
