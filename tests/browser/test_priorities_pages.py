"""The Priorities and Themes pages in real Chromium: read them, then edit the taxonomy as admin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from klarsyn.storage.store import Store
from klarsyn.text.background import current_job
from klarsyn.text.catalogue import stored_taxonomy
from klarsyn.text.enrichment import enrich_store
from klarsyn.text.pipeline import build_pipeline
from tests.browser.conftest import shoot, sign_in


@pytest.fixture(scope="module", autouse=True)
def enriched(demo_store: Store) -> Store:
    """The demo company's comments read by the text pipeline, as `klarsyn demo` does."""
    enrich_store(demo_store, pipeline=build_pipeline(), now=datetime(2026, 11, 30, tzinfo=UTC))
    return demo_store


def test_priorities_page_names_three_to_five_with_money(page: Page) -> None:
    sign_in(page)
    page.click("nav >> text=Priorities")
    expect(page.locator("h1")).to_have_text("What matters most to customers")
    page.goto("/priorities?period=all")
    items = page.locator("[data-priorities] ol.priorities > li")
    expect(items.first).to_be_visible()
    assert 3 <= items.count() <= 5
    # Each priority says what is at stake, or that its complaints show no link to churn; on the
    # demo company most carry money.
    money = [items.nth(i).locator("[data-money]").inner_text() for i in range(items.count())]
    with_value = [m for m in money if "yearly customer value at stake" in m]
    assert len(with_value) >= 2, money
    assert all(m in with_value or "no measurable link to churn" in m for m in money), money
    page.wait_for_selector("[data-chart=quadrant] svg .mark-symbol path")
    items.first.locator("summary").click()
    expect(items.first.locator(".examples li").first).to_be_visible()
    shoot(page, "20-priorities")


def test_themes_page_shows_the_tree_and_loud_themes(page: Page) -> None:
    sign_in(page)
    page.click("nav >> text=Themes")
    expect(page.locator("h1")).to_have_text("What customers talk about")
    page.goto("/themes?period=all")
    expect(page.locator("[data-themes] tr[data-theme=delivery]")).to_be_visible()
    expect(page.locator("[data-themes] tr[data-theme='delivery.time']")).to_have_class("depth-1")
    page.wait_for_selector("[data-chart=loudness] svg .mark-symbol path")
    shoot(page, "21-themes")


def test_admin_renames_a_theme(page: Page, enriched: Store) -> None:
    sign_in(page)
    page.goto("/themes?period=all")
    editor = page.locator("[data-edit=food]")
    editor.locator("summary").click()
    editor.locator("input[name=label_en]").fill("Food, drink and snacks")
    shoot(page, "22-taxonomy-editor")
    editor.locator("button[type=submit]", has_text="Save").click()
    page.wait_for_url("**/themes#taxonomy")
    expect(page.locator("[data-themes] tr[data-theme=food] td").first).to_contain_text(
        "Food, drink and snacks"
    )
    assert stored_taxonomy(enriched)["food"].label("en") == "Food, drink and snacks"
    # The save re-reads every comment in the background; the other pages wait for nothing.
    job = current_job(enriched)
    assert job is not None and job.wait(timeout=300) and job.state == "done"
    shoot(page, "23-taxonomy-saved")
