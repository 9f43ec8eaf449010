"""The store adapters of the priorities: one row per response with flags, and theme mentions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from klarsyn.collect.importer import import_file
from klarsyn.errors import InputError
from klarsyn.storage.driver_inputs import driver_inputs, drivers_of, theme_flag, theme_of
from klarsyn.storage.store import Store
from klarsyn.storage.theme_inputs import theme_inputs, theme_overview
from klarsyn.text.enrichment import enrich_store
from klarsyn.text.pipeline import build_pipeline

LATE = "Leveransen var försenad och paketet kom aldrig. Mycket dåligt."
PRICEY = "Alldeles för dyrt, priset är orimligt."
NICE = "Trevlig personal i butiken."
FEEDBACK = (
    "id,received_at,channel,customer_id,nps,text,language,region\n"
    f'a,2026-04-01 10:00,survey,c1,2,"{LATE}",sv,north\n'
    f'b,2026-04-02 10:00,survey,c1,3,"{PRICEY}",sv,north\n'
    f'c,2026-04-03 10:00,survey,c2,9,"{NICE}",sv,south\n'
    "d,2026-04-04 10:00,survey,c3,10,,sv,south\n"
    f'e,2026-04-05 10:00,survey,,4,"{LATE} Ring 070-123 45 67.",sv,south\n'
)
CUSTOMERS = "customer_id,annual_value,churned_at\nc1,1200,2026-05-01\nc2,800,\n"


@pytest.fixture
def enriched(store: Store, tmp_path: Path) -> Store:
    for kind, text in (("customers", CUSTOMERS), ("feedback", FEEDBACK)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        import_file(path, kind=kind, store=store)
    enrich_store(store, pipeline=build_pipeline(), now=datetime(2026, 5, 1, tzinfo=UTC))
    return store


def _by_id(frame: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {row["id"]: row for row in frame.iter_rows(named=True)}


def test_one_row_per_response_with_negative_flags(enriched: Store) -> None:
    inputs = driver_inputs(enriched, min_customers=1)
    rows = _by_id(inputs.frame)
    assert set(rows) == {"a", "b", "c", "d", "e"}
    assert {"delivery_negative", "price_negative"} <= set(inputs.themes)
    assert rows["a"]["delivery_negative"] == 1 and rows["a"]["price_negative"] == 0
    assert rows["b"]["price_negative"] == 1 and rows["b"]["delivery_negative"] == 0
    # Praise is no complaint, and a response without text has no flags at all.
    assert all(rows[key][flag] == 0 for key in ("c", "d") for flag in inputs.themes)
    assert "staff_negative" not in inputs.themes
    assert "region" in inputs.attributes and "channel" in inputs.attributes


def test_top_level_rolls_sub_themes_up(enriched: Store) -> None:
    top = driver_inputs(enriched, min_customers=1)
    every = driver_inputs(enriched, min_customers=1, level="all")
    assert all("." not in theme_of(flag) for flag in top.themes)
    assert theme_flag("delivery.time") in every.themes
    assert theme_flag("delivery.time") not in top.themes


def test_min_customers_counts_distinct_customers(enriched: Store) -> None:
    # delivery: c1 and the anonymous response (its own customer); price: c1 alone.
    inputs = driver_inputs(enriched, min_customers=2)
    assert "delivery_negative" in inputs.themes
    assert "price_negative" not in inputs.themes


def test_customer_value_churn_and_masked_text(enriched: Store) -> None:
    rows = _by_id(driver_inputs(enriched, min_customers=1).frame)
    assert rows["a"]["annual_value"] == 1200.0 and rows["a"]["churned"] == 1
    assert rows["c"]["annual_value"] == 800.0 and rows["c"]["churned"] == 0
    # No customer record: no value, not counted as churned.
    assert rows["e"]["annual_value"] == 0.0 and rows["e"]["churned"] == 0
    assert "070-123" not in str(rows["e"]["text"]) and "[PHONE]" in str(rows["e"]["text"])
    assert rows["d"]["text"] is None


def test_filters_select_rows(enriched: Store) -> None:
    inputs = driver_inputs(enriched, where=pl.col("region") == "north", min_customers=1)
    assert sorted(inputs.frame["id"].to_list()) == ["a", "b"]


def test_unknown_attribute_and_missing_scores_are_input_errors(enriched: Store) -> None:
    inputs = driver_inputs(enriched, min_customers=1)
    with pytest.raises(InputError, match="no attribute 'colour'"):
        drivers_of(inputs, attributes=["colour"])
    with pytest.raises(InputError, match="csat"):
        drivers_of(inputs, metric="csat")


def test_theme_mentions_window_and_totals(enriched: Store) -> None:
    window = theme_inputs(enriched).current
    # Four comments were read (d has no text), from three voices: c1, c2 and the anonymous one.
    assert window.feedback_total == 4 and window.customers_total == 3
    late = window.mentions.filter(pl.col("theme") == "delivery.time")
    assert late["sentiment"].unique().to_list() == ["negative"] and late.height == 2
    top = theme_inputs(enriched, level="top").current.mentions
    # Sub-themes roll up: one row per comment and top-level theme, negative if any was.
    assert not top.select(pl.struct("feedback_id", "theme").is_duplicated().any()).item()
    assert top.filter(pl.col("theme") == "delivery")["sentiment"].to_list() == ["negative"] * 2


def test_theme_overview_labels_and_previous_window(enriched: Store) -> None:
    april = pl.col("received_at") >= datetime(2026, 4, 3, tzinfo=UTC)
    before = pl.col("received_at") < datetime(2026, 4, 3, tzinfo=UTC)
    overview = theme_overview(enriched, where=april, previous=before, level="top")
    table = overview.table
    assert overview.feedback == 2  # c and e
    assert "price" not in table["theme"].to_list()
    delivery = table.filter(pl.col("theme") == "delivery").row(0, named=True)
    # One of two customers now, one of one before: 50 % against 100 %.
    assert delivery["customer_share"] == pytest.approx(50.0)
    assert delivery["trend"] == pytest.approx(-50.0)
    assert delivery["negative_share"] == pytest.approx(100.0)
    labelled = theme_overview(enriched, level="top", labels={"price": "Pris"}).table
    assert labelled.filter(pl.col("theme") == "price")["label"].to_list() == ["Pris"]
