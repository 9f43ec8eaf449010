"""What every form post shares: the CSRF check, as a dependency, and safe redirects."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse

from klarsyn.web.security import CSRF_FIELD, check_csrf


def csrf_checked(
    request: Request, token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None
) -> None:
    check_csrf(request, token)


CsrfDep = Annotated[None, Depends(csrf_checked)]


def local_target(target: str | None, default: str = "/overview") -> str:
    """``target`` if it is a path on this site; never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def see_other(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)
