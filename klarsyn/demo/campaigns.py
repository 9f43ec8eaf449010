"""Nordhem's marketing campaigns over the year and which customers each one reached.

One campaign in the period is the bad one (see :mod:`klarsyn.demo.stories`): it promised an extra
discount that depended on a paid membership hidden in the fine print.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from klarsyn.demo.customers import Customers
from klarsyn.demo.stories import Stories
from klarsyn.demo.timeline import DAY, HOUR, add_months, black_friday, seconds

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Campaign:
    """One campaign: its window, channel, description and the share of customers it reached."""

    name: str
    starts: dt.date
    ends: dt.date
    channel: str
    description: str
    reach: float


@dataclass(frozen=True, slots=True)
class Exposures:
    """Who received which campaign when, as parallel arrays sorted by customer and time."""

    campaign: Ints  # index into the campaign list
    customer: Ints
    time: Ints


# month -> (name, channel, reach, first day, length in days, description)
_CALENDAR: dict[int, tuple[str, str, float, int, int, str]] = {
    1: ("Januarirea", "email", 0.45, 2, 20, "Winter sale on textiles and storage."),
    3: ("Vårnyheter", "social", 0.30, 5, 21, "The spring collection in social media."),
    4: ("Trädgårdsstart", "email", 0.40, 10, 14, "20% off garden furniture and pots."),
    5: ("Medlemsdagar", "sms", 0.35, 12, 7, "Double loyalty points for members."),
    6: ("Midsommar", "sms", 0.30, 8, 14, "Everything for the midsummer table."),
    8: ("Hemma igen", "email", 0.40, 15, 14, "Storage and lighting for the autumn."),
    9: ("Höstmys", "social", 0.30, 10, 14, "Textiles and candles for cosy evenings."),
    10: ("Höstrea", "email", 0.42, 6, 14, "Up to 40% off selected furniture."),
    11: ("Black Week", "email", 0.55, 0, 8, "A week of offers around Black Friday."),
    12: ("Julklappstips", "social", 0.35, 1, 20, "Christmas gifts under 300 kr."),
}

CHEATING_DESCRIPTION = (
    "Extra 30% off everything for Max members. Fine print: Max membership is joined at "
    "checkout, costs 79 kr a month and renews automatically; the extra discount does not "
    "apply to items that are already reduced."
)


def schedule(*, start: dt.date, months: int, stories: Stories) -> list[Campaign]:
    """The campaigns of the period, in time order; the cheating one replaces its month's."""
    campaigns = []
    for offset in range(months):
        first = add_months(start, offset)
        if first == stories.cheating_start:
            campaigns.append(
                Campaign(
                    name=stories.cheating_campaign,
                    starts=first,
                    ends=stories.cheating_end,
                    channel="email",
                    description=CHEATING_DESCRIPTION,
                    reach=stories.cheating_reach,
                )
            )
            continue
        if first.month not in _CALENDAR:
            continue
        name, channel, reach, day, length, description = _CALENDAR[first.month]
        begins = first + dt.timedelta(days=day - 1)
        if first.month == 11:
            begins = black_friday(first.year) - dt.timedelta(days=4)
        campaigns.append(
            Campaign(
                name=f"{name} {first.year}",
                starts=begins,
                ends=begins + dt.timedelta(days=length - 1),
                channel=channel,
                description=description,
                reach=reach,
            )
        )
    return campaigns


def draw_exposures(
    rng: np.random.Generator, campaigns: list[Campaign], customers: Customers
) -> Exposures:
    """Send each campaign to its share of the customers who had signed up by then.

    E-mail and SMS go out in the first days of a campaign; social ads are seen any day of it.
    Members and gold customers are more likely to be on the lists.
    """
    tier_factor = np.array([0.75, 1.1, 1.3])[customers.tier]
    parts: list[tuple[Ints, Ints, Ints]] = []
    for index, campaign in enumerate(campaigns):
        first = seconds(campaign.starts)
        if campaign.channel == "social":
            length = (campaign.ends - campaign.starts).days + 1
            day = rng.integers(0, length, size=customers.size)
            clock = rng.integers(7 * HOUR, 23 * HOUR, size=customers.size)
        else:
            day = rng.integers(0, 3, size=customers.size)
            clock = rng.integers(7 * HOUR, 10 * HOUR, size=customers.size)
        time = first + day * DAY + clock
        chosen = (rng.random(customers.size) < np.minimum(campaign.reach * tier_factor, 0.95)) & (
            customers.signup < time
        )
        who = np.flatnonzero(chosen).astype(np.int64)
        parts.append((np.full(who.size, index, dtype=np.int64), who, time[chosen]))
    campaign_index = np.concatenate([p[0] for p in parts])
    customer = np.concatenate([p[1] for p in parts])
    time = np.concatenate([p[2] for p in parts]).astype(np.int64)
    order = np.lexsort((time, customer))
    return Exposures(campaign=campaign_index[order], customer=customer[order], time=time[order])


def latest_exposure(
    exposures: Exposures, *, customer: Ints, time: Ints, within_days: int = 30
) -> Ints:
    """Per (customer, time): the campaign received last in the ``within_days`` before, or -1."""
    span = np.int64(1) << np.int64(40)  # wall-clock seconds stay far below 2**40
    keys = exposures.customer * span + exposures.time
    queries = customer * span + time
    found = np.searchsorted(keys, queries, side="right") - 1
    safe = np.maximum(found, 0)
    valid = (
        (found >= 0)
        & (exposures.customer[safe] == customer)
        & (time - exposures.time[safe] <= within_days * DAY)
    )
    return np.where(valid, exposures.campaign[safe], -1).astype(np.int64)


def campaigns_frame(campaigns: list[Campaign]) -> pl.DataFrame:
    """The campaigns table."""
    return pl.DataFrame(
        {
            "name": [c.name for c in campaigns],
            "starts_at": [c.starts.isoformat() for c in campaigns],
            "ends_at": [c.ends.isoformat() for c in campaigns],
            "channel": [c.channel for c in campaigns],
            "description": [c.description for c in campaigns],
        }
    )
