"""Time in the demo company: the period, seasonal volume, times of day and ISO formatting.

Times are held as int64 seconds of local wall-clock time since 1970-01-01 (no zone): the stories
are defined by local dates, and Sweden, Denmark and Norway share the same clock. They become
ISO 8601 strings with the right offset only at the end, per country.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

DAY = 86_400
HOUR = 3_600
_EPOCH = dt.date(1970, 1, 1)
_ISO = "%Y-%m-%dT%H:%M:%S%:z"

# Share of feedback per hour of the day: evenings are busy; the 02:00 hour stays empty so that no
# time falls into the hour skipped when clocks go forward in spring.
_HOURS = np.array(
    [0.5, 0.2, 0.0, 0.1, 0.2, 0.5, 1.2, 2.4, 3.6, 4.6, 5.4, 5.8,
     6.0, 5.8, 5.6, 5.4, 5.5, 5.9, 6.4, 6.8, 6.6, 5.6, 3.8, 1.8],
    dtype=np.float64,
)  # fmt: skip
HOUR_WEIGHTS: npt.NDArray[np.float64] = _HOURS / _HOURS.sum()


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def seconds(day: dt.date) -> int:
    """Local midnight of ``day`` as wall-clock seconds."""
    return (day - _EPOCH).days * DAY


def to_dates(times: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    """Wall-clock seconds as numpy days."""
    return (times // DAY).astype("datetime64[D]")


def black_friday(year: int) -> dt.date:
    """The Friday after the fourth Thursday of November."""
    first = dt.date(year, 11, 1)
    thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + dt.timedelta(days=1)


def day_weights(start: dt.date, end: dt.date) -> npt.NDArray[np.float64]:
    """Relative feedback volume per day in [start, end).

    Retail volume peaks in Black Week and before Christmas, stays high in the returns weeks of
    January, and drops in the July holidays; Mondays carry what was left over the weekend.
    """
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D"))
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    weights = np.ones(days.size)
    weights[months == 11] = 1.15
    weights[(months == 12) & (day_of_month <= 23)] = 1.45
    weights[(months == 12) & (day_of_month >= 24) & (day_of_month <= 26)] = 0.6
    weights[(months == 12) & (day_of_month >= 27)] = 1.3
    weights[(months == 1) & (day_of_month <= 15)] = 1.25
    weights[months == 7] = 0.8
    for year in range(start.year, end.year + 1):
        friday = np.datetime64(black_friday(year), "D")
        week = (days >= friday - 4) & (days <= friday + 3)
        weights[week] *= 2.0
    weights *= np.where(weekday == 0, 1.1, np.where(weekday == 6, 0.85, 1.0))
    return weights


def draw_times(
    rng: np.random.Generator, n: int, *, start: dt.date, weights: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """``n`` times: a day by ``weights`` (one per day from ``start``), an hour by time of day."""
    day = rng.choice(weights.size, size=n, p=weights / weights.sum())
    return seconds(start) + day * DAY + draw_clock(rng, n)


def draw_clock(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    """Seconds into the day, distributed like customers' activity."""
    hour = rng.choice(24, size=n, p=HOUR_WEIGHTS)
    return (hour * HOUR + rng.integers(0, HOUR, size=n)).astype(np.int64)


def iso_local(
    times: npt.NDArray[np.int64], zone_index: npt.NDArray[np.int64], zones: Sequence[str]
) -> pl.Series:
    """ISO 8601 strings with the local offset; row ``i`` is in ``zones[zone_index[i]]``.

    A wall-clock time inside the spring-forward gap does not exist; it is shown one hour later.
    """
    result = pl.Series("time", [None] * times.size, dtype=pl.String)
    for code, zone in enumerate(zones):
        rows = np.flatnonzero(zone_index == code)
        if rows.size == 0:
            continue
        local = _localise(times[rows], zone)
        gap = local.is_null().to_numpy()
        if gap.any():
            local = local.scatter(np.flatnonzero(gap), _localise(times[rows][gap] + HOUR, zone))
        result = result.scatter(rows, local)
    return result


def _localise(times: npt.NDArray[np.int64], zone: str) -> pl.Series:
    naive = pl.from_epoch(pl.Series(times, dtype=pl.Int64), time_unit="s")
    aware = naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    return aware.dt.to_string(_ISO)
