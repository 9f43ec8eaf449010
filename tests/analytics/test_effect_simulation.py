"""Does the measured effect keep its promise? Seeded simulations with a known truth.

Each simulated company has customers in three countries who answer an NPS survey repeatedly over
30 weeks. Every customer has their own lasting mood (so repeat answers are correlated), all
countries share a seasonal swing, and Denmark starts a little lower. From week 20 an action
lifts Danish promoters and lowers Danish detractors by the same share, so the true effect on NPS
is known exactly: ``effect`` points. The 95% interval must cover it in at least 93% of the
simulated companies, and a null effect may be called significant in at most 7% of them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from klarsyn.analytics.effect import measure_effect

ORIGIN = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)  # a Monday
WEEK = 7 * 86_400
START = ORIGIN + dt.timedelta(weeks=20)
EFFECT = 12.0
DID_SIMULATIONS = 500
ITS_SIMULATIONS = 250


def _scores(rng: np.random.Generator, shift: np.ndarray) -> np.ndarray:
    """0-10 scores: promoter, passive or detractor with shares moved by ``shift``."""
    promoter = 0.42 + shift
    detractor = 0.28 - shift
    assert promoter.min() > 0 and detractor.min() > 0  # the shifts stay inside the simplex
    u = rng.random(shift.size)
    return np.select(
        [u < promoter, u < promoter + 0.30],
        [rng.integers(9, 11, shift.size), rng.integers(7, 9, shift.size)],
        rng.integers(0, 7, shift.size),
    )


def _frame(
    rng: np.random.Generator, customer: np.ndarray, seconds: np.ndarray, scores: np.ndarray
) -> pl.DataFrame:
    missing = rng.random(scores.size) < 0.05  # some answers skip the question
    instants = ((ORIGIN.timestamp() + seconds) * 1e6).astype(np.int64)
    return pl.DataFrame(
        {
            "received_at": pl.Series(instants).cast(pl.Datetime("us", "UTC")),
            "customer_id": [f"c{c}" for c in customer],
            "nps": pl.Series(np.where(missing, -1, scores)).replace(-1, None),
        }
    )


def simulate_did(seed: int, *, effect: float) -> pl.DataFrame:
    """One company: about 6,000 answers from 2,000 customers, the action in Denmark."""
    rng = np.random.default_rng(seed)
    customers = 2_000
    home = rng.choice(3, size=customers, p=[0.3, 0.45, 0.25])
    mood = rng.uniform(-0.15, 0.15, customers)
    answers = 1 + rng.poisson(2.0, customers)
    customer = np.repeat(np.arange(customers), answers)
    seconds = rng.uniform(0, 30 * WEEK, customer.size)
    weeks = seconds / WEEK
    season = 0.05 * np.sin(2 * np.pi * weeks / 26.0)
    danish = home[customer] == 0
    treated = danish & (seconds >= 20 * WEEK)
    shift = mood[customer] + season - 0.02 * danish + effect / 200.0 * treated
    frame = _frame(rng, customer, seconds, _scores(rng, shift))
    return frame.with_columns(country=pl.Series(np.array(["DK", "SE", "NO"])[home[customer]]))


def simulate_its(seed: int, *, effect: float) -> pl.DataFrame:
    """One segment over 40 weeks: a slow upward trend, weekly shocks that linger (AR(1)) and
    repeat customers; the action starts in week 20."""
    rng = np.random.default_rng(seed)
    customers = 1_500
    mood = rng.uniform(-0.1, 0.1, customers)
    answers = 1 + rng.poisson(2.0, customers)
    customer = np.repeat(np.arange(customers), answers)
    seconds = rng.uniform(0, 40 * WEEK, customer.size)
    week = (seconds // WEEK).astype(np.int64)
    shocks = np.zeros(40)
    for t in range(1, 40):
        shocks[t] = 0.3 * shocks[t - 1] + rng.normal(0.0, 0.006)
    trend = 0.0015 * (week - 20)
    treated = seconds >= 20 * WEEK
    shift = mood[customer] + trend + shocks[week] + effect / 200.0 * treated
    return _frame(rng, customer, seconds, _scores(rng, shift)).with_columns(country=pl.lit("DK"))


def report(line: str) -> None:
    """Show a measured rate: run with ``pytest -s`` to read them."""
    print(line)  # noqa: T201 - the rates are what a reviewer of this test wants to see


def _rates(effects: list[tuple[float, float, float]], truth: float) -> tuple[float, float]:
    covered = np.mean([low <= truth <= high for _, low, high in effects])
    significant = np.mean([p < 0.05 for p, _, _ in effects])
    return float(covered), float(significant)


def _run(simulate, seeds: range, *, effect: float, comparison: dict[str, str] | None):
    results = []
    for seed in seeds:
        frame = simulate(seed, effect=effect)
        measured = measure_effect(
            frame,
            metric="nps",
            start=START,
            target={"country": "DK"},
            comparison=comparison,
            time_zone="UTC",
        )
        assert measured.status == "measured"
        assert measured.p_value is not None
        assert measured.ci_low is not None and measured.ci_high is not None
        results.append((measured.p_value, measured.ci_low, measured.ci_high))
    return results


@pytest.mark.slow
def test_difference_in_differences_covers_the_planted_effect():
    results = _run(simulate_did, range(DID_SIMULATIONS), effect=EFFECT, comparison=None)
    coverage, power = _rates(results, EFFECT)
    report(f"DiD, planted +{EFFECT:g}: coverage {coverage:.1%}, significant {power:.1%}")
    assert coverage >= 0.93
    assert power > 0.5  # the effect is there to be found, not just covered by wide intervals


@pytest.mark.slow
def test_difference_in_differences_rarely_calls_a_null_effect_significant():
    seeds = range(10_000, 10_000 + DID_SIMULATIONS)
    results = _run(simulate_did, seeds, effect=0.0, comparison=None)
    coverage, false_alarms = _rates(results, 0.0)
    report(f"DiD, null: coverage {coverage:.1%}, significant {false_alarms:.1%}")
    assert false_alarms <= 0.07
    assert coverage >= 0.93


@pytest.mark.slow
def test_interrupted_time_series_covers_the_planted_effect():
    results = _run(simulate_its, range(ITS_SIMULATIONS), effect=EFFECT, comparison={})
    coverage, power = _rates(results, EFFECT)
    report(f"ITS, planted +{EFFECT:g}: coverage {coverage:.1%}, significant {power:.1%}")
    assert coverage >= 0.93


@pytest.mark.slow
def test_interrupted_time_series_rarely_calls_a_null_effect_significant():
    seeds = range(20_000, 20_000 + ITS_SIMULATIONS)
    results = _run(simulate_its, seeds, effect=0.0, comparison={})
    _, false_alarms = _rates(results, 0.0)
    report(f"ITS, null: significant {false_alarms:.1%}")
    assert false_alarms <= 0.07
