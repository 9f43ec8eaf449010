"""Take the README's screenshot of the Overview page from a demo store.

Run ``klarsyn demo --no-serve`` first, then, from that directory,
``.venv/bin/python scripts/readme_screenshot.py [--db sqlite:///klarsyn.db] [--out
docs/img/overview.png]``. It needs Debian's Chromium (``/usr/bin/chromium``).
"""

from __future__ import annotations

import argparse
import secrets
import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from klarsyn.config import Settings
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, create_user
from klarsyn.web import create_app

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///klarsyn.db")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "overview.png")
    parser.add_argument("--path", default="/overview?period=12m")
    parser.add_argument("--height", type=int, default=1250, help="Height of the picture in px.")
    args = parser.parse_args()
    store = Store.open(args.db)
    email, password = f"screenshot-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16)
    create_user(store, email=email, password=password, role=Role.analyst, name="Cecilia")
    port = _free_port()
    app = create_app(Settings(database_url=args.db), store=store, mirror_max_age=0)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": args.height})
        base = f"http://127.0.0.1:{port}"
        page.goto(f"{base}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.goto(base + args.path)
        page.wait_for_selector("[data-chart] svg")
        page.screenshot(path=str(args.out))
        browser.close()
    server.should_exit = True
    sys.stdout.write(f"wrote {args.out}\n")


if __name__ == "__main__":
    main()
