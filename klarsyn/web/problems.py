"""One place where errors become responses: RFC 9457 problem+json, or an HTML page.

API routes (``/api/…``) and clients that ask for JSON get ``application/problem+json``; dashboard
pages render ``errors/{status}.html``, falling back to ``error.html``. A page that needs a login
redirects to it instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import TemplateNotFound
from starlette.exceptions import HTTPException as StarletteHTTPException

from klarsyn.errors import KlarsynError
from klarsyn.web.security import NotAuthenticated, request_user

PROBLEM = "application/problem+json"
BASE = "https://klarsyn.dev/problems/"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    422: "Invalid request",
    429: "Too many attempts",
    500: "Internal error",
}


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or ("json" in accept and "text/html" not in accept)


def problem(request: Request, body: dict[str, Any]) -> Response:
    """``body`` (type, title, status, detail and extensions) as JSON or as an error page."""
    body = {**body, "instance": request.url.path}
    status = int(body["status"])
    if wants_json(request):
        return JSONResponse(body, status, media_type=PROBLEM)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    from klarsyn.web.templating import render

    if getattr(request.state, "user", None) is None and status != 401:
        # Errors raised before the route's dependencies ran (an unknown path) still show the
        # navigation to someone who is signed in.
        request.state.user = request_user(request, request.app.state.store)
    for name in (f"errors/{status}.html", "error.html"):
        try:
            return render(request, name, {"problem": body}, status_code=status)
        except TemplateNotFound:
            continue
    raise RuntimeError("error.html is missing from the package")  # pragma: no cover


def _klarsyn_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KlarsynError)
    body = {
        "type": exc.type_uri,
        "title": exc.title,
        "status": exc.status,
        "detail": str(exc),
        **({"hint": exc.hint} if exc.hint else {}),
        **exc.extensions,
    }
    return problem(request, body)


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "location": [str(part) for part in error.get("loc", ())],
            "message": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    names = ", ".join(e["location"][-1] for e in errors if e["location"]) or "the request"
    body = {
        "type": BASE + "validation",
        "title": "Invalid request",
        "status": 422,
        "detail": f"these values are not valid: {names}",
        "errors": errors,
    }
    return problem(request, body)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = TITLES.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    body = {
        "type": BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": exc.status_code,
        "detail": detail,
    }
    response = problem(request, body)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _unexpected(request: Request, exc: Exception) -> Response:
    # The server logs the traceback; the client learns only that it was not its fault.
    body = {
        "type": BASE + "internal-error",
        "title": TITLES[500],
        "status": 500,
        "detail": "the server failed to answer; the error has been logged",
    }
    return problem(request, body)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(KlarsynError, _klarsyn_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


__all__ = ["PROBLEM", "NotAuthenticated", "install", "problem"]
