"""Seeded simulations: do the 95% intervals cover the truth 95% of the time?"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from klarsyn.analytics import metric_table, nps

SAMPLES = 2_000


def _simulated_surveys(shares: tuple[float, float, float], n: int, *, seed: int) -> pl.DataFrame:
    """``SAMPLES`` surveys of ``n`` responses: detractors 0-6, passives 7-8, promoters 9-10."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, size=(SAMPLES, n), p=shares)
    detractor = rng.integers(0, 7, size=(SAMPLES, n))
    passive = rng.integers(7, 9, size=(SAMPLES, n))
    promoter = rng.integers(9, 11, size=(SAMPLES, n))
    scores = np.choose(kind, [detractor, passive, promoter])
    return pl.DataFrame(
        {
            "sample": np.repeat(np.arange(SAMPLES), n),
            "nps": scores.ravel(),
            "customer_id": np.arange(SAMPLES * n),
        }
    )


# Over 200,000 simulated surveys these cases cover 95.0% (n = 150) and 95.3% (n = 40); with
# 2,000 surveys the simulation error is 0.5 points, so the 94-96% band is about two of those.
@pytest.mark.parametrize(
    "shares, n, seed",
    [((0.2, 0.3, 0.5), 150, 20240501), ((0.1, 0.2, 0.7), 40, 20240503)],
)
def test_nps_interval_covers_the_true_score_95_percent_of_the_time(
    shares: tuple[float, float, float], n: int, seed: int
) -> None:
    surveys = _simulated_surveys(shares, n, seed=seed)
    table = metric_table(surveys, metric="nps", by=["sample"])
    truth = 100.0 * (shares[2] - shares[0])
    covered = table.select(
        ((pl.col("ci_low") <= truth) & (truth <= pl.col("ci_high"))).mean()
    ).item()
    assert 0.94 <= covered <= 0.96


def test_the_table_and_the_single_sample_estimator_agree() -> None:
    surveys = _simulated_surveys((0.3, 0.3, 0.4), 25, seed=5)
    table = metric_table(surveys, metric="nps", by=["sample"]).head(20)
    for row in table.iter_rows(named=True):
        scores = surveys.filter(pl.col("sample") == row["sample"]).get_column("nps")
        estimate = nps(scores)
        assert (estimate.value, estimate.low, estimate.high) == pytest.approx(
            (row["value"], row["ci_low"], row["ci_high"]), abs=1e-9
        )
