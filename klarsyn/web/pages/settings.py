"""Settings: your language and API tokens; the user list for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from klarsyn.storage.credentials import create_token, list_tokens, revoke_token
from klarsyn.storage.users import set_locale
from klarsyn.web.deps import StoreDep, UserDep
from klarsyn.web.pages.forms import CsrfDep, see_other
from klarsyn.web.templating import render

router = APIRouter()


@router.get("/settings")
def settings_page(request: Request, store: StoreDep, user: UserDep) -> Response:
    context = {
        "tokens": list_tokens(store, user=user),
        "new_token": None,
    }
    return render(request, "settings.html", context)


@router.post("/settings/language")
def change_language(
    store: StoreDep,
    user: UserDep,
    _csrf: CsrfDep,
    locale: Annotated[str, Form(max_length=10)],
) -> Response:
    set_locale(store, user_id=user.id, locale=locale)
    return see_other("/settings")


@router.post("/settings/tokens")
def add_token(
    request: Request,
    store: StoreDep,
    user: UserDep,
    _csrf: CsrfDep,
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    _token, secret = create_token(store, user=user, name=name)
    context = {
        "tokens": list_tokens(store, user=user),
        "new_token": secret,
    }
    # Shown once, in this response only; a redirect would have to carry the secret in the URL.
    return render(request, "settings.html", context, status_code=201)


@router.post("/settings/tokens/{token_id}/revoke")
def remove_token(store: StoreDep, user: UserDep, _csrf: CsrfDep, token_id: int) -> Response:
    revoke_token(store, user=user, token_id=token_id)
    return see_other("/settings")
