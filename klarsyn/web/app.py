"""``create_app(settings)``: the FastAPI app serving the REST API and the dashboard.

Nothing happens at import time: the store is opened when the app starts (or handed in, as tests
and ``klarsyn serve`` do), and every route reaches it through dependencies (``deps.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import RequestResponseEndpoint

from klarsyn import __version__
from klarsyn.config import Settings
from klarsyn.storage.store import Store
from klarsyn.web import api, pages, problems
from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.templating import environment
from klarsyn.web.throttle import LoginThrottle

STATIC = Path(__file__).with_name("static")

# Vega compiles chart expressions with the vendored interpreter, so no 'unsafe-eval' is needed;
# inline styles are Vega's own SVG/tooltip styling.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Callable[[], datetime] = _now,
    mirror_max_age: float = 5.0,
) -> FastAPI:
    """The web app over the store of ``settings`` (or over ``store``, left open afterwards).

    ``clock`` gives "now" for relative periods such as the last 30 days; ``mirror_max_age`` is
    how stale, in seconds, the aggregates may be (0 in tests, to see every write at once).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        opened = store or Store.open(settings.database_url)
        app.state.store = opened
        app.state.mirror = MirrorCache(opened, max_age=mirror_max_age)
        try:
            yield
        finally:
            if owned:
                opened.close()

    app = FastAPI(
        title="Klarsyn",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.templates = environment()
    app.state.throttle = LoginThrottle()
    if store is not None:
        # Available before startup too, for clients that skip the lifespan.
        app.state.store = store
        app.state.mirror = MirrorCache(store, max_age=mirror_max_age)
    problems.install(app)
    app.middleware("http")(_security_headers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_api_route("/", _home, include_in_schema=False)
    return app


async def _home() -> Response:
    return RedirectResponse("/overview", status_code=307)


async def _security_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
