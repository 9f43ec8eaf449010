"""On the demo company, `explain` tells the planted stories: the cause, not the symptom.

Nordhem at its default size, its comments read by the text pipeline (as ``klarsyn demo``
does), its events as imported. The campaign month is explained by the campaign, with the
surge of customer-service complaints as its symptom; the late deliveries in Västra Götaland
are pinned on the delivery partner there.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from klarsyn.analytics.explain import PAIR_SIGN, explain
from klarsyn.analytics.explain_windows import parse_window, previous_label
from klarsyn.demo import STORIES, DemoCompany, generate
from klarsyn.demo.stories import DEFAULT_START
from klarsyn.text.pipeline import analyze, build_pipeline

TZ = "Europe/Stockholm"


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate()


@pytest.fixture(scope="module")
def feedback(company: DemoCompany) -> pl.DataFrame:
    return company.feedback.with_columns(pl.col("received_at").str.to_datetime(time_zone="UTC"))


@pytest.fixture(scope="module")
def events(company: DemoCompany) -> pl.DataFrame:
    return company.events.with_columns(pl.col("occurred_at").str.to_datetime(time_zone="UTC"))


def test_the_campaign_month_is_explained_by_the_campaign(
    feedback: pl.DataFrame, events: pl.DataFrame
) -> None:
    june = parse_window(STORIES.cheating_month, time_zone=TZ)
    may = parse_window(previous_label(STORIES.cheating_month), time_zone=TZ)
    rows = feedback.filter(june.contains() | may.contains())
    read = analyze(rows, pipeline=build_pipeline(), language_column="language")
    mentions = (
        read.select("id", "mentions")
        .explode("mentions")
        .unnest("mentions")
        .select("id", "theme", "sentiment")
        .drop_nulls("theme")
    )
    result = explain(
        read.drop("mentions"),
        metric="nps",
        period=june,
        vs=may,
        events=events,
        mentions=mentions,
    )
    assert result.change.delta < -10 and result.change.p_value < 0.001
    first = result.causes[0]
    assert (first.kind, first.value, first.effect) == (
        "campaign",
        STORIES.cheating_campaign,
        "exposure",
    )
    assert first.explained_share > 0.5
    # Customer service is where the complaints surged, and it is a symptom, not the cause.
    assert any(theme.startswith("service") for theme in first.symptoms)
    assert all(not cause.value.startswith("service") for cause in result.causes)
    assert len(first.examples) == 6


def test_the_late_deliveries_are_pinned_on_the_partner_in_the_region(
    feedback: pl.DataFrame, events: pl.DataFrame
) -> None:
    # From the first late week to the end of the data, against everything before it.
    last_calm = (STORIES.late_from - dt.timedelta(days=1)).isoformat()
    before = parse_window(f"{DEFAULT_START.isoformat()}..{last_calm}", time_zone=TZ)
    after = parse_window(f"{STORIES.late_from.isoformat()}..2026-11-30", time_zone=TZ)
    result = explain(
        feedback,
        metric="nps",
        period=after,
        vs=before,
        events=events,
        where={"region": STORIES.late_region},
    )
    assert result.change.delta < 0 and result.change.p_value < 0.05
    named = [
        cause
        for cause in result.causes
        if {"delivery_partner", "region"} <= set(cause.dimension.split(PAIR_SIGN))
    ]
    assert named, [c.summary for c in result.causes]
    parts = named[0].value.split(PAIR_SIGN)
    assert STORIES.late_partner in parts and STORIES.late_region in parts
    assert named[0].effect == "rate"
