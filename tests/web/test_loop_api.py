"""The cases API: team scoping for agents, read-only viewers, the audit trail, CSRF on writes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from klarsyn.storage.credentials import create_token
from klarsyn.storage.users import Role, User, create_user
from tests.web.conftest import NOW, PASSWORD, signed_in
from tests.web.test_errors import assert_problem

pytestmark = pytest.mark.anyio
CSRF = {"X-CSRF-Token": "csrf-test-token"}


def person(app: FastAPI, name: str, role: Role, team: str | None = None) -> User:
    return create_user(
        app.state.store, email=f"{name}@example.com", password=PASSWORD, role=role, team=team
    )


@pytest.fixture
async def service(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in(app, person(app, "siv", Role.agent, "service")) as client:
        yield client


@pytest.fixture
async def sales(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in(app, person(app, "sam", Role.agent, "sales")) as client:
        yield client


async def open_case(client: httpx.AsyncClient, **body: object) -> dict[str, object]:
    response = await client.post("/api/v1/cases", json=body, headers=CSRF)
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


async def test_signing_in_is_needed(anonymous: httpx.AsyncClient) -> None:
    assert_problem(await anonymous.get("/api/v1/cases"), 401)
    assert_problem(await anonymous.post("/api/v1/cases", json={"title": "x"}), 401)


async def test_an_agent_opens_a_case_from_feedback_for_their_team(
    service: httpx.AsyncClient,
) -> None:
    case = await open_case(service, feedback_id=2)
    assert (case["team"], case["customer_id"], case["status"]) == ("service", "c2", "new")
    assert case["title"] == "Follow up: Paketet kom aldrig."
    [created] = case["audit"]  # type: ignore[misc]
    assert created["action"] == "created"
    assert created["actor"] == "siv@example.com"
    assert created["at"] == NOW.isoformat()


async def test_an_agent_cannot_see_or_change_another_teams_case(
    service: httpx.AsyncClient, sales: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    case = await open_case(service, feedback_id=2)
    path = f"/api/v1/cases/{case['id']}"
    assert (await sales.get("/api/v1/cases")).json()["items"] == []
    assert_problem(await sales.get(path), 404)
    assert_problem(await sales.patch(path, json={"status": "in_progress"}, headers=CSRF), 404)
    assert_problem(await sales.post(f"{path}/notes", json={"body": "x"}, headers=CSRF), 404)
    # An agent cannot open a case for another team either.
    assert_problem(
        await sales.post("/api/v1/cases", json={"title": "t", "team": "service"}, headers=CSRF),
        403,
    )
    # Nothing the other agent tried left a trace; the owning team and analysts see the case.
    assert [e["action"] for e in (await service.get(path)).json()["audit"]] == ["created"]
    assert [c["id"] for c in (await admin.get("/api/v1/cases")).json()["items"]] == [case["id"]]


async def test_a_viewer_reads_but_cannot_write(
    service: httpx.AsyncClient, viewer: httpx.AsyncClient
) -> None:
    case = await open_case(service, title="Call back")
    path = f"/api/v1/cases/{case['id']}"
    assert (await viewer.get(path)).status_code == 200
    assert_problem(await viewer.patch(path, json={"status": "in_progress"}, headers=CSRF), 403)
    assert_problem(await viewer.post(f"{path}/notes", json={"body": "x"}, headers=CSRF), 403)
    assert_problem(await viewer.post("/api/v1/cases", json={"title": "x"}, headers=CSRF), 403)
    assert (await service.get(path)).json()["status"] == "new"


async def test_every_change_is_in_the_audit_trail_with_user_and_time(
    service: httpx.AsyncClient,
) -> None:
    case = await open_case(service, feedback_id=2)
    path = f"/api/v1/cases/{case['id']}"
    for change in (
        {"status": "in_progress", "priority": "high"},
        {"status": "waiting_for_customer"},
    ):
        assert (await service.patch(path, json=change, headers=CSRF)).status_code == 200
    bad = await service.patch(path, json={"status": "resolved"}, headers=CSRF)
    assert "resolution code" in assert_problem(bad, 400)["detail"]  # type: ignore[operator]
    note = await service.post(f"{path}/notes", json={"body": "Ringde kunden"}, headers=CSRF)
    assert note.status_code == 201
    done = await service.patch(
        path, json={"status": "resolved", "resolution_code": "compensated"}, headers=CSRF
    )
    body = done.json()
    assert body["status"] == "resolved" and body["closed_at"] == NOW.isoformat()
    trail = [
        (e["action"], e["field"], e["old_value"], e["new_value"], e["actor"], e["at"])
        for e in body["audit"]
    ]
    who, when = "siv@example.com", NOW.isoformat()
    assert trail == [
        ("created", None, None, "Follow up: Paketet kom aldrig.", who, when),
        ("changed", "status", "new", "in_progress", who, when),
        ("changed", "priority", "normal", "high", who, when),
        ("changed", "status", "in_progress", "waiting_for_customer", who, when),
        ("note", None, None, "Ringde kunden", who, when),
        ("changed", "status", "waiting_for_customer", "resolved", who, when),
        ("changed", "resolution_code", None, "compensated", who, when),
    ]
    assert [n["body"] for n in body["notes"]] == ["Ringde kunden"]


async def test_workflow_rules_and_team_moves(
    service: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    case = await open_case(service, title="Paket saknas")
    path = f"/api/v1/cases/{case['id']}"
    moved = await service.patch(path, json={"team": "sales"}, headers=CSRF)
    assert_problem(moved, 403)
    closed = await service.patch(path, json={"status": "closed"}, headers=CSRF)
    assert closed.json()["status"] == "closed"
    back = await service.patch(path, json={"status": "waiting_for_customer"}, headers=CSRF)
    assert "cannot go from closed" in assert_problem(back, 400)["detail"]  # type: ignore[operator]
    assert (await admin.patch(path, json={"team": "sales"}, headers=CSRF)).json()["team"] == "sales"
    assert_problem(await service.get(path), 404)


async def test_cookie_writes_need_the_csrf_header_and_tokens_do_not(
    app: FastAPI, service: httpx.AsyncClient
) -> None:
    assert_problem(await service.post("/api/v1/cases", json={"title": "x"}), 403)
    agent = person(app, "tove", Role.agent, "service")
    _, secret = create_token(app.state.store, user=agent, name="script")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as script:
        headers = {"Authorization": f"Bearer {secret}"}
        response = await script.post("/api/v1/cases", json={"title": "Via API"}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["team"] == "service"


# The dashboard pages over the same rules.


async def test_the_case_page_shows_hostile_feedback_as_text(
    app: FastAPI, service: httpx.AsyncClient, csrf: dict[str, str]
) -> None:
    case = await open_case(service, feedback_id=3)  # f3 is the XSS comment
    await service.post(
        f"/cases/{case['id']}/notes", data={"body": "<script>alert(9)</script>", **csrf}
    )
    page = await service.get(f"/cases/{case['id']}")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html  # the comment, as text
    assert "&lt;script&gt;alert(9)&lt;/script&gt;" in html  # the note, as text
    # The customer timeline shows the customer's order and delivery events.
    assert "order_value" in html and "delivery" in html


async def test_pages_keep_agents_to_their_team_and_viewers_to_reading(
    service: httpx.AsyncClient,
    sales: httpx.AsyncClient,
    viewer: httpx.AsyncClient,
    csrf: dict[str, str],
) -> None:
    case = await open_case(service, title="Paket saknas")
    assert "Paket saknas" in (await service.get("/cases")).text
    assert "Paket saknas" not in (await sales.get("/cases")).text
    assert (await sales.get(f"/cases/{case['id']}")).status_code == 404
    refused = await viewer.post(f"/cases/{case['id']}", data={"status": "closed", **csrf})
    assert refused.status_code == 403
    no_token = await service.post(f"/cases/{case['id']}", data={"status": "closed"})
    assert no_token.status_code == 403
    done = await service.post(f"/cases/{case['id']}", data={"status": "closed", **csrf})
    assert done.status_code == 303
    body = (await service.get(f"/api/v1/cases/{case['id']}")).json()
    assert body["status"] == "closed" and body["audit"][-1]["actor"] == "siv@example.com"


async def test_rules_and_actions_are_edited_by_analysts_only(
    admin: httpx.AsyncClient, viewer: httpx.AsyncClient, csrf: dict[str, str]
) -> None:
    rule = {"name": "DK detractors", "kind": "detractor_comment", "scope": "region:Norr", **csrf}
    assert (await viewer.post("/alerts/rules", data=rule)).status_code == 403
    assert (await admin.post("/alerts/rules", data=rule)).status_code == 303
    page = (await admin.get("/alerts")).text
    assert "DK detractors" in page and "region: Norr" in page
    assert '<option value="delivery.time">Delivery time</option>' in page  # theme suggestions
    plan = {
        "title": "Snabbare leveranser",
        "start": "2026-06-01",
        "target": "region:Norr",
        "theme": "delivery.time",
        "driver": "delivery_negative",
        **csrf,
    }
    assert (await viewer.post("/actions", data=plan)).status_code == 403
    created = await admin.post("/actions", data=plan)
    assert created.status_code == 303
    detail = (await admin.get(created.headers["location"])).text
    # Six feedback items cannot carry an effect estimate; the page says why instead of a number.
    assert "Snabbare leveranser" in detail and 'data-effect-status="error"' in detail
    assert "Cannot be measured yet" in detail and "needs at least 30" in detail
    # Theme and driver by name, as on Themes and Priorities.
    assert "<dd>Delivery time</dd>" in detail and "<dd>Delivery</dd>" in detail
    listed = (await viewer.get("/actions")).text
    assert "Snabbare leveranser" in listed and "Theme: Delivery time" in listed
    # The form suggests the taxonomy's themes and the drivers they give, by name.
    form = (await admin.get("/actions")).text
    assert '<option value="delivery.time">Delivery time</option>' in form
    assert '<option value="delivery_negative">Delivery</option>' in form


async def test_rules_channels_and_plans_through_the_api(
    admin: httpx.AsyncClient, viewer: httpx.AsyncClient, service: httpx.AsyncClient
) -> None:
    channel = {"name": "ops", "kind": "webhook", "target": "http://127.0.0.1:9/", "secret": "s3"}
    assert_problem(await service.post("/api/v1/alerts/channels", json=channel, headers=CSRF), 403)
    created = await admin.post("/api/v1/alerts/channels", json=channel, headers=CSRF)
    assert created.status_code == 201 and "secret" not in created.json()
    assert "s3" not in (await admin.get("/api/v1/alerts/channels")).text
    rule = {"name": "Norr", "kind": "detractor_comment", "scope": {"region": "Norr"}}
    rule |= {"route_team": "service", "channels": ["ops"], "backfill": True}
    assert_problem(await viewer.post("/api/v1/alerts/rules", json=rule, headers=CSRF), 403)
    made = await admin.post("/api/v1/alerts/rules", json=rule, headers=CSRF)
    assert made.status_code == 201, made.text
    run = (await admin.post("/api/v1/alerts/run", headers=CSRF)).json()
    # f2 (Norr, NPS 3, with a comment) is the only match; the receiver is not there, so retry.
    assert (run["alerts"], run["cases"], run["queued"], run["retrying"]) == (1, 1, 1, 1)
    [case] = (await service.get("/api/v1/cases")).json()["items"]
    assert case["customer_id"] == "c2" and case["rule_id"] == made.json()["id"]
    [message] = (await admin.get("/api/v1/alerts/outbox")).json()["items"]
    assert message["status"] == "pending" and message["attempts"] == 1
    off = await admin.patch(
        f"/api/v1/alerts/rules/{made.json()['id']}", json={"enabled": False}, headers=CSRF
    )
    assert off.json()["enabled"] is False

    plan = {"title": "Ring upp kritiker", "start_at": "2026-06-01T00:00:00+02:00"}
    plan |= {"target": {"region": "Norr"}, "milestones": [{"title": "Skript klart"}]}
    made_plan = await admin.post("/api/v1/actions", json=plan, headers=CSRF)
    assert made_plan.status_code == 201, made_plan.text
    shown = (await viewer.get(f"/api/v1/actions/{made_plan.json()['id']}")).json()
    assert [m["title"] for m in shown["milestones"]] == ["Skript klart"]
    assert "needs at least 30" in shown["effect"]["error"]
    assert [card["team"] for card in (await service.get("/api/v1/scorecards")).json()["items"]] == [
        "service"
    ]


async def test_an_unknown_owner_is_refused_cleanly(service: httpx.AsyncClient) -> None:
    case = await open_case(service, title="Vem äger?")
    path = f"/api/v1/cases/{case['id']}"
    assert_problem(await service.patch(path, json={"owner_id": 999}, headers=CSRF), 404)
    assert_problem(
        await service.post("/api/v1/cases", json={"title": "x", "owner_id": 999}, headers=CSRF), 404
    )


def test_the_effect_chart_shows_monthly_scores_per_group() -> None:
    from datetime import UTC, datetime

    import polars as pl

    from klarsyn.actions.plans import Plan, PlanStatus
    from klarsyn.web.charts_actions import effect_series

    # 20 answers a month per country: DK has 10 promoters and 5 detractors (NPS 25) in May,
    # SE 20 passives (NPS 0); in June DK has 20 promoters (NPS 100); 5 SE answers are too few.
    rows = [("DK", 5, 10)] * 10 + [("DK", 5, 3)] * 5 + [("DK", 5, 8)] * 5
    rows += [("SE", 5, 7)] * 20 + [("DK", 6, 9)] * 20 + [("SE", 6, 7)] * 5
    frame = pl.DataFrame(
        {
            "received_at": [datetime(2026, m, 15, tzinfo=UTC) for _, m, _ in rows],
            "country": [c for c, _, _ in rows],
            "nps": [n for _, _, n in rows],
        }
    )
    plan = Plan(
        1, "t", None, None, None, None, None, None, "nps", {"country": "DK"}, None,
        NOW, PlanStatus.active, NOW, NOW,
    )  # fmt: skip
    series = effect_series(frame, plan, time_zone="UTC", target_label="DK", other_label="rest")
    assert [(r["month"], r["group"], r["value"], r["n"]) for r in series] == [
        ("2026-05-01", "DK", 25.0, 20),
        ("2026-06-01", "DK", 100.0, 20),
        ("2026-05-01", "rest", 0.0, 20),
    ]


async def test_an_owner_and_a_due_time_can_be_removed_again(
    app: FastAPI, service: httpx.AsyncClient
) -> None:
    owner = person(app, "olle", Role.agent, "service")
    case = await open_case(service, title="Vem tar den?")
    path = f"/api/v1/cases/{case['id']}"
    due = "2026-07-01T12:00:00+00:00"
    set_both = await service.patch(
        path, json={"owner_id": owner.id, "sla_due_at": due}, headers=CSRF
    )
    assert set_both.json()["owner_id"] == owner.id and set_both.json()["sla_due_at"]
    # Leaving a field out keeps it; null empties it, and the trail says so.
    kept = await service.patch(path, json={"priority": "high"}, headers=CSRF)
    assert kept.json()["owner_id"] == owner.id
    cleared = (await service.patch(path, json={"owner_id": None}, headers=CSRF)).json()
    assert cleared["owner_id"] is None and cleared["sla_due_at"]
    assert any(
        e["field"] == "owner_id" and str(e["old_value"]) == str(owner.id) and e["new_value"] is None
        for e in cleared["audit"]
    )
    cleared = (await service.patch(path, json={"sla_due_at": None}, headers=CSRF)).json()
    assert cleared["sla_due_at"] is None
    unchanged = await service.patch(path, json={"status": None}, headers=CSRF)
    assert unchanged.status_code == 200 and unchanged.json()["status"] == cleared["status"]
