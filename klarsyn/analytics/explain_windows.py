"""The two periods an explanation compares, written the way people say them.

``2026-06`` is June 2026, ``2026-Q2`` a quarter, ``2026`` a year, ``2026-06-15`` one day, and
``2026-02-09..2026-03-08`` or ``2026-03..2026-05`` an inclusive range. Calendar days are read in the
organisation's time zone and turned into UTC instants, the form the store keeps.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

import polars as pl

from klarsyn.analytics.periods import check_time_zone
from klarsyn.errors import InputError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_HINT = "write a month (2026-06), a quarter (2026-Q2), a year, a day or a range (FIRST..LAST)"


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open span of time ``[start, end)`` in UTC, with the label the user wrote."""

    label: str
    start: dt.datetime
    end: dt.datetime

    def contains(self, column: str = "received_at") -> pl.Expr:
        """True for rows whose ``column`` (a UTC datetime) lies in the window."""
        moment = pl.col(column)
        return (moment >= pl.lit(self.start)) & (moment < pl.lit(self.end))


def _next_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _days(text: str) -> tuple[dt.date, dt.date]:
    """The first day of ``text`` and the day after its last."""
    if match := _MONTH.match(text):
        first = dt.date(int(match[1]), int(match[2]), 1)
        return first, _next_month(first, 1)
    if match := _QUARTER.match(text):
        first = dt.date(int(match[1]), 3 * int(match[2]) - 2, 1)
        return first, _next_month(first, 3)
    if match := _YEAR.match(text):
        return dt.date(int(match[1]), 1, 1), dt.date(int(match[1]) + 1, 1, 1)
    if ".." in text:
        low, high = text.split("..", 1)
        if ".." in high:
            raise ValueError("a range has two ends")
        first, after = _days(low)[0], _days(high)[1]
        if after <= first:
            raise ValueError("range ends before it starts")
        return first, after
    day = dt.date.fromisoformat(text)
    return day, day + dt.timedelta(days=1)


def parse_window(text: str, *, time_zone: str) -> Window:
    """The `Window` that ``text`` names, its days read in ``time_zone``."""
    check_time_zone(time_zone)
    cleaned = text.strip()
    try:
        first, after = _days(cleaned)
    except ValueError:
        raise InputError(f"cannot read the period {text!r}", hint=_HINT) from None
    zone = zoneinfo.ZoneInfo(time_zone)

    def instant(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.UTC)

    return Window(label=cleaned, start=instant(first), end=instant(after))


def previous_label(text: str) -> str:
    """The period just before ``text``, of the same kind: the month before a month, and so on.

    A day or a range gets the range of equally many days that ends where it starts.
    """
    cleaned = text.strip()
    if match := _MONTH.match(cleaned):
        earlier = _next_month(dt.date(int(match[1]), int(match[2]), 1), -1)
        return f"{earlier.year:04d}-{earlier.month:02d}"
    if match := _QUARTER.match(cleaned):
        year, quarter = int(match[1]), int(match[2])
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    if match := _YEAR.match(cleaned):
        return str(int(match[1]) - 1)
    try:
        first, after = _days(cleaned)
    except ValueError:
        raise InputError(f"cannot read the period {text!r}", hint=_HINT) from None
    length = after - first
    return f"{(first - length).isoformat()}..{(first - dt.timedelta(days=1)).isoformat()}"
