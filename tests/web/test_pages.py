"""The dashboard pages: what they show, what they carry in links, and what they never run."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from klarsyn.actions.cases import create_case
from klarsyn.collect.importer import import_file
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role
from klarsyn.text.enrichment import enrich_store
from klarsyn.text.pipeline import build_pipeline
from tests.web.conftest import NOW, make_user, write_feedback

pytestmark = pytest.mark.anyio

PAGES = [
    "/overview",
    "/feedback",
    "/customers",
    "/customers/c1",
    "/themes",
    "/priorities",
    "/explain",
    "/cases",
    "/actions",
    "/alerts",
    "/settings",
]


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


async def test_overview_shows_open_cases_and_what_changed(
    app: FastAPI, admin: httpx.AsyncClient
) -> None:
    store = app.state.store
    opener = make_user(store, Role.analyst)
    for title in ("Call back c2", "Refund c4"):
        create_case(store, user=opener, title=title, now=NOW)
    html = (await admin.get("/overview?period=all")).text
    cases = re.search(r"data-open-cases>(.*?)</div>", html, re.S)
    assert cases and '<p class="value">2</p>' in cases[1]
    changed = re.search(r"data-findings-card>(.*?)</div>", html, re.S)
    # Six responses cannot move beyond normal variation: the card says so rather than guess.
    assert changed and "No metric moved beyond its normal variation." in changed[1]


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


async def test_a_customer_id_with_slashes_and_spaces_opens_its_page(
    app: FastAPI, admin: httpx.AsyncClient, tmp_path: Path
) -> None:
    odd = "B2B/0042 ?#&"
    row = ("f8", "2026-06-29T10:00:00+02:00", "email", odd, 3, "", "Fakturan var fel", "sv", "Norr")
    import_file(write_feedback(tmp_path / "odd.csv", [row]), kind="feedback", store=app.state.store)
    listing = (await admin.get("/feedback?period=all&q=Fakturan")).text
    link = re.search(r'<a class="customer" href="([^"?]+)', listing)
    assert link is not None
    page = await admin.get(link.group(1))
    assert page.status_code == 200 and "Fakturan var fel" in page.text
    found = await admin.get(f"/customers?id={quote(odd)}")
    assert (await admin.get(found.headers["location"])).status_code == 200
    timeline = await admin.get(link.group(1) + "/timeline.csv")
    assert timeline.status_code == 200 and "Fakturan var fel" in timeline.text


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


def add_a_phone_number(app: FastAPI, tmp_path: Path) -> Store:
    """Add a comment with a phone number (not enriched yet) to the app's store."""
    store: Store = app.state.store
    phone = ("f9", "2026-06-29T10:00:00+02:00", "email", "c9", 2, "",
             "Ring mig på 070-123 45 67, leveransen var försenad", "sv", "Norr")  # fmt: skip
    import_file(write_feedback(tmp_path / "more.csv", [phone]), kind="feedback", store=store)
    return store


async def test_csv_export_masks_personal_data_as_the_page_does(
    app: FastAPI, admin: httpx.AsyncClient, tmp_path: Path
) -> None:
    store = add_a_phone_number(app, tmp_path)
    exported = (await admin.get("/feedback.csv?period=all&q=Ring")).text  # not enriched yet
    assert "070-123 45 67" not in exported and "[PHONE]" in exported
    enrich_store(store, pipeline=build_pipeline(), now=NOW)
    rows = list(csv.DictReader(io.StringIO((await admin.get("/feedback.csv?q=Ring")).text)))
    assert [row["id"] for row in rows] == ["f9"]
    assert "[PHONE]" in rows[0]["text"] and "070-123" not in rows[0]["text"]
    assert rows[0]["sentiment"] == "negative" and "delivery" in rows[0]["themes"]


async def test_an_unknown_case_status_is_a_422(admin: httpx.AsyncClient) -> None:
    for path in ("/cases?status=lost", "/cases/list.csv?status=lost"):
        response = await admin.get(path)
        assert response.status_code == 422, path
        assert "status" in response.text


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


async def test_comments_show_masked_text_with_their_themes_marked(
    app: FastAPI, admin: httpx.AsyncClient, tmp_path: Path
) -> None:
    store = add_a_phone_number(app, tmp_path)
    # Not yet enriched: masked on the way out all the same.
    html = (await admin.get("/feedback?period=all&q=Ring")).text
    assert "070-123 45 67" not in html and "[PHONE]" in html
    enrich_store(store, pipeline=build_pipeline(), now=NOW)
    html = (await admin.get("/feedback?period=all&q=Ring")).text
    assert "070-123 45 67" not in html and "[PHONE]" in html
    # Marks and chips name the theme in the reader's language; a chip lists its feedback.
    marks = re.findall(
        r'<mark class="theme (\w*)" title="([\w ]+?)(?: · [^"]*)?">([^<]+)</mark>', html
    )
    assert ("negative", "Delivery", "leveransen") in marks
    chip = re.search(
        r'<a class="chip theme" href="/feedback\?period=all&amp;theme=(delivery[\w.]*)"'
        r' title="([\w.]+) [^"]*">([^<]+)</a>',
        html,
    )
    assert chip and chip[2] == chip[1]
    assert chip[3] == {"delivery": "Delivery", "delivery.time": "Delivery time"}[chip[1]]
    assert '<span class="chip sentiment negative">negative</span>' in html


async def test_writers_open_a_case_from_a_comment_and_viewers_cannot(
    admin: httpx.AsyncClient, viewer: httpx.AsyncClient
) -> None:
    html = (await admin.get("/feedback?period=all")).text
    assert html.count('class="case-from"') == 6
    found = re.search(r'name="feedback_id" value="(\d+)"', html)
    assert found
    response = await admin.post(
        "/cases",
        data={"csrf_token": "csrf-test-token", "feedback_id": found[1]},
        headers={"x-csrf-token": "csrf-test-token"},
    )
    assert response.status_code == 303
    case = await admin.get(response.headers["location"])
    assert case.status_code == 200 and "Follow up:" in case.text
    assert 'class="case-from"' not in (await viewer.get("/feedback?period=all")).text


async def test_settings_lead_to_users_taxonomy_and_alert_routes(
    admin: httpx.AsyncClient, viewer: httpx.AsyncClient
) -> None:
    html = (await admin.get("/settings")).text
    for link in ('href="/settings/users"', 'href="/themes#taxonomy"', 'href="/alerts"'):
        assert link in html
    html = (await viewer.get("/settings")).text
    assert 'href="/settings/users"' not in html and 'href="/themes#taxonomy"' not in html
    assert "API tokens" in html
