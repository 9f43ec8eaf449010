"""Query parameters the API routes share: an absolute date range, channel and segment."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query
from pydantic import Field

from klarsyn.web.deps import NowDep, SettingsDep
from klarsyn.web.queries.criteria import ScoreName, Search, SentimentName
from klarsyn.web.scope import Blank, Scope, make_scope, parse_segment


def api_scope(
    settings: SettingsDep,
    now: NowDep,
    start: Annotated[
        date | None, Query(alias="from", description="First local date, included.")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="Last local date, included.")] = None,
    channel: Annotated[str | None, Query(max_length=50)] = None,
    segment: Annotated[
        list[str] | None, Query(description="ATTRIBUTE:VALUE, repeatable; all must match.")
    ] = None,
) -> Scope:
    """All time unless ``from``/``to`` narrow it; scripts want stable, absolute ranges."""
    return make_scope(
        period="all" if start is None and end is None else "custom",
        now=now,
        time_zone=settings.timezone,
        start=start,
        end=end,
        channel=channel,
        segment=parse_segment(segment or []),
    )


ScoreValue = Annotated[int, Field(ge=0, le=10)]


def search_params(
    q: Annotated[str | None, Query(max_length=200, description="Text contains.")] = None,
    language: Annotated[str | None, Query(max_length=12)] = None,
    score: Annotated[
        ScoreName | None, Blank, Query(description="Score the range applies to.")
    ] = None,
    min: Annotated[ScoreValue | None, Blank, Query()] = None,
    max: Annotated[ScoreValue | None, Blank, Query()] = None,
    theme: Annotated[
        str | None,
        Query(max_length=100, description="A theme id; the themes below it match too."),
    ] = None,
    sentiment: Annotated[
        SentimentName | None, Blank, Query(description="The comment's overall sentiment.")
    ] = None,
) -> Search:
    return Search(
        q=q or None,
        language=language or None,
        score=score,
        min=min,
        max=max,
        theme=theme or None,
        sentiment=sentiment,
    )


ApiScopeDep = Annotated[Scope, Depends(api_scope)]
SearchDep = Annotated[Search, Depends(search_params)]
