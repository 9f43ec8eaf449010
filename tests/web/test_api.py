"""``GET /api/v1/feedback`` and ``GET /api/v1/metrics``."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from klarsyn.cli.main import app as cli

pytestmark = pytest.mark.anyio


async def ids(client: httpx.AsyncClient, query: str) -> list[str]:
    response = await client.get(f"/api/v1/feedback?{query}")
    assert response.status_code == 200, response.text
    return [item["external_id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["f1", "f2", "f3", "f4", "f5", "f6"]),
        ("from=2026-06-01&to=2026-06-28", ["f2", "f3", "f4"]),
        ("from=2026-06-28", ["f1", "f2"]),
        ("channel=survey", ["f1", "f2", "f4", "f6"]),
        ("segment=region:Skåne", ["f1", "f3", "f5"]),
        ("segment=region:Skåne&channel=survey", ["f1"]),
        ("score=nps&min=0&max=6", ["f2"]),
        ("score=nps&min=9", ["f1", "f6"]),
        ("score=csat", ["f4", "f5"]),
        ("language=sv", ["f1", "f2", "f5"]),
        ("q=PAKET", ["f2"]),
        ("q=100%25", ["f4"]),
        ("q=_", []),
    ],
)
async def test_feedback_filters(admin: httpx.AsyncClient, query: str, expected: list[str]) -> None:
    assert await ids(admin, query) == expected


async def test_feedback_items_carry_scores_and_attributes(admin: httpx.AsyncClient) -> None:
    item = (await admin.get("/api/v1/feedback?limit=1")).json()["items"][0]
    assert item["external_id"] == "f1" and item["nps"] == 10
    assert item["attributes"] == {"region": "Skåne"}
    assert item["received_at"] == "2026-06-29T07:00:00+00:00"


async def test_feedback_pages_by_keyset(admin: httpx.AsyncClient) -> None:
    seen: list[str] = []
    url: str | None = "/api/v1/feedback?limit=4&channel=survey&limit=2"
    while url:
        body = (await admin.get(url)).json()
        seen += [item["external_id"] for item in body["items"]]
        url = body["next"]
        assert url is None or "channel=survey" in url
    assert seen == ["f1", "f2", "f4", "f6"]


async def test_new_feedback_counts_after_an_id(admin: httpx.AsyncClient) -> None:
    body = (await admin.get("/api/v1/feedback/new?after=3")).json()
    assert body == {"count": 3, "newest": 6}
    body = (await admin.get("/api/v1/feedback/new?after=3&channel=survey")).json()
    assert body["count"] == 2


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--metric", "csat"],
        ["--by", "region", "--period", "month"],
        ["--metric", "nps", "--by", "channel,region", "--period", "week"],
    ],
)
async def test_metrics_match_the_cli(
    app: FastAPI, admin: httpx.AsyncClient, database_url: str, options: list[str]
) -> None:
    result = CliRunner().invoke(cli, ["--db", database_url, "metrics", "--json", *options])
    assert result.exit_code == 0, result.output
    expected = json.loads(result.stdout)
    names = dict(zip(options[::2], options[1::2], strict=True))
    query = {"metric": names.get("--metric", "nps")}
    query |= {k: names[f"--{k}"] for k in ("by", "period") if f"--{k}" in names}
    response = await admin.get("/api/v1/metrics", params=query)
    assert response.status_code == 200
    assert response.json() == expected


async def test_metrics_honour_the_filters(admin: httpx.AsyncClient) -> None:
    rows = (await admin.get("/api/v1/metrics?segment=region:Norr&from=2026-06-01")).json()
    assert rows == [
        {
            "period": None,
            "segment": {},
            "n": 2,
            "customers": 2,
            "value": -50.0,  # a detractor (3) and a passive (8)
            "ci_low": rows[0]["ci_low"],
            "ci_high": rows[0]["ci_high"],
            "n_eff": 2.0,
            "small_n": True,
        }
    ]
