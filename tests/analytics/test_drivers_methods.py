"""The importance methods against independent computations and known truths."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import polars as pl
import pytest
from scipy.stats import spearmanr

from klarsyn.analytics.driver_bootstrap import draw_counts
from klarsyn.analytics.driver_data import driver_data, plan_predictors
from klarsyn.analytics.driver_models import fit_logit, logistic_fit
from klarsyn.analytics.drivers import key_drivers
from klarsyn.analytics.relative_weights import relative_weights
from klarsyn.analytics.shapley import correlation, shapley_r2

EFFECTS = {
    "delivery": -2.0,
    "price": -1.4,
    "service": -1.0,
    "waiting": -0.7,
    "app": -0.45,
    "invoice": -0.25,
}
PREVALENCE = [0.25, 0.2, 0.3, 0.15, 0.25, 0.2]


def simulate(n: int, *, seed: int, customers: int | None = None) -> pl.DataFrame:
    """Correlated negative-theme flags (one shared mood factor) and a 0-10 score with noise."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=n)
    latent = 0.6 * mood[:, None] + 0.8 * rng.normal(size=(n, len(EFFECTS)))
    cut = np.array([np.quantile(latent[:, j], 1.0 - q) for j, q in enumerate(PREVALENCE)])
    flags = (latent > cut).astype(np.int64)
    score = 8.0 + flags @ np.array(list(EFFECTS.values())) + rng.normal(scale=1.8, size=n)
    ids = np.arange(n) if customers is None else rng.integers(0, customers, n)
    return pl.DataFrame(
        {"customer_id": ids, "nps": np.clip(np.round(score), 0, 10)}
        | {name: flags[:, j] for j, name in enumerate(EFFECTS)}
    )


def weighted_r2(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """R² of weighted least squares with an intercept, fitted on the rows by lstsq."""
    design = np.column_stack([np.ones(len(y)), x])
    root = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)
    residual = y - design @ coef
    centred = y - (w @ y) / w.sum()
    return float(1.0 - (w @ residual**2) / (w @ centred**2))


def brute_force_shapley(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Shapley values of R² by refitting every subset regression on the rows."""
    p = x.shape[1]
    r2: dict[tuple[int, ...], float] = {(): 0.0}
    for size in range(1, p + 1):
        for subset in combinations(range(p), size):
            r2[subset] = weighted_r2(x[:, subset], y, w)
    values = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            weight = factorial(size) * factorial(p - size - 1) / factorial(p)
            for subset in combinations(others, size):
                values[j] += weight * (r2[tuple(sorted((*subset, j)))] - r2[subset])
    return values


@pytest.mark.parametrize("customers", [None, 300])
def test_exact_shapley_equals_brute_force_over_all_subsets(customers: int | None) -> None:
    frame = simulate(900, seed=5, customers=customers).with_columns(
        extra=(pl.col("delivery") + pl.col("price") >= 1).cast(pl.Int64),
        region=pl.Series(np.random.default_rng(1).choice(["SE", "DK", "NO"], 900)),
    )
    themes = [*EFFECTS, "extra"]
    result = key_drivers(
        frame,
        outcome="nps",
        themes=themes,
        attributes=["region"],
        reference={"region": "SE"},
        replicates=0,
    )
    assert result.method == "shapley"
    names = [*themes, "region=DK", "region=NO"]
    x = frame.select(themes).to_numpy().astype(float)
    region = frame.get_column("region").to_numpy()
    x = np.column_stack([x, region == "DK", region == "NO"]).astype(float)
    counts = frame.get_column("customer_id").value_counts()
    per_row = frame.join(counts, on="customer_id", how="left").get_column("count").to_numpy()
    expected = brute_force_shapley(x, frame.get_column("nps").to_numpy().astype(float), 1 / per_row)
    found = {d.driver: d.importance for d in result.drivers}
    assert len(names) == 9
    np.testing.assert_allclose([found[n] for n in names], expected, atol=1e-6, rtol=0)


def test_shapley_importances_sum_to_the_full_model_r2() -> None:
    frame = simulate(2000, seed=8, customers=900)
    result = key_drivers(frame, outcome="nps", themes=list(EFFECTS), replicates=0)
    total = sum(d.importance for d in result.drivers)
    assert total == pytest.approx(result.r2, abs=1e-9)
    rows = frame.join(frame.get_column("customer_id").value_counts(), on="customer_id")
    x = rows.select(list(EFFECTS)).to_numpy().astype(float)
    y = rows.get_column("nps").to_numpy().astype(float)
    assert result.r2 == pytest.approx(weighted_r2(x, y, 1 / rows["count"].to_numpy()), abs=1e-9)


def test_relative_weights_stay_within_two_percent_of_r2_of_exact_shapley() -> None:
    # Stated tolerance: on these correlated flags, each relative weight is within 2% of the
    # model's R² of its exact Shapley value (Johnson 2000 reports the same order of agreement).
    for seed in range(5):
        frame = simulate(3000, seed=seed)
        x = frame.select(list(EFFECTS)).to_numpy().astype(float)
        z = np.column_stack([x, frame.get_column("nps").to_numpy()])
        corr, _ = correlation(np.cov(z, rowvar=False))
        p = x.shape[1]
        exact = shapley_r2(corr[:p, :p], r_xy=corr[:p, p])
        approx = relative_weights(corr[:p, :p], r_xy=corr[:p, p])
        assert approx.sum() == pytest.approx(exact.sum(), abs=1e-9)
        assert np.max(np.abs(approx - exact)) <= 0.02 * exact.sum()


def test_method_recovers_the_true_importance_order() -> None:
    population = key_drivers(
        simulate(400_000, seed=0), outcome="nps", themes=list(EFFECTS), replicates=0
    )
    truth = {d.driver: d.importance for d in population.drivers}
    correlations = []
    for seed in range(1, 101):
        found = key_drivers(
            simulate(1500, seed=seed), outcome="nps", themes=list(EFFECTS), replicates=0
        )
        estimate = {d.driver: d.importance for d in found.drivers}
        rho = spearmanr([truth[n] for n in EFFECTS], [estimate[n] for n in EFFECTS]).statistic
        correlations.append(rho)
    assert float(np.median(correlations)) >= 0.9


def test_relative_weights_are_used_beyond_the_exact_limit() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    flags = {f"theme_{j:02d}": (rng.random(n) < 0.2).astype(int) for j in range(16)}
    score = 8 - 2 * flags["theme_00"] - flags["theme_01"] + rng.normal(size=n)
    frame = pl.DataFrame({"customer_id": np.arange(n), "nps": score} | flags)
    result = key_drivers(frame, outcome="nps", themes=list(flags), replicates=20)
    assert result.method == "relative_weights"
    assert [d.driver for d in result.drivers[:2]] == ["theme_00", "theme_01"]
    assert sum(d.importance for d in result.drivers) == pytest.approx(result.r2, abs=1e-9)


def test_logistic_variant_ranks_planted_effects_on_a_binary_outcome() -> None:
    rng = np.random.default_rng(11)
    n = 8000
    frame = simulate(n, seed=11)
    x = frame.select(list(EFFECTS)).to_numpy()
    eta = 0.5 + x @ (0.8 * np.array(list(EFFECTS.values())))
    frame = frame.with_columns(promoter=(rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.int64))
    result = key_drivers(frame, outcome="promoter", themes=list(EFFECTS), replicates=100)
    assert result.model == "logistic"
    assert result.method == "logit_relative_weights"
    assert [d.driver for d in result.drivers[:3]] == ["delivery", "price", "service"]
    assert sum(d.importance for d in result.drivers) == pytest.approx(result.r2, abs=1e-9)
    assert all(d.uplift > 0 for d in result.drivers[:3])
    # Priorities rank by the gain for all customers, which also weighs in prevalence.
    assert set(result.priorities[:3]) == {"delivery", "price", "service"}


def test_logistic_one_step_replicates_match_refitting_each_replicate() -> None:
    rng = np.random.default_rng(3)
    frame = simulate(6000, seed=3, customers=4000)
    x = frame.select(list(EFFECTS)).to_numpy()
    eta = -0.3 + x @ (0.6 * np.array(list(EFFECTS.values())))
    frame = frame.with_columns(promoter=(rng.random(6000) < 1 / (1 + np.exp(-eta))).astype(int))
    planned = plan_predictors(frame, themes=list(EFFECTS), attributes=[])
    data = driver_data(frame, predictors=planned, outcome="promoter")
    counts = draw_counts(np.random.default_rng(0), groups=data.groups, replicates=4)
    fit = logistic_fit(data, counts=counts, outcome_is_churn=False)
    design = np.column_stack([np.ones(data.rows), data.x])
    for b in range(4):
        weight = data.weight * counts[b][data.group]
        beta = fit_logit(design, y=data.y, weight=weight)
        linear = design @ beta
        probability = 1 / (1 + np.exp(-linear))
        switched = 1 / (1 + np.exp(-(linear[:, None] - beta[None, 1:])))
        refitted = (weight @ (data.x * (switched - probability[:, None]))) / weight.sum()
        np.testing.assert_allclose(fit.uplift_replicates[b], refitted, atol=2e-4)
