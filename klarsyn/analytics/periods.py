"""Calendar periods (day, week, month, quarter) in the organisation's own time zone."""

from __future__ import annotations

import zoneinfo
from typing import Literal, cast, get_args

import numpy as np
import polars as pl

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.intervals import Ints
from klarsyn.errors import InputError, SchemaError

Period = Literal["day", "week", "month", "quarter"]
PERIODS: tuple[str, ...] = get_args(Period)

# Weeks start on Monday (ISO 8601), which is the Nordic convention.
_EVERY = {"week": "1w", "month": "1mo", "quarter": "1q"}
_SECOND_US = 1_000_000
_HOUR_US = 3_600 * _SECOND_US
_DAY_US = 24 * _HOUR_US


def check_period(period: str) -> Period:
    """``period`` as a `Period`; raises `InputError` for anything else."""
    if period not in PERIODS:
        raise InputError(
            f"unknown period {period!r}; expected one of {', '.join(PERIODS)}",
            hint="pick one of the listed periods",
        )
    return cast(Period, period)


def check_time_zone(time_zone: str) -> None:
    """Raise `InputError` when ``time_zone`` is not an IANA zone name."""
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone {time_zone!r}",
            hint="use an IANA name such as 'Europe/Stockholm' or 'UTC'",
        ) from None


def _offsets(instants: Ints, time_zone: str) -> Ints:
    """UTC offsets in microseconds of ``time_zone`` at the given UTC microsecond instants."""
    utc = pl.Series(instants, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
    local = utc.dt.convert_time_zone(time_zone).dt.replace_time_zone(None)
    return local.cast(pl.Int64).to_numpy() - instants


def _transitions(first: int, last: int, time_zone: str) -> tuple[Ints, Ints]:
    """The instants where the zone's offset changes in [first, last], and the offsets between.

    Offsets change at most a few times a year, never twice within an hour, and always on a whole
    second (the time zone database's resolution), so an hourly grid finds every change and one
    look at each second of the hour before it pins the change down.
    """
    grid = np.arange(first - first % _HOUR_US, last + _HOUR_US, _HOUR_US, dtype=np.int64)
    offsets = _offsets(grid, time_zone)
    changes = np.flatnonzero(offsets[1:] != offsets[:-1])
    seconds = grid[changes][:, None] + np.arange(1, 3601, dtype=np.int64) * _SECOND_US
    moved = _offsets(seconds.ravel(), time_zone).reshape(seconds.shape) != offsets[changes, None]
    at = seconds[np.arange(len(changes)), moved.argmax(axis=1)]
    return at, np.concatenate([offsets[:1], offsets[changes + 1]])


def _local_days(instants: pl.Expr, *, first: int, last: int, time_zone: str) -> pl.Expr:
    """Days since 1970-01-01 of the local calendar date of UTC microsecond ``instants``.

    Looks up each row's offset in the zone's transition table (a binary search) instead of asking
    the time zone database per row, which is several times faster on millions of rows.
    """
    at, offsets = _transitions(first, last, time_zone)
    which = pl.lit(pl.Series(at, dtype=pl.Int64)).search_sorted(instants, side="right")
    offset = pl.lit(pl.Series(offsets, dtype=pl.Int64)).gather(which)
    return (instants + offset) // _DAY_US


def period_starts(
    frame: pl.DataFrame, period: str, *, time_zone: str, column: str = "received_at"
) -> pl.Series:
    """The local date on which each row's ``period`` starts, as a Date Series named ``period``.

    ``column`` must be a datetime; a naive one is read as UTC, as the store writes it. Rows
    without a time get a null period.
    """
    require_columns(frame, [column], purpose="grouping by period")
    checked = check_period(period)
    check_time_zone(time_zone)
    dtype = frame.schema[column]
    if not isinstance(dtype, pl.Datetime):
        raise SchemaError(
            f"grouping by period needs {column!r} to be a datetime, but it is {dtype}",
            hint=f"parse {column!r} as a UTC datetime first",
        )
    moments = pl.col(column)
    if dtype.time_zone is not None:
        moments = moments.dt.convert_time_zone("UTC")
    instants = moments.dt.cast_time_unit("us").dt.replace_time_zone(None).cast(pl.Int64)
    first, last = frame.select(instants.min().alias("a"), instants.max().alias("b")).row(0)
    if first is None:
        return pl.Series("period", [None] * frame.height, dtype=pl.Date)
    days = _local_days(instants, first=first, last=last, time_zone=time_zone)
    # Truncate each calendar day once and gather: there are thousands of days, not millions. The
    # calendar reaches a day past both ends because local dates can step back at a transition.
    lowest = (first - _DAY_US * 2) // _DAY_US
    highest = (last + _DAY_US * 2) // _DAY_US
    calendar = pl.Series(np.arange(lowest, highest + 1, dtype=np.int32)).cast(pl.Date)
    starts = calendar if checked == "day" else calendar.dt.truncate(_EVERY[checked])
    return frame.select(pl.lit(starts).gather(days - lowest).alias("period")).to_series()
