"""A web app over a real store with a little feedback, and clients signed in as each role."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from klarsyn.collect.importer import import_file
from klarsyn.config import Settings
from klarsyn.storage.credentials import start_session
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, User, create_user
from klarsyn.web import create_app
from klarsyn.web.security import CSRF_COOKIE, SESSION_COOKIE

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
XSS = (
    '<script>alert("x")</script><img src=x onerror="alert(1)"> <a href="javascript:alert(2)">x</a>'
)

FEEDBACK = [
    # id, received_at, channel, customer_id, nps, csat, text, language, region
    (
        "f1",
        "2026-06-29T09:00:00+02:00",
        "survey",
        "c1",
        10,
        "",
        "Snabb leverans, tack!",
        "sv",
        "Skåne",
    ),
    ("f2", "2026-06-28T09:00:00+02:00", "survey", "c2", 3, "", "Paketet kom aldrig.", "sv", "Norr"),
    ("f3", "2026-06-27T09:00:00+02:00", "email", "c1", "", "", XSS, "en", "Skåne"),
    (
        "f4",
        "2026-06-20T09:00:00+02:00",
        "survey",
        "c3",
        8,
        4,
        "Okay price, 100% fine",
        "en",
        "Norr",
    ),
    (
        "f5",
        "2026-05-10T09:00:00+02:00",
        "chat",
        "c4",
        "",
        2,
        "Lång väntetid i kundtjänst",
        "sv",
        "Skåne",
    ),
    ("f6", "2026-02-01T09:00:00+01:00", "survey", "c2", 9, "", "=1+2 formula text", "en", "Norr"),
]


def write_feedback(path: Path, rows: list[tuple[object, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header = ["id", "received_at", "channel", "customer_id", "nps", "csat", "text"]
        writer.writerow([*header, "language", "region"])
        writer.writerows(rows)
    return path


@pytest.fixture
def seeded(store: Store, tmp_path: Path) -> Store:
    import_file(write_feedback(tmp_path / "fb.csv", FEEDBACK), kind="feedback", store=store)
    events = tmp_path / "events.csv"
    events.write_text(
        "id,customer_id,occurred_at,type,order_value\n"
        "e1,c1,2026-06-25T10:00:00+02:00,order,499\n"
        "e2,c1,2026-06-26T10:00:00+02:00,delivery,\n",
        encoding="utf-8",
    )
    import_file(events, kind="events", store=store)
    return store


@pytest.fixture
def app(seeded: Store) -> FastAPI:
    return create_app(Settings(), store=seeded, clock=lambda: NOW, mirror_max_age=0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_user(store: Store, role: Role, **extra: str) -> User:
    return create_user(
        store, email=f"{role.value}@example.com", password=PASSWORD, role=role, **extra
    )


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def signed_in(app: FastAPI, user: User) -> httpx.AsyncClient:
    store: Store = app.state.store
    cookies = {SESSION_COOKIE: start_session(store, user=user), CSRF_COOKIE: "csrf-test-token"}
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies)


@pytest.fixture
async def admin(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in(app, make_user(app.state.store, Role.admin)) as client:
        yield client


@pytest.fixture
async def viewer(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in(app, make_user(app.state.store, Role.viewer)) as client:
        yield client


@pytest.fixture
def csrf() -> dict[str, str]:
    """The form field matching the CSRF cookie of the signed-in clients."""
    return {"csrf_token": "csrf-test-token"}
