"""The demo company's returns-policy change: its measured effect against what was planted.

The generator plants the policy as a change in what Danish customers experience after
2026-03-01 (more praise of returns, fewer complaints), not as a number of NPS points; scores then
follow from the experiences. The planted effect in NPS points is therefore computed here from the
generator itself: the same Danish answers are scored many times over with the policy and without
it, and the mean difference is the true effect on those customers (the average effect on the
treated, which is what a difference-in-differences estimates).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import polars as pl
import pytest

import klarsyn.demo.company
from klarsyn.analytics import measure_effect
from klarsyn.demo import RETURNS_POLICY_COUNTRY, RETURNS_POLICY_FROM, generate
from klarsyn.demo.experiences import draw_experiences
from klarsyn.demo.geography import COUNTRIES
from klarsyn.demo.timeline import seconds

START = dt.datetime.combine(RETURNS_POLICY_FROM, dt.time(), tzinfo=dt.UTC)
REPEATS = 20


def _nps(scores: np.ndarray) -> float:
    return 100.0 * float(np.mean(scores >= 9) - np.mean(scores <= 6))


@pytest.fixture(scope="module")
def demo() -> tuple[pl.DataFrame, float]:
    """The demo feedback (as the columnar mirror gives it) and the planted effect in NPS points."""
    drawn: dict[str, Any] = {}

    def recording(rng: np.random.Generator, occasions: Any, **options: Any) -> Any:
        drawn.update(occasions=occasions, **options)
        return draw_experiences(rng, occasions, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(klarsyn.demo.company, "draw_experiences", recording)
        company = generate(seed=7, feedback=20_000)
    occasions, stories = drawn.pop("occasions"), drawn.pop("stories")
    without = dataclasses.replace(stories, returns_policy_from=dt.date(2999, 1, 1))
    danish = drawn["customers"].country[occasions.customer] == COUNTRIES.index(
        RETURNS_POLICY_COUNTRY
    )
    after = occasions.time >= seconds(stories.returns_policy_from)
    differences = []
    for repeat in range(REPEATS):
        # The same random numbers on both sides, so the difference is the policy's alone.
        policy = draw_experiences(
            np.random.default_rng(repeat), occasions, stories=stories, **drawn
        )
        none = draw_experiences(np.random.default_rng(repeat), occasions, stories=without, **drawn)
        answered = danish & after & (policy.nps >= 0)
        differences.append(_nps(policy.nps[answered]) - _nps(none.nps[answered]))
    feedback = company.feedback.with_columns(pl.col("received_at").str.to_datetime(time_zone="UTC"))
    return feedback, float(np.mean(differences))


def test_the_planted_effect_is_a_clear_rise(demo):
    _, planted = demo
    assert 10.0 < planted < 25.0  # "NPS there rises by about 15 points" (klarsyn.demo)


@pytest.mark.parametrize(
    ("comparison", "method"),
    [
        (None, "difference-in-differences"),
        ({"country": "NO"}, "difference-in-differences"),
        ({}, "interrupted-time-series"),
    ],
)
def test_the_returns_policy_effect_is_recovered(demo, comparison, method):
    feedback, planted = demo
    effect = measure_effect(
        feedback,
        metric="nps",
        start=START,
        target={"country": RETURNS_POLICY_COUNTRY},
        comparison=comparison,
        period="week",
    )
    print(f"planted {planted:+.1f}: {effect.statement}")  # noqa: T201 - read with pytest -s
    assert effect.method == method
    assert effect.status == "measured"
    assert effect.ci_low is not None and effect.ci_high is not None
    assert effect.ci_low <= planted <= effect.ci_high
    assert effect.ci_low > 0
    assert effect.significant
    assert effect.statement.startswith(f"NPS among country={RETURNS_POLICY_COUNTRY} +")
    assert "since 2026-03-01" in effect.statement


def test_no_effect_is_found_where_nothing_was_planted(demo):
    feedback, _ = demo
    effect = measure_effect(
        feedback, metric="nps", start=START, target={"country": "NO"}, comparison={"country": "SE"}
    )
    assert effect.status == "measured"
    assert not effect.significant
