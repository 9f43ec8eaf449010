"""Web-order deliveries: which partner carries a parcel and how late it arrives.

Lateness is where the late-partner story lives: from ``late_from`` on, the late partner's
deliveries in the late region are usually late, by a day or more; everyone else keeps the usual
small share of late parcels (a little more in the pre-Christmas rush).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from klarsyn.demo.catalogue import draw_rows
from klarsyn.demo.geography import COUNTRIES, PARTNER_WEIGHTS, PARTNERS, REGIONS
from klarsyn.demo.stories import Stories
from klarsyn.demo.timeline import DAY, seconds, to_dates

Ints = npt.NDArray[np.int64]


def draw_partners(rng: np.random.Generator, country: Ints) -> Ints:
    """A delivery partner for each parcel, by its country's partner shares."""
    weights = np.array([PARTNER_WEIGHTS[code] for code in COUNTRIES])
    return draw_rows(rng, weights[country])


def draw_late_minutes(
    rng: np.random.Generator, *, partner: Ints, region: Ints, time: Ints, stories: Stories
) -> Ints:
    """Minutes after the promised time each parcel arrived (0 when on time)."""
    n = partner.size
    dates = to_dates(time)
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    rush = (month == 12) & (day <= 23)
    affected = (
        (partner == PARTNERS.index(stories.late_partner))
        & (region == late_region_index(stories))
        & (time >= seconds(stories.late_from))
    )
    probability = np.where(affected, 0.62, np.where(rush, 0.15, 0.09))
    usual = 60 + rng.exponential(300.0, size=n)
    story = 240 + rng.exponential(1_900.0, size=n)
    minutes = np.where(affected, story, usual)
    late = rng.random(n) < probability
    return np.where(late, np.minimum(minutes, 6 * DAY / 60), 0).astype(np.int64)


def late_region_index(stories: Stories) -> int:
    """Index of the late region in :data:`~klarsyn.demo.geography.REGIONS`."""
    return next(i for i, r in enumerate(REGIONS) if r.name == stories.late_region)
