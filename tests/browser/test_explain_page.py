"""The Explain page in real Chromium: pick a metric and two periods, read the explanation,
follow a finding; the waterfall is drawn by the vendored Vega, and a screenshot is kept."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from klarsyn.demo import CHEATING_MONTH
from tests.browser.conftest import shoot, sign_in


def test_explain_the_campaign_month(page: Page) -> None:
    sign_in(page)
    page.click("nav >> text=Explain")
    expect(page.locator("h1")).to_have_text("Why did it move?")
    page.fill(".explain-form input[name=month]", CHEATING_MONTH)
    page.fill(".explain-form input[name=vs]", "2026-03..2026-05")
    page.click(".explain-form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"month={CHEATING_MONTH}"))
    headline = page.locator("[data-headline]")
    expect(headline).to_contain_text("NPS fell")
    if page.locator("[data-cause]").count():
        page.wait_for_selector("[data-chart=waterfall] svg .mark-rect")
        expect(page.locator("[data-cause='1'] h2")).to_be_visible()
    else:
        expect(page.locator("[data-no-cause]")).to_contain_text("No clear cause")
    shoot(page, "20-explain")


def test_a_finding_leads_to_its_explanation(page: Page) -> None:
    sign_in(page)
    page.goto("/explain")
    findings = page.locator("[data-findings] tbody tr")
    expect(findings.first).to_be_visible()
    shoot(page, "21-explain-findings")
    findings.first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/explain\?.*month=\d{4}-\d{2}"))
    expect(page.locator("[data-headline], [data-problem]").first).to_be_visible()
    shoot(page, "22-explain-finding")
