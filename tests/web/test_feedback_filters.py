"""Feedback filtered by what the text pipeline found: a theme (with the themes below it) and
the comment's sentiment, on the page, in the API, in the CSV export and in both filter forms."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from klarsyn.config import Settings
from klarsyn.storage.enriched import scan_enriched
from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.store import Store
from klarsyn.storage.tables import enrichments, feedback
from klarsyn.text.enrichment import enrich_store
from klarsyn.text.pipeline import build_pipeline
from klarsyn.web import create_app
from klarsyn.web.queries.criteria import Search, frame_filter, sql_filter
from klarsyn.web.scope import make_scope
from tests.web.conftest import NOW

pytestmark = pytest.mark.anyio


@pytest.fixture
def enriched(seeded: Store) -> Store:
    enrich_store(seeded, pipeline=build_pipeline(), now=NOW)
    return seeded


def _found(store: Store) -> dict[str, tuple[list[str], str]]:
    """Each external id's themes and sentiment, read straight from the enrichments."""
    query = select(feedback.c.external_id, enrichments.c.themes, enrichments.c.sentiment).join(
        enrichments, enrichments.c.feedback_id == feedback.c.id
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    found = {}
    for external_id, themes, sentiment in rows:
        decoded = json.loads(themes) if isinstance(themes, str) else themes
        found[external_id] = (list(decoded["themes"]), sentiment)
    return found


def _expected(store: Store, search: Search) -> set[str]:
    def wanted(themes: list[str], sentiment: str) -> bool:
        if search.sentiment and sentiment != search.sentiment:
            return False
        if search.theme:
            return any(t == search.theme or t.startswith(search.theme + ".") for t in themes)
        return True

    return {key for key, (themes, sentiment) in _found(store).items() if wanted(themes, sentiment)}


SEARCHES = [
    Search(theme="delivery"),
    Search(theme="delivery.time"),
    Search(theme="deliv"),  # a prefix of an id is not a parent
    Search(theme="service"),
    Search(sentiment="positive"),
    Search(sentiment="neutral", theme="delivery"),
    Search(sentiment="negative"),
]


@pytest.mark.parametrize("search", SEARCHES)
def test_frame_and_sql_agree_with_the_enrichments(enriched: Store, search: Search) -> None:
    scope = make_scope(period="all", now=NOW, time_zone="Europe/Stockholm")
    scan = scan_feedback(enriched).join(
        scan_enriched(enriched).select("row_id", "sentiment", "themes"), on="row_id", how="left"
    )
    available = scan.collect_schema().names()
    from_frame = set(scan.filter(frame_filter(scope, search, available=available)).collect()["id"])
    with enriched.engine.connect() as connection:
        query = select(feedback.c.external_id).where(sql_filter(scope, search))
        from_sql = set(connection.execute(query).scalars())
    assert from_frame == from_sql == _expected(enriched, search)


def test_the_theme_filter_finds_the_planted_themes(enriched: Store) -> None:
    # Guards the test above against passing on empty sets.
    assert _expected(enriched, Search(theme="delivery")) == {"f1", "f2"}
    assert _expected(enriched, Search(theme="delivery.time")) == {"f1"}
    assert _expected(enriched, Search(theme="deliv")) == set()


@pytest.fixture
def app(enriched: Store) -> FastAPI:
    return create_app(Settings(), store=enriched, clock=lambda: NOW, mirror_max_age=0)


async def test_feedback_page_filters_by_theme_and_sentiment(admin: httpx.AsyncClient) -> None:
    html = (await admin.get("/feedback?period=all&theme=delivery")).text
    assert "2 matching" in html
    assert ">Snabb leverans</mark>, tack!" in html and ">Paketet</mark> kom aldrig" in html
    assert "Okay" not in html
    assert '<option value="delivery" selected>' in html
    html = (await admin.get("/feedback?period=all&theme=delivery&sentiment=positive")).text
    assert "1 matching" in html and "Snabb leverans" in html and "kom aldrig" not in html
    assert '<option value="positive" selected>' in html
    # the pager and the export keep the filters
    assert "/feedback.csv?period=all&amp;theme=delivery&amp;sentiment=positive" in html


async def test_api_and_export_honour_theme_and_sentiment(admin: httpx.AsyncClient) -> None:
    items = (await admin.get("/api/v1/feedback?theme=delivery")).json()["items"]
    assert sorted(item["external_id"] for item in items) == ["f1", "f2"]
    items = (await admin.get("/api/v1/feedback?sentiment=positive")).json()["items"]
    assert {item["external_id"] for item in items} == {"f1", "f4"}
    text = (await admin.get("/feedback.csv?period=all&theme=price")).text
    assert [row["id"] for row in csv.DictReader(io.StringIO(text))] == ["f4"]


async def test_an_unknown_sentiment_is_a_precise_400(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/api/v1/feedback?sentiment=angry")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "sentiment" in response.text
