"""Properties every estimate keeps, whatever the sample (Hypothesis)."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klarsyn.analytics import METRICS, score

SETTINGS = settings(max_examples=40, deadline=None)
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "ces_easy": (1, 7), "rating": (1, 5)}


def scores_for(metric: str, *, min_size: int = 0) -> st.SearchStrategy[list[int | None]]:
    lowest, highest = SCALES[metric]
    value = st.one_of(st.none(), st.integers(lowest, highest))
    return st.lists(value, min_size=min_size, max_size=60)


def _series(values: list[int | None]) -> pl.Series:
    return pl.Series("score", values, dtype=pl.Float64)


@SETTINGS
@given(values=scores_for("nps"))
def test_nps_stays_within_minus_and_plus_one_hundred(values: list[int | None]) -> None:
    estimate = score(_series(values), metric="nps")
    if estimate.empty:
        return
    assert -100.0 <= estimate.low <= estimate.value <= estimate.high <= 100.0


@pytest.mark.parametrize("metric", sorted(METRICS))
@SETTINGS
@given(data=st.data())
def test_interval_contains_the_estimate(metric: str, data: st.DataObject) -> None:
    values = data.draw(scores_for(metric))
    estimate = score(_series(values), metric=metric)
    scored = [v for v in values if v is not None]
    assert (estimate.n, estimate.missing) == (len(scored), len(values) - len(scored))
    if scored:
        assert estimate.low <= estimate.value <= estimate.high
    else:
        assert estimate.empty and math.isnan(estimate.low)


@SETTINGS
@given(data=st.data(), metric=st.sampled_from(sorted(METRICS)))
def test_row_order_does_not_matter(data: st.DataObject, metric: str) -> None:
    values = data.draw(scores_for(metric, min_size=1))
    shuffled = data.draw(st.permutations(values))
    first, second = score(_series(values), metric=metric), score(_series(shuffled), metric=metric)
    assert (first.value, first.low, first.high) == pytest.approx(
        (second.value, second.low, second.high), abs=1e-9, nan_ok=True
    )


@SETTINGS
@given(
    data=st.data(),
    metric=st.sampled_from(sorted(METRICS)),
    constant=st.floats(1e-3, 1e6),
)
def test_equal_weights_of_any_size_equal_no_weights(
    data: st.DataObject, metric: str, constant: float
) -> None:
    values = data.draw(scores_for(metric, min_size=1))
    plain = score(_series(values), metric=metric)
    ones = score(_series(values), metric=metric, weights=pl.Series([1.0] * len(values)))
    scaled = score(_series(values), metric=metric, weights=pl.Series([constant] * len(values)))
    for weighted in (ones, scaled):
        assert (weighted.value, weighted.low, weighted.high, weighted.n_eff) == pytest.approx(
            (plain.value, plain.low, plain.high, plain.n_eff), rel=1e-9, abs=1e-9, nan_ok=True
        )


@SETTINGS
@given(
    values=st.lists(st.integers(0, 10), min_size=1, max_size=40),
    weights=st.data(),
    factor=st.floats(1e-3, 1e4),
)
def test_weights_that_sum_to_anything_give_the_same_estimate(
    values: list[int], weights: st.DataObject, factor: float
) -> None:
    drawn = weights.draw(
        st.lists(st.floats(0.05, 20.0), min_size=len(values), max_size=len(values))
    )
    base = score(_series(list(values)), metric="nps", weights=pl.Series(drawn))
    scaled = score(
        _series(list(values)), metric="nps", weights=pl.Series([w * factor for w in drawn])
    )
    assert (scaled.value, scaled.low, scaled.high) == pytest.approx(
        (base.value, base.low, base.high), rel=1e-9, abs=1e-9
    )
    assert base.low <= base.value <= base.high


@SETTINGS
@given(n=st.integers(1, 500), promoter=st.sampled_from([9, 10]))
def test_all_promoters_score_one_hundred_with_a_real_interval(n: int, promoter: int) -> None:
    estimate = score(_series([promoter] * n), metric="nps")
    assert estimate.value == estimate.high == 100.0
    assert -100.0 < estimate.low < 100.0


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_one_response_gives_a_wide_but_valid_interval(metric: str) -> None:
    lowest, highest = SCALES[metric]
    for value in (lowest, highest):
        estimate = score(_series([value]), metric=metric)
        assert estimate.n == 1 and estimate.small_n
        assert estimate.low <= estimate.value <= estimate.high
        assert estimate.high - estimate.low > 0
