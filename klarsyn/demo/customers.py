"""Nordhem's customers: where they live, what they are worth, when they joined and left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from klarsyn.demo.catalogue import draw_rows
from klarsyn.demo.columns import labels, where
from klarsyn.demo.geography import (
    COUNTRIES,
    COUNTRY_WEIGHTS,
    LANGUAGE_WEIGHTS,
    LANGUAGES,
    REGION_NAMES,
    REGIONS,
    STORE_REGION,
)
from klarsyn.demo.identifiers import customer_ids
from klarsyn.demo.timeline import DAY, seconds

SEGMENTS = ("private", "business")
TIERS = ("none", "member", "gold")

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Customers:
    """Customer attributes as parallel arrays; index ``i`` is customer ``c-{i+1:06d}``."""

    country: Ints
    region: Ints
    home_store: Ints  # index into STORES, -1 where the region has no store
    segment: Ints
    tier: Ints
    annual_value: Floats
    signup: Ints  # wall-clock seconds
    language: Ints
    activity: Floats  # relative propensity to give feedback
    web_share: Floats  # share of purchases made online

    @property
    def size(self) -> int:
        """Number of customers."""
        return int(self.country.size)


def draw_customers(
    rng: np.random.Generator, n: int, *, start: dt.date, end: dt.date, settled: Ints
) -> Customers:
    """``n`` customers; those at the ``settled`` indices signed up well before ``start``."""
    country = rng.choice(len(COUNTRIES), size=n, p=np.array(COUNTRY_WEIGHTS))
    region = _draw_regions(rng, country)
    home_store = _draw_home_stores(rng, region)
    segment = (rng.random(n) < 0.07).astype(np.int64)
    value = rng.lognormal(np.log(2_600.0), 0.95, size=n) * (1 + 2.5 * segment)
    annual_value = np.round(value).astype(np.float64)
    rank = annual_value.argsort().argsort() / max(n - 1, 1)
    tier = np.where(rank > 0.85, 2, np.where(rank > 0.45, 1, 0)).astype(np.int64)
    language = np.empty(n, dtype=np.int64)
    for code, country_name in enumerate(COUNTRIES):
        mask = country == code
        weights = np.array(LANGUAGE_WEIGHTS[country_name])
        language[mask] = rng.choice(len(LANGUAGES), size=int(mask.sum()), p=weights)
    web_share = np.where(home_store < 0, 1.0, rng.beta(2.2, 1.8, size=n))
    return Customers(
        country=country.astype(np.int64),
        region=region,
        home_store=home_store,
        segment=segment,
        tier=tier,
        annual_value=annual_value,
        signup=_draw_signups(rng, n, start=start, end=end, settled=settled),
        language=language,
        activity=rng.lognormal(0.0, 0.8, size=n),
        web_share=web_share,
    )


def _draw_regions(rng: np.random.Generator, country: Ints) -> Ints:
    weights = np.zeros((len(COUNTRIES), len(REGIONS)))
    for index, region in enumerate(REGIONS):
        weights[COUNTRIES.index(region.country), index] = region.weight
    return draw_rows(rng, weights[country])


def _draw_home_stores(rng: np.random.Generator, region: Ints) -> Ints:
    store_region = np.array(STORE_REGION)
    weights = (store_region[None, :] == np.arange(len(REGIONS))[:, None]).astype(np.float64)
    has_store = weights.sum(axis=1) > 0
    weights[~has_store, 0] = 1.0  # placeholder, replaced by -1 below
    stores = draw_rows(rng, weights[region])
    return np.where(has_store[region], stores, -1)


def _draw_signups(
    rng: np.random.Generator, n: int, *, start: dt.date, end: dt.date, settled: Ints
) -> Ints:
    """Most customers joined in the six years before the period; a fifth join during it."""
    before = seconds(start) - rng.integers(30, 6 * 365, size=n) * DAY
    span = seconds(end) - seconds(start)
    during = seconds(start) + (rng.random(n) * span * 0.85).astype(np.int64)
    signup = np.where(rng.random(n) < 0.8, before, during)
    signup[settled] = before[settled]
    return (signup // DAY * DAY + rng.integers(8, 22, size=n) * 3_600).astype(np.int64)


def draw_churn(
    rng: np.random.Generator,
    customers: Customers,
    *,
    last_feedback: Ints,
    bad_experiences: Ints,
    cheated: npt.NDArray[np.bool_],
    start: dt.date,
    end: dt.date,
) -> Ints:
    """When each customer left (wall-clock seconds), or -1 if they stayed to the end.

    Detractor experiences raise the chance of leaving and the departure follows the last
    feedback, so that churn can later be tied to what customers went through.
    ``last_feedback`` is -1 for customers who gave none.
    """
    n = customers.size
    probability = (
        0.05
        + 0.16 * (bad_experiences > 0)
        + 0.08 * (bad_experiences > 2)
        + 0.14 * cheated
        - 0.02 * (customers.tier == 2)
    )
    leaves = rng.random(n) < probability
    gap = ((3 + rng.exponential(40.0, size=n)) * DAY).astype(np.int64)
    quiet_from = np.maximum(customers.signup, seconds(start))
    quiet = quiet_from + (rng.random(n) * (seconds(end) - quiet_from)).astype(np.int64)
    churned = np.where(last_feedback >= 0, last_feedback + gap, quiet)
    churned = churned // DAY * DAY + 12 * 3_600
    return np.where(leaves & (churned < seconds(end)), churned, -1).astype(np.int64)


def customers_frame(customers: Customers, *, churned: Ints) -> pl.DataFrame:
    """The customers table in the documented import format."""
    indices = np.arange(customers.size, dtype=np.int64)
    return pl.DataFrame(
        {
            "customer_id": customer_ids(indices),
            "segment": labels(SEGMENTS, customers.segment),
            "loyalty_tier": labels(TIERS, customers.tier),
            "country": labels(COUNTRIES, customers.country),
            "region": labels(REGION_NAMES, customers.region),
            "annual_value": customers.annual_value.astype(np.int64),
            "signup_date": to_iso_dates(customers.signup),
            "churned_at": to_iso_dates(churned),
        }
    )


def to_iso_dates(times: Ints) -> pl.Series:
    """ISO dates of wall-clock seconds; negative times (none) become null."""
    days = pl.Series(np.where(times >= 0, times // DAY, 0)).cast(pl.Int32).cast(pl.Date)
    return where(times >= 0, days.dt.to_string("%Y-%m-%d"))
