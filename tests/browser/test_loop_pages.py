"""Cases, actions and alerts in real Chromium: open a case from a comment, work it, read it back."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from klarsyn.demo.actions import seed_demo_actions
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback
from klarsyn.storage.users import Role, create_user
from tests.browser.conftest import EMAIL, XSS_TEXT, shoot, sign_in

AGENT, AGENT_PASSWORD = "dk-agent@nordhem.example", "agent test passphrase"


@pytest.fixture(scope="module")
def loop(demo_store: Store) -> Store:
    seed_demo_actions(demo_store, now=datetime.now(UTC))
    create_user(
        demo_store,
        email=AGENT,
        password=AGENT_PASSWORD,
        role=Role.agent,
        name="Dorte",
        team="customer-service-dk",
    )
    return demo_store


def hostile_feedback_id(store: Store) -> int:
    with store.engine.connect() as connection:
        found = connection.execute(
            select(feedback.c.id).where(feedback.c.customer_id == "C-HOSTILE")
        ).scalar_one()
    return int(found)


def test_open_a_case_from_a_comment_work_it_and_read_the_trail(loop: Store, page: Page) -> None:
    sign_in(page)
    page.click("nav >> text=Cases")
    expect(page.locator("h1")).to_have_text("Cases")
    expect(page.locator("[data-cases] tbody tr").first).to_be_visible()
    expect(page.locator("[data-scorecards]")).to_contain_text("customer-service-dk")
    shoot(page, "10-cases")

    form = page.locator("form[data-open-case]")
    form.locator("input[name=feedback_id]").fill(str(hostile_feedback_id(loop)))
    form.locator("select[name=priority]").select_option("high")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    # The customer's comment (a script and an onerror image) is shown as text, and never runs.
    expect(page.locator("section[aria-label='The feedback behind this case'] .text")).to_have_text(
        XSS_TEXT
    )
    expect(page.locator("[data-timeline] .comment .text").first).to_have_text(XSS_TEXT)
    assert page.evaluate("window.pwned") is None

    change = page.locator("form[data-change-case]")
    change.locator("select[name=status]").select_option("in_progress")
    change.locator("button[type=submit]").click()
    expect(page.locator("[data-status]")).to_have_text("In progress")
    note = page.locator("form[data-add-note]")
    note.locator("textarea[name=body]").fill("Ringde kunden, <b>ny vara</b> skickas")
    note.locator("button[type=submit]").click()
    expect(page.locator("[data-notes] .text")).to_have_text("Ringde kunden, <b>ny vara</b> skickas")
    trail = page.locator("[data-audit] tbody tr")
    expect(trail).to_have_count(3)
    expect(trail.nth(1)).to_contain_text(EMAIL)
    expect(trail.nth(1)).to_contain_text("In progress")
    expect(trail.nth(2)).to_contain_text("Note")
    shoot(page, "11-case")


def test_an_agent_sees_only_their_teams_cases(loop: Store, page: Page) -> None:
    page.goto("/")
    page.fill("input[name=email]", AGENT)
    page.fill("input[name=password]", AGENT_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/overview")
    page.click("nav >> text=Cases")
    rows = page.locator("[data-cases] tbody tr[data-case-id]")
    expect(rows.first).to_be_visible()
    teams = {
        text.strip()
        for text in page.locator("[data-cases] tbody tr td:nth-child(5)").all_inner_texts()
    }
    assert teams == {"customer-service-dk"}
    shoot(page, "12-cases-agent")


def test_actions_show_the_returns_policy_and_its_measured_effect(loop: Store, page: Page) -> None:
    sign_in(page)
    page.click("nav >> text=Actions")
    expect(page.locator("h1")).to_have_text("Actions and their effect")
    plan = page.locator("section[data-plan-id]", has_text="Free 100-day returns in Denmark")
    expect(plan.locator("[data-effect]")).to_have_attribute("data-effect-status", "measured")
    expect(plan.locator("[data-effect]")).to_contain_text("country=DK")
    shoot(page, "13-actions")
    plan.locator("h2 a").click()
    page.wait_for_selector("[data-chart=effect] svg .mark-line")
    expect(page.locator("[data-chart=effect] svg .mark-line path")).to_have_count(2)
    expect(page.locator("[data-milestones] li")).to_have_count(3)
    page.locator("[data-milestones] li", has_text="trained").locator("button").click()
    expect(page.locator("[data-milestones] li", has_text="trained")).to_contain_text("✓")
    shoot(page, "14-action")


def test_alert_rules_are_listed_and_added(loop: Store, page: Page) -> None:
    sign_in(page)
    page.click("nav >> text=Alerts")
    expect(page.locator("[data-rules] tbody tr[data-rule-id]")).to_have_count(3)
    form = page.locator("form[data-add-rule]")
    form.locator("input[name=name]").fill("Leveransklagomål i Norge")
    form.locator("select[name=kind]").select_option("theme_share")
    form.locator("input[name=threshold]").fill("0.2")
    form.locator("input[name=theme]").fill("delivery")
    form.locator("input[name=scope]").fill("country:NO")
    form.locator("button[type=submit]").click()
    row = page.locator("[data-rules] tbody tr", has_text="Leveransklagomål i Norge")
    expect(row).to_contain_text("country: NO")
    shoot(page, "15-alerts")
