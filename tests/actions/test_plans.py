"""Action plans: stored with milestones, and their effect measured from the feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from klarsyn.actions.plans import (
    PlanStatus,
    add_milestone,
    add_plan,
    complete_milestone,
    get_plan,
    list_plans,
    plan_effect,
    update_plan,
)
from klarsyn.errors import InputError, NotFound
from klarsyn.storage.store import Store

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
START = datetime(2026, 3, 2, tzinfo=UTC)


def simulated(*, lift: float, weeks: int = 20, per_week: int = 80, seed: int = 3) -> pl.DataFrame:
    """Weekly NPS answers in DK and SE; after START, ``lift`` of DK's detractors turn promoters."""
    rng = np.random.default_rng(seed)
    first = START - timedelta(weeks=weeks // 2)
    rows = []
    for week in range(weeks):
        for country in ("DK", "SE"):
            for i in range(per_week):
                at = first + timedelta(weeks=week, hours=int(rng.integers(0, 160)))
                promoter = 0.35 + (lift if country == "DK" and at >= START else 0.0)
                draw = rng.random()
                nps = 10 if draw < promoter else (8 if draw < promoter + 0.35 else 3)
                rows.append((at, f"{country}-{week}-{i}", nps, country))
    return pl.DataFrame(
        rows, schema=["received_at", "customer_id", "nps", "country"], orient="row"
    ).with_columns(
        pl.lit(None, pl.Int64).alias("csat"),
        pl.lit(None, pl.Int64).alias("ces"),
        pl.lit(None, pl.Int64).alias("rating"),
    )


def returns_plan(store: Store, **extra: object) -> int:
    plan = add_plan(
        store,
        title="Free 100-day returns in Denmark",
        metric="nps",
        target={"country": "DK"},
        start_at=START,
        theme="returns",
        driver="returns",
        team="ecommerce",
        milestones=[("Policy live on dk site", START), ("Store staff trained", None)],
        now=NOW,
        **extra,  # type: ignore[arg-type]
    )
    return plan.id


def test_a_plan_is_stored_with_its_milestones_and_status(store: Store) -> None:
    plan = get_plan(store, plan_id=returns_plan(store))
    assert (plan.metric, plan.target, plan.status) == ("nps", {"country": "DK"}, PlanStatus.active)
    assert [m.title for m in plan.milestones] == ["Policy live on dk site", "Store staff trained"]
    first = plan.milestones[0]
    done = complete_milestone(store, plan_id=plan.id, milestone_id=first.id, now=NOW)
    assert done.milestones[0].done_at == NOW and done.milestones[1].done_at is None
    more = add_milestone(store, plan_id=plan.id, title="Review", due_at=NOW)
    assert len(more.milestones) == 3
    assert update_plan(store, plan_id=plan.id, status="done", now=NOW).status == PlanStatus.done
    assert [p.id for p in list_plans(store)] == [plan.id]
    with pytest.raises(NotFound):
        complete_milestone(store, plan_id=plan.id + 1, milestone_id=first.id, now=NOW)
    with pytest.raises(InputError):
        add_plan(store, title="x", metric="happiness", start_at=START, now=NOW)


def test_the_effect_of_a_plan_recovers_a_planted_lift(store: Store) -> None:
    plan = get_plan(store, plan_id=returns_plan(store))
    effect = plan_effect(plan, simulated(lift=0.15))
    assert effect.method == "difference-in-differences" and effect.status == "measured"
    assert effect.ci_low is not None and effect.ci_high is not None
    # 15 points more promoters and, as the passive band moves up, 15 fewer detractors: NPS +30.
    assert effect.ci_low < 30 < effect.ci_high and effect.ci_low > 0
    assert "NPS" in effect.statement


def test_without_a_comparison_the_effect_is_an_interrupted_time_series(store: Store) -> None:
    plan = get_plan(store, plan_id=returns_plan(store, comparison={}))
    effect = plan_effect(plan, simulated(lift=0.0))
    assert effect.method == "interrupted-time-series"
    assert effect.ci_low is not None and effect.ci_low < 0 < (effect.ci_high or 0)


def test_thin_data_is_too_early_to_tell(store: Store) -> None:
    plan = get_plan(store, plan_id=returns_plan(store))
    frame = simulated(lift=0.15).filter(pl.col("received_at") < START + timedelta(days=8))
    effect = plan_effect(plan, frame)
    assert effect.status == "too early" and effect.estimate is None
