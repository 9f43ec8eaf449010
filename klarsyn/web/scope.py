"""The global filters every page honours and the URL carries: period, channel and segment.

``?period=90d&channel=survey&segment=region:Skåne`` means the last 90 days, survey feedback,
from customers whose ``region`` attribute is ``Skåne``. ``period=custom`` with ``from`` and
``to`` (local dates, both included) picks any range.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, Query
from pydantic import BeforeValidator

from klarsyn.errors import InputError
from klarsyn.web.deps import NowDep, SettingsDep


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


# An HTML form submits an empty field as "": for an optional filter that means "not set".
Blank = BeforeValidator(_blank_is_none)

PeriodName = Literal["7d", "30d", "90d", "12m", "all", "custom"]
DAYS = {"7d": 7, "30d": 30, "90d": 90, "12m": 365}
DEFAULT_PERIOD: PeriodName = "90d"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which feedback a page shows; ``since`` is inclusive and ``until`` exclusive (UTC)."""

    period: PeriodName
    since: datetime | None
    until: datetime | None
    channel: str | None = None
    segment: tuple[tuple[str, str], ...] = ()
    start: date | None = None
    end: date | None = None

    def params(self) -> list[tuple[str, str]]:
        """The query parameters that reproduce this scope."""
        found: list[tuple[str, str]] = [("period", self.period)]
        if self.period == "custom" and self.start and self.end:
            found += [("from", self.start.isoformat()), ("to", self.end.isoformat())]
        if self.channel:
            found.append(("channel", self.channel))
        found += [("segment", f"{key}:{value}") for key, value in self.segment]
        return found

    def query(self, **extra: str | int | None) -> str:
        """``?…`` for a link that keeps these filters, with ``extra`` parameters set or replaced."""
        pairs = [(key, value) for key, value in self.params() if key not in extra]
        pairs += [(key, str(value)) for key, value in extra.items() if value not in (None, "")]
        return "?" + urlencode(pairs)

    def previous(self) -> Scope | None:
        """The same-length window just before this one, to compare with; None for all time."""
        if self.since is None or self.until is None:
            return None
        length = self.until - self.since
        return replace(self, since=self.since - length, until=self.since)

    @property
    def days(self) -> int | None:
        if self.since is None or self.until is None:
            return None
        return max(1, round((self.until - self.since) / timedelta(days=1)))


def parse_segment(values: list[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        key, sep, wanted = value.partition(":")
        if not sep or not key.strip():
            raise InputError(
                f"segment {value!r} is not ATTRIBUTE:VALUE", hint="e.g. segment=region:Skåne"
            )
        pairs.append((key.strip(), wanted))
    return tuple(pairs)


def make_scope(
    *,
    period: PeriodName,
    now: datetime,
    time_zone: str,
    start: date | None = None,
    end: date | None = None,
    channel: str | None = None,
    segment: tuple[tuple[str, str], ...] = (),
) -> Scope:
    zone = ZoneInfo(time_zone)
    since: datetime | None = None
    until: datetime | None = None
    if period == "custom":
        if (start is None and end is None) or (start and end and end < start):
            raise InputError(
                "a custom period needs a 'from' or a 'to' date, 'from' first",
                hint="e.g. period=custom&from=2026-06-01&to=2026-06-30",
            )
        # Local midnights, held in UTC like every timestamp the store and the mirror hold.
        if start is not None:
            since = datetime.combine(start, time(), zone).astimezone(UTC)
        if end is not None:
            until = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
    elif period != "all":
        # A rolling window ends at the next whole minute: the same view asked again within the
        # minute is the same question, so the answer remembered for it serves both.
        until = now.astimezone(UTC)
        if until.second or until.microsecond:
            until = until.replace(second=0, microsecond=0) + timedelta(minutes=1)
        since = until - timedelta(days=DAYS[period])
    return Scope(period, since, until, channel or None, segment, start, end)


def scope_from_query(
    settings: SettingsDep,
    now: NowDep,
    period: PeriodName = DEFAULT_PERIOD,
    start: Annotated[date | None, Blank, Query(alias="from")] = None,
    end: Annotated[date | None, Blank, Query(alias="to")] = None,
    channel: Annotated[str | None, Query(max_length=50)] = None,
    segment: Annotated[list[str] | None, Query()] = None,
) -> Scope:
    if period != "custom":
        start = end = None  # the form keeps sending the hidden date fields
    return make_scope(
        period=period,
        now=now,
        time_zone=settings.timezone,
        start=start,
        end=end,
        channel=channel,
        segment=parse_segment([value for value in segment or [] if value]),
    )


ScopeDep = Annotated[Scope, Depends(scope_from_query)]
