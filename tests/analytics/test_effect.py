"""measure_effect: agreement with independent computations, the "too early" rule and bad input."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats

from klarsyn.analytics import Effect, measure_effect
from klarsyn.analytics.effect_data import Design, effect_design, scored_rows
from klarsyn.analytics.effect_models import (
    difference_in_differences,
    interrupted_time_series,
    newey_west_lags,
)
from klarsyn.analytics.metrics import metric_named
from klarsyn.collect.importer import import_file
from klarsyn.errors import InputError, SchemaError
from klarsyn.storage.mirror import scan_feedback

ORIGIN = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)  # a Monday
START = ORIGIN + dt.timedelta(weeks=10)
UTC = dt.UTC


def company(seed: int = 1, *, weeks: int = 16, customers: int = 300, lift: float = 0.0):
    """NPS, CSAT and CES answers from repeat customers in two regions and two channels.

    From ``START`` the north's promoters rise by ``lift`` (a share) at the detractors' expense.
    """
    rng = np.random.default_rng(seed)
    answers = 1 + rng.poisson(2.5, customers)
    customer = np.repeat(np.arange(customers), answers)
    seconds = rng.uniform(0, weeks * 7 * 86_400, customer.size)
    region = np.where(np.arange(customers) % 3 == 0, "north", "south")[customer]
    after = seconds >= (START - ORIGIN).total_seconds()
    lifted = np.where((region == "north") & after, lift, 0.0)
    u = rng.random(customer.size)
    nps = np.select(
        [u < 0.4 + lifted, u < 0.7 + lifted],
        [rng.integers(9, 11, u.size), rng.integers(7, 9, u.size)],
        rng.integers(0, 7, u.size),
    )
    instants = ((ORIGIN.timestamp() + seconds) * 1e6).astype(np.int64)
    return pl.DataFrame(
        {
            "received_at": pl.Series(instants).cast(pl.Datetime("us", "UTC")),
            # A few anonymous answers: each must count as a customer of its own.
            "customer_id": [f"c{c}" if c % 17 else None for c in customer],
            "nps": nps,
            "csat": rng.integers(1, 6, u.size),
            "ces": rng.integers(1, 8, u.size),
            "region": region,
            "channel": rng.choice(["web", "store"], u.size),
        }
    ).sort("received_at")


def design_of(frame: pl.DataFrame, *, target: pl.Expr, treated_only: bool = False) -> Design:
    rows = scored_rows(frame, metric_named("nps"))
    if treated_only:
        rows = rows.filter(target)
    return effect_design(
        rows,
        treated=rows.select(target).to_series(),
        start=START,
        period="week",
        time_zone="UTC",
    )


VALUES = {
    "nps": 100.0 * ((pl.col("nps") >= 9).cast(float) - (pl.col("nps") <= 6).cast(float)),
    "csat": 100.0 * (pl.col("csat") >= 4).cast(float),
    "ces": pl.col("ces").cast(float),
}


@pytest.mark.parametrize("metric", sorted(VALUES))
def test_one_period_each_side_gives_the_two_by_two_difference_of_means(metric):
    start = dt.datetime(2025, 3, 1, tzinfo=UTC)
    window = pl.col("received_at").is_between(
        dt.datetime(2025, 2, 1, tzinfo=UTC), dt.datetime(2025, 3, 31, tzinfo=UTC)
    )
    frame = company(weeks=14).filter(window)
    effect = measure_effect(
        frame,
        metric=metric,
        start=start,
        target={"region": "north"},
        period="month",
        time_zone="UTC",
        min_periods=1,
    )
    means = frame.group_by(
        north=pl.col("region") == "north", after=pl.col("received_at") >= start
    ).agg(VALUES[metric].mean().alias("mean"))
    cell = {(r["north"], r["after"]): r["mean"] for r in means.iter_rows(named=True)}
    expected = (cell[True, True] - cell[True, False]) - (cell[False, True] - cell[False, False])
    assert effect.status == "measured"
    assert effect.method == "difference-in-differences"
    assert effect.periods_before == effect.periods_after == 1
    assert effect.estimate == pytest.approx(expected, abs=1e-9)


def _full_regression(design: Design):
    """The DiD regression with one column per period, as anyone would write it."""
    dummies = (design.period[:, None] == np.arange(design.period.max() + 1)).astype(float)
    exposed = design.treated & design.after
    return np.column_stack([dummies, design.treated, exposed]).astype(float)


def test_clustered_standard_error_matches_a_direct_sandwich_and_statsmodels():
    frame = company(seed=3, lift=0.1)
    design = design_of(frame, target=pl.col("region") == "north")
    fit = difference_in_differences(design)

    x = _full_regression(design)
    y = design.value
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    residual = y - x @ beta
    bread = np.linalg.inv(x.T @ x)
    groups = np.unique(design.cluster)
    scores = [x[design.cluster == c].T @ residual[design.cluster == c] for c in groups]
    meat = sum(np.outer(score, score) for score in scores)
    n, k, g = x.shape[0], x.shape[1], groups.size
    sandwich = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread

    assert fit.estimate == pytest.approx(beta[-1], abs=1e-9)
    assert fit.standard_error == pytest.approx(np.sqrt(sandwich[-1, -1]), abs=1e-9)
    assert fit.df == g - 1

    ols = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": design.cluster})
    assert fit.standard_error == pytest.approx(ols.bse[-1], abs=1e-9)


def test_anonymous_answers_are_customers_of_their_own():
    frame = company(seed=4)
    design = design_of(frame, target=pl.col("region") == "north")
    rows = scored_rows(frame, metric_named("nps"))
    anonymous = rows.get_column("customer_id").null_count()
    known = rows.get_column("customer_id").drop_nulls().n_unique()
    assert anonymous > 0
    assert np.unique(design.cluster).size == known + anonymous


def test_measured_interval_uses_student_t_with_clusters_minus_one():
    frame = company(seed=5, lift=0.2)
    effect = measure_effect(frame, start=START, target={"region": "north"}, time_zone="UTC")
    fit = difference_in_differences(design_of(frame, target=pl.col("region") == "north"))
    half = stats.t.ppf(0.975, fit.df) * fit.standard_error
    assert effect.ci_low == pytest.approx(fit.estimate - half, abs=1e-9)
    assert effect.ci_high == pytest.approx(fit.estimate + half, abs=1e-9)
    assert effect.p_value == pytest.approx(
        2 * stats.t.sf(abs(fit.estimate) / fit.standard_error, fit.df)
    )


def test_interrupted_time_series_agrees_with_statsmodels_and_a_response_level_fit():
    frame = company(seed=6, lift=0.15, weeks=20)
    north = pl.col("region") == "north"
    design = design_of(frame, target=north, treated_only=True)
    fit = interrupted_time_series(design)

    # Coefficients: the response-level least squares on [1, time, after].
    x = np.column_stack([np.ones(design.value.size), design.elapsed[design.period], design.after])
    beta = np.linalg.lstsq(x, design.value, rcond=None)[0]
    assert fit.estimate == pytest.approx(beta[2], abs=1e-9)

    # Standard error: at least the Newey-West one on the weekly values.
    weekly = pl.DataFrame(
        {"t": design.elapsed[design.period], "after": design.after, "y": design.value}
    )
    cells = (
        weekly.group_by("t", "after")
        .agg(pl.col("y").mean(), pl.len().alias("n"))
        .sort("t", "after")
    )
    exog = sm.add_constant(cells.select("t", pl.col("after").cast(float)).to_numpy())
    hac = sm.WLS(cells["y"].to_numpy(), exog, weights=cells["n"].to_numpy()).fit(
        cov_type="HAC", cov_kwds={"maxlags": newey_west_lags(cells.height)}, use_t=True
    )
    assert hac.params[2] == pytest.approx(beta[2], abs=1e-9)
    assert fit.standard_error >= hac.bse[2] - 1e-12
    assert fit.df == cells.height - 3

    effect = measure_effect(
        frame, start=START, target={"region": "north"}, comparison={}, time_zone="UTC"
    )
    assert effect.method == "interrupted-time-series"
    assert effect.comparison_n is None
    assert effect.estimate == pytest.approx(beta[2], abs=1e-9)
    assert "its own earlier trend" in effect.statement


def test_a_clear_effect_is_stated_plainly():
    frame = company(seed=7, lift=0.3, customers=600)
    effect = measure_effect(frame, start=START, target={"region": "north"}, time_zone="UTC")
    assert effect.status == "measured"
    assert effect.significant
    assert effect.ci_low is not None and effect.ci_low > 0
    assert effect.statement.startswith("NPS among region=north +")
    assert "points (95% CI " in effect.statement
    assert effect.statement.endswith("since 2025-03-17, beyond the trend of other customers.")
    assert effect.n_before + effect.n_after + (effect.comparison_n or 0) == frame.height


def test_no_effect_is_not_claimed():
    effect = measure_effect(
        company(seed=8), start=START, target={"region": "north"}, time_zone="UTC"
    )
    assert effect.status == "measured"
    assert not effect.significant
    assert "not distinguishable from the trend of other customers" in effect.statement


def test_a_named_comparison_excludes_the_target_and_is_named():
    frame = company(seed=9)
    effect = measure_effect(
        frame,
        start=START,
        target={"region": "north", "channel": "web"},
        comparison={"channel": "web"},
        time_zone="UTC",
    )
    web_south = frame.filter((pl.col("channel") == "web") & (pl.col("region") == "south"))
    assert effect.comparison_n == web_south.height
    assert "region=north, channel=web" in effect.statement
    assert "the trend of channel=web" in effect.statement


def test_targeting_everyone_falls_back_to_the_time_series():
    effect = measure_effect(company(seed=10, weeks=20), start=START, target={}, time_zone="UTC")
    assert effect.method == "interrupted-time-series"
    assert "NPS among all customers" in effect.statement


def test_thin_feedback_after_the_start_is_too_early_to_tell():
    frame = company(seed=11, weeks=11)  # one week after the start
    effect = measure_effect(frame, start=START, target={"region": "north"}, time_zone="UTC")
    assert effect.status == "too early"
    assert effect.estimate is effect.ci_low is effect.ci_high is effect.p_value is None
    assert not effect.significant
    assert effect.periods_after == 1
    assert effect.statement.startswith("Too early to tell: NPS among region=north has ")
    assert "at least 30 responses over 3 weeks in each group" in effect.statement
    assert json.loads(json.dumps(effect.to_dict()))["status"] == "too early"


def test_a_thin_comparison_also_makes_it_too_early():
    frame = company(seed=12, weeks=14)
    late_south = (pl.col("region") == "south") & (pl.col("received_at") >= START)
    thin = pl.concat([frame.filter(~late_south), frame.filter(late_south).head(20)])
    effect = measure_effect(thin, start=START, target={"region": "north"}, time_zone="UTC")
    assert effect.status == "too early"
    assert "other customers 20 in" in effect.statement


def test_to_dict_is_json_ready_and_complete():
    effect = measure_effect(
        company(seed=13), start=START, target={"region": "north"}, time_zone="UTC"
    )
    data = json.loads(json.dumps(effect.to_dict()))
    assert set(data) >= {
        "metric",
        "method",
        "status",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "n_before",
        "n_after",
        "comparison_n",
        "periods_before",
        "periods_after",
        "statement",
        "significant",
    }
    assert isinstance(effect, Effect)
    assert data["estimate"] == effect.estimate


def test_a_date_start_means_local_midnight():
    frame = company(seed=14)
    day = START.date()
    by_date = measure_effect(frame, start=day, target={"region": "north"}, time_zone="UTC")
    by_time = measure_effect(frame, start=START, target={"region": "north"}, time_zone="UTC")
    assert by_date == by_time
    stockholm = measure_effect(frame, start=day, target={"region": "north"})
    assert "since 2025-03-17" in stockholm.statement


def test_confidence_sets_the_interval_and_the_words():
    frame = company(seed=15, lift=0.2)
    wide = measure_effect(
        frame, start=START, target={"region": "north"}, confidence=0.99, time_zone="UTC"
    )
    narrow = measure_effect(frame, start=START, target={"region": "north"}, time_zone="UTC")
    assert wide.estimate == narrow.estimate
    assert wide.ci_low < narrow.ci_low and wide.ci_high > narrow.ci_high
    assert "(99% CI " in wide.statement


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"metric": "loyalty"}, InputError, "unknown metric"),
        ({"target": {"country": "DK"}}, SchemaError, "'country'"),
        ({"target": {"region": "east"}}, InputError, "values in the data are region: north, south"),
        ({"comparison": {"region": "east"}}, InputError, "comparison segment"),
        ({"start": ORIGIN - dt.timedelta(days=1)}, InputError, "outside the nps feedback"),
        ({"start": ORIGIN + dt.timedelta(weeks=30)}, InputError, "outside the nps feedback"),
        ({"start": ORIGIN + dt.timedelta(hours=1)}, InputError, "before the start"),
        ({"period": "fortnight"}, InputError, "unknown period"),
        ({"confidence": 95}, InputError, "confidence"),
        ({"target": {"region": 3}}, InputError, "string or a list of strings"),
    ],
)
def test_bad_input_is_refused_with_a_hint(arguments, error, words):
    options = {"start": START, "target": {"region": "north"}, "time_zone": "UTC", **arguments}
    with pytest.raises(error) as raised:
        measure_effect(company(seed=16), **options)
    assert raised.value.hint
    assert words in f"{raised.value} {raised.value.hint}"


def test_a_time_series_needs_three_periods_of_history():
    frame = company(seed=20)
    early = ORIGIN + dt.timedelta(weeks=2)
    with pytest.raises(InputError, match="in 2 period") as raised:
        measure_effect(
            frame, start=early, target={"region": "north"}, comparison={}, time_zone="UTC"
        )
    assert "needs at least 30 in 3 period(s)" in str(raised.value)
    # Against a comparison group the same history is enough.
    effect = measure_effect(frame, start=early, target={"region": "north"}, time_zone="UTC")
    assert effect.status == "measured"


def test_received_at_must_be_a_datetime():
    frame = company(seed=17).with_columns(pl.col("received_at").dt.to_string())
    with pytest.raises(SchemaError, match="datetime"):
        measure_effect(frame, start=START, target={"region": "north"})


def test_a_list_of_values_selects_any_of_them():
    frame = company(seed=18).with_columns(
        pl.when(pl.col("region") == "south")
        .then(pl.col("channel").replace({"web": "west", "store": "south"}))
        .otherwise(pl.col("region"))
        .alias("region")
    )
    both = measure_effect(
        frame,
        start=START,
        target={"region": "north"},
        comparison={"region": ["west", "south"]},
        time_zone="UTC",
    )
    default = measure_effect(frame, start=START, target={"region": "north"}, time_zone="UTC")
    assert both.estimate == pytest.approx(default.estimate, abs=1e-12)
    assert "region=west/south" in both.statement


def test_the_columnar_mirror_of_the_store_is_measured_alike(store, tmp_path):
    """What the dashboard and the API read (the store's mirror) gives the same effect."""
    frame = company(seed=19, lift=0.2).with_columns(
        id=pl.int_range(pl.len()).cast(pl.String),
        received_at=pl.col("received_at").dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"),
        channel=pl.lit("survey"),
        shop=pl.col("channel"),
    )
    path = tmp_path / "feedback.csv"
    frame.write_csv(path)
    import_file(path, kind="feedback", store=store)
    mirrored = scan_feedback(store).collect()
    assert mirrored.height == frame.height

    options = {"start": START, "target": {"region": "north", "shop": "web"}, "time_zone": "UTC"}
    from_store = measure_effect(mirrored, **options)
    in_memory = measure_effect(
        frame.with_columns(pl.col("received_at").str.to_datetime(time_zone="UTC")), **options
    )
    assert from_store.status == "measured"
    assert from_store.estimate == pytest.approx(in_memory.estimate, abs=1e-9)
    assert from_store.ci_low == pytest.approx(in_memory.ci_low, abs=1e-9)
    assert from_store.comparison_n == in_memory.comparison_n
