"""``GET /api/v1/explain`` and ``GET /api/v1/findings``: the CLI's JSON, over HTTP."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import numpy as np
import polars as pl
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from klarsyn.cli.main import app as cli
from klarsyn.collect.importer import import_file
from klarsyn.storage.store import Store
from klarsyn.text.enrichment import enrich_store
from klarsyn.text.pipeline import build_pipeline
from tests.web.conftest import NOW

pytestmark = pytest.mark.anyio


@pytest.fixture
def seeded(store: Store, tmp_path: Path) -> Store:
    """April to June 2026; customers in the west grow unhappy in June."""
    rng = np.random.default_rng(11)
    n = 3_600
    month = np.repeat([4, 5, 6], n // 3)
    region = rng.choice(["north", "south", "east", "west"], n)
    latent = 7.6 + rng.normal(0, 2.0, n) - 3.5 * ((month == 6) & (region == "west"))
    day = rng.integers(2, 28, n)
    path = tmp_path / "feedback.csv"
    pl.DataFrame(
        {
            "id": [f"f{i}" for i in range(n)],
            "received_at": [
                f"2026-{m:02d}-{d:02d}T12:00:00+02:00" for m, d in zip(month, day, strict=True)
            ],
            "channel": ["survey"] * n,
            "customer_id": [f"c{i}" for i in rng.integers(0, 2_000, n)],
            "nps": np.clip(np.rint(latent), 0, 10).astype(np.int64),
            "text": np.where(
                (month == 6) & (region == "west"),
                '<script>alert("x")</script> the delivery was late again, terrible',
                '<script>alert("x")</script> slow',
            ),
            "region": region,
        }
    ).write_csv(path)
    import_file(path, kind="feedback", store=store)
    return store


async def test_explain_matches_the_cli(
    app: FastAPI, viewer: httpx.AsyncClient, database_url: str
) -> None:
    args = ["--period", "2026-06", "--vs", "2026-05", "--json"]
    result = CliRunner().invoke(cli, ["--db", database_url, "explain", *args])
    assert result.exit_code == 0, result.output
    response = await viewer.get("/api/v1/explain", params={"period": "2026-06", "vs": "2026-05"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == json.loads(result.stdout)
    first = body["causes"][0]
    assert (first["dimension"], first["value"], first["effect"]) == ("region", "west", "rate")


async def test_explain_within_a_segment(viewer: httpx.AsyncClient) -> None:
    query = {"period": "2026-06", "segment": "region:north"}
    body = (await viewer.get("/api/v1/explain", params=query)).json()
    assert body["change"]["vs"] == "2026-05"
    assert body["causes"] == []


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"period": "June"}, 400),
        ({"period": "2030-01"}, 400),
        ({"period": "2026-06", "metric": "mood"}, 422),
        ({"period": "2026-06", "by": "nowhere"}, 422),
    ],
)
async def test_bad_requests_are_problems(
    viewer: httpx.AsyncClient, query: dict[str, str], status: int
) -> None:
    response = await viewer.get("/api/v1/explain", params=query)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_findings_match_the_cli(
    app: FastAPI, viewer: httpx.AsyncClient, database_url: str
) -> None:
    result = CliRunner().invoke(cli, ["--db", database_url, "findings", "--json"])
    assert result.exit_code == 0, result.output
    response = await viewer.get("/api/v1/findings")
    assert response.status_code == 200
    assert response.json() == json.loads(result.stdout)[:100]


async def test_the_api_needs_credentials(anonymous: httpx.AsyncClient) -> None:
    assert (await anonymous.get("/api/v1/explain?period=2026-06")).status_code == 401
    assert (await anonymous.get("/api/v1/findings")).status_code == 401


async def test_the_explain_page_shows_the_cause_and_escapes_comments(
    viewer: httpx.AsyncClient,
) -> None:
    response = await viewer.get("/explain?month=2026-06&vs=2026-05")
    assert response.status_code == 200
    page = response.text
    assert "NPS fell" in page
    assert "region = west" in page
    assert 'data-spec="waterfall"' in page
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(" in page


async def test_the_explain_page_names_the_themes_of_the_change(
    app: FastAPI, viewer: httpx.AsyncClient
) -> None:
    enrich_store(app.state.store, pipeline=build_pipeline(), now=NOW)
    page = (await viewer.get("/explain?month=2026-06&vs=2026-05")).text
    symptoms = page[page.index("data-symptoms") : page.index("data-themes")]
    assert 'title="delivery.time">Delivery time</a>' in symptoms
    themes = page[page.index("data-themes") :]
    # The theme's name in the reader's language, its id beside it for the taxonomy editor.
    assert "Delivery time" in themes
    assert '<span class="muted small">delivery.time</span>' in themes
    assert "region = west" in themes  # a symptom of the cause found


async def test_a_change_within_normal_variation_is_not_a_missing_cause(
    viewer: httpx.AsyncClient,
) -> None:
    page = (await viewer.get("/explain?month=2026-05&vs=2026-04")).text
    assert "within normal variation" in page
    assert "data-no-cause" not in page and 'data-spec="waterfall"' not in page


async def test_the_explain_page_without_feedback_says_so(viewer: httpx.AsyncClient) -> None:
    response = await viewer.get("/explain?month=2030-01")
    assert response.status_code == 200
    assert "data-problem" in response.text


async def test_the_explain_form_keeps_the_global_filters(viewer: httpx.AsyncClient) -> None:
    page = (
        await viewer.get("/explain?month=2026-06&period=custom&from=2026-01-01&to=2026-06-30")
    ).text
    start = page.index('class="explain-form"')
    form = page[start : page.index("</form>", start)]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    assert hidden == {"period": "custom", "from": "2026-01-01", "to": "2026-06-30"}
