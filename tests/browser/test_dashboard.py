"""Sign in, visit every page, filter, open a customer, switch to Swedish — in real Chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from klarsyn.collect.importer import import_file
from klarsyn.storage.store import Store
from tests.browser.conftest import XSS_TEXT, shoot, sign_in


def wait_for_charts(page: Page) -> None:
    for name in ("trend", "volume"):
        page.wait_for_selector(
            f"[data-chart={name}] svg .mark-line, [data-chart={name}] svg .mark-rect"
        )


def test_sign_in_and_read_the_overview(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    shoot(page, "01-login")
    sign_in(page)
    expect(page.locator("h1")).to_have_text("Where customer experience stands")
    for metric in ("nps", "csat", "ces"):
        expect(page.locator(f"[data-metric={metric}] .interval")).to_contain_text("95% interval")
    wait_for_charts(page)
    expect(page.locator("[data-chart=trend] svg .mark-area path")).to_have_count(1)
    shoot(page, "02-overview")
    page.click("nav >> text=Customer")
    expect(page.locator("table.compact tbody tr")).to_have_count(15)
    shoot(page, "02b-customers")


def test_filter_the_feedback_and_open_a_customer(page: Page) -> None:
    sign_in(page)
    page.click("nav >> text=Feedback")
    expect(page.locator("h1")).to_have_text("Feedback")
    shoot(page, "03-feedback")

    page.select_option(".filters select[name=channel]", "review")
    page.click(".filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"channel=review"))
    channels = page.locator(".comment .chip.channel").all_inner_texts()
    assert channels and set(channels) == {"review"}
    page.fill("input[name=q]", "leverans")
    page.click(".search button[type=submit]")
    expect(page).to_have_url(re.compile(r"q=leverans.*|.*channel=review.*q=leverans"))
    shoot(page, "04-feedback-filtered")

    page.locator(".comment a.customer").first.click()
    expect(page.locator("h1")).to_contain_text("Customer ")
    expect(page).to_have_url(re.compile(r"/customers/.+channel=review"))
    expect(page.locator(".timeline .entry").first).to_be_visible()
    shoot(page, "05-customer")

    page.goto("/feedback?period=all")
    page.select_option(".search select[name=theme]", "delivery")
    page.select_option(".search select[name=sentiment]", "negative")
    page.click(".search button[type=submit]")
    expect(page).to_have_url(re.compile(r"theme=delivery.*sentiment=negative"))
    marks = page.locator(".comment mark.theme").evaluate_all("ms => ms.map(m => m.title)")
    assert marks and any(title.startswith("Delivery") for title in marks)  # the theme's name
    tones = page.locator(".comment .chip.sentiment").all_inner_texts()
    assert tones and set(tones) == {"negative"}
    shoot(page, "04b-feedback-theme-sentiment")
    page.locator(".comment a.chip.theme").first.click()
    expect(page).to_have_url(re.compile(r"theme="))


def test_hostile_comment_is_shown_as_text(page: Page) -> None:
    sign_in(page)
    page.goto("/feedback?period=all&q=pwned-canary")
    expect(page.locator(".comment .text")).to_have_text(XSS_TEXT)
    assert page.evaluate("window.pwned") is None
    page.goto("/customers/C-HOSTILE")
    expect(page.locator(".comment .text")).to_have_text(XSS_TEXT)
    assert page.evaluate("window.pwned") is None


def test_overview_in_swedish_and_settings(page: Page) -> None:
    sign_in(page)
    page.click("nav >> text=Settings")
    shoot(page, "06-settings")
    page.select_option("select[name=locale]", "sv")
    page.click("form[action='/settings/language'] button")
    page.click("nav >> text=Översikt")
    expect(page.locator("h1")).to_have_text("Så står sig kundupplevelsen")
    wait_for_charts(page)
    shoot(page, "07-overview-sv")
    page.click("nav >> text=Inställningar")
    page.select_option("select[name=locale]", "en")
    page.click("form[action='/settings/language'] button")


def test_new_feedback_is_announced_live(page: Page, demo_store: Store, tmp_path: Path) -> None:
    sign_in(page)
    page.goto("/feedback?channel=chat")
    banner = page.locator("[data-live]")
    expect(banner).to_be_hidden()
    arrived = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    new = tmp_path / "new.csv"
    new.write_text(
        f"id,received_at,channel,customer_id,text\nlive-1,{arrived},chat,c-000001,Hej!\n",
        encoding="utf-8",
    )
    import_file(new, kind="feedback", store=demo_store)
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("1 new feedback")
    banner.locator("a").click()
    expect(page.locator(".comment .text").first).to_have_text("Hej!")


def test_overview_on_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page)
    wait_for_charts(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing should scroll sideways"
    shoot(page, "08-overview-phone")
