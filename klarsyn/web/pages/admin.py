"""Admin pages: who may sign in, and with which role."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from klarsyn.storage.users import list_users
from klarsyn.web.deps import AdminDep, StoreDep
from klarsyn.web.templating import render

router = APIRouter()


@router.get("/settings/users")
def users_page(request: Request, store: StoreDep, _admin: AdminDep) -> Response:
    return render(request, "users.html", {"users": list_users(store)})
