"""The feedback a command looks at: ``--period 90d`` and ``--segment region=SE``, as filters.

Periods count back from now, like the dashboard's; the previous window has the same length and
ends where the period begins, so a trend compares like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import polars as pl
import typer

from klarsyn.errors import InputError

DAYS = {"7d": 7, "30d": 30, "90d": 90, "12m": 365}


class PeriodWindow(StrEnum):
    d7 = "7d"
    d30 = "30d"
    d90 = "90d"
    m12 = "12m"
    all = "all"


PeriodOption = Annotated[
    PeriodWindow, typer.Option(help="Feedback of the last 7d, 30d, 90d, 12m, or all.")
]
SegmentOption = Annotated[
    list[str] | None,
    typer.Option(help="Only feedback with ATTRIBUTE=VALUE, e.g. region=SE (repeatable)."),
]


@dataclass(frozen=True, slots=True)
class Filters:
    """Row filters over the feedback mirror: the period, and the one before it (None: all time)."""

    where: pl.Expr | None
    previous: pl.Expr | None


def parse_segments(values: list[str] | None) -> list[tuple[str, str]]:
    """``["region=SE"]`` → ``[("region", "SE")]``."""
    pairs = []
    for value in values or []:
        name, sep, wanted = value.partition("=")
        if not sep or not name.strip():
            raise InputError(f"segment {value!r} is not ATTRIBUTE=VALUE", hint="e.g. region=SE")
        pairs.append((name.strip(), wanted))
    return pairs


def filters(
    period: PeriodWindow, segments: list[tuple[str, str]], *, now: datetime | None = None
) -> Filters:
    """The filters of ``period`` (counted back from ``now``) and ``segments``."""
    same: list[pl.Expr] = [pl.col(name) == wanted for name, wanted in segments]
    if period is PeriodWindow.all:
        return Filters(where=pl.all_horizontal(same) if same else None, previous=None)
    until = (now or datetime.now(UTC)).astimezone(UTC)
    length = timedelta(days=DAYS[period.value])
    since = until - length

    def window(start: datetime, end: datetime) -> pl.Expr:
        inside = (pl.col("received_at") >= start) & (pl.col("received_at") < end)
        return pl.all_horizontal([inside, *same])

    return Filters(where=window(since, until), previous=window(since - length, since))


def check_segments(segments: list[tuple[str, str]], *, available: list[str]) -> None:
    """Refuse a segment attribute that feedback does not have, naming those it has."""
    unknown = [name for name, _ in segments if name not in available]
    if unknown:
        raise InputError(
            f"feedback has no attribute {', '.join(repr(name) for name in unknown)}",
            hint=f"segment by one of: {', '.join(available) or '(no attributes imported yet)'}",
        )
