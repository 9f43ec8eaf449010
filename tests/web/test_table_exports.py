"""CSV downloads of every dashboard table: the page's rows, filters and rights, formulas defused.

The store adds to the web conftest's: 240 enriched responses over May and June (late deliveries
and high prices cost NPS, the west grows unhappy in June), an alert rule that opened cases for
team north and queued notifications, a case for team south, and a channel named like a formula.
"""

from __future__ import annotations

import csv
import html
import io
import json
import random
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from klarsyn.actions.cases import create_case, list_cases
from klarsyn.actions.evaluate import evaluate
from klarsyn.actions.outbox import recent
from klarsyn.actions.plans import add_milestone, add_plan
from klarsyn.actions.rules import add_channel, add_rule, list_rules
from klarsyn.analytics.drivers import KeyDrivers
from klarsyn.collect.importer import import_file
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, User
from klarsyn.text.catalogue import stored_taxonomy
from klarsyn.text.enrichment import enrich_store
from klarsyn.text.pipeline import build_pipeline
from klarsyn.web.charts_explain import waterfall_steps
from klarsyn.web.csv_export import cell, safe_filename
from klarsyn.web.pages.actions import plans_with_effect
from klarsyn.web.pages.explain import explained
from klarsyn.web.pages.themes import tree
from klarsyn.web.queries.priorities import cached_drivers, cached_themes
from klarsyn.web.queries.timeline import customer_timeline
from klarsyn.web.scope import PeriodName, Scope, make_scope
from tests.web.conftest import NOW, make_user, signed_in, write_feedback

pytestmark = pytest.mark.anyio
LATE = "Leveransen var sen och paketet kom aldrig. Mycket dåligt."
PRICEY = "Alldeles för dyrt, priset är orimligt."
NICE = "Trevlig personal i butiken."
EVIL_CHANNEL = "=HYPERLINK(1)"

EXPORTS = [
    "/overview/headlines.csv",
    "/overview/trend.csv",
    "/overview/channels.csv",
    "/feedback.csv",
    "/themes/tree.csv",
    "/themes/loudness.csv",
    "/priorities/drivers.csv",
    "/explain/causes.csv",
    "/explain/waterfall.csv",
    "/explain/evidence.csv",
    "/explain/themes.csv",
    "/cases/list.csv",
    "/cases/scorecards.csv",
    "/actions/plans.csv",
    "/alerts/rules.csv",
    "/alerts/channels.csv",
    "/alerts/outbox.csv",
    "/customers/c1/timeline.csv",
]


def _responses(rng: random.Random) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for i in range(240):
        june = i % 2 == 1
        region = rng.choice(["Norr", "Väst"])
        late, pricey = rng.random() < 0.3, rng.random() < 0.25
        text = " ".join([LATE] * late + [PRICEY] * pricey + [NICE] * (not late and not pricey))
        nps = 9 - 4 * late - 2 * pricey - 5 * (june and region == "Väst") + rng.choice((-1, 0, 1))
        at = f"2026-{6 if june else 5:02d}-{1 + i % 27:02d}T10:00:00+02:00"
        rows.append((f"k{i}", at, "survey", f"k{i}", max(0, min(10, nps)), "", text, "sv", region))
    rows.append(
        ("evil", "2026-06-29T11:00:00+02:00", EVIL_CHANNEL, "c5", 2, "", "-1", "sv", "Norr")
    )
    return rows


@pytest.fixture
def seeded(seeded: Store, tmp_path: Path) -> Store:
    """The web conftest's store, with the data every page needs to show a full table."""
    store = seeded
    add_channel(store, name="hook", kind="webhook", target="http://127.0.0.1:9/x", now=NOW)
    add_channel(store, name="signed", kind="slack", target="https://x/y", secret="s3", now=NOW)
    add_rule(store, name="@detractors", kind="detractor_comment", route_team="north",
             channels=["hook"], now=NOW)  # fmt: skip
    path = write_feedback(tmp_path / "more.csv", _responses(random.Random(5)))
    import_file(path, kind="feedback", store=store)
    enrich_store(store, pipeline=build_pipeline(), now=NOW)
    evaluate(store, now=NOW)
    analyst = make_user(store, Role.analyst)
    create_case(store, user=analyst, title="=cmd|' /C calc'!A0", team="south", now=NOW)
    june = datetime(2026, 6, 1, tzinfo=UTC)
    add_plan(store, title="Faster delivery", metric="nps", start_at=june,
             target={"region": "Väst"}, team="north", now=NOW)  # fmt: skip
    return store


@pytest.fixture
def agent_user(app: FastAPI) -> User:
    return make_user(app.state.store, Role.agent, team="north")


@pytest.fixture
async def agent(app: FastAPI, agent_user: User) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in(app, agent_user) as client:
        yield client


def scope_of(app: FastAPI, period: PeriodName = "90d", channel: str | None = None) -> Scope:
    zone = app.state.settings.timezone
    return make_scope(period=period, now=NOW, time_zone=zone, channel=channel)


async def table(client: httpx.AsyncClient, url: str) -> list[list[str]]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="[\w.-]+\.csv"', response.headers["content-disposition"]
    )
    return list(csv.reader(io.StringIO(response.text)))


def column(rows: list[list[str]], name: str) -> list[str]:
    at = rows[0].index(name)
    return [row[at] for row in rows[1:]]


def number(text: str) -> float | None:
    return None if text == "" else float(text)


# The explain links keep the filters first, then the page's own choices.
JUNE = "?month=2026-06&vs=2026-05"
LINKS = [
    ("/overview?period=all&channel=survey", "/overview/trend.csv?period=all&channel=survey"),
    ("/themes?period=all&channel=survey", "/themes/tree.csv?period=all&channel=survey"),
    ("/themes?period=all&channel=survey", "/themes/loudness.csv?period=all&channel=survey"),
    ("/priorities?period=all&metric=nps", "/priorities/drivers.csv?period=all&metric=nps"),
    (f"/explain{JUNE}", f"/explain/causes.csv?period=90d&metric=nps&{JUNE[1:]}"),
    (f"/explain{JUNE}", f"/explain/waterfall.csv?period=90d&metric=nps&{JUNE[1:]}"),
    (f"/explain{JUNE}", f"/explain/evidence.csv?period=90d&metric=nps&{JUNE[1:]}"),
    ("/cases?period=all&status=new", "/cases/list.csv?period=all&status=new"),
    ("/cases?period=all", "/cases/scorecards.csv?period=all"),
    ("/actions?period=30d", "/actions/plans.csv?period=30d"),
    ("/alerts?period=30d", "/alerts/rules.csv?period=30d"),
    ("/alerts?period=30d", "/alerts/channels.csv?period=30d"),
    ("/alerts?period=30d", "/alerts/outbox.csv?period=30d"),
    ("/customers/c1?period=all", "/customers/c1/timeline.csv?period=all"),
]  # fmt: skip


async def test_each_table_links_its_csv_with_the_query_string(admin: httpx.AsyncClient) -> None:
    for page, link in LINKS:
        response = await admin.get(page)
        assert response.status_code == 200, page
        assert f'href="{html.escape(link)}"' in response.text, link
        rows = await table(admin, link)
        assert len({len(row) for row in rows}) == 1, f"{link}: a row is not the header's width"


async def test_theme_tree_is_the_pages_tree_for_the_same_filters(
    app: FastAPI, admin: httpx.AsyncClient
) -> None:
    store = app.state.store
    rows = await table(admin, "/themes/tree.csv?period=all&channel=survey")
    data = cached_themes(app, store, scope=scope_of(app, "all", "survey"))
    by_theme = {row["theme"]: row for row in data.table.iter_rows(named=True)}
    expected = tree(stored_taxonomy(store), by_theme)
    assert column(rows, "theme") == [item["id"] for item in expected]
    assert [number(v) for v in column(rows, "customers")] == [
        (item["row"] or {"customers": 0})["customers"] for item in expected
    ]
    assert float(column(rows, "customers")[0]) > 0
    email = await table(admin, "/themes/tree.csv?period=all&channel=email")
    assert column(email, "customers") != column(rows, "customers")


async def test_loudness_points_are_the_charts(app: FastAPI, admin: httpx.AsyncClient) -> None:
    rows = await table(admin, "/themes/loudness.csv?period=all")
    data = cached_themes(app, app.state.store, scope=scope_of(app, "all"))
    assert rows[0][:4] == ["theme", "label", "customers", "feedback"]
    expected = data.table.to_dicts()
    assert column(rows, "theme") == [row["theme"] for row in expected]
    assert [int(v) for v in column(rows, "feedback")] == [row["feedback"] for row in expected]


async def test_drivers_are_the_pages_drivers_and_quadrant_points(
    app: FastAPI, admin: httpx.AsyncClient
) -> None:
    rows = await table(admin, "/priorities/drivers.csv?period=90d&metric=nps")
    result: KeyDrivers = cached_drivers(app, app.state.store, scope=scope_of(app), metric="nps")
    assert result.drivers and result.priorities
    assert column(rows, "driver") == [d.driver for d in result.drivers]
    assert [float(v) for v in column(rows, "importance")] == [d.importance for d in result.drivers]
    assert [float(v) for v in column(rows, "performance")] == [
        d.performance for d in result.drivers
    ]
    assert column(rows, "quadrant") == [d.quadrant for d in result.drivers]
    ranked = {row[0]: row[-1] for row in rows[1:] if row[-1]}
    assert ranked == {name: str(place) for place, name in enumerate(result.priorities, 1)}
    june = await table(admin, "/priorities/drivers.csv?period=30d&metric=nps")
    assert column(june, "importance") != column(rows, "importance")


async def test_too_little_data_for_drivers_gives_an_empty_table(admin: httpx.AsyncClient) -> None:
    page = await admin.get("/priorities?period=7d&channel=email")
    assert page.status_code == 200 and "data-problem" in page.text
    rows = await table(admin, "/priorities/drivers.csv?period=7d&channel=email")
    assert rows[0][0] == "driver" and rows[1:] == []


async def test_explain_tables_are_the_explanations(app: FastAPI, admin: httpx.AsyncClient) -> None:
    query = "?metric=nps&month=2026-06&vs=2026-05"
    found = explained(app, app.state.store, app.state.mirror, scope=scope_of(app),
                      time_zone=app.state.settings.timezone, metric="nps", month="2026-06",
                      vs="2026-05")  # fmt: skip
    assert not isinstance(found, Exception)
    explanation, inputs = found
    assert explanation.causes, "the west's drop in June is a cause"
    causes = await table(admin, f"/explain/causes.csv{query}")
    assert column(causes, "value") == [c.value for c in explanation.causes]
    assert [float(v) for v in column(causes, "explained")] == [
        c.explained for c in explanation.causes
    ]
    steps = await table(admin, f"/explain/waterfall.csv{query}")
    expected = waterfall_steps(explanation, rest_label="everything else")
    assert [float(v) for v in column(steps, "end")] == [step["end"] for step in expected]
    evidence = await table(admin, f"/explain/evidence.csv{query}")
    ids = [example for cause in explanation.causes for example in cause.examples]
    assert column(evidence, "feedback_id") == ids
    texts = inputs.texts(ids)
    assert column(evidence, "text") == [texts[i] for i in ids]
    rises = await table(admin, f"/explain/themes.csv{query}")
    assert column(rises, "theme") == [rise.theme for rise in explanation.themes]
    email_only = await table(admin, f"/explain/causes.csv{query}&channel=email")
    assert email_only[1:] != causes[1:]


async def test_explain_without_feedback_gives_empty_tables(viewer: httpx.AsyncClient) -> None:
    assert "data-problem" in (await viewer.get("/explain?month=2030-01")).text
    for name in ("causes", "waterfall", "evidence", "themes"):
        rows = await table(viewer, f"/explain/{name}.csv?month=2030-01")
        assert len(rows) == 1


async def test_an_agent_exports_only_their_teams_cases(
    app: FastAPI, admin: httpx.AsyncClient, agent: httpx.AsyncClient, agent_user: User
) -> None:
    store = app.state.store
    mine = await table(agent, "/cases/list.csv")
    visible = list_cases(store, user=agent_user, limit=300)
    assert [int(v) for v in column(mine, "id")] == [case.id for case in visible]
    assert visible and set(column(mine, "team")) == {"north"}
    everything = await table(admin, "/cases/list.csv")
    assert "south" in column(everything, "team")
    assert len(everything) == len(list_cases(store, user=None, limit=300)) + 1
    page = (await agent.get("/cases")).text
    assert set(re.findall(r'data-case-id="(\d+)"', page)) == set(column(mine, "id"))
    cards = await table(agent, "/cases/scorecards.csv")
    assert column(cards, "team") == ["north"]
    assert {"north", "south"} <= set(column(await table(admin, "/cases/scorecards.csv"), "team"))


async def test_the_status_filter_narrows_the_cases(admin: httpx.AsyncClient) -> None:
    assert len(await table(admin, "/cases/list.csv")) > 2
    assert len(await table(admin, "/cases/list.csv?status=closed")) == 1


async def test_plans_carry_their_measured_effect(app: FastAPI, admin: httpx.AsyncClient) -> None:
    rows = await table(admin, "/actions/plans.csv")
    [(plan, effect)] = plans_with_effect(app.state.store, app.state.mirror)
    [row] = rows[1:]
    record = dict(zip(rows[0], row, strict=True))
    assert (record["title"], record["status"], record["target"]) == (
        plan.title,
        plan.status.value,
        '{"region": "Väst"}',
    )
    assert record["effect_status"] == effect.get("status", "error")
    assert record["statement"] == effect.get("statement", effect.get("error"))


async def test_a_plan_exports_its_chart_and_milestones(
    app: FastAPI, admin: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    store = app.state.store
    [(plan, _)] = plans_with_effect(store, app.state.mirror)
    add_milestone(store, plan_id=plan.id, title="=Ring the carrier", due_at=None)
    page = (await admin.get(f"/actions/{plan.id}")).text
    for table_name in ("series", "milestones"):
        assert f'href="/actions/{plan.id}/{table_name}.csv"' in page
    series = await table(admin, f"/actions/{plan.id}/series.csv")
    assert series[0] == ["month", "group", "value", "n"]
    spec = json.loads(re.search(r'data-spec="effect">(.*?)</script>', page, re.S).group(1))
    points = {(p["month"], p["group"]): p["value"] for p in spec["layer"][0]["data"]["values"]}
    assert {(m, g): float(v) for m, g, v, _ in series[1:]} == points
    assert {g for _, g, _, _ in series[1:]} == {"region: Väst", "everyone else"}
    milestones = await table(admin, f"/actions/{plan.id}/milestones.csv")
    assert column(milestones, "title") == ["'=Ring the carrier"]
    assert (await admin.get(f"/actions/{plan.id + 99}/series.csv")).status_code == 404
    assert (await admin.get(f"/actions/{plan.id}/secrets.csv")).status_code == 422
    assert (await anonymous.get(f"/actions/{plan.id}/series.csv")).status_code in (303, 401)


async def test_alert_tables_are_the_pages(app: FastAPI, admin: httpx.AsyncClient) -> None:
    store = app.state.store
    rules = await table(admin, "/alerts/rules.csv")
    assert column(rules, "name") == ["'@detractors"]
    assert column(rules, "channels") == ['["hook"]']
    assert [int(v) for v in column(rules, "id")] == [rule.id for rule in list_rules(store)]
    channels = await table(admin, "/alerts/channels.csv")
    assert [row[:2] + row[3:] for row in channels[1:]] == [
        ["hook", "webhook", "False"],
        ["signed", "slack", "True"],
    ]
    outbox = await table(admin, "/alerts/outbox.csv")
    shown = recent(store, limit=30)
    assert len(shown) > 1 and [int(v) for v in column(outbox, "id")] == [row.id for row in shown]


async def test_a_customer_timeline_exports_masked_text_and_events(
    app: FastAPI, viewer: httpx.AsyncClient
) -> None:
    rows = await table(viewer, "/customers/c1/timeline.csv?period=7d&channel=chat")
    timeline = customer_timeline(app.state.store, customer_id="c1")
    assert column(rows, "at") == [entry.at.isoformat() for entry in timeline.entries]
    assert column(rows, "entry") == ["feedback", "feedback", "event", "event"]
    assert column(rows, "event_type")[2:] == ["delivery", "order"]
    assert "<script>" in rows[2][rows[0].index("text")]  # the CSV is data, not HTML
    formula = await table(viewer, "/customers/c2/timeline.csv")
    assert "'=1+2 formula text" in column(formula, "text")


async def test_formulas_are_defused_in_every_export(admin: httpx.AsyncClient) -> None:
    channels = await table(admin, "/overview/channels.csv?period=all")
    assert f"'{EVIL_CHANNEL}" in column(channels, "channel")
    cases = await table(admin, "/cases/list.csv")
    assert "'=cmd|' /C calc'!A0" in column(cases, "title")
    timeline = await table(admin, "/customers/c5/timeline.csv")
    assert column(timeline, "channel")[0] == f"'{EVIL_CHANNEL}"
    assert column(timeline, "text")[0] == "'-1"


def test_cells_are_written_one_way() -> None:
    assert [cell(v) for v in ("=A1", "+1", "-1", "@x", "\tx", "plain")] == [
        "'=A1", "'+1", "'-1", "'@x", "'\tx", "plain",
    ]  # fmt: skip
    assert [cell(v) for v in (-1.5, None, Role.agent, {"k": "=v"}, ("a",))] == [
        -1.5, "", "agent", '{"k": "=v"}', '["a"]',
    ]  # fmt: skip
    assert cell(datetime(2026, 6, 1, tzinfo=UTC)) == "2026-06-01T00:00:00+00:00"
    assert safe_filename('customer-a"\r\nb.csv') == "customer-a_b.csv"


SAME_STATUS = [
    ("/customers/nobody", "/customers/nobody/timeline.csv", 404),
    ("/themes?period=bogus", "/themes/tree.csv?period=bogus", 422),
    ("/cases?period=bogus", "/cases/list.csv?period=bogus", 422),
    ("/priorities?metric=bogus", "/priorities/drivers.csv?metric=bogus", 422),
    ("/explain?metric=bogus", "/explain/causes.csv?metric=bogus", 422),
    ("/alerts", "/alerts/rules.csv", 200),
    ("/actions", "/actions/plans.csv", 200),
]


async def test_a_viewer_gets_what_the_page_gives_them(viewer: httpx.AsyncClient) -> None:
    for page, export, status in SAME_STATUS:
        assert (await viewer.get(page)).status_code == status, page
        assert (await viewer.get(export)).status_code == status, export


async def test_exports_need_a_signed_in_user(anonymous: httpx.AsyncClient) -> None:
    for path in EXPORTS:
        response = await anonymous.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
        assert "text/csv" not in response.headers.get("content-type", "")


async def test_webhook_urls_are_shown_in_full_only_to_admins(
    admin: httpx.AsyncClient, viewer: httpx.AsyncClient
) -> None:
    # A Slack or webhook URL is its own credential: anyone holding it can post to the channel.
    assert "http://127.0.0.1:9/x" in (await admin.get("/alerts")).text
    page = (await viewer.get("/alerts")).text
    assert "127.0.0.1:9/x" not in page and "http://127.0.0.1/…" in page
    channels = await table(viewer, "/alerts/channels.csv")
    assert [row[2] for row in channels[1:]] == ["http://127.0.0.1/…", "https://x/…"]
    channels = await table(admin, "/alerts/channels.csv")
    assert [row[2] for row in channels[1:]] == ["http://127.0.0.1:9/x", "https://x/y"]
