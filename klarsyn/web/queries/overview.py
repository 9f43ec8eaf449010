"""The Overview page's numbers, all read from the columnar mirror.

Columns read: ``received_at``, ``channel``, ``customer_id``, ``nps``, ``csat``, ``ces`` plus the
segment attributes; one collect covers the period shown and the one before it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from klarsyn.analytics import Change, Estimate, compare, metric_table, period_starts, score
from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.queries.criteria import Search, attribute_column, frame_filter
from klarsyn.web.scope import Scope

HEADLINE_METRICS = ("nps", "csat", "ces")
SCORES = ("nps", "csat", "ces")


@dataclass(frozen=True, slots=True)
class Headline:
    metric: str
    current: Estimate
    change: Change | None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: date
    value: float | None
    low: float | None
    high: float | None
    n: int
    small_n: bool
    partial: bool


@dataclass(frozen=True, slots=True)
class Volume:
    period: date
    channel: str
    count: int
    partial: bool


@dataclass(frozen=True, slots=True)
class Overview:
    total: int
    customers: int
    grain: str
    headlines: list[Headline]
    trend: list[TrendPoint]
    volume: list[Volume]
    channels: list[tuple[str, int]]


def grain_for(scope: Scope) -> str:
    """Days for a month or less, weeks up to a quarter, months beyond: 10-60 points."""
    days = scope.days
    if days is not None and days <= 31:
        return "day"
    if days is not None and days <= 120:
        return "week"
    return "month"


def _period_end(start: date, grain: str) -> date:
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    return (start.replace(day=1) + timedelta(days=32)).replace(day=1)


def partial_period(start: date, *, grain: str, scope: Scope, now: datetime, zone: str) -> bool:
    """Whether the window cuts period ``start`` short: a half week reads as a drop in volume."""
    local = ZoneInfo(zone)
    first = scope.since.astimezone(local).date() if scope.since else None
    last = (scope.until or now).astimezone(local)
    last_day = last.date() + (timedelta(days=1) if last.time() != time() else timedelta())
    return (first is not None and start < first) or _period_end(start, grain) > last_day


def scoped_frame(mirror: MirrorCache, scope: Scope, search: Search) -> pl.DataFrame:
    """The mirror's rows in ``scope`` (and the previous window), with the columns pages need."""
    scan = mirror.scan()
    available = scan.collect_schema().names()
    wide = scope.previous() or scope
    wide = Scope(wide.period, wide.since, scope.until, scope.channel, scope.segment)
    columns = ["row_id", "received_at", "channel", "customer_id", *SCORES]
    columns += [attribute_column(name, available) for name, _ in scope.segment]
    return (
        scan.filter(frame_filter(wide, search, available=available))
        .select(list(dict.fromkeys(columns)))
        .collect()
    )


def _in(frame: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    terms = [pl.lit(True)]
    if scope.since is not None:
        terms.append(pl.col("received_at") >= scope.since)
    if scope.until is not None:
        terms.append(pl.col("received_at") < scope.until)
    return frame.filter(pl.all_horizontal(terms))


def headline(frame: pl.DataFrame, previous: pl.DataFrame | None, metric: str) -> Headline:
    if previous is None:
        return Headline(metric, score(frame[metric], metric=metric), None)
    change = compare(previous[metric], frame[metric], metric=metric)
    return Headline(metric, change.after, change)


def trend(
    frame: pl.DataFrame, *, metric: str, grain: str, time_zone: str, partial: Callable[[date], bool]
) -> list[TrendPoint]:
    if frame.is_empty():
        return []
    table = metric_table(frame, metric=metric, period=grain, time_zone=time_zone)
    return [
        TrendPoint(
            r["period"],
            r["value"],
            r["ci_low"],
            r["ci_high"],
            r["n"],
            r["small_n"],
            partial(r["period"]),
        )
        for r in table.iter_rows(named=True)
        if r["period"] is not None
    ]


def volume(
    frame: pl.DataFrame, *, grain: str, time_zone: str, partial: Callable[[date], bool]
) -> list[Volume]:
    if frame.is_empty():
        return []
    periods = period_starts(frame, grain, time_zone=time_zone)
    counted = (
        frame.select("channel")
        .with_columns(periods)
        .group_by("period", "channel")
        .len()
        .sort("period", "channel")
    )
    return [Volume(r[0], r[1], r[2], partial(r[0])) for r in counted.iter_rows()]


def overview(
    mirror: MirrorCache, *, scope: Scope, time_zone: str, now: datetime, metric: str = "nps"
) -> Overview:
    """Headlines against the previous window, the trend of ``metric`` and volume by channel."""
    both = scoped_frame(mirror, scope, Search())
    current = _in(both, scope)
    before = scope.previous()
    previous = _in(both, before) if before is not None else None
    grain = grain_for(scope)
    channels = current.group_by("channel").len().sort("len", descending=True)
    cut = functools.partial(partial_period, grain=grain, scope=scope, now=now, zone=time_zone)
    return Overview(
        total=current.height,
        customers=current["customer_id"].drop_nulls().n_unique(),
        grain=grain,
        headlines=[headline(current, previous, m) for m in HEADLINE_METRICS],
        trend=trend(current, metric=metric, grain=grain, time_zone=time_zone, partial=cut),
        volume=volume(current, grain=grain, time_zone=time_zone, partial=cut),
        channels=[(r[0], r[1]) for r in channels.iter_rows()],
    )


__all__ = ["Headline", "Overview", "TrendPoint", "Volume", "overview"]
