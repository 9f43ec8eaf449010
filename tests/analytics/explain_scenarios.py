"""A generator of companies with one planted cause of a change, for testing `explain`.

Each scenario is two months of NPS feedback (May and June 2026) from a company whose attributes
are correlated the way real ones are: every store lies in one region, delivery partners serve
regions unevenly, products sell differently per channel and customer segment. Scores come from
a latent 0-10 propensity with customer-level and response-level noise, a seasonal shift common
to everyone in June, and harmless campaigns in both months. On top, one cause is planted in
June (or none): a campaign that angers its recipients, a region, a delivery partner in one
region, a product, a store, or a mix shift towards an unhappy channel with no rate change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from klarsyn.analytics.explain import PAIR_SIGN
from klarsyn.analytics.explain_windows import Window

KINDS = ("campaign", "region", "pair", "product", "store", "mix", "null")
MAY = Window(
    "2026-05", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
)
JUNE = Window(
    "2026-06", dt.datetime(2026, 6, 1, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
)

REGIONS = ("Norr", "Mitt", "Öst", "Väst", "Syd", "Gotland")
REGION_WEIGHTS = (0.12, 0.18, 0.27, 0.2, 0.17, 0.06)
PARTNERS = ("Budgo", "Nordfrakt", "Hemlev", "Snabbo")
PRODUCTS = ("furniture", "lighting", "textiles", "kitchen", "garden", "storage")
CHANNELS = ("web", "app", "phone")
SEGMENTS = ("private", "business")


@dataclass(frozen=True, slots=True)
class Scenario:
    kind: str
    feedback: pl.DataFrame
    events: pl.DataFrame
    dimension: str | None  # the planted cause, as explain names it
    value: str | None
    effect: str | None


def _partner_weights(rng: np.random.Generator) -> np.ndarray:
    """Each region's mix of delivery partners (rows: regions), drawn once per company."""
    return rng.dirichlet(np.full(len(PARTNERS), 2.0), size=len(REGIONS))


def _draw(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per row, row i drawn with the probabilities in row i."""
    return (probabilities.cumsum(axis=1) > rng.random(len(probabilities))[:, None]).argmax(axis=1)


def generate(kind: str, seed: int, *, per_month: int = 6_000) -> Scenario:
    rng = np.random.default_rng(seed)
    customers = per_month
    n = 2 * per_month
    june = np.repeat([False, True], per_month)
    day = rng.uniform(0, 30, n)
    start = np.where(june, 0.0, -31.0)
    june_first = np.datetime64("2026-06-01T00:00:00", "us")
    received = june_first + ((start + day) * 86_400e6).astype("timedelta64[us]")
    customer = rng.integers(0, customers, n)
    # Customers have a home region and a segment; stores and partners follow the region.
    home = rng.choice(len(REGIONS), customers, p=REGION_WEIGHTS)
    business = rng.random(customers) < 0.2
    region = home[customer]
    # Each region has a flagship store and two smaller ones.
    store = region * 3 + rng.choice(3, n, p=[0.6, 0.25, 0.15])
    partners = _partner_weights(rng)
    partner = _draw(partners[region], rng)
    channel_p = np.array([0.55, 0.35, 0.10])
    channel = rng.choice(len(CHANNELS), n, p=channel_p)
    if kind == "mix":
        # June brings three times the phone responses; phone callers were always less happy.
        june_p = np.array([0.42, 0.28, 0.30])
        channel = np.where(june, rng.choice(len(CHANNELS), n, p=june_p), channel)
    product_p = np.where(
        business[customer][:, None],
        [0.4, 0.1, 0.05, 0.15, 0.1, 0.2],
        [0.15, 0.2, 0.2, 0.2, 0.1, 0.15],
    )
    product = _draw(product_p, rng)

    region_effect = rng.normal(0, 0.4, len(REGIONS))
    product_effect = rng.normal(0, 0.3, len(PRODUCTS))
    partner_effect = rng.normal(0, 0.3, len(PARTNERS))
    channel_effect = np.array([0.2, 0.1, -2.2])
    person = rng.normal(0, 1.0, customers)
    latent = (
        7.4
        + region_effect[region]
        + product_effect[product]
        + partner_effect[partner]
        + channel_effect[channel]
        + person[customer]
        + rng.normal(0, 1.8, n)
        + june * rng.uniform(-0.15, 0.15)  # the season moves everyone alike
    )

    # Harmless campaigns in both months, and "Max" in June (which angers only when planted).
    frames = []
    for name, first_day, reach in (("Vår", -28, 0.3), ("Sommar", 2, 0.3), ("Max", 1, 0.35)):
        chosen = np.flatnonzero(rng.random(customers) < reach)
        when = june_first + ((first_day + rng.uniform(0, 3, chosen.size)) * 86_400e6).astype(
            "timedelta64[us]"
        )
        frames.append(
            pl.DataFrame(
                {
                    "customer_id": [f"c{c}" for c in chosen],
                    "occurred_at": pl.Series(when).dt.replace_time_zone("UTC"),
                    "campaign": [name] * chosen.size,
                }
            )
        )
    event_frame = pl.concat(frames).with_columns(type=pl.lit("campaign"))

    size = rng.uniform(0.8, 1.2)
    dimension: str | None = None
    value: str | None = None
    effect: str | None = "rate"
    planted = np.zeros(n, dtype=bool)
    if kind == "campaign":
        sent = event_frame.filter(pl.col("campaign") == "Max")
        first = dict(
            zip(sent["customer_id"], sent["occurred_at"].dt.replace_time_zone(None), strict=True)
        )
        moments = received.astype("datetime64[us]").tolist()
        planted = np.array(
            [
                first.get(f"c{c}", dt.datetime.max) <= t
                for c, t in zip(customer, moments, strict=True)
            ]
        )
        dimension, value, effect = "campaign", "Max", "exposure"
        latent -= planted * 3.0 * size
    elif kind == "region":
        target = int(rng.choice([1, 3, 4]))
        planted = june & (region == target)
        dimension, value = "region", REGIONS[target]
        latent -= planted * 3.0 * size
    elif kind == "pair":
        target_region = int(rng.choice([1, 2, 3]))
        # A partner that is neither most of the region's deliveries nor mostly in that region,
        # so that the pair is a clear part of both (as Budgo in Västra Götaland).
        volume = partners * np.array(REGION_WEIGHTS)[:, None]
        in_region = partners[target_region]
        of_partner = volume[target_region] / volume.sum(axis=0)
        fits = np.flatnonzero((in_region > 0.15) & (in_region < 0.5) & (of_partner < 0.5))
        target_partner = int(fits[0]) if fits.size else int(np.argsort(in_region)[-2])
        planted = june & (region == target_region) & (partner == target_partner)
        dimension, value = (
            PAIR_SIGN.join(["delivery_partner", "region"]),
            PAIR_SIGN.join([PARTNERS[target_partner], REGIONS[target_region]]),
        )
        latent -= planted * 4.0 * size
    elif kind == "product":
        target = int(rng.choice([1, 2, 3]))
        planted = june & (product == target)
        dimension, value = "product", PRODUCTS[target]
        latent -= planted * 3.0 * size
    elif kind == "store":
        target = int(rng.choice([3, 6, 9]))
        planted = june & (store == target)
        dimension, value = "store", f"S{target:02d}"
        latent -= planted * 4.0 * size
    elif kind == "mix":
        dimension, value, effect = "channel", "phone", "mix"
    else:
        effect = None

    score = np.clip(np.rint(latent), 0, 10).astype(np.int64)
    feedback = pl.DataFrame(
        {
            "id": [f"f{i}" for i in range(n)],
            "received_at": pl.Series(received).dt.replace_time_zone("UTC"),
            "customer_id": [f"c{c}" for c in customer],
            "nps": score,
            "text": ["ok"] * n,
            "channel": np.array(CHANNELS)[channel],
            "segment": np.array(SEGMENTS)[business[customer].astype(int)],
            "delivery_partner": np.array(PARTNERS)[partner],
            "region": np.array(REGIONS)[region],
            "store": [f"S{s:02d}" for s in store],
            "product": np.array(PRODUCTS)[product],
        }
    )
    return Scenario(kind, feedback, event_frame, dimension, value, effect)
