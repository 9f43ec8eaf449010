"""Sign-in, sessions, CSRF on every form, tokens and roles."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from klarsyn.storage.credentials import create_token
from klarsyn.storage.users import Role, authenticate
from klarsyn.web.security import CSRF_COOKIE, SESSION_COOKIE
from tests.web.conftest import PASSWORD, make_user

pytestmark = pytest.mark.anyio


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form has no CSRF field"
    return found[1]


async def test_sign_in_and_out(app: FastAPI, anonymous: httpx.AsyncClient) -> None:
    make_user(app.state.store, Role.analyst)
    form = await anonymous.get("/login?next=/feedback")
    assert form.status_code == 200
    token = csrf_of(form.text)
    response = await anonymous.post(
        "/login",
        data={
            "email": "Analyst@Example.com",
            "password": PASSWORD,
            "next": "/feedback",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/feedback"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert (await anonymous.get("/feedback")).status_code == 200

    page = await anonymous.get("/overview")
    out = await anonymous.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    assert (await anonymous.get("/feedback")).status_code == 303


async def test_wrong_password_is_refused(app: FastAPI, anonymous: httpx.AsyncClient) -> None:
    make_user(app.state.store, Role.viewer)
    token = csrf_of((await anonymous.get("/login")).text)
    response = await anonymous.post(
        "/login", data={"email": "viewer@example.com", "password": "wrong" * 3, "csrf_token": token}
    )
    assert response.status_code == 400
    assert "Wrong e-mail or password" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"email": "admin@example.com", "password": PASSWORD}),
        ("/logout", {}),
        ("/settings/language", {"locale": "sv"}),
        ("/settings/tokens", {"name": "script"}),
    ],
)
async def test_form_posts_without_csrf_are_refused(
    admin: httpx.AsyncClient, path: str, data: dict[str, str]
) -> None:
    missing = await admin.post(path, data=data)
    wrong = await admin.post(path, data=data | {"csrf_token": "guessed"})
    for response in (missing, wrong):
        assert response.status_code == 403
        assert "security token" in response.text


async def test_login_does_not_follow_foreign_redirects(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    make_user(app.state.store, Role.viewer)
    token = csrf_of((await anonymous.get("/login")).text)
    response = await anonymous.post(
        "/login",
        data={
            "email": "viewer@example.com",
            "password": PASSWORD,
            "next": "//evil.example",
            "csrf_token": token,
        },
    )
    assert response.headers["location"] == "/overview"


async def test_api_tokens_authenticate_and_can_be_revoked(
    app: FastAPI, anonymous: httpx.AsyncClient
) -> None:
    user = make_user(app.state.store, Role.viewer)
    token, secret = create_token(app.state.store, user=user, name="nightly export")
    headers = {"Authorization": f"Bearer {secret}"}
    assert (await anonymous.get("/api/v1/feedback", headers=headers)).status_code == 200
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as browser:
        await browser.get("/login")
    from klarsyn.storage.credentials import revoke_token

    revoke_token(app.state.store, user=user, token_id=token.id)
    assert (await anonymous.get("/api/v1/feedback", headers=headers)).status_code == 401


async def test_token_page_shows_a_new_token_once(
    admin: httpx.AsyncClient, csrf: dict[str, str]
) -> None:
    created = await admin.post("/settings/tokens", data={"name": "BI tool"} | csrf)
    assert created.status_code == 201
    secret = re.search(r"<code data-new-token>(ks_[^<]+)</code>", created.text)
    assert secret
    again = await admin.get("/settings")
    assert "BI tool" in again.text and secret[1] not in again.text
    api = await admin.get("/api/v1/feedback", headers={"Authorization": f"Bearer {secret[1]}"})
    assert api.status_code == 200


async def test_a_viewer_cannot_reach_admin_pages(viewer: httpx.AsyncClient) -> None:
    assert (await viewer.get("/settings/users")).status_code == 403


async def test_an_admin_sees_the_users(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/settings/users")
    assert response.status_code == 200 and "admin@example.com" in response.text


async def test_passwords_are_hashed_with_argon2(app: FastAPI) -> None:
    from sqlalchemy import select

    from klarsyn.storage.auth_tables import users

    make_user(app.state.store, Role.agent, team="delivery")
    with app.state.store.engine.connect() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(app.state.store, email="agent@example.com", password=PASSWORD)


async def test_csrf_cookie_is_set_with_the_form(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/login")
    assert f"{CSRF_COOKIE}=" in response.headers["set-cookie"]


async def test_password_guessing_is_slowed_down(app: FastAPI, anonymous: httpx.AsyncClient) -> None:
    make_user(app.state.store, Role.viewer)
    token = csrf_of((await anonymous.get("/login")).text)
    guess = {"email": "viewer@example.com", "csrf_token": token}
    for attempt in range(10):
        response = await anonymous.post("/login", data=guess | {"password": f"guess {attempt:04}"})
        assert response.status_code == 400
    refused = await anonymous.post("/login", data=guess | {"password": PASSWORD})
    assert refused.status_code == 429 and "too many failed sign-ins" in refused.text
    assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
