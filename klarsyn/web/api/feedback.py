"""``GET /api/v1/feedback``: feedback newest first, filtered and keyset-paged."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from klarsyn.web.api.filters import ApiScopeDep, SearchDep
from klarsyn.web.deps import StoreDep, UserDep
from klarsyn.web.queries.feedback_list import MAX_LIMIT, count_after, feedback_page, newest_id

router = APIRouter(tags=["feedback"])


@router.get("/feedback")
def list_feedback(
    request: Request,
    store: StoreDep,
    _user: UserDep,
    scope: ApiScopeDep,
    search: SearchDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    before: Annotated[int | None, Query(ge=1, description="Page after this feedback id.")] = None,
) -> dict[str, Any]:
    """Feedback items with scores and attributes; follow ``next`` for the following page."""
    page = feedback_page(store, scope=scope, search=search, limit=limit, before=before)
    next_url = None
    if page.next_before is not None:
        next_url = str(request.url.include_query_params(before=page.next_before))
    items = [asdict(item) | {"received_at": item.received_at.isoformat()} for item in page.items]
    return {"items": items, "next": next_url, "next_before": page.next_before}


@router.get("/feedback/new")
def new_feedback(
    store: StoreDep,
    _user: UserDep,
    scope: ApiScopeDep,
    search: SearchDep,
    after: Annotated[int, Query(ge=0, description="The newest feedback id the client has.")],
) -> dict[str, int]:
    """How many items arrived after ``after``: dashboards poll this to go live."""
    return {
        "count": count_after(store, after=after, scope=scope, search=search),
        "newest": newest_id(store),
    }
