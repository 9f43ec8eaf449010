"""Synthetic feedback frames for the analytics tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest


@pytest.fixture
def feedback() -> pl.DataFrame:
    """600 rows over ~13 weeks of 2024: every score column, two attributes, repeat customers."""
    rng = np.random.default_rng(2024)
    n = 600
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    seconds = rng.integers(0, 90 * 86_400, n)
    return pl.DataFrame(
        {
            "id": np.arange(n),
            "received_at": [start + dt.timedelta(seconds=int(s)) for s in seconds],
            "channel": rng.choice(["email", "survey", "chat"], n),
            "region": rng.choice(["north", "south"], n, p=[0.3, 0.7]),
            "customer_id": rng.choice([f"c{i}" for i in range(250)], n),
            "nps": pl.Series(rng.integers(0, 11, n)).scatter(rng.integers(0, n, 40), None),
            "csat": rng.integers(1, 6, n),
            "ces": rng.integers(1, 8, n),
            "rating": rng.integers(1, 6, n),
            "weight": rng.uniform(0.2, 3.0, n),
        }
    )
