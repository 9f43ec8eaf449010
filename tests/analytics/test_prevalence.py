"""One voice per customer: prevalence is counted in customers, loudness in messages."""

from __future__ import annotations

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from klarsyn.analytics import loudness, prevalence
from klarsyn.errors import InputError, SchemaError


def _mentions() -> pl.DataFrame:
    """A theme raised 40 times by 3 customers, one raised once each by 400, and anonymous ones."""
    loud = [(f"loud{i}", f"ceo-caller-{i % 3}", "invoice") for i in range(40)]
    broad = [(f"broad{i}", f"customer-{i}", "delivery") for i in range(400)]
    anonymous = [("anon1", None, "price"), ("anon2", None, "price")]
    # The same feedback can carry two themes; it counts once per theme.
    both = [("broad0", "customer-0", "price")]
    return pl.DataFrame(
        loud + broad + anonymous + both,
        schema=["feedback_id", "customer_id", "theme"],
        orient="row",
    )


def test_many_quiet_customers_outrank_a_few_loud_ones() -> None:
    table = prevalence(_mentions())
    assert table.get_column("theme").to_list() == ["delivery", "invoice", "price"]
    invoice = table.filter(pl.col("theme") == "invoice").row(0, named=True)
    assert (invoice["customers"], invoice["feedback"], invoice["rank"]) == (3, 40, 2)


def test_anonymous_feedback_counts_as_one_customer_each() -> None:
    price = prevalence(_mentions()).filter(pl.col("theme") == "price").row(0, named=True)
    assert (price["customers"], price["feedback"]) == (3, 3)


def test_shares_use_the_totals_and_a_wilson_interval() -> None:
    table = prevalence(_mentions(), customers_total=1_000, feedback_total=2_000)
    delivery = table.row(0, named=True)
    low, high = proportion_confint(400, 1_000, method="wilson")
    assert delivery["customer_share"] == pytest.approx(40.0)
    assert (delivery["customer_share_low"], delivery["customer_share_high"]) == pytest.approx(
        (100 * low, 100 * high), abs=1e-9
    )
    assert delivery["feedback_share"] == pytest.approx(20.0)


def test_default_totals_are_what_the_mentions_show() -> None:
    table = prevalence(_mentions())
    # 3 callers + 400 customers + 2 anonymous feedback.
    assert table.row(0, named=True)["customer_share"] == pytest.approx(100 * 400 / 405)


def test_loudness_exposes_the_loud_theme() -> None:
    view = loudness(_mentions(), top_k=3)
    assert view.get_column("theme").to_list() == ["delivery", "invoice", "price"]
    invoice = view.filter(pl.col("theme") == "invoice").row(0, named=True)
    assert invoice["feedback_per_customer"] == pytest.approx(40 / 3)
    assert invoice["top_k_share"] == pytest.approx(100.0)
    assert invoice["loudest_customer"] == "ceo-caller-0"
    assert invoice["loudest_feedback"] == 14
    assert view.get_column("loud").to_list() == [False, True, False]


def test_themeless_rows_are_ignored() -> None:
    mentions = pl.concat(
        [_mentions(), pl.DataFrame({"feedback_id": ["x"], "customer_id": ["c"], "theme": [None]})],
        how="vertical_relaxed",
    )
    assert prevalence(mentions).height == 3 and loudness(mentions).height == 3


def test_another_label_column_works_too() -> None:
    mentions = _mentions().rename({"theme": "complaint"})
    assert prevalence(mentions, label="complaint").columns[0] == "complaint"


def test_bad_input_is_refused() -> None:
    with pytest.raises(SchemaError, match="'feedback_id'"):
        prevalence(_mentions().drop("feedback_id"))
    with pytest.raises(InputError, match="customers_total"):
        prevalence(_mentions(), customers_total=10)
    with pytest.raises(InputError, match="top_k"):
        loudness(_mentions(), top_k=0)
