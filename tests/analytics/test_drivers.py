"""Key drivers end to end: the contract, the priority list, value at stake, trend and segments."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from klarsyn.analytics.driver_segments import compare_segments
from klarsyn.analytics.drivers import KeyDrivers, key_drivers
from klarsyn.errors import InputError, SchemaError

THEMES = {
    "delivery": (-2.0, 0.25),
    "price": (-1.5, 0.2),
    "service": (-1.0, 0.2),
    "app": (-0.7, 0.15),
}
CONTRACT = {
    "driver",
    "kind",
    "importance",
    "importance_low",
    "importance_high",
    "performance",
    "uplift",
    "uplift_low",
    "uplift_high",
    "customers",
    "value_at_stake",
}


def feedback(
    customers: int, *, seed: int, themes: dict[str, tuple[float, float]] = THEMES
) -> pl.DataFrame:
    """One response per customer: negative-theme flags and an NPS score they pull down."""
    rng = np.random.default_rng(seed)
    flags = {
        name: (rng.random(customers) < share).astype(np.int64)
        for name, (_, share) in themes.items()
    }
    score = 8.5 + sum(effect * flags[name] for name, (effect, _) in themes.items())
    score = np.clip(np.round(score + rng.normal(scale=1.5, size=customers)), 0, 10)
    return pl.DataFrame(
        {"customer_id": [f"c{i}" for i in range(customers)], "nps": score.astype(np.int64)} | flags
    )


def test_result_follows_the_output_contract_and_serialises_to_json() -> None:
    frame = feedback(1500, seed=1).with_columns(
        channel=pl.Series(np.random.default_rng(0).choice(["web", "store", "phone"], 1500))
    )
    result = key_drivers(frame, outcome="nps", themes=list(THEMES), attributes=["channel"])
    as_dict = json.loads(json.dumps(result.to_dict()))
    assert set(as_dict) >= {"drivers", "priorities"}
    for driver in as_dict["drivers"]:
        assert set(driver) >= CONTRACT
    kinds = {d.driver: d.kind for d in result.drivers}
    assert kinds["delivery"] == "theme"
    assert {k for n, k in kinds.items() if n.startswith("channel=")} == {"attribute"}
    assert [d.importance for d in result.drivers] == sorted(
        (d.importance for d in result.drivers), reverse=True
    )
    assert result.table().height == len(result.drivers)
    assert result.rows == 1500 and result.customers == 1500 and result.dropped == 0


def test_priorities_hold_three_to_five_drivers_led_by_the_planted_ones() -> None:
    for seed in range(5):
        result = key_drivers(feedback(2000, seed=seed), outcome="nps", themes=list(THEMES))
        assert 3 <= len(result.priorities) <= 5
        assert result.priorities[:3] == ("delivery", "price", "service")
        assert result.note is None


def test_a_short_list_says_why_it_is_short() -> None:
    themes = {
        "delivery": (-2.0, 0.3),
        "price": (-1.5, 0.3),
        "noise_a": (0.0, 0.2),
        "noise_b": (0.0, 0.2),
    }
    result = key_drivers(feedback(1500, seed=3, themes=themes), outcome="nps", themes=list(themes))
    assert result.priorities == ("delivery", "price")
    assert result.note is not None and "fewer than 3" in result.note


def test_loud_but_rare_complaint_is_not_a_priority_when_each_customer_has_one_voice() -> None:
    quiet = feedback(2000, seed=4).with_columns(ceo_call=pl.lit(0, dtype=pl.Int64))
    # Five customers who write 150 times each, always furious and always about the same thing.
    loud = pl.DataFrame(
        {
            "customer_id": [f"loud{i % 5}" for i in range(750)],
            "nps": [0] * 750,
            **{name: [0] * 750 for name in THEMES},
            "ceo_call": [1] * 750,
        }
    )
    frame = pl.concat([quiet, loud])
    themes = [*THEMES, "ceo_call"]
    fair = key_drivers(frame, outcome="nps", themes=themes)
    assert "ceo_call" not in fair.priorities
    assert {d.driver: d.customers for d in fair.drivers}["ceo_call"] == 5
    by_message = key_drivers(frame, outcome="nps", themes=themes, per_customer=False)
    assert by_message.priorities[0] == "ceo_call"


def test_uplift_is_the_counterfactual_of_switching_the_driver_off() -> None:
    frame = feedback(3000, seed=5)
    result = key_drivers(frame, outcome="nps", themes=list(THEMES))
    x = frame.select(list(THEMES)).to_numpy().astype(float)
    design = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(design, frame.get_column("nps").to_numpy().astype(float), rcond=None)
    for j, name in enumerate(THEMES):
        driver = next(d for d in result.drivers if d.driver == name)
        switched = design.copy()
        switched[:, j + 1] = 0
        expected = float((switched @ coef - design @ coef).mean())
        assert driver.uplift == pytest.approx(expected, abs=1e-9)
        assert driver.uplift_low <= driver.uplift <= driver.uplift_high
        assert driver.performance == pytest.approx(100 * x[:, j].mean())


def test_value_at_stake_is_affected_value_times_the_churn_the_driver_causes() -> None:
    rng = np.random.default_rng(6)
    frame = feedback(4000, seed=6)
    churn_risk = 0.05 + 0.2 * frame.get_column("delivery").to_numpy()
    frame = frame.with_columns(
        churned=(rng.random(4000) < churn_risk).astype(np.int64),
        annual_value=rng.uniform(1000, 5000, 4000),
    )
    result = key_drivers(
        frame, outcome="nps", themes=list(THEMES), value="annual_value", churn="churned"
    )
    x = frame.select(list(THEMES)).to_numpy().astype(float)
    design = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(design, frame.get_column("churned").to_numpy(), rcond=None)
    delivery = next(d for d in result.drivers if d.driver == "delivery")
    affected_value = (frame.get_column("annual_value").to_numpy() * x[:, 0]).sum()
    assert delivery.value_at_stake == pytest.approx(coef[1] * affected_value, rel=1e-9)
    as_outcome = key_drivers(
        frame,
        outcome="churned",
        themes=list(THEMES),
        value="annual_value",
        churn="churned",
        higher_is_better=False,
    )
    assert as_outcome.model == "logistic"
    assert as_outcome.priorities[0] == "delivery"
    top = as_outcome.drivers[0]
    assert top.uplift < 0 and top.value_at_stake is not None
    assert top.value_at_stake == pytest.approx(-top.uplift * 4000 * 3000, rel=0.15)


def test_trend_compares_the_last_two_periods() -> None:
    first = feedback(1000, seed=7).with_columns(
        week=pl.lit(1), delivery=pl.Series(np.arange(1000) < 100).cast(pl.Int64)
    )
    second = feedback(1000, seed=8).with_columns(
        week=pl.lit(2),
        delivery=pl.Series(np.arange(1000) < 300).cast(pl.Int64),
        customer_id=pl.col("customer_id") + "b",
    )
    result = key_drivers(
        pl.concat([first, second]), outcome="nps", themes=list(THEMES), period="week"
    )
    delivery = next(d for d in result.drivers if d.driver == "delivery")
    assert delivery.trend == pytest.approx(20.0)
    assert all(
        d.quadrant in {"fix first", "keep up", "watch", "don't over-invest"} for d in result.drivers
    )


def test_segments_show_where_drivers_differ() -> None:
    sweden = feedback(2000, seed=9, themes={"delivery": (-2.5, 0.25), "price": (0.0, 0.25)})
    denmark = feedback(2000, seed=10, themes={"delivery": (0.0, 0.25), "price": (-2.5, 0.25)})
    frame = pl.concat(
        [
            sweden.with_columns(region=pl.lit("SE")),
            denmark.with_columns(region=pl.lit("DK"), customer_id=pl.col("customer_id") + "dk"),
        ]
    )
    compared = compare_segments(
        frame, segment="region", outcome="nps", themes=["delivery", "price"], replicates=100
    )
    assert set(compared.results) == {"DK", "SE"}
    assert isinstance(compared.results["SE"], KeyDrivers)
    rows = {row["driver"]: row for row in compared.differences.to_dicts()}
    assert rows["delivery"]["significant"] and rows["delivery"]["difference"] < 0
    assert rows["price"]["significant"] and rows["price"]["difference"] > 0
    json.dumps(compared.to_dict())


def test_segments_too_small_are_skipped_and_listed() -> None:
    frame = feedback(600, seed=11).with_columns(region=pl.Series(["SE"] * 580 + ["FI"] * 20))
    compared = compare_segments(
        frame, segment="region", outcome="nps", themes=list(THEMES), replicates=20
    )
    assert compared.skipped == ("FI",)
    assert compared.differences.height == 0


def test_missing_columns_and_bad_flags_raise_schema_errors() -> None:
    frame = feedback(200, seed=12)
    with pytest.raises(SchemaError, match="weather"):
        key_drivers(frame, outcome="nps", themes=["weather"])
    with pytest.raises(SchemaError, match="0/1"):
        key_drivers(frame, outcome="nps", themes=["nps"])
    with pytest.raises(SchemaError, match="numeric"):
        key_drivers(
            frame.with_columns(pl.col("nps").cast(pl.String)), outcome="nps", themes=["price"]
        )
    with pytest.raises(SchemaError, match="max_levels"):
        key_drivers(frame, outcome="nps", attributes=["customer_id"])
    with pytest.raises(SchemaError, match="reference level"):
        key_drivers(
            frame.with_columns(channel=pl.lit("web")),
            outcome="nps",
            attributes=["channel"],
            reference={"channel": "fax"},
        )


def test_bad_options_raise_input_errors() -> None:
    frame = feedback(200, seed=13)
    with pytest.raises(InputError, match="0 and 1"):
        key_drivers(frame, outcome="nps", themes=list(THEMES), model="logistic")
    with pytest.raises(InputError, match="replicates"):
        key_drivers(frame, outcome="nps", themes=list(THEMES), replicates=-1)


def test_rows_without_outcome_are_dropped_and_counted_and_anonymous_rows_count_once() -> None:
    frame = feedback(500, seed=14).with_columns(
        nps=pl.when(pl.int_range(pl.len()) < 50).then(None).otherwise(pl.col("nps")),
        customer_id=pl.when(pl.int_range(pl.len()) >= 450)
        .then(None)
        .otherwise(pl.col("customer_id")),
    )
    result = key_drivers(frame, outcome="nps", themes=list(THEMES), replicates=0)
    assert result.dropped == 50 and result.rows == 450 and result.customers == 450
    assert all(d.to_dict()["importance_low"] is None for d in result.drivers)


def test_drivers_the_data_cannot_tell_apart_from_the_third_extend_the_list_to_five() -> None:
    themes = {f"theme_{j}": (-1.5, 0.2) for j in range(6)}
    result = key_drivers(feedback(1500, seed=15, themes=themes), outcome="nps", themes=list(themes))
    assert len(result.priorities) == 5


def test_boolean_flags_binary_attributes_and_forced_choices() -> None:
    frame = feedback(1500, seed=16).with_columns(
        pl.col("delivery").cast(pl.Boolean),
        late=pl.Series(np.random.default_rng(2).random(1500) < 0.3),
        promoter=pl.col("nps") >= 9,
    )
    result = key_drivers(
        frame, outcome="nps", themes=list(THEMES), attributes=["late"], method="relative_weights"
    )
    assert result.method == "relative_weights"
    assert {d.driver: d.kind for d in result.drivers}["late"] == "attribute"
    linear = key_drivers(
        frame, outcome="promoter", themes=list(THEMES), model="linear", replicates=0
    )
    assert linear.model == "linear" and linear.method == "shapley"
    with pytest.raises(InputError, match="2\\^19"):
        many = {f"t{j}": pl.lit(j % 2) for j in range(19)}
        key_drivers(frame.with_columns(**many), outcome="nps", themes=list(many), method="shapley")


def test_unusable_inputs_raise_schema_errors() -> None:
    frame = feedback(100, seed=17)
    with pytest.raises(SchemaError, match="distinct predictors"):
        key_drivers(frame, outcome="nps", themes=["price", "price"])
    with pytest.raises(SchemaError, match="no row"):
        key_drivers(
            frame.with_columns(nps=pl.lit(None, dtype=pl.Int64)), outcome="nps", themes=["price"]
        )
    with pytest.raises(InputError, match="replicates"):
        compare_segments(
            frame.with_columns(region=pl.lit("SE")),
            segment="region",
            outcome="nps",
            themes=["price"],
            replicates=0,
        )


def test_a_single_period_has_no_trend() -> None:
    frame = feedback(300, seed=18).with_columns(week=pl.lit(1))
    result = key_drivers(frame, outcome="nps", themes=list(THEMES), period="week", replicates=0)
    assert all(d.to_dict()["trend"] is None for d in result.drivers)


def test_nan_outcomes_count_as_missing() -> None:
    frame = feedback(300, seed=19).with_columns(
        nps=pl.when(pl.int_range(pl.len()) < 10).then(float("nan")).otherwise(pl.col("nps"))
    )
    result = key_drivers(frame, outcome="nps", themes=list(THEMES), replicates=0)
    assert result.dropped == 10 and not np.isnan(result.r2)


def test_controls_are_in_the_model_but_never_priorities() -> None:
    frame = feedback(2000, seed=20)
    region = np.where(np.random.default_rng(4).random(2000) < 0.5, "DK", "SE")
    frame = frame.with_columns(
        region=pl.Series(region), nps=pl.col("nps") - 3 * pl.Series(region == "DK").cast(pl.Int64)
    )
    free = key_drivers(
        frame, outcome="nps", themes=list(THEMES), attributes=["region"], reference={"region": "SE"}
    )
    assert free.priorities[0] == "region=DK"
    controlled = key_drivers(
        frame, outcome="nps", themes=list(THEMES), controls=["region"], reference={"region": "SE"}
    )
    assert "region=DK" not in controlled.priorities
    assert controlled.drivers[0].driver == "region=DK" and controlled.drivers[0].significant


def test_priorities_carry_example_comments_one_per_customer_worst_first() -> None:
    frame = feedback(1500, seed=21)
    comments = [f"comment {i}" for i in range(1500)]
    frame = frame.with_columns(comment=pl.Series(comments))
    repeat = frame.filter(pl.col("delivery") == 1).head(1)
    frame = pl.concat(
        [frame, repeat.with_columns(comment=pl.lit("again"), nps=pl.lit(0, pl.Int64))]
    )
    result = key_drivers(frame, outcome="nps", themes=list(THEMES), text="comment", replicates=50)
    top = {d.driver: d for d in result.drivers}
    delivery = top["delivery"]
    assert len(delivery.examples) == 3
    assert delivery.examples[0] == "again"
    assert repeat.get_column("comment")[0] not in delivery.examples
    scores = dict(zip(frame["comment"], frame["nps"], strict=True))
    assert [scores[c] for c in delivery.examples] == sorted(scores[c] for c in delivery.examples)
    assert all(top[name].examples for name in result.priorities)
    assert all(not d.examples for d in result.drivers if d.driver not in result.priorities)
    with pytest.raises(SchemaError, match="words"):
        key_drivers(frame, outcome="nps", themes=list(THEMES), text="words")


def test_quadrants_follow_importance_and_how_many_customers_are_negative() -> None:
    themes = {
        "delivery": (-2.5, 0.35),
        "price": (-3.0, 0.12),
        "app": (-0.3, 0.35),
        "invoice": (-0.3, 0.05),
        "praise": (2.0, 0.3),
    }
    result = key_drivers(feedback(3000, seed=22, themes=themes), outcome="nps", themes=list(themes))
    quadrant = {d.driver: d.quadrant for d in result.drivers}
    assert quadrant == {
        "delivery": "fix first",
        "price": "keep up",
        "app": "watch",
        "invoice": "don't over-invest",
        "praise": "keep up",
    }
