"""The operational timeline: orders, deliveries, customer-service contacts, campaign exposures.

It holds the orders, deliveries and contacts behind every feedback item (always before it), the
campaign sends, and each customer's other orders while they remain a customer. Order numbers
rise with time, as they do in a real shop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt
import polars as pl

from klarsyn.demo.campaigns import Campaign, Exposures
from klarsyn.demo.catalogue import CATEGORIES, draw_categories, draw_order_values
from klarsyn.demo.columns import labels
from klarsyn.demo.customers import Customers
from klarsyn.demo.deliveries import draw_late_minutes, draw_partners
from klarsyn.demo.geography import COUNTRIES, PARTNERS, REGION_NAMES, STORES, TIME_ZONES
from klarsyn.demo.identifiers import customer_ids, external_ids, order_ids
from klarsyn.demo.occasions import CONTACT_CHANNELS, Occasions
from klarsyn.demo.stories import Stories
from klarsyn.demo.timeline import DAY, HOUR, day_weights, iso_local, seconds

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

ORDER, DELIVERY, CONTACT, CAMPAIGN = range(4)
EVENT_TYPES = ("order", "delivery", "contact", "campaign")


@dataclass(frozen=True, slots=True)
class _Orders:
    time: Ints
    customer: Ints
    category: Ints
    value: Floats
    web: Bools
    store: Ints
    partner: Ints
    late_minutes: Ints
    delivery_time: Ints
    has_delivery: Bools


@dataclass(frozen=True, slots=True)
class Timeline:
    """The events table and the order number behind each feedback occasion (-1 if none)."""

    events: pl.DataFrame
    occasion_orders: Ints


def build_timeline(
    rng: np.random.Generator,
    *,
    occasions: Occasions,
    customers: Customers,
    churned: Ints,
    exposures: Exposures,
    campaigns: list[Campaign],
    start: dt.date,
    end: dt.date,
    stories: Stories,
) -> Timeline:
    """All events of the period, consistent with the feedback and with churn."""
    linked = _linked_orders(occasions)
    other = _other_orders(
        rng, customers=customers, churned=churned, start=start, end=end, stories=stories
    )
    orders = _Orders(
        *(
            np.concatenate([getattr(linked, f.name), getattr(other, f.name)])
            for f in fields(_Orders)
        )
    )
    numbers = _order_numbers(rng, orders.time)
    occasion_orders = np.full(occasions.size, -1, dtype=np.int64)
    occasion_orders[occasions.has_order] = numbers[: linked.time.size]
    left = churned[exposures.customer]
    active = (left < 0) | (exposures.time < left)
    contacts = occasions.contact_channel >= 0
    frame = pl.concat(
        [
            _order_rows(orders, numbers, customers),
            _delivery_rows(orders, numbers, customers),
            _contact_rows(occasions, contacts),
            _campaign_rows(exposures, active, campaigns),
        ],
        how="diagonal_relaxed",
    )
    frame = frame.filter(pl.col("time") < seconds(end)).sort(
        "time", "type", "customer", maintain_order=True
    )
    return Timeline(_finish(frame, customers), occasion_orders)


def _linked_orders(occasions: Occasions) -> _Orders:
    keep = occasions.has_order
    return _Orders(
        time=occasions.order_time[keep],
        customer=occasions.customer[keep],
        category=occasions.category[keep],
        value=occasions.order_value[keep],
        web=occasions.web[keep],
        store=occasions.store[keep],
        partner=occasions.partner[keep],
        late_minutes=occasions.late_minutes[keep],
        delivery_time=occasions.delivery_time[keep],
        has_delivery=occasions.has_delivery[keep],
    )


def _other_orders(
    rng: np.random.Generator,
    *,
    customers: Customers,
    churned: Ints,
    start: dt.date,
    end: dt.date,
    stories: Stories,
) -> _Orders:
    """Each customer's orders in the period, in proportion to their yearly value, on seasonal
    days while they are a customer."""
    months = (end - start).days / 30.4
    rate = np.minimum(customers.annual_value / 1_400.0 * months / 12, 30.0)
    counts = rng.poisson(rate)
    customer = np.repeat(np.arange(customers.size, dtype=np.int64), counts)
    n = customer.size
    weights = day_weights(start, end)
    day = rng.choice(weights.size, size=n, p=weights / weights.sum())
    time = seconds(start) + day * DAY + rng.integers(8 * HOUR, 22 * HOUR, size=n)
    first = np.maximum(customers.signup[customer], seconds(start))
    last = np.where(churned[customer] >= 0, churned[customer], seconds(end))
    outside = (time < first) | (time >= last)
    redrawn = first + (rng.random(n) * np.maximum(last - first, 0)).astype(np.int64)
    time = np.where(outside, redrawn, time)
    keep = time < last
    customer, time = customer[keep], time[keep]
    n = customer.size
    month = (time // DAY).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    category = draw_categories(rng, month % 12 + 1)
    value = draw_order_values(rng, category, customers.segment[customer] == 1)
    web = rng.random(n) < customers.web_share[customer]
    store = np.where(web, -1, customers.home_store[customer])
    partner = np.where(web, draw_partners(rng, customers.country[customer]), -1)
    promised = time + rng.integers(1, 4, size=n) * DAY + rng.integers(8, 18, size=n) * HOUR
    late = draw_late_minutes(
        rng, partner=partner, region=customers.region[customer], time=promised, stories=stories
    )
    late = np.where(web, late, 0)
    delivered = promised + late * 60
    return _Orders(time, customer, category, value, web, store, partner, late, delivered, web)


def _order_numbers(rng: np.random.Generator, time: Ints) -> Ints:
    """Receipt numbers that grow with time, with gaps from orders of other shops' systems."""
    order = np.argsort(time, kind="stable")
    numbers = np.empty(time.size, dtype=np.int64)
    numbers[order] = 3_100_000 + np.cumsum(rng.integers(1, 12, size=time.size))
    return numbers


def _order_rows(orders: _Orders, numbers: Ints, customers: Customers) -> pl.DataFrame:
    region = customers.region[orders.customer]
    return pl.DataFrame(
        {
            "time": orders.time,
            "type": np.full(orders.time.size, ORDER),
            "customer": orders.customer,
            "order_id": order_ids(numbers),
            "sales_channel": np.where(orders.web, "web", "store"),
            "store": labels(STORES, orders.store),
            "product_category": labels(CATEGORIES, orders.category),
            "order_value": orders.value,
            "region": labels(REGION_NAMES, region),
        }
    )


def _delivery_rows(orders: _Orders, numbers: Ints, customers: Customers) -> pl.DataFrame:
    keep = orders.has_delivery
    region = customers.region[orders.customer[keep]]
    return pl.DataFrame(
        {
            "time": orders.delivery_time[keep],
            "type": np.full(int(keep.sum()), DELIVERY),
            "customer": orders.customer[keep],
            "order_id": order_ids(numbers[keep]),
            "region": labels(REGION_NAMES, region),
            "delivery_partner": labels(PARTNERS, orders.partner[keep]),
            "late_minutes": orders.late_minutes[keep],
        }
    )


def _contact_rows(occasions: Occasions, keep: Bools) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "time": occasions.contact_time[keep],
            "type": np.full(int(keep.sum()), CONTACT),
            "customer": occasions.customer[keep],
            "channel": labels(CONTACT_CHANNELS, occasions.contact_channel[keep]),
        }
    )


def _campaign_rows(exposures: Exposures, keep: Bools, campaigns: list[Campaign]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "time": exposures.time[keep],
            "type": np.full(int(keep.sum()), CAMPAIGN),
            "customer": exposures.customer[keep],
            "channel": labels([c.channel for c in campaigns], exposures.campaign[keep]),
            "campaign": labels([c.name for c in campaigns], exposures.campaign[keep]),
        }
    )


def _finish(frame: pl.DataFrame, customers: Customers) -> pl.DataFrame:
    """External ids, local ISO times and the documented column order."""
    customer = frame["customer"].to_numpy()
    zones = [TIME_ZONES[code] for code in COUNTRIES]
    return frame.with_columns(
        id=external_ids("ev-", np.arange(1, frame.height + 1, dtype=np.int64), width=7),
        customer_id=customer_ids(customer),
        occurred_at=iso_local(frame["time"].to_numpy(), customers.country[customer], zones),
        type=labels(EVENT_TYPES, frame["type"].to_numpy()),
        order_value=pl.col("order_value").cast(pl.Int64),
    ).select(
        "id",
        "customer_id",
        "occurred_at",
        "type",
        "order_id",
        "sales_channel",
        "store",
        "product_category",
        "order_value",
        "region",
        "delivery_partner",
        "late_minutes",
        "channel",
        "campaign",
    )
