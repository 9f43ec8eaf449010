"""Representative weighting reproduces the population it is given."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from klarsyn.analytics import (
    effective_sample_size,
    margins,
    metric_table,
    one_voice_per_customer,
    poststratify,
    rake,
)
from klarsyn.analytics.weighting import Weights
from klarsyn.errors import InputError, SchemaError


def _sample(n: int = 2_000, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "region": rng.choice(["north", "south", "west"], n, p=[0.6, 0.3, 0.1]),
            "segment": rng.choice(["private", "business"], n, p=[0.8, 0.2]),
            "nps": rng.integers(0, 11, n),
        }
    )


def _customers(n: int = 10_000, seed: int = 2) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "region": rng.choice(["north", "south", "west"], n, p=[0.3, 0.4, 0.3]),
            "segment": rng.choice(["private", "business"], n, p=[0.5, 0.5]),
        }
    )


def _weighted_shares(
    sample: pl.DataFrame, weights: pl.Series, by: list[str]
) -> dict[tuple[object, ...], float]:
    total = weights.sum()
    shares = sample.with_columns(w=weights).group_by(by).agg(pl.col("w").sum() / total)
    return {tuple(row[:-1]): row[-1] for row in shares.rows()}


def test_poststratification_reproduces_the_population_cells() -> None:
    sample, customers = _sample(), _customers()
    result = poststratify(sample, customers, by=["region", "segment"])
    population = customers.group_by("region", "segment").agg(pl.len() / customers.height)
    expected = {tuple(row[:-1]): row[-1] for row in population.rows()}
    actual = _weighted_shares(sample, result.weights, ["region", "segment"])
    assert actual == pytest.approx(expected, abs=1e-12)
    assert result.weights.sum() == pytest.approx(sample.height)
    assert result.uncovered_share == 0.0 and result.converged
    assert result.design_effect > 1.0


def test_poststratification_from_a_mapping_or_a_count_column() -> None:
    sample = _sample()
    mapped = poststratify(sample, {"north": 3, "south": 4, "west": 3}, by=["region"])
    counted = poststratify(
        sample,
        pl.DataFrame({"region": ["north", "south", "west"], "n": [30.0, 40.0, 30.0]}),
        by=["region"],
        count="n",
    )
    assert mapped.weights.to_list() == pytest.approx(counted.weights.to_list(), abs=1e-12)
    joint = poststratify(
        sample,
        {
            ("north", "private"): 1,
            ("south", "business"): 1,
            ("north", "business"): 1,
            ("south", "private"): 1,
            ("west", "private"): 1,
            ("west", "business"): 1,
        },
        by=["region", "segment"],
    )
    assert _weighted_shares(sample, joint.weights, ["region"]) == pytest.approx(
        {("north",): 1 / 3, ("south",): 1 / 3, ("west",): 1 / 3}, abs=1e-12
    )


def test_population_cells_without_respondents_are_reported() -> None:
    sample = _sample().filter(pl.col("region") != "west")
    result = poststratify(sample, {"north": 3, "south": 4, "west": 3}, by=["region"])
    assert result.uncovered_share == pytest.approx(0.3)
    assert _weighted_shares(sample, result.weights, ["region"]) == pytest.approx(
        {("north",): 3 / 7, ("south",): 4 / 7}, abs=1e-12
    )


def test_unknown_sample_cells_are_refused() -> None:
    with pytest.raises(InputError, match="region=west"):
        poststratify(_sample(), {"north": 1, "south": 1}, by=["region"])
    with pytest.raises(InputError, match="at least one"):
        poststratify(_sample(), {"north": 1}, by=[])
    with pytest.raises(InputError, match=">= 0"):
        poststratify(_sample(), {"north": -1, "south": 1, "west": 1}, by=["region"])
    with pytest.raises(InputError, match="empty"):
        poststratify(_sample(), {"north": 0, "south": 0, "west": 0}, by=["region"])
    with pytest.raises(SchemaError, match="'segment'"):
        poststratify(_sample(), _customers().drop("segment"), by=["segment"])


def test_null_is_a_category_like_any_other() -> None:
    sample = pl.DataFrame({"region": ["north", None, None, "north"]})
    result = poststratify(sample, {"north": 1, None: 1}, by=["region"])
    assert result.weights.to_list() == [1.0, 1.0, 1.0, 1.0]


def test_raking_reproduces_every_margin() -> None:
    sample, customers = _sample(), _customers()
    targets = margins(customers, by=["region", "segment"])
    result = rake(sample, targets)
    assert result.converged and 1 < result.iterations < 100
    for column in ("region", "segment"):
        actual = _weighted_shares(sample, result.weights, [column])
        assert actual == pytest.approx({(k,): v for k, v in targets[column].items()}, abs=1e-9)


def test_raking_one_margin_equals_post_stratification() -> None:
    sample = _sample()
    targets = {"region": {"north": 30.0, "south": 40.0, "west": 30.0}}
    raked, stratified = (
        rake(sample, targets),
        poststratify(sample, targets["region"], by=["region"]),
    )
    assert raked.weights.to_list() == pytest.approx(stratified.weights.to_list(), abs=1e-9)


def test_raking_reports_when_it_does_not_converge() -> None:
    result = rake(_sample(), margins(_customers(), by=["region", "segment"]), max_iterations=1)
    assert not result.converged and result.iterations == 1


def test_raking_refuses_impossible_margins() -> None:
    sample = _sample()
    with pytest.raises(InputError, match="no response has region = east"):
        rake(sample, {"region": {"north": 1, "south": 1, "west": 1, "east": 1}})
    with pytest.raises(InputError, match="region=west"):
        rake(sample, {"region": {"north": 1, "south": 1}})
    with pytest.raises(InputError, match="at least one margin"):
        rake(sample, {})
    with pytest.raises(InputError, match="counts >= 0"):
        rake(sample, {"region": {"north": 0, "south": 0, "west": 0}})


def test_raking_an_empty_sample_is_refused() -> None:
    with pytest.raises(InputError, match="no response"):
        rake(_sample().head(0), {"region": {"north": 1}})


def test_a_sample_entirely_outside_the_populated_cells_is_refused() -> None:
    sample = _sample()
    with pytest.raises(InputError, match="positive count"):
        poststratify(sample, {"north": 0, "south": 0, "west": 0, "east": 5}, by=["region"])


def test_zero_population_cells_get_zero_weight() -> None:
    sample = _sample()
    result = poststratify(sample, {"north": 0, "south": 1, "west": 1}, by=["region"])
    north = sample.with_columns(w=result.weights).filter(pl.col("region") == "north")
    assert north.get_column("w").max() == 0.0


def test_weights_without_any_mass_have_no_design_effect() -> None:
    nothing = Weights(pl.Series([0.0]), n_eff=0.0, iterations=1, converged=True, uncovered_share=0)
    assert np.isnan(nothing.design_effect)


def test_categorical_samples_match_string_populations() -> None:
    sample = _sample().with_columns(pl.col("region").cast(pl.Categorical))
    result = poststratify(sample, {"north": 1, "south": 1, "west": 1}, by=["region"])
    assert _weighted_shares(sample, result.weights, ["region"])[("west",)] == pytest.approx(1 / 3)


def test_numeric_categories_match_their_margins() -> None:
    sample = pl.DataFrame({"tier": [1, 1, 2]})
    result = rake(sample, {"tier": {1: 1.0, 2: 1.0}})
    assert result.weights.to_list() == pytest.approx([0.75, 0.75, 1.5])


def test_effective_sample_size_is_kish() -> None:
    weights = pl.Series([1.0, 2.0, 3.0, None])
    assert effective_sample_size(weights) == pytest.approx(36 / 14)
    assert effective_sample_size(pl.Series([5.0] * 7)) == pytest.approx(7.0)
    assert effective_sample_size(pl.Series([], dtype=pl.Float64)) == 0.0


def test_weighting_moves_the_estimate_towards_the_population() -> None:
    sample = _sample().with_columns(nps=pl.when(pl.col("region") == "north").then(10).otherwise(0))
    weights = poststratify(sample, {"north": 1, "south": 1, "west": 1}, by=["region"]).weights
    weighted = metric_table(sample.with_columns(w=weights), metric="nps", weight="w", customer=None)
    assert weighted.row(0, named=True)["value"] == pytest.approx(100 / 3 - 200 / 3)


def test_one_voice_per_customer() -> None:
    frame = pl.DataFrame(
        {"nps": [10, 10, 10, None, 2, 5], "customer_id": ["a", "a", "a", "a", "b", None]}
    )
    weights = one_voice_per_customer(frame, score="nps")
    assert weights.to_list() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0.0, 1.0, 1.0])
    table = metric_table(frame.with_columns(w=weights), metric="nps", weight="w")
    # One promoter voice, two detractor voices.
    assert table.row(0, named=True)["value"] == pytest.approx(-100 / 3)
