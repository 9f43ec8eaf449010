"""Who is asking: session cookies for the dashboard, bearer tokens for scripts, CSRF for forms.

Session and CSRF cookies are HttpOnly and SameSite=Lax, and Secure whenever the request came over
HTTPS (run behind a TLS proxy with ``--proxy-headers`` so the scheme is known). Every form carries
the CSRF cookie's value in a hidden field (double submit); a POST whose field does not match the
cookie is refused before any work is done.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from klarsyn.errors import Forbidden, KlarsynError
from klarsyn.storage.credentials import SESSION_LIFETIME, session_user, token_user
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, User

SESSION_COOKIE = "klarsyn_session"
CSRF_COOKIE = "klarsyn_csrf"
CSRF_FIELD = "csrf_token"


class NotAuthenticated(KlarsynError):
    """No valid session cookie or API token came with a request that needs one."""

    status = 401
    title = "Not signed in"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)


def csrf_token(request: Request) -> str:
    """The CSRF value for this client, created on first use and sent back as a cookie."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return str(token)


def store_csrf_cookie(request: Request, response: Response) -> None:
    """Send the CSRF cookie if this request created one (see :func:`csrf_token`)."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request)
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose CSRF field is missing or differs from the cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise Forbidden(
            "the form's security token is missing or out of date",
            hint="reload the page and submit the form again",
        )


def request_user(request: Request, store: Store) -> User | None:
    """The user behind a bearer token or a session cookie, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer" and credential:
        return token_user(store, secret=credential.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    return session_user(store, secret=cookie) if cookie else None


def require_role(user: User, role: Role) -> None:
    if not user.can(role):
        raise Forbidden(
            f"this needs the {role.value} role; {user.email} is {user.role.value}",
            hint="ask an admin to change your role",
        )
