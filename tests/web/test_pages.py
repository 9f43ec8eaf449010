"""The dashboard pages: what they show, what they carry in links, and what they never run."""

from __future__ import annotations

import json
import re

import httpx
import pytest

pytestmark = pytest.mark.anyio

PAGES = ["/overview", "/feedback", "/customers", "/customers/c1", "/settings"]


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_renders_with_strict_headers(admin: httpx.AsyncClient, path: str) -> None:
    response = await admin.get(path)
    assert response.status_code == 200, response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text  # no inline scripts: the CSP would block them


@pytest.mark.parametrize("path", ["/overview?period=all", "/feedback?period=all", "/customers/c1"])
async def test_script_in_a_comment_is_inert(admin: httpx.AsyncClient, path: str) -> None:
    html = (await admin.get(path)).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and 'href="javascript:' not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "")


async def test_filters_are_carried_by_every_link(admin: httpx.AsyncClient) -> None:
    html = (await admin.get("/overview?period=30d&channel=survey&segment=region:Skåne")).text
    wanted = "period=30d&amp;channel=survey&amp;segment=region%3ASk%C3%A5ne"
    for target in ("/overview", "/feedback", "/customers"):
        assert f'href="{target}?{wanted}"' in html


async def test_overview_shows_scores_with_intervals(admin: httpx.AsyncClient) -> None:
    html = (await admin.get("/overview?period=30d")).text
    nps = re.search(r'data-metric="nps">(.*?)</div>', html, re.S)
    assert nps and "95% interval" in nps[1]
    assert "vs previous period" in nps[1]
    spec = re.search(r'data-spec="trend">(.*?)</script>', html, re.S)
    assert spec
    chart = json.loads(spec[1])
    assert {layer["mark"]["type"] for layer in chart["layer"]} == {"area", "line", "point"}
    assert chart["data"]["values"], "the trend has points"


async def test_overview_volume_is_stacked_by_channel(admin: httpx.AsyncClient) -> None:
    html = (await admin.get("/overview?period=all")).text
    spec = re.search(r'data-spec="volume">(.*?)</script>', html, re.S)
    assert spec
    chart = json.loads(spec[1])
    assert chart["encoding"]["color"]["field"] == "channel"
    assert {row["channel"] for row in chart["data"]["values"]} == {"survey", "email", "chat"}


async def test_an_empty_period_says_so(admin: httpx.AsyncClient) -> None:
    html = (await admin.get("/overview?period=custom&from=2020-01-01&to=2020-01-31")).text
    assert "No feedback in this period." in html


async def test_feedback_page_searches_filters_and_pages(admin: httpx.AsyncClient) -> None:
    html = (await admin.get("/feedback?period=all&score=nps&min=9")).text
    assert "2 matching" in html
    assert "Snabb leverans" in html and "Paketet kom aldrig" not in html
    assert 'href="/customers/c1?period=all' in html


async def test_customer_timeline_merges_feedback_and_events(admin: httpx.AsyncClient) -> None:
    html = (await admin.get("/customers/c1")).text
    order = re.findall(r"Snabb leverans|event-delivery|event-order|&lt;script", html)
    assert order == ["Snabb leverans", "&lt;script", "event-delivery", "event-order"]
    assert "order_value" in html


async def test_find_a_customer_redirects_to_their_page(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/customers?id=c2&period=all")
    assert response.status_code == 303
    assert response.headers["location"] == "/customers/c2?period=all"


async def test_swedish_interface_and_numbers(
    admin: httpx.AsyncClient, csrf: dict[str, str]
) -> None:
    saved = await admin.post("/settings/language", data={"locale": "sv"} | csrf)
    assert saved.status_code == 303
    html = (await admin.get("/overview?period=all")).text
    assert '<html lang="sv">' in html and "Översikt" in html and "Senaste kommentarerna" in html
    assert "95 % intervall" in html
    assert re.search(r"\d+ (jan\.|feb\.|mars|apr\.|maj|juni) 2026 \d\d:\d\d", html)


async def test_csv_export_follows_the_filters_and_defuses_formulas(
    admin: httpx.AsyncClient,
) -> None:
    response = await admin.get("/feedback.csv?period=all&channel=survey")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].startswith("id,received_at,channel")
    assert len(lines) == 5
    assert "'=1+2 formula text" in response.text


@pytest.mark.parametrize(
    ("table", "header"),
    [
        ("headlines", "metric,value,ci_low,ci_high,n,small_n,change,p_value"),
        ("trend", "period,nps,ci_low,ci_high,n,small_n,partial"),
        ("channels", "channel,count"),
    ],
)
async def test_overview_tables_export_as_csv(
    admin: httpx.AsyncClient, table: str, header: str
) -> None:
    html = (await admin.get("/overview?period=all&channel=survey")).text
    assert f'href="/overview/{table}.csv?period=all&amp;channel=survey"' in html
    response = await admin.get(f"/overview/{table}.csv?period=all&channel=survey")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == header and len(lines) > 1
    if table == "channels":
        assert lines[1:] == ["survey,4"]


async def test_customer_page_lists_the_most_active_customers(admin: httpx.AsyncClient) -> None:
    html = (await admin.get("/customers?period=all")).text
    ranked = re.findall(r'href="/customers/(c\d)\?period=all">', html)
    assert ranked == ["c1", "c2", "c3", "c4"]  # most feedback first, then the latest
