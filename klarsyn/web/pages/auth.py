"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from klarsyn.storage.credentials import end_session, start_session
from klarsyn.storage.users import authenticate
from klarsyn.web.deps import StoreDep
from klarsyn.web.pages.forms import CsrfDep, local_target, see_other
from klarsyn.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    clear_session_cookie,
    request_user,
    set_session_cookie,
)
from klarsyn.web.templating import render
from klarsyn.web.throttle import LoginThrottle

router = APIRouter()


@router.get("/login")
def login_form(request: Request, store: StoreDep, next: str | None = None) -> Response:
    if request_user(request, store) is not None:
        return see_other(local_target(next))
    return render(request, "login.html", {"next": local_target(next), "failed": False})


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    _csrf: CsrfDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    throttle: LoginThrottle = request.app.state.throttle
    client = request.client.host if request.client else "unknown"
    keys = (f"email:{email.strip().lower()}", f"client:{client}")
    throttle.check(*keys)
    user = authenticate(store, email=email, password=password)
    if user is None:
        throttle.failed(*keys)
        context = {"next": local_target(next), "failed": True, "email": email}
        return render(request, "login.html", context, status_code=400)
    throttle.succeeded(keys[0])
    response = see_other(local_target(next))
    set_session_cookie(request, response, start_session(store, user=user))
    # A new CSRF value at sign-in: one planted before it (session fixation) is worth nothing.
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, store: StoreDep, _csrf: CsrfDep) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        end_session(store, secret=secret)
    response = see_other("/login")
    clear_session_cookie(response)
    response.delete_cookie(CSRF_COOKIE)
    return response
