"""Feedback: every comment with its scores and attributes, searched, filtered and paged."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import APIRouter, Query, Request, Response

from klarsyn.storage.users import Role
from klarsyn.web.api.filters import SearchDep
from klarsyn.web.deps import MirrorDep, StoreDep, UserDep
from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.pages.context import layout
from klarsyn.web.queries.criteria import Search, frame_filter
from klarsyn.web.queries.feedback_list import feedback_page, newest_id
from klarsyn.web.scope import Scope, ScopeDep
from klarsyn.web.templating import render

router = APIRouter()
PAGE = 25


def matching(mirror: MirrorCache, scope: Scope, search: Search) -> int:
    scan = mirror.scan()
    available = scan.collect_schema().names()
    counted = scan.filter(frame_filter(scope, search, available=available)).select(pl.len())
    return int(counted.collect().item())


@router.get("/feedback")
def feedback_list(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    user: UserDep,
    scope: ScopeDep,
    search: SearchDep,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    page = feedback_page(store, scope=scope, search=search, limit=PAGE, before=before)
    context = layout(mirror, scope) | {
        "can_open_cases": user.can(Role.agent),
        "search": search,
        "page": page,
        "before": before,
        "total": matching(mirror, scope, search),
        "newest": newest_id(store),
    }
    return render(request, "feedback.html", context)
