"""The demo company's planted stories come out right through the analytics core."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from klarsyn.analytics import compare, loudness, period_changes, prevalence, summarise
from klarsyn.demo import CHEATING_MONTH, LOUD_CUSTOMERS, LOUD_THEME, DemoCompany, generate


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    """Nordhem at its default size, as ``klarsyn demo`` builds it."""
    return generate()


@pytest.fixture(scope="module")
def feedback(company: DemoCompany) -> pl.DataFrame:
    return company.feedback.with_columns(pl.col("received_at").str.to_datetime(time_zone="UTC"))


@pytest.fixture(scope="module")
def mentions(company: DemoCompany, feedback: pl.DataFrame) -> pl.DataFrame:
    """One row per feedback and theme its text really contains."""
    themes = company.truth.select("id", pl.col("themes").str.split(";").alias("theme"))
    return (
        themes.explode("theme")
        .join(feedback.select("id", "customer_id"), on="id")
        .rename({"id": "feedback_id"})
    )


def test_loud_customers_do_not_make_their_theme_a_top_theme(
    mentions: pl.DataFrame, feedback: pl.DataFrame
) -> None:
    table = prevalence(
        mentions,
        customers_total=feedback.get_column("customer_id").n_unique(),
        feedback_total=feedback.height,
    )
    top = table.head(5).get_column("theme").to_list()
    assert LOUD_THEME not in top
    view = loudness(mentions)
    # Its few customers write far more often about it than anyone does about anything else.
    most_repeated = view.sort("feedback_per_customer", descending=True).row(0, named=True)
    assert most_repeated["theme"] == LOUD_THEME
    flagged = view.filter(pl.col("loud")).get_column("theme").to_list()
    assert flagged == [LOUD_THEME]
    assert view.filter(pl.col("theme") == LOUD_THEME).row(0, named=True)["loudest_customer"] in (
        LOUD_CUSTOMERS
    )


def test_the_campaign_month_shows_a_significant_nps_drop(feedback: pl.DataFrame) -> None:
    changes = period_changes(summarise(feedback, metric="nps", period="month"))
    year, month = map(int, CHEATING_MONTH.split("-"))
    june = changes.filter(pl.col("period") == dt.date(year, month, 1)).row(0, named=True)
    assert june["significant"] and june["difference"] < -10
    assert june["ci_low"] < june["difference"] < june["ci_high"] < 0
    # The same test from the raw scores of the two months agrees.
    local = feedback.with_columns(
        month=pl.col("received_at").dt.convert_time_zone("Europe/Stockholm").dt.strftime("%Y-%m")
    )
    before = local.filter(pl.col("month") == f"{year}-{month - 1:02d}").get_column("nps")
    after = local.filter(pl.col("month") == CHEATING_MONTH).get_column("nps")
    change = compare(before, after, metric="nps")
    assert change.difference == pytest.approx(june["difference"], abs=1e-9)
    assert change.p_value == pytest.approx(june["p_value"], abs=1e-9)
