"""Generating the demo company, and writing it out as the CSV files the importer reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from klarsyn.demo.campaigns import campaigns_frame, draw_exposures, latest_exposure, schedule
from klarsyn.demo.customers import Customers, customers_frame, draw_churn, draw_customers
from klarsyn.demo.events import build_timeline
from klarsyn.demo.experiences import CHEATING, Experiences, draw_experiences
from klarsyn.demo.feedback import feedback_tables
from klarsyn.demo.identifiers import customer_index
from klarsyn.demo.occasions import Occasions, draw_occasions
from klarsyn.demo.stories import (
    DEFAULT_FEEDBACK,
    DEFAULT_MONTHS,
    DEFAULT_START,
    Stories,
    plant,
)
from klarsyn.demo.timeline import add_months
from klarsyn.errors import InputError

MIN_MONTHS = 12
MIN_FEEDBACK = 10_000
TABLES = ("feedback", "customers", "events", "campaigns", "truth")


@dataclass(frozen=True)
class DemoCompany:
    """Nordhem's data: the four tables an organisation would import, plus the evaluation truth.

    Attributes:
        feedback: one row per feedback item, in the default feedback import format.
        customers: the CRM extract (default customers import format).
        events: orders, deliveries, contacts and campaign exposures (default events format).
        campaigns: the marketing calendar.
        truth: per feedback id, the themes, sentiment, story, language and personal data that
            the text really contains; never imported, only used to evaluate the product.
        stories: what was planted, and where.
    """

    feedback: pl.DataFrame
    customers: pl.DataFrame
    events: pl.DataFrame
    campaigns: pl.DataFrame
    truth: pl.DataFrame
    stories: Stories

    def write(self, directory: Path) -> dict[str, Path]:
        """Write every table as UTF-8, comma-separated CSV with a header row.

        Returns the path of each file by table name (``feedback`` -> ``feedback.csv``, ...).
        """
        directory.mkdir(parents=True, exist_ok=True)
        paths = {}
        for name in TABLES:
            path = directory / f"{name}.csv"
            getattr(self, name).write_csv(path)
            paths[name] = path
        return paths


def generate(
    *,
    seed: int = 7,
    start: dt.date = DEFAULT_START,
    months: int = DEFAULT_MONTHS,
    feedback: int = DEFAULT_FEEDBACK,
) -> DemoCompany:
    """Generate the demo company: the same arguments always give the same data.

    Args:
        seed: seeds every random draw; nothing else is random and no clock is read.
        start: the period begins on the first day of this date's month; the stories are placed
            relative to it.
        months: length of the period, at least 12.
        feedback: number of feedback items, at least 10,000; customers are half as many.
    """
    if months < MIN_MONTHS:
        raise InputError(
            f"months={months} is too short: the planted stories need at least {MIN_MONTHS}",
            hint=f"pass months={MIN_MONTHS} or more",
        )
    if feedback < MIN_FEEDBACK:
        raise InputError(
            f"feedback={feedback} is too few for the stories to be measurable; "
            f"expected at least {MIN_FEEDBACK:,}",
            hint=f"pass feedback={MIN_FEEDBACK} or more",
        )
    start = start.replace(day=1)
    end = add_months(start, months)
    stories = plant(start)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    settled = np.array([customer_index(c) for c in stories.loud_customers], dtype=np.int64)
    customers = draw_customers(streams[0], feedback // 2, start=start, end=end, settled=settled)
    campaigns = schedule(start=start, months=months, stories=stories)
    cheating = [c.name for c in campaigns].index(stories.cheating_campaign)
    exposures = draw_exposures(streams[1], campaigns, customers)
    occasions = draw_occasions(
        streams[2],
        n=feedback,
        customers=customers,
        exposures=exposures,
        cheating=cheating,
        start=start,
        end=end,
        stories=stories,
    )
    campaign = latest_exposure(exposures, customer=occasions.customer, time=occasions.time)
    experiences = draw_experiences(
        streams[3],
        occasions,
        customers=customers,
        campaign=campaign,
        cheating=cheating,
        stories=stories,
    )
    churned = _churn(streams[4], customers, occasions, experiences, start=start, end=end)
    timeline = build_timeline(
        streams[5],
        occasions=occasions,
        customers=customers,
        churned=churned,
        exposures=exposures,
        campaigns=campaigns,
        start=start,
        end=end,
        stories=stories,
    )
    tables = feedback_tables(
        streams[6],
        occasions=occasions,
        experiences=experiences,
        customers=customers,
        campaign=campaign,
        campaigns=campaigns,
        order_numbers=timeline.occasion_orders,
    )
    return DemoCompany(
        feedback=tables.feedback,
        customers=customers_frame(customers, churned=churned),
        events=timeline.events,
        campaigns=campaigns_frame(campaigns),
        truth=tables.truth,
        stories=stories,
    )


def _churn(
    rng: np.random.Generator,
    customers: Customers,
    occasions: Occasions,
    experiences: Experiences,
    *,
    start: dt.date,
    end: dt.date,
) -> npt.NDArray[np.int64]:
    """Who left and when, from what each customer went through."""
    n = customers.size
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, occasions.customer, occasions.time)
    bad = np.bincount(occasions.customer, weights=experiences.tone == 0, minlength=n)
    cheated = (
        np.bincount(occasions.customer, weights=experiences.story == CHEATING, minlength=n) > 0
    )
    return draw_churn(
        rng,
        customers,
        last_feedback=last,
        bad_experiences=bad.astype(np.int64),
        cheated=cheated,
        start=start,
        end=end,
    )
