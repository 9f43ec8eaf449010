"""Customer: one customer's feedback and events on a single timeline."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from klarsyn.web.deps import MirrorDep, StoreDep, UserDep
from klarsyn.web.pages.context import layout
from klarsyn.web.pages.forms import see_other
from klarsyn.web.queries.customers import active_customers
from klarsyn.web.queries.timeline import customer_timeline
from klarsyn.web.scope import ScopeDep
from klarsyn.web.templating import render

router = APIRouter()


@router.get("/customers")
def find_customer(
    request: Request,
    mirror: MirrorDep,
    user: UserDep,
    scope: ScopeDep,
    id: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if id and id.strip():
        return see_other(f"/customers/{quote(id.strip(), safe='')}{scope.query()}")
    context = layout(mirror, scope) | {"active": active_customers(mirror, scope=scope)}
    return render(request, "customer_find.html", context)


@router.get("/customers/{customer_id:path}")
def customer_page(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    user: UserDep,
    scope: ScopeDep,
    customer_id: str,
) -> Response:
    timeline = customer_timeline(store, customer_id=customer_id)
    return render(request, "customer.html", layout(mirror, scope) | {"timeline": timeline})
