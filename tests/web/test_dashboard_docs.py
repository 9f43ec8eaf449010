"""docs/dashboard.md documents every page and API route the app serves."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.routing import APIRoute

import klarsyn.web.api
import klarsyn.web.pages

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "dashboard.md").read_text(encoding="utf-8")
UNDOCUMENTED = {"/login", "/logout"}  # the sign-in forms explain themselves


def route_paths() -> set[str]:
    found = set()
    for package, prefix in ((klarsyn.web.pages, ""), (klarsyn.web.api, "/api/v1")):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            router = getattr(module, "router", None)
            if isinstance(router, APIRouter):
                found |= {prefix + r.path for r in router.routes if isinstance(r, APIRoute)}
    return found


def test_the_route_list_is_complete() -> None:
    assert {"/overview", "/api/v1/feedback", "/api/v1/metrics", "/settings/users"} <= route_paths()


def test_every_route_is_documented() -> None:
    # Path parameters are written as placeholders in the docs: /customers/ID for
    # /customers/{customer_id}, so the part before the parameter must appear.
    missing = [
        path
        for path in sorted(route_paths() - UNDOCUMENTED)
        if re.split(r"\{", path)[0].rstrip("/") not in DOCS
    ]
    assert missing == []
