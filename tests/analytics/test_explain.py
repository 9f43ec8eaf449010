"""The parts of `explain`: periods, the decomposition, the tests, exposure, symptoms, output."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from statsmodels.stats.multitest import multipletests

from klarsyn.analytics.explain import PAIR_SIGN, explain
from klarsyn.analytics.explain_contrasts import benjamini_hochberg, contrasts
from klarsyn.analytics.explain_exposure import exposures
from klarsyn.analytics.explain_results import as_dict
from klarsyn.analytics.explain_tallies import cells, encode, levels, slots
from klarsyn.analytics.explain_windows import Window, parse_window, previous_label
from klarsyn.analytics.metrics import metric_named
from klarsyn.errors import InputError, SchemaError

TZ = "Europe/Stockholm"
MAY = parse_window("2026-05", time_zone=TZ)
JUNE = parse_window("2026-06", time_zone=TZ)
CHANGE_KEYS = {"metric", "period", "vs", "value_before", "value_after", "delta", "ci_low"}
CHANGE_KEYS |= {"ci_high", "p_value"}
CAUSE_KEYS = {"kind", "dimension", "value", "effect", "explained_share", "p_value", "summary"}
CAUSE_KEYS |= {"symptoms", "examples"}


def company(
    seed: int, *, n: int = 6_000, drop: dict[str, float] | None = None, shift: float = 0.0
) -> pl.DataFrame:
    """May and June NPS answers with a region and a store (stores nested in regions)."""
    rng = np.random.default_rng(seed)
    june = np.arange(n) >= n // 2
    region = rng.choice(["north", "south", "east", "west"], n)
    store = np.char.add(region, rng.choice(["-1", "-2"], n))
    latent = 7.6 + rng.normal(0, 2.0, n) + shift * june
    for value, size in (drop or {}).items():
        latent -= size * june * ((region == value) | (store == value))
    start = np.where(june, JUNE.start.timestamp(), MAY.start.timestamp())
    seconds = start + rng.uniform(3_600, 29 * 86_400, n)
    return pl.DataFrame(
        {
            "id": [f"f{i}" for i in range(n)],
            "received_at": pl.Series(seconds * 1e6).cast(pl.Int64).cast(pl.Datetime("us", "UTC")),
            "customer_id": [f"c{i}" for i in rng.integers(0, n, n)],
            "nps": np.clip(np.rint(latent), 0, 10).astype(np.int64),
            "text": [f"comment {i}" for i in range(n)],
            "region": region,
            "store": store,
        }
    )


def test_periods_read_the_way_people_write_them() -> None:
    june = parse_window("2026-06", time_zone=TZ)
    assert june.start == dt.datetime(2026, 5, 31, 22, tzinfo=dt.UTC)  # midnight in Stockholm
    assert june.end == dt.datetime(2026, 6, 30, 22, tzinfo=dt.UTC)
    q2 = parse_window("2026-Q2", time_zone="UTC")
    assert (q2.start.month, q2.end.month) == (4, 7)
    days = parse_window("2026-02-09..2026-02-15", time_zone="UTC")
    assert days.end - days.start == dt.timedelta(days=7)
    assert previous_label("2026-01") == "2025-12"
    assert previous_label("2026-Q1") == "2025-Q4"
    assert previous_label("2026-02-09..2026-02-15") == "2026-02-02..2026-02-08"
    months = parse_window("2026-03..2026-05", time_zone="UTC")
    assert (months.start.month, months.end.month) == (3, 6)
    with pytest.raises(InputError):
        parse_window("June", time_zone=TZ)
    with pytest.raises(InputError):
        parse_window("2026-03-01..2026-02-01", time_zone=TZ)


def test_each_segment_and_the_rest_add_up_to_the_whole_change() -> None:
    frame = company(1, drop={"north": 2.0}, shift=0.3)
    spec = metric_named("nps")
    after = frame.select(JUNE.contains()).to_series().to_numpy().astype(np.int64)
    level, value = levels(spec, frame["nps"])
    region = encode(frame["region"])
    slot = slots(after=after, level=level, width=value.size)
    by_region = cells(region.codes, region.size, slot=slot, value=value)
    whole = by_region.total()
    result = contrasts(by_region, whole, min_n=30)
    delta = whole.s1[0, 1] / whole.n[0, 1] - whole.s1[0, 0] / whole.n[0, 0]
    rest_change = result.mean_r[:, 1] - result.mean_r[:, 0]
    np.testing.assert_allclose(rest_change + result.explained, delta)
    np.testing.assert_allclose(result.mix + result.rate, result.explained)
    north = region.labels.index("north")
    assert result.z[north] < -5
    assert abs(result.rate[north]) > abs(result.mix[north])


def test_benjamini_hochberg_matches_statsmodels() -> None:
    p = np.random.default_rng(3).uniform(0, 0.2, 50) ** 2
    expected = multipletests(p, method="fdr_bh")[1]
    np.testing.assert_allclose(benjamini_hochberg(p), expected)


def test_a_region_that_got_unhappier_is_the_cause() -> None:
    result = explain(company(2, drop={"west": 3.0}), metric="nps", period=JUNE, vs=MAY)
    assert result.change.delta < 0
    first = result.causes[0]
    assert (first.kind, first.dimension, first.value, first.effect) == (
        "segment",
        "region",
        "west",
        "rate",
    )
    assert first.explained_share > 0.5
    assert first.p_value < 0.001
    assert len(first.examples) == 6
    body = as_dict(result)
    assert CHANGE_KEYS <= set(body["change"])
    assert all(CAUSE_KEYS <= set(cause) for cause in body["causes"])


def test_a_store_is_named_rather_than_the_region_around_it() -> None:
    first = explain(company(3, drop={"east-2": 4.0}), metric="nps", period=JUNE, vs=MAY).causes[0]
    assert (first.dimension, first.value) == ("store", "east-2")


def test_a_change_everyone_shares_has_no_cause() -> None:
    result = explain(company(4, shift=-1.0), metric="nps", period=JUNE, vs=MAY)
    assert result.change.p_value < 0.001
    assert result.causes == ()
    assert not result.clear


def test_noise_is_within_normal_variation() -> None:
    result = explain(company(5), metric="nps", period=JUNE, vs=MAY)
    assert result.causes == ()
    if result.change.p_value >= 0.05:
        assert "within normal variation" in result.headline


def test_a_scope_names_its_segment_with_the_scope() -> None:
    frame = company(6, n=12_000, drop={"north-1": 4.0})
    result = explain(frame, metric="nps", period=JUNE, vs=MAY, where={"region": "north"})
    first = result.causes[0]
    assert first.dimension == PAIR_SIGN.join(["store", "region"])
    assert first.value == PAIR_SIGN.join(["north-1", "north"])


def test_overlapping_periods_and_missing_columns_are_refused() -> None:
    frame = company(7, n=200)
    with pytest.raises(InputError):
        explain(frame, metric="nps", period=JUNE, vs=parse_window("2026-Q2", time_zone=TZ))
    with pytest.raises(SchemaError):
        explain(frame.drop("customer_id"), metric="nps", period=JUNE, vs=MAY)
    with pytest.raises(SchemaError):
        explain(frame, metric="nps", period=JUNE, vs=MAY, attributes=["nowhere"])


def _campaign(frame: pl.DataFrame, *, reach: float, seed: int) -> pl.DataFrame:
    """A campaign sent on 3 June to a share of the customers of ``frame``."""
    rng = np.random.default_rng(seed)
    customers = frame["customer_id"].unique().sort().to_list()
    chosen = [c for c in customers if rng.random() < reach]
    sent = dt.datetime(2026, 6, 3, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "customer_id": chosen,
            "occurred_at": pl.Series([sent] * len(chosen), dtype=pl.Datetime("us", "UTC")),
            "type": ["campaign"] * len(chosen),
            "campaign": ["Max"] * len(chosen),
        }
    )


def test_exposure_needs_the_event_before_the_feedback_within_the_window() -> None:
    rows = pl.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c"],
            "received_at": pl.Series(
                [
                    dt.datetime(2026, 6, 2, tzinfo=dt.UTC),  # before the send
                    dt.datetime(2026, 6, 10, tzinfo=dt.UTC),  # a week after it
                    dt.datetime(2026, 6, 10, tzinfo=dt.UTC),  # never sent to
                    dt.datetime(2026, 8, 1, tzinfo=dt.UTC),  # long after it
                ],
                dtype=pl.Datetime("us", "UTC"),
            ),
        }
    )
    events = pl.DataFrame(
        {
            "customer_id": ["a", "c", "x"],
            "occurred_at": pl.Series(
                [dt.datetime(2026, 6, 3, tzinfo=dt.UTC)] * 3, dtype=pl.Datetime("us", "UTC")
            ),
            "type": ["campaign"] * 3,
            "campaign": ["Max", "Max", "Other"],
        }
    )
    found = {
        (e.dimension, e.value): e.exposed.tolist()
        for e in exposures(rows, events, window=dt.timedelta(days=30), min_rows=1)
    }
    assert found[("campaign", "Max")] == [False, True, False, False]


def test_a_campaign_is_the_cause_and_the_service_complaints_its_symptom() -> None:
    frame = company(8, n=8_000)
    events = _campaign(frame, reach=0.4, seed=8)
    exposed = set(events["customer_id"].to_list())
    hit = (pl.col("customer_id").is_in(list(exposed))) & JUNE.contains()
    frame = frame.with_columns(
        pl.when(hit).then((pl.col("nps") - 4).clip(0, 10)).otherwise(pl.col("nps")).alias("nps")
    )
    # Exposed customers complain about reaching customer service; everyone about delivery now
    # and then, in both months alike.
    rng = np.random.default_rng(9)
    flagged = frame.with_columns(
        service=hit & pl.lit(rng.random(frame.height) < 0.5),
        delivery=pl.lit(rng.random(frame.height) < 0.05),
    )
    mentions = pl.concat(
        [
            flagged.filter("service").select("id", theme=pl.lit("service.reachability")),
            flagged.filter("delivery").select("id", theme=pl.lit("delivery.time")),
        ]
    ).with_columns(sentiment=pl.lit("negative"))
    result = explain(frame, metric="nps", period=JUNE, vs=MAY, events=events, mentions=mentions)
    first = result.causes[0]
    assert (first.kind, first.dimension, first.value, first.effect) == (
        "campaign",
        "campaign",
        "Max",
        "exposure",
    )
    assert first.symptoms == ("service.reachability",)
    assert [t.theme for t in result.themes] == ["service.reachability"]
    assert result.themes[0].symptom_of == "campaign = Max"
    # The examples come from exposed customers in June, the most telling first.
    ids = set(frame.filter(hit)["id"].to_list())
    assert first.examples and set(first.examples) <= ids


def test_window_contains_is_half_open() -> None:
    window = Window(
        "x", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    )
    frame = pl.DataFrame(
        {"received_at": pl.Series([window.start, window.end], dtype=pl.Datetime("us", "UTC"))}
    )
    assert frame.select(window.contains()).to_series().to_list() == [True, False]


def test_a_rising_complaint_nothing_else_explains_is_a_cause_of_its_own() -> None:
    frame = company(10, n=8_000)
    rng = np.random.default_rng(10)
    late = JUNE.contains() & pl.lit(rng.random(frame.height) < 0.2)
    flagged = frame.with_columns(late.alias("late"))
    frame = flagged.with_columns(
        pl.when("late").then((pl.col("nps") - 4).clip(0, 10)).otherwise("nps").alias("nps")
    ).drop("late")
    mentions = flagged.filter("late").select(
        "id", theme=pl.lit("delivery.time"), sentiment=pl.lit("negative")
    )
    # Some complaints in May too, so that the theme is not new.
    early = (
        frame.filter(MAY.contains())
        .head(200)
        .select("id", theme=pl.lit("delivery.time"), sentiment=pl.lit("negative"))
    )
    result = explain(
        frame, metric="nps", period=JUNE, vs=MAY, mentions=pl.concat([mentions, early])
    )
    first = result.causes[0]
    assert (first.kind, first.dimension, first.value) == ("theme", "theme", "delivery.time")
    assert result.themes[0].symptom_of is None


def test_no_theme_is_blamed_when_nothing_moved() -> None:
    frame = company(11, n=4_000)
    mentions = (
        frame.filter(JUNE.contains())
        .head(300)
        .select("id", theme=pl.lit("price"), sentiment=pl.lit("negative"))
    )
    result = explain(frame, metric="nps", period=JUNE, vs=MAY, mentions=mentions)
    assert result.change.p_value >= 0.05  # this seed's company did not move
    assert "within normal variation" in result.headline
    assert result.causes == ()
    # The complaint did rise, and says so, but is not made the story of a change that is not.
    assert [t.theme for t in result.themes] == ["price"]
