"""What the demo company's data is planted to show, and exactly where.

Every story is placed relative to the first day of the generated period, so a different ``start``
moves the stories with it; :func:`plant` returns them for any start, and the module constants
below describe the default period (October 2025 to November 2026).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from klarsyn.demo.timeline import add_months

Polarity = Literal["negative", "neutral", "positive"]

DEFAULT_START = dt.date(2025, 10, 1)
DEFAULT_MONTHS = 14
DEFAULT_FEEDBACK = 60_000

THEMES: tuple[str, ...] = (
    "price",
    "delivery",
    "customer_service",
    "waiting_time",
    "opening_hours",
    "billing",
    "website_app",
    "returns",
    "product_range",
    "quality",
    "staff_attitude",
    "packaging",
    "marketing",
)
"""Theme keys that the evaluation truth uses, in a fixed order."""

DRIVER_EFFECTS: Mapping[tuple[str, Polarity], float] = MappingProxyType(
    {
        ("delivery", "negative"): -3.0,
        ("customer_service", "negative"): -2.6,
        ("price", "negative"): -2.2,
        ("quality", "negative"): -1.9,
        ("returns", "positive"): 2.4,
        ("staff_attitude", "positive"): 2.0,
    }
)
"""True effect of an experience on the 0-10 likelihood-to-recommend score, before rounding.

Praise moves the observed score less than its planted effect, because many customers already
answer 9 or 10 and the scale stops at 10.
"""

MINOR_EFFECTS: Mapping[tuple[str, Polarity], float] = MappingProxyType(
    {
        ("returns", "negative"): -0.4,
        ("staff_attitude", "negative"): -0.4,
        ("waiting_time", "negative"): -0.4,
        ("billing", "negative"): -0.4,
        ("website_app", "negative"): -0.4,
        ("product_range", "negative"): -0.3,
        ("marketing", "negative"): -0.3,
        ("opening_hours", "negative"): -0.3,
        ("packaging", "negative"): -0.2,
        ("customer_service", "positive"): 0.5,
        ("quality", "positive"): 0.5,
        ("delivery", "positive"): 0.4,
        ("price", "positive"): 0.4,
    }
)
"""Effects of the remaining experiences; any pair not listed has 0.3 (positive) or 0 (neutral)."""

PLANTED_DRIVERS: tuple[str, ...] = tuple(theme for theme, _ in DRIVER_EFFECTS)
"""Themes that truly drive NPS, largest effect on the observed 0-10 score first."""


def effect(theme: str, polarity: Polarity) -> float:
    """The planted effect of one experience on the 0-10 score."""
    key = (theme, polarity)
    if key in DRIVER_EFFECTS:
        return DRIVER_EFFECTS[key]
    if key in MINOR_EFFECTS:
        return MINOR_EFFECTS[key]
    return 0.3 if polarity == "positive" else 0.0


@dataclass(frozen=True, slots=True)
class Stories:
    """The planted stories of one generated period, with their exact parameters.

    Attributes:
        cheating_campaign: the campaign whose fine print made customers feel cheated.
        cheating_month: its month, ``YYYY-MM`` (the prefix of ``received_at``).
        cheating_reach: share of customers the campaign was sent to.
        late_partner: the delivery partner that starts arriving late ...
        late_region: ... in this region only ...
        late_from: ... from this local date on.
        returns_policy_country: the country that introduced free 100-day returns ...
        returns_policy_from: ... on this date.
        loud_customers: customer ids of the few who complain again and again ...
        loud_messages: ... this many messages each ...
        loud_theme: ... about this minor theme.
        opening_hours_share: about this share of all feedback, every month, complains about
            customer service's opening hours (an outcome of the ordinary theme rates).
        planted_drivers: themes that truly drive NPS, largest effect first.
    """

    cheating_campaign: str
    cheating_month: str
    cheating_reach: float
    late_partner: str
    late_region: str
    late_from: dt.date
    returns_policy_country: str
    returns_policy_from: dt.date
    loud_customers: tuple[str, ...]
    loud_messages: tuple[int, ...]
    loud_theme: str
    opening_hours_share: float
    planted_drivers: tuple[str, ...]

    @property
    def cheating_start(self) -> dt.date:
        """First day of the cheating campaign."""
        return dt.date.fromisoformat(f"{self.cheating_month}-01")

    @property
    def cheating_end(self) -> dt.date:
        """Last day of the cheating campaign."""
        return add_months(self.cheating_start, 1) - dt.timedelta(days=1)


_SALE_BY_SEASON = {
    12: "Vinterrea Max",
    1: "Vinterrea Max",
    2: "Vinterrea Max",
    3: "Vårrea Max",
    4: "Vårrea Max",
    5: "Vårrea Max",
    6: "Sommarrea Max",
    7: "Sommarrea Max",
    8: "Sommarrea Max",
    9: "Höstrea Max",
    10: "Höstrea Max",
    11: "Höstrea Max",
}

# Fixed ids (not drawn) so that tests and demos can name them; every generated size has them,
# because generate() requires at least 10,000 feedback items and so 5,000 customers.
_LOUD_CUSTOMERS = ("c-000117", "c-000842", "c-001503", "c-002266", "c-003390")
_LOUD_MESSAGES = (34, 47, 58, 66, 79)


def plant(start: dt.date) -> Stories:
    """The stories for a period that begins on ``start``.

    The campaign runs in the ninth month, the returns policy starts in the sixth, and the late
    deliveries from the first Monday a week into the fifth: each has months of history before it
    and months after it, which before/after comparisons need.
    """
    cheating = add_months(start, 8)
    late_base = add_months(start, 4) + dt.timedelta(days=7)
    late_from = late_base + dt.timedelta(days=(7 - late_base.weekday()) % 7)
    return Stories(
        cheating_campaign=_SALE_BY_SEASON[cheating.month],
        cheating_month=f"{cheating.year:04d}-{cheating.month:02d}",
        cheating_reach=0.62,
        late_partner="Budgo",
        late_region="Västra Götaland",
        late_from=late_from,
        returns_policy_country="DK",
        returns_policy_from=add_months(start, 5),
        loud_customers=_LOUD_CUSTOMERS,
        loud_messages=_LOUD_MESSAGES,
        loud_theme="packaging",
        opening_hours_share=0.027,
        planted_drivers=PLANTED_DRIVERS,
    )


STORIES = plant(DEFAULT_START)
"""The stories of the default period."""

CHEATING_CAMPAIGN = STORIES.cheating_campaign
CHEATING_MONTH = STORIES.cheating_month
LATE_PARTNER = STORIES.late_partner
LATE_REGION = STORIES.late_region
LATE_FROM = STORIES.late_from
RETURNS_POLICY_COUNTRY = STORIES.returns_policy_country
RETURNS_POLICY_FROM = STORIES.returns_policy_from
LOUD_CUSTOMERS = STORIES.loud_customers
LOUD_MESSAGES = STORIES.loud_messages
LOUD_THEME = STORIES.loud_theme
