"""Metrics per period and segment: the table agrees with the single-sample estimators."""

from __future__ import annotations

import math

import polars as pl
import pytest

from klarsyn.analytics import (
    combine,
    estimate_table,
    metric_table,
    score,
    side_by_side,
    summarise,
)
from klarsyn.analytics.periods import period_starts
from klarsyn.errors import InputError, SchemaError


@pytest.mark.parametrize("metric", ["nps", "csat", "ces", "ces_easy", "rating"])
def test_each_group_matches_the_single_sample_estimate(feedback: pl.DataFrame, metric: str) -> None:
    table = metric_table(feedback, metric=metric, by=["region", "channel"], period="month")
    assert table.height == 3 * 2 * 3
    months = period_starts(feedback, "month", time_zone="Europe/Stockholm")
    grouped = feedback.with_columns(months)
    for row in table.iter_rows(named=True):
        rows = grouped.filter(
            (pl.col("period") == row["period"])
            & (pl.col("region") == row["region"])
            & (pl.col("channel") == row["channel"])
        )
        column = "ces" if metric == "ces_easy" else metric
        expected = score(
            rows.get_column(column), metric=metric, customers=rows.get_column("customer_id")
        )
        assert (row["value"], row["ci_low"], row["ci_high"]) == pytest.approx(
            (expected.value, expected.low, expected.high), abs=1e-9
        )
        assert (row["n"], row["missing"], row["customers"]) == (
            expected.n,
            expected.missing,
            expected.customers,
        )
        assert row["small_n"] == expected.small_n


def test_weighted_groups_match_the_weighted_estimate(feedback: pl.DataFrame) -> None:
    table = metric_table(feedback, metric="nps", by=["region"], weight="weight")
    for row in table.iter_rows(named=True):
        rows = feedback.filter(pl.col("region") == row["region"])
        expected = score(rows.get_column("nps"), metric="nps", weights=rows.get_column("weight"))
        assert (row["value"], row["ci_low"], row["n_eff"]) == pytest.approx(
            (expected.value, expected.low, expected.n_eff), abs=1e-9
        )


def test_no_keys_gives_one_overall_row(feedback: pl.DataFrame) -> None:
    table = metric_table(feedback, metric="csat")
    overall = score(feedback.get_column("csat"), metric="csat")
    assert table.height == 1 and table.row(0, named=True)["value"] == pytest.approx(overall.value)


def test_a_segment_with_only_missing_scores_is_shown_empty() -> None:
    frame = pl.DataFrame(
        {"store": ["a", "a", "b"], "nps": [9, 10, None], "customer_id": ["x", "y", "z"]}
    )
    table = metric_table(frame, metric="nps", by=["store"])
    empty = table.filter(pl.col("store") == "b").row(0, named=True)
    assert (empty["n"], empty["missing"], empty["customers"], empty["value"]) == (0, 1, 0, None)
    assert empty["small_n"]


def test_missing_attribute_values_form_their_own_segment() -> None:
    frame = pl.DataFrame({"store": ["a", None], "nps": [9, 3], "customer_id": ["x", "y"]})
    table = metric_table(frame, metric="nps", by=["store"])
    assert table.get_column("store").to_list() == ["a", None]


def test_without_a_customer_column_customers_are_unknown() -> None:
    frame = pl.DataFrame({"nps": [9, 3]})
    table = metric_table(frame, metric="nps", customer=None)
    assert table.get_column("customers").to_list() == [None]


def test_partitions_combine_to_the_whole(feedback: pl.DataFrame) -> None:
    whole = summarise(feedback, metric="nps", by=["region"], period="week", weight="weight")
    shards = feedback.with_columns(
        shard=pl.col("customer_id").str.slice(1).cast(pl.Int64) % 3
    ).partition_by("shard")
    parts = [
        summarise(part, metric="nps", by=["region"], period="week", weight="weight")
        for part in shards
    ]
    combined = combine(parts)
    expected, actual = estimate_table(whole), estimate_table(combined)
    assert actual.drop("value", "ci_low", "ci_high", "n_eff").equals(
        expected.drop("value", "ci_low", "ci_high", "n_eff")
    )
    for column in ("value", "ci_low", "ci_high", "n_eff"):
        assert actual.get_column(column).to_list() == pytest.approx(
            expected.get_column(column).to_list(), abs=1e-9
        )


def test_combine_without_keys_or_customers() -> None:
    frames = [pl.DataFrame({"ces": [1, 7]}), pl.DataFrame({"ces": [4]})]
    combined = combine([summarise(f, metric="ces", customer=None) for f in frames])
    table = estimate_table(combined)
    assert table.row(0, named=True)["value"] == pytest.approx(4.0)
    assert table.get_column("customers").to_list() == [None]


def test_combine_refuses_mismatched_summaries(feedback: pl.DataFrame) -> None:
    with pytest.raises(InputError):
        combine([])
    with pytest.raises(InputError, match="same metric"):
        combine([summarise(feedback, metric="nps"), summarise(feedback, metric="csat")])


def test_side_by_side_shows_both_views(feedback: pl.DataFrame) -> None:
    table = side_by_side(feedback, metric="nps", weight="weight", by=["region"], period="quarter")
    plain = metric_table(feedback, metric="nps", by=["region"], period="quarter")
    weighted = metric_table(
        feedback, metric="nps", by=["region"], period="quarter", weight="weight"
    )
    # Parallel sums may add in another order from run to run, hence approx.
    assert table.get_column("value").to_list() == pytest.approx(plain.get_column("value").to_list())
    assert table.get_column("weighted_value").to_list() == pytest.approx(
        weighted.get_column("value").to_list()
    )
    assert table.get_column("n_eff").to_list() == pytest.approx(
        weighted.get_column("n_eff").to_list()
    )
    assert {"weighted_ci_low", "weighted_ci_high", "customers", "small_n"} <= set(table.columns)


def test_side_by_side_without_keys_gives_one_row(feedback: pl.DataFrame) -> None:
    table = side_by_side(feedback, metric="csat", weight="weight")
    assert table.height == 1
    assert table.row(0, named=True)["n_eff"] < table.row(0, named=True)["n"]


def test_missing_columns_raise_one_clear_schema_error(feedback: pl.DataFrame) -> None:
    with pytest.raises(SchemaError, match="'store'") as raised:
        metric_table(feedback.drop("customer_id"), metric="nps", by=["store"])
    assert "'customer_id'" in str(raised.value)
    with pytest.raises(SchemaError, match="'received_at'"):
        metric_table(feedback.drop("received_at"), metric="nps", period="week")
    with pytest.raises(SchemaError, match="datetime"):
        metric_table(
            feedback.with_columns(pl.col("received_at").cast(pl.String)), metric="nps", period="day"
        )


def test_bad_options_raise_input_errors(feedback: pl.DataFrame) -> None:
    with pytest.raises(InputError, match="reserved"):
        metric_table(feedback.with_columns(period=pl.lit("x")), metric="nps", by=["period"])
    with pytest.raises(InputError, match="unknown period"):
        metric_table(feedback, metric="nps", period="fortnight")
    with pytest.raises(InputError, match="time zone"):
        metric_table(feedback, metric="nps", period="week", time_zone="Mars/Olympus")
    with pytest.raises(InputError, match="confidence"):
        metric_table(feedback, metric="nps", confidence=1.5)


def test_small_n_threshold_is_an_argument(feedback: pl.DataFrame) -> None:
    table = metric_table(feedback, metric="nps", by=["region"], small_n=1_000)
    assert table.get_column("small_n").all()
    assert not math.isnan(table.get_column("value")[0])
