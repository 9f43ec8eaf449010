"""Parsing timestamps the many ways exports write them, into UTC."""

from __future__ import annotations

from typing import Any

import polars as pl

#: Formats with an offset ("Z" is rewritten to +00:00 first); %.f and %z accept optional parts.
AWARE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M%z",
)

#: Formats without an offset, read in the import's time zone. Nordic exports put the day first.
NAIVE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %Y",
    "%Y%m%d",
)

EXPECTED = (
    "expected ISO 8601 such as 2026-05-31 14:02 or 2026-05-31T14:02:00+02:00, "
    "a Nordic date such as 31.05.2026, or give --date-format"
)


def parse_timestamps(
    raw: pl.Series, *, time_zone: str, date_format: str | None = None
) -> pl.Series:
    """Parse strings to UTC datetimes; unparseable values (and DST gaps) become null.

    Formats are tried in order, each only on the values still unparsed, so each value gets its
    first matching format while most values are settled by the first one or two passes.
    """
    text = raw.str.strip_chars().str.replace(r"(?i)z$", "+00:00")
    aware, naive = list(AWARE_FORMATS), list(NAIVE_FORMATS)
    if date_format:
        (aware if "%z" in date_format else naive).insert(0, date_format)
    utc, todo = _first_matches(text, aware, time_unit="us", time_zone="UTC")
    if todo.len():
        local, _ = _first_matches(text.gather(todo), naive, time_unit="us")
        zoned = local.dt.replace_time_zone(
            time_zone, ambiguous="earliest", non_existent="null"
        ).dt.convert_time_zone("UTC")
        utc = utc.scatter(todo, zoned)
    return utc


def _first_matches(
    text: pl.Series, formats: list[str], **options: Any
) -> tuple[pl.Series, pl.Series]:
    """Parse ``text`` with each format in turn, on what is still unparsed; also return that."""
    todo = text.is_not_null().arg_true()
    parsed = text.str.to_datetime(formats[0], strict=False, **options)
    for fmt in formats[1:]:
        todo = todo.filter(parsed.gather(todo).is_null())
        if not todo.len():
            break
        parsed = parsed.scatter(
            todo, text.gather(todo).str.to_datetime(fmt, strict=False, **options)
        )
    return parsed, todo.filter(parsed.gather(todo).is_null())
