"""Properties of the driver analysis that hold whatever the data (Hypothesis)."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from klarsyn.analytics.drivers import KeyDrivers, key_drivers

SETTINGS = settings(max_examples=25, deadline=None)
THEMES = ["delivery", "price", "service"]


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    """Small feedback frames: repeat customers, three flags and a 0-10 score tied to them."""
    n = draw(st.integers(30, 90))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    flags = (rng.random((n, 3)) < draw(st.floats(0.05, 0.6))).astype(np.int64)
    effects = np.array(draw(st.lists(st.floats(-3, 1), min_size=3, max_size=3)))
    score = np.clip(np.round(7 + flags @ effects + rng.normal(scale=2, size=n)), 0, 10)
    customers = rng.integers(0, draw(st.integers(10, n)), n)
    return pl.DataFrame(
        {"customer_id": customers, "nps": score.astype(np.int64)}
        | {name: flags[:, j] for j, name in enumerate(THEMES)}
    )


def analyse(frame: pl.DataFrame) -> KeyDrivers:
    return key_drivers(frame, outcome="nps", themes=THEMES, replicates=40, seed=3)


@SETTINGS
@given(frame=frames(), order=st.integers(0, 2**32 - 1))
def test_reordering_rows_changes_nothing(frame: pl.DataFrame, order: int) -> None:
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=order)
    first, second = analyse(frame), analyse(shuffled)
    assert first.priorities == second.priorities or _tied(first)
    one = {d.driver: d.to_dict() for d in first.drivers}
    two = {d.driver: d.to_dict() for d in second.drivers}
    for name, values in one.items():
        for key, value in values.items():
            other = two[name][key]
            if isinstance(value, float) and isinstance(other, float):
                assert np.isclose(value, other, rtol=1e-7, atol=1e-9), (name, key)
            else:
                assert value == two[name][key], (name, key)


def _tied(result: KeyDrivers) -> bool:
    gains = sorted(d.uplift for d in result.drivers)
    return bool(np.any(np.isclose(np.diff(gains), 0.0, atol=1e-9)))


@SETTINGS
@given(frame=frames())
def test_shapley_importances_are_never_negative_and_sum_to_r2(frame: pl.DataFrame) -> None:
    result = analyse(frame)
    assert result.method == "shapley"
    assert all(d.importance >= -1e-12 for d in result.drivers)
    assert np.isclose(sum(d.importance for d in result.drivers), result.r2, atol=1e-9)
    assert -1e-12 <= result.r2 <= 1 + 1e-12


@SETTINGS
@given(frame=frames())
def test_intervals_contain_their_estimates(frame: pl.DataFrame) -> None:
    for driver in analyse(frame).drivers:
        assert driver.importance_low <= driver.importance <= driver.importance_high
        assert driver.uplift_low <= driver.uplift <= driver.uplift_high
        assert 0 <= driver.performance <= 100


@SETTINGS
@given(frame=frames())
def test_priorities_are_never_more_than_five_and_short_lists_are_explained(
    frame: pl.DataFrame,
) -> None:
    result = analyse(frame)
    assert len(result.priorities) <= 5
    assert (len(result.priorities) < 3) == (result.note is not None)
