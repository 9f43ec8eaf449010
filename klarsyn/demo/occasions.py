"""The occasions on which customers gave feedback: who, when, through which channel, about what.

An occasion carries the order, delivery and contact behind it, so that the events table can show
them before the feedback, as a real customer timeline would. Three kinds of occasions exist:
ordinary ones, the extra contacts that the cheating campaign set off, and the loud customers'
repeated messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from klarsyn.demo.campaigns import Exposures
from klarsyn.demo.catalogue import draw_categories, draw_order_values, draw_rows
from klarsyn.demo.customers import Customers
from klarsyn.demo.deliveries import draw_late_minutes, draw_partners
from klarsyn.demo.identifiers import customer_index
from klarsyn.demo.stories import Stories
from klarsyn.demo.timeline import DAY, HOUR, day_weights, draw_times, seconds

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

CHANNELS = ("survey", "review", "ticket", "email", "chat")
STAGES = ("purchase", "delivery", "use", "support", "return")
CONTACT_CHANNELS = ("phone", "chat", "email", "web_form")
# Why an occasion exists: an ordinary one, an extra contact set off by the cheating campaign,
# or a loud customer's repeated message.
ORDINARY, CAMPAIGN_SURGE, LOUD_MESSAGE = range(3)
# What a survey asked: nothing (not a survey), likelihood to recommend, or CSAT and CES.
NOT_A_SURVEY, NPS_SURVEY, SUPPORT_SURVEY = range(3)

_CHANNEL_WEIGHTS = np.array([0.50, 0.15, 0.12, 0.12, 0.11])
# Rows: channel; columns: stage. Surveys are split further by kind in _survey_stage.
_STAGE_WEIGHTS = np.array(
    [
        [0.34, 0.30, 0.00, 0.30, 0.06],
        [0.18, 0.00, 0.82, 0.00, 0.00],
        [0.12, 0.30, 0.00, 0.38, 0.20],
        [0.15, 0.25, 0.00, 0.40, 0.20],
        [0.25, 0.30, 0.00, 0.35, 0.10],
    ]
)
_SURGE_CHANNELS = np.array([0.0, 0.0, 0.40, 0.35, 0.25])
_LOUD_CHANNELS = np.array([0.0, 0.15, 0.30, 0.45, 0.10])
PURCHASE, DELIVERY, USE, SUPPORT, RETURN = range(5)
SURVEY, REVIEW, TICKET, EMAIL, CHAT = range(5)


@dataclass(frozen=True, slots=True)
class Occasions:
    """One row per feedback item, as parallel arrays."""

    time: Ints
    customer: Ints
    channel: Ints
    survey_kind: Ints
    stage: Ints
    web: Bools
    store: Ints  # -1 unless the order was made in a store
    category: Ints
    has_order: Bools
    order_time: Ints
    order_value: Floats
    has_delivery: Bools
    delivery_time: Ints
    partner: Ints  # -1 without a delivery
    late_minutes: Ints
    contact_channel: Ints  # -1 without a contact
    contact_time: Ints
    origin: Ints
    loud_number: Ints  # the how-many-th message of a loud customer, else 0

    @property
    def size(self) -> int:
        """Number of occasions."""
        return int(self.time.size)


@dataclass(frozen=True, slots=True)
class _Who:
    """The skeleton of occasions before orders and deliveries are attached."""

    time: Ints
    customer: Ints
    channel: Ints
    stage: Ints
    origin: Ints
    loud_number: Ints


def draw_occasions(
    rng: np.random.Generator,
    *,
    n: int,
    customers: Customers,
    exposures: Exposures,
    cheating: int,
    start: dt.date,
    end: dt.date,
    stories: Stories,
) -> Occasions:
    """``n`` feedback occasions: ordinary ones, the campaign's surge and the loud customers'."""
    loud = _loud(rng, stories=stories, customers=customers, start=start, end=end)
    surge_size = round(n * 0.025)
    surge = _surge(rng, surge_size, exposures=exposures, cheating=cheating, stories=stories)
    ordinary = _ordinary(
        rng, n - surge_size - loud.time.size, customers=customers, start=start, end=end
    )
    who = _Who(
        *(
            np.concatenate([getattr(part, name) for part in (ordinary, surge, loud)])
            for name in ("time", "customer", "channel", "stage", "origin", "loud_number")
        )
    )
    return _attach_orders(rng, who, customers=customers, stories=stories)


def _ordinary(
    rng: np.random.Generator, n: int, *, customers: Customers, start: dt.date, end: dt.date
) -> _Who:
    weights = customers.activity / customers.activity.sum()
    customer = rng.choice(customers.size, size=n, p=weights).astype(np.int64)
    time = draw_times(rng, n, start=start, weights=day_weights(start, end))
    signup = customers.signup[customer]
    late_joiner = time < signup
    redrawn = signup + (rng.random(n) * (seconds(end) - signup)).astype(np.int64)
    time = np.where(late_joiner, redrawn, time)
    channel = rng.choice(len(CHANNELS), size=n, p=_CHANNEL_WEIGHTS).astype(np.int64)
    stage = draw_rows(rng, _STAGE_WEIGHTS[channel])
    origin = np.full(n, ORDINARY, dtype=np.int64)
    return _Who(time, customer, channel, stage, origin, np.zeros(n, dtype=np.int64))


def _surge(
    rng: np.random.Generator, n: int, *, exposures: Exposures, cheating: int, stories: Stories
) -> _Who:
    """Contacts from customers who received the cheating campaign, in the weeks after it."""
    sent = np.flatnonzero(exposures.campaign == cheating)
    pick = sent[rng.integers(0, sent.size, size=n)]
    customer = exposures.customer[pick]
    delay = (HOUR + rng.gamma(1.4, 4.5, size=n) * DAY).astype(np.int64)
    last = seconds(stories.cheating_end) + 5 * DAY
    time = np.minimum(exposures.time[pick] + delay, last - rng.integers(0, 5 * DAY, size=n))
    time = np.maximum(time, exposures.time[pick] + HOUR)
    channel = rng.choice(len(CHANNELS), size=n, p=_SURGE_CHANNELS).astype(np.int64)
    stage = np.full(n, SUPPORT, dtype=np.int64)
    origin = np.full(n, CAMPAIGN_SURGE, dtype=np.int64)
    return _Who(time, customer, channel, stage, origin, np.zeros_like(time))


def _loud(
    rng: np.random.Generator,
    *,
    stories: Stories,
    customers: Customers,
    start: dt.date,
    end: dt.date,
) -> _Who:
    """Each loud customer's messages, spread over the period in their own rhythm."""
    parts = []
    for customer_id, count in zip(stories.loud_customers, stories.loud_messages, strict=True):
        index = customer_index(customer_id)
        first = max(seconds(start), int(customers.signup[index])) + DAY
        time = np.sort(rng.integers(first, seconds(end) - DAY, size=count)).astype(np.int64)
        channel = rng.choice(len(CHANNELS), size=count, p=_LOUD_CHANNELS).astype(np.int64)
        stage = np.where(rng.random(count) < 0.6, DELIVERY, SUPPORT).astype(np.int64)
        stage[channel == REVIEW] = USE
        number = np.arange(1, count + 1, dtype=np.int64)
        parts.append((time, np.full(count, index, dtype=np.int64), channel, stage, number))
    time, customer, channel, stage, number = (np.concatenate(c) for c in zip(*parts, strict=True))
    return _Who(time, customer, channel, stage, np.full(time.size, LOUD_MESSAGE), number)


def _attach_orders(
    rng: np.random.Generator, who: _Who, *, customers: Customers, stories: Stories
) -> Occasions:
    """The order, delivery and contact behind each occasion, placed before the feedback."""
    n = who.time.size
    c = who.customer
    stage = who.stage
    is_survey = who.channel == SURVEY
    kind = np.where(stage == SUPPORT, SUPPORT_SURVEY, NPS_SURVEY)
    survey_kind = np.where(is_survey, kind, NOT_A_SURVEY).astype(np.int64)
    has_order = (stage != SUPPORT) | (rng.random(n) < 0.5)
    web = (stage == DELIVERY) | (rng.random(n) < customers.web_share[c])
    web |= customers.home_store[c] < 0
    store = np.where(has_order & ~web, customers.home_store[c], -1)
    has_delivery = has_order & web

    lag = {
        PURCHASE: (HOUR, 30 * HOUR),
        DELIVERY: (2 * DAY, 6 * DAY),
        USE: (7 * DAY, 45 * DAY),
        SUPPORT: (2 * DAY, 25 * DAY),
        RETURN: (5 * DAY, 40 * DAY),
    }
    low = np.array([lag[s][0] for s in range(5)])[stage]
    high = np.array([lag[s][1] for s in range(5)])[stage]
    order_time = who.time - (low + rng.random(n) * (high - low)).astype(np.int64)
    month_of_year = (order_time // DAY).astype("datetime64[D]").astype("datetime64[M]")
    category = draw_categories(rng, month_of_year.astype(np.int64) % 12 + 1)
    business = customers.segment[c] == 1
    order_value = draw_order_values(rng, category, business)

    partner = np.where(has_delivery, draw_partners(rng, customers.country[c]), -1)
    promised = order_time + rng.integers(1, 4, size=n) * DAY + rng.integers(8, 18, size=n) * HOUR
    late = draw_late_minutes(
        rng, partner=partner, region=customers.region[c], time=promised, stories=stories
    )
    late = np.where(has_delivery, late, 0)
    delivery_time = promised + late * 60
    # Delivery feedback comes after the parcel: move the order back if the parcel was late.
    after = who.time - (HOUR + rng.random(n) * 60 * HOUR).astype(np.int64)
    shift = np.where((stage == DELIVERY) & (delivery_time > after), delivery_time - after, 0)
    order_time -= shift
    delivery_time -= shift

    text_channel = who.channel >= TICKET
    contact_channel = np.full(n, -1, dtype=np.int64)
    contact_channel[stage == SUPPORT] = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])[stage == SUPPORT]
    contact_channel[text_channel] = np.array([3, 2, 1])[who.channel[text_channel] - TICKET]
    contact_time = np.where(
        text_channel, who.time, who.time - rng.integers(10 * 60, 6 * HOUR, size=n)
    )
    return Occasions(
        time=who.time,
        customer=c,
        channel=who.channel,
        survey_kind=survey_kind,
        stage=stage,
        web=web,
        store=store,
        category=category,
        has_order=has_order,
        order_time=order_time,
        order_value=order_value,
        has_delivery=has_delivery,
        delivery_time=delivery_time,
        partner=partner,
        late_minutes=late,
        contact_channel=contact_channel,
        contact_time=contact_time.astype(np.int64),
        origin=who.origin,
        loud_number=who.loud_number,
    )
