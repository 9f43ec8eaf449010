"""Feedback: every comment with its scores and attributes, searched, filtered and paged."""

from __future__ import annotations

from typing import Annotated, get_args

import polars as pl
from fastapi import APIRouter, Query, Request, Response

from klarsyn.storage.enriched import scan_enriched
from klarsyn.storage.users import Role
from klarsyn.text.catalogue import stored_taxonomy
from klarsyn.text.taxonomy import Taxonomy
from klarsyn.web.api.filters import SearchDep
from klarsyn.web.deps import MirrorDep, StoreDep, UserDep
from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.pages.context import layout
from klarsyn.web.queries.criteria import Search, SentimentName, frame_filter
from klarsyn.web.queries.feedback_list import feedback_page, newest_id
from klarsyn.web.queries.priorities import current_version, scope_key
from klarsyn.web.scope import Scope, ScopeDep
from klarsyn.web.templating import formatter, render

router = APIRouter()
PAGE = 25


def matching(mirror: MirrorCache, scope: Scope, search: Search) -> int:
    """How many comments match, counted over the mirror."""
    scan = mirror.scan()
    if search.reads_enrichment:
        enriched = scan_enriched(mirror.store).select("row_id", "sentiment", "themes")
        scan = scan.join(enriched, on="row_id", how="left")
    available = scan.collect_schema().names()
    counted = scan.filter(frame_filter(scope, search, available=available)).select(pl.len())
    return int(counted.collect().item())


def theme_options(taxonomy: Taxonomy, locale: str) -> list[tuple[str, str]]:
    """Each theme's id and label, parents first, children indented below them."""
    ordered = sorted(taxonomy.themes, key=lambda theme: theme.id)
    return [(t.id, "\u2003" * t.id.count(".") + t.label(locale)) for t in ordered]


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
    locale = formatter(request).locale
    context = layout(mirror, scope) | {
        "can_open_cases": user.can(Role.agent),
        "search": search,
        "theme_options": theme_options(stored_taxonomy(store), locale),
        "sentiments": get_args(SentimentName),
        "page": page,
        "before": before,
        "total": mirror.memo(
            f"matching:{(scope_key(scope), search, current_version(request.app))!r}",
            lambda: matching(mirror, scope, search),
        ),
        "newest": newest_id(store),
    }
    return render(request, "feedback.html", context)
