"""Control charts flag real shifts and leave ordinary wobble alone."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from klarsyn.analytics import Metric, control_chart, score, summarise
from klarsyn.errors import InputError

START = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)


def _weeks(
    shares_by_week: list[tuple[float, float, float]], *, seed: int, region: str = "north"
) -> pl.DataFrame:
    """Weekly NPS responses, 150-250 a week, drawn from (detractor, passive, promoter) shares."""
    rng = np.random.default_rng(seed)
    frames = []
    for week, shares in enumerate(shares_by_week):
        n = int(rng.integers(150, 250))
        kind = rng.choice(3, n, p=shares)
        scores = np.choose(
            kind, [rng.integers(0, 7, n), rng.integers(7, 9, n), rng.integers(9, 11, n)]
        )
        frames.append(
            pl.DataFrame(
                {
                    "received_at": [START + dt.timedelta(weeks=week)] * n,
                    "region": [region] * n,
                    "nps": scores,
                    "csat": np.where(kind == 2, 5, np.where(kind == 1, 4, 2)),
                    "ces": np.where(kind == 2, 7, np.where(kind == 1, 5, 2)),
                }
            )
        )
    return pl.concat(frames).with_columns(customer_id=pl.int_range(pl.len()))


STABLE = [(0.2, 0.3, 0.5)] * 24
SHIFTED = [(0.2, 0.3, 0.5)] * 20 + [(0.4, 0.3, 0.3)] * 4


@pytest.mark.parametrize("metric", ["nps", "csat", "ces"])
def test_a_planted_shift_is_flagged(metric: str) -> None:
    chart = control_chart(summarise(_weeks(SHIFTED, seed=1), metric=metric, period="week"))
    signals = chart.get_column("signal").to_list()
    assert signals[20:] == ["below"] * 4
    assert set(signals[:20]) == {None}


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_a_stable_wobble_is_not_flagged(seed: int) -> None:
    frame = _weeks(STABLE, seed=seed)
    chart = control_chart(summarise(frame, metric="nps", period="week"))
    values = chart.get_column("value").to_numpy()
    # The wobble is real: a dozen points or more between the best and the worst week.
    assert values.max() - values.min() > 10
    assert chart.get_column("signal").null_count() == chart.height


def test_the_band_comes_only_from_preceding_periods() -> None:
    frame = _weeks(SHIFTED[:21], seed=5)
    chart = control_chart(summarise(frame, metric="nps", period="week"), window=12)
    last = chart.row(-1, named=True)
    weeks = frame.with_columns(week=(pl.col("received_at") - START).dt.total_days() // 7)
    baseline = weeks.filter(pl.col("week").is_between(8, 19)).get_column("nps")
    assert last["centre"] == pytest.approx(score(baseline, metric="nps").value, abs=1e-9)
    assert last["baseline_periods"] == 12


def test_early_periods_and_segments_are_charted_separately() -> None:
    frame = pl.concat(
        [_weeks(STABLE[:6], seed=6, region="north"), _weeks(STABLE[:3], seed=7, region="south")]
    ).with_columns(customer_id=pl.int_range(pl.len()))
    chart = control_chart(
        summarise(frame, metric="nps", by=["region"], period="week"), min_baseline=4
    )
    north = chart.filter(pl.col("region") == "north")
    assert north.get_column("baseline_periods").to_list() == [0, 1, 2, 3, 4, 5]
    assert north.get_column("centre").null_count() == 4
    assert chart.filter(pl.col("region") == "south").get_column("centre").null_count() == 3


def test_a_flawless_baseline_flags_any_drop() -> None:
    frame = pl.DataFrame(
        {
            "received_at": [START + dt.timedelta(weeks=w) for w in range(5) for _ in range(3)],
            "nps": [10] * 12 + [10, 10, 8],
            "customer_id": list(range(15)),
        }
    )
    chart = control_chart(summarise(frame, metric="nps", period="week"))
    assert chart.get_column("signal").to_list() == [None] * 4 + ["below"]
    assert chart.get_column("upper").to_list()[-1] == 100.0


def test_means_without_a_scale_are_not_clipped() -> None:
    frame = _weeks(STABLE[:6], seed=8)
    points = Metric("points", "mean", "ces", None)
    chart = control_chart(summarise(frame, metric=points, period="week"))
    assert chart.get_column("lower").drop_nulls().len() == 2


def test_control_chart_needs_periods_and_sane_options() -> None:
    frame = _weeks(STABLE[:2], seed=9)
    with pytest.raises(InputError, match="period"):
        control_chart(summarise(frame, metric="nps"))
    with pytest.raises(InputError, match="min_baseline"):
        control_chart(summarise(frame, metric="nps", period="week"), window=2, min_baseline=3)
