"""A demo company of 10,000 feedback in a temporary SQLite store, served by uvicorn on a free
port, and headless Chromium (Debian's build) driven by Playwright.

Screenshots of every page land in ``tests/browser/screenshots/`` (not committed): look at them.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from klarsyn.collect.importer import import_file
from klarsyn.config import Settings
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, create_user
from klarsyn.web import create_app

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.environ.get("KLARSYN_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).with_name("screenshots")
EMAIL, PASSWORD = "cx@nordhem.example", "browser test passphrase"
XSS_TEXT = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> pwned-canary'

if not CHROMIUM.exists() and os.environ.get("KLARSYN_REQUIRE_BROWSER"):
    # CI installs Chromium; a missing browser there is a broken set-up, not a reason to skip.
    raise RuntimeError(f"KLARSYN_REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}")
if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: apt-get install chromium (or set KLARSYN_CHROMIUM)",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from klarsyn.demo import generate
    from klarsyn.text.enrichment import enrich_store
    from klarsyn.text.pipeline import build_pipeline

    folder = tmp_path_factory.mktemp("browser")
    files = generate(seed=7, feedback=10_000).write(folder / "nordhem")
    with Store.open(f"sqlite:///{folder / 'klarsyn.db'}") as store:
        for kind in ("customers", "campaigns", "events", "feedback"):
            import_file(files[kind], kind=kind, store=store, source=f"demo-{kind}")
        hostile = folder / "hostile.csv"
        quoted = XSS_TEXT.replace('"', '""')
        hostile.write_text(
            "id,received_at,channel,customer_id,nps,text\n"
            f'x1,2026-11-20T10:00:00+01:00,email,C-HOSTILE,2,"{quoted}"\n',
            encoding="utf-8",
        )
        import_file(hostile, kind="feedback", store=store)
        # As `klarsyn demo` and `klarsyn import` leave it: every comment read by the pipeline.
        enrich_store(store, pipeline=build_pipeline(), now=datetime.now(UTC))
        create_user(store, email=EMAIL, password=PASSWORD, role=Role.admin, name="Cecilia")
        yield store


@pytest.fixture(scope="session")
def server(demo_store: Store) -> Iterator[str]:
    port = _free_port()
    app = create_app(Settings(), store=demo_store)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/login", timeout=2)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield base
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API keeps an event loop running while it is open, and the
    # async API tests that follow need theirs.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh browser tab; any console error or dialog (a script that ran) fails the test."""
    context = browser.new_context(
        base_url=server, viewport={"width": 1366, "height": 900}, locale="en-GB"
    )
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    yield opened
    context.close()
    assert problems == [], f"the browser reported errors: {problems}"


def shoot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page) -> None:
    page.goto("/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/overview")
