"""Parsing timestamps the many ways exports write them, into UTC."""

from __future__ import annotations

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


def parse_timestamps(column: pl.Expr, *, time_zone: str, date_format: str | None = None) -> pl.Expr:
    """Parse a string column to UTC datetimes; unparseable values (and DST gaps) become null."""
    text = column.str.strip_chars().str.replace(r"(?i)z$", "+00:00")
    aware = list(AWARE_FORMATS)
    naive = list(NAIVE_FORMATS)
    if date_format:
        (aware if "%z" in date_format else naive).insert(0, date_format)
    attempts = [
        text.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC") for fmt in aware
    ]
    local = pl.coalesce([text.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in naive])
    attempts.append(
        local.dt.replace_time_zone(
            time_zone, ambiguous="earliest", non_existent="null"
        ).dt.convert_time_zone("UTC")
    )
    return pl.coalesce(attempts)
