"""The theme summary: reach per customer, negative share, loudness and trend in one table."""

from __future__ import annotations

import polars as pl
import pytest

from klarsyn.analytics.theme_summary import theme_summary
from klarsyn.errors import SchemaError


def mentions(rows: list[tuple[int, str | None, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["feedback_id", "customer_id", "theme", "sentiment"], orient="row"
    )


def test_loud_few_rank_below_the_many_and_are_flagged() -> None:
    loud = [(i, f"l{i % 3}", "packaging", "negative") for i in range(120)]
    many = [(1000 + i, f"m{i}", "delivery", "negative" if i % 4 else "neutral") for i in range(100)]
    table = theme_summary(mentions(loud + many), customers_total=103, feedback_total=220)
    rows = {row["theme"]: row for row in table.iter_rows(named=True)}
    assert table["theme"].to_list() == ["delivery", "packaging"]
    assert rows["packaging"]["feedback_rank"] == 1 and rows["packaging"]["rank"] == 2
    assert rows["packaging"]["loud"] and rows["packaging"]["top_k_share"] == pytest.approx(100.0)
    assert rows["delivery"]["negative_share"] == pytest.approx(75.0)
    assert rows["delivery"]["customer_share"] == pytest.approx(100 / 103 * 100)
    assert table["trend"].null_count() == 2


def test_anonymous_feedback_counts_as_its_own_customer() -> None:
    frame = mentions([(1, None, "price", "negative"), (2, None, "price", "positive")])
    row = theme_summary(frame, customers_total=2, feedback_total=2).row(0, named=True)
    assert row["customers"] == 2 and row["negative"] == 1 and row["negative_share"] == 50.0


def test_trend_against_the_previous_window() -> None:
    now = mentions([(1, "a", "price", "negative"), (2, "b", "price", "neutral")])
    before = mentions([(3, "a", "price", "negative"), (4, "c", "returns", "neutral")])
    table = theme_summary(
        now, customers_total=4, feedback_total=4, previous=before, previous_customers_total=5
    )
    # 2 of 4 customers now, 1 of 5 before: +30 points.
    assert table.row(0, named=True)["trend"] == pytest.approx(30.0)


def test_missing_sentiment_is_a_schema_error() -> None:
    with pytest.raises(SchemaError):
        theme_summary(
            pl.DataFrame({"feedback_id": [1], "customer_id": ["a"], "theme": ["x"]}),
            customers_total=1,
            feedback_total=1,
        )
