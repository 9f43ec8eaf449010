"""Calendar periods in the organisation's time zone."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from klarsyn.analytics.periods import period_starts

EVERY = {"week": "1w", "month": "1mo", "quarter": "1q"}


def _frame(moments: list[dt.datetime | None]) -> pl.DataFrame:
    return pl.DataFrame({"received_at": pl.Series(moments, dtype=pl.Datetime("us", "UTC"))})


@pytest.mark.parametrize(
    "time_zone",
    ["Europe/Stockholm", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"],
)
@pytest.mark.parametrize("period", ["day", "week", "month", "quarter"])
def test_periods_match_polars_time_zone_conversion(time_zone: str, period: str) -> None:
    rng = np.random.default_rng(abs(hash((time_zone, period))) % 2**32)
    # Fifty years of random instants cross every daylight-saving change many times over.
    micros = rng.integers(0, 50 * 365 * 86_400, 20_000) * 1_000_000 + rng.integers(0, 10**6, 20_000)
    frame = pl.DataFrame({"received_at": pl.Series(micros).cast(pl.Datetime("us", "UTC"))})
    local = frame.get_column("received_at").dt.convert_time_zone(time_zone).dt.date()
    expected = local if period == "day" else local.dt.truncate(EVERY[period])
    assert period_starts(frame, period, time_zone=time_zone).equals(expected.alias("period"))


def test_late_sunday_in_utc_is_monday_in_stockholm() -> None:
    frame = _frame([dt.datetime(2024, 3, 31, 22, 30, tzinfo=dt.UTC)])
    assert period_starts(frame, "week", time_zone="Europe/Stockholm")[0] == dt.date(2024, 4, 1)
    assert period_starts(frame, "week", time_zone="UTC")[0] == dt.date(2024, 3, 25)
    assert period_starts(frame, "quarter", time_zone="Europe/Stockholm")[0] == dt.date(2024, 4, 1)


def test_naive_and_zoned_inputs_are_read_as_instants() -> None:
    naive = pl.DataFrame({"received_at": [dt.datetime(2024, 1, 31, 23, 30)]})
    assert period_starts(naive, "month", time_zone="Europe/Stockholm")[0] == dt.date(2024, 2, 1)
    zoned = naive.with_columns(
        pl.col("received_at").dt.replace_time_zone("UTC").dt.convert_time_zone("Asia/Tokyo")
    ).with_columns(pl.col("received_at").dt.cast_time_unit("ms"))
    assert period_starts(zoned, "month", time_zone="Europe/Stockholm")[0] == dt.date(2024, 2, 1)


def test_rows_without_a_time_have_no_period() -> None:
    frame = _frame([None, dt.datetime(2024, 5, 5, tzinfo=dt.UTC), None])
    assert period_starts(frame, "day", time_zone="UTC").to_list() == [
        None,
        dt.date(2024, 5, 5),
        None,
    ]
    assert period_starts(_frame([None]), "day", time_zone="UTC").to_list() == [None]
