"""Findings: changes beyond normal variation, seasonality-aware and robust to one-off spikes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from klarsyn.analytics.findings import finding_dict, findings

TZ = "UTC"


def monthly(
    shifts: dict[int, float], *, months: int = 26, per_month: int = 600, seed: int = 1
) -> pl.DataFrame:
    """NPS answers over ``months`` months from January 2024; ``shifts`` moves the latent
    score of month index by that many points for everyone; key -index-1 moves region north
    down in that month."""
    rng = np.random.default_rng(seed)
    frames = []
    for index in range(months):
        year, month = 2024 + index // 12, index % 12 + 1
        region = rng.choice(["north", "south"], per_month)
        latent = 7.4 + rng.normal(0, 2.0, per_month) + shifts.get(index, 0.0)
        latent -= (region == "north") * shifts.get(-index - 1, 0.0)
        day = rng.integers(1, 28, per_month)
        frames.append(
            pl.DataFrame(
                {
                    "id": [f"{index}-{i}" for i in range(per_month)],
                    "received_at": [
                        dt.datetime(year, month, int(d), 12, tzinfo=dt.UTC) for d in day
                    ],
                    "channel": ["survey"] * per_month,
                    "customer_id": [f"c{i}" for i in rng.integers(0, 5_000, per_month)],
                    "nps": np.clip(np.rint(latent), 0, 10).astype(np.int64),
                    "region": region,
                }
            )
        )
    return pl.concat(frames)


def test_a_stable_company_has_no_findings() -> None:
    assert findings(monthly({}), time_zone=TZ, metrics=["nps"]) == []


def test_a_real_drop_is_found_with_its_size() -> None:
    found = findings(monthly({25: -1.5}), time_zone=TZ, metrics=["nps"])
    overall = [f for f in found if f.dimension is None]
    assert [f.period for f in overall] == [dt.date(2026, 2, 1)]
    assert overall[0].change < -10 and overall[0].direction == "down"
    assert set(finding_dict(overall[0])) >= {"series", "period", "observed", "expected", "p_value"}


def test_a_segment_drop_is_found_in_its_segment() -> None:
    found = findings(monthly({-26: 3.0}), time_zone=TZ, metrics=["nps"])
    assert ("region", "north", dt.date(2026, 2, 1)) in {
        (f.dimension, f.value, f.period) for f in found
    }


def test_a_past_spike_does_not_hide_or_fake_the_next_months() -> None:
    # A one-off spike in month 20 is itself a finding; the months after it are not.
    found = findings(monthly({20: -2.0}), time_zone=TZ, metrics=["nps"])
    periods = {f.period for f in found if f.dimension is None}
    assert periods == {dt.date(2025, 9, 1)}


def test_a_season_that_recurs_every_year_is_not_news() -> None:
    # Every December dips; with a year of history the second December is expected.
    found = findings(monthly({11: -1.5, 23: -1.5}), time_zone=TZ, metrics=["nps"])
    periods = {f.period for f in found if f.dimension is None}
    assert dt.date(2025, 12, 1) not in periods
    assert dt.date(2024, 12, 1) in periods


def test_volume_per_channel_is_watched() -> None:
    frame = monthly({})
    extra = frame.filter(
        pl.col("received_at").dt.month() == 2, pl.col("received_at").dt.year() == 2026
    )
    surge = extra.with_columns(pl.col("id") + "-again", channel=pl.lit("survey"))
    found = findings(pl.concat([frame, surge]), time_zone=TZ, metrics=[])
    assert [(f.series, f.value, f.period) for f in found] == [
        ("volume", "survey", dt.date(2026, 2, 1))
    ]


def _mentions(frame: pl.DataFrame, share: dict[int, float], *, seed: int) -> pl.DataFrame:
    """A neutral "delivery" mention on ``share[month index]`` of each month's feedback (10%
    in months not named)."""
    rng = np.random.default_rng(seed)
    index = (frame["received_at"].dt.year() - 2024) * 12 + frame["received_at"].dt.month() - 1
    chance = np.array([share.get(int(i), 0.1) for i in index])
    hit = rng.random(frame.height) < chance
    return frame.filter(pl.Series(hit)).select(
        "id", theme=pl.lit("delivery"), sentiment=pl.lit("neutral")
    )


def test_a_theme_raised_by_more_customers_is_found() -> None:
    frame = monthly({})
    found = findings(frame, time_zone=TZ, metrics=[], mentions=_mentions(frame, {25: 0.2}, seed=2))
    assert ("theme_customers", "delivery", dt.date(2026, 2, 1)) in {
        (f.series, f.value, f.period) for f in found
    }


def test_one_customer_repeating_a_theme_is_not_a_spread() -> None:
    frame = monthly({})
    # In the last month one customer writes 120 times about delivery: a fifth of the month's
    # feedback, but one voice.
    last = frame.filter(pl.col("received_at") >= dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    loud = last.head(120).with_columns(pl.col("id") + "-loud", customer_id=pl.lit("c-loud"))
    mentions = pl.concat(
        [
            _mentions(frame, {}, seed=3),
            loud.select("id", theme=pl.lit("delivery"), sentiment=pl.lit("neutral")),
        ]
    )
    found = findings(pl.concat([frame, loud]), time_zone=TZ, metrics=[], mentions=mentions)
    reach = {(f.series, f.period) for f in found if f.value == "delivery"}
    assert ("theme_customers", dt.date(2026, 2, 1)) not in reach
