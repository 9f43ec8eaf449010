"""Effect benchmark: `measure_effect` over a year of weekly feedback.

Run ``.venv/bin/python bench/bench_effect.py [--rows 1000000] [--repeat 3] [--baseline-rows
200000] [--out bench/results/effect.json]``.

The benchmark generates a seeded year of NPS answers from ``rows / 3`` customers in three
countries, with an action in one of them after 30 weeks, and times:

* **klarsyn, difference-in-differences**: `measure_effect` against everyone else, weekly period
  effects in Europe/Stockholm, standard errors clustered by customer;
* **klarsyn, interrupted time series**: `measure_effect` with ``comparison={}``;
* **baseline**: statsmodels OLS with one dummy column per week and ``cov_type="cluster"`` on the
  first ``--baseline-rows`` rows, next to klarsyn on the same rows; the two must agree on the
  estimate and its standard error to 1e-9.

klarsyn's runs count the best of ``--repeat`` (the machine may be shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import statsmodels.api as sm

from klarsyn.analytics.effect import measure_effect
from klarsyn.analytics.effect_data import effect_design, scored_rows
from klarsyn.analytics.effect_models import difference_in_differences
from klarsyn.analytics.metrics import metric_named

ROOT = Path(__file__).resolve().parents[1]
ORIGIN = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
START = ORIGIN + dt.timedelta(weeks=30)
TOLERANCE = 1e-9


def generate(rows: int, *, seed: int) -> pl.DataFrame:
    """A year of NPS answers; Danish promoters rise by 6% after ``START``."""
    rng = np.random.default_rng(seed)
    customers = max(rows // 3, 1)
    customer = rng.integers(0, customers, rows)
    country = np.array(["DK", "SE", "NO"])[customer % 3]
    seconds = rng.uniform(0, 52 * 7 * 86_400, rows)
    lift = np.where((country == "DK") & (seconds >= (START - ORIGIN).total_seconds()), 0.06, 0.0)
    u = rng.random(rows)
    nps = np.select(
        [u < 0.4 + lift, u < 0.7 + lift],
        [rng.integers(9, 11, rows), rng.integers(7, 9, rows)],
        rng.integers(0, 7, rows),
    )
    instants = ((ORIGIN.timestamp() + seconds) * 1e6).astype(np.int64)
    return pl.DataFrame(
        {
            "received_at": pl.Series(instants).cast(pl.Datetime("us", "UTC")),
            "customer_id": pl.Series(customer).cast(pl.String),
            "nps": nps,
            "country": country,
        }
    )


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    return min(times), result


def baseline(frame: pl.DataFrame) -> tuple[float, float, float, float]:
    """statsmodels with one column per week; klarsyn's estimator on the same rows."""
    rows = scored_rows(frame, metric_named("nps"))
    design = effect_design(
        rows,
        treated=rows.get_column("country") == "DK",
        start=START,
        period="week",
        time_zone="Europe/Stockholm",
    )
    began = time.perf_counter()
    weeks = (design.period[:, None] == np.arange(design.period.max() + 1)).astype(float)
    exposed = design.treated & design.after
    x = np.column_stack([weeks, design.treated, exposed]).astype(float)
    fitted = sm.OLS(design.value, x).fit(cov_type="cluster", cov_kwds={"groups": design.cluster})
    seconds = time.perf_counter() - began
    began = time.perf_counter()
    fit = difference_in_differences(design)
    ours = time.perf_counter() - began
    agrees = max(abs(fit.estimate - fitted.params[-1]), abs(fit.standard_error - fitted.bse[-1]))
    return seconds, ours, agrees, fit.estimate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "effect.json")
    options = parser.parse_args()

    frame = generate(options.rows, seed=7)
    target = {"country": "DK"}
    did_seconds, did = best_of(
        options.repeat, lambda: measure_effect(frame, start=START, target=target)
    )
    its_seconds, its = best_of(
        options.repeat,
        lambda: measure_effect(frame, start=START, target=target, comparison={}),
    )
    base_seconds, ours_seconds, difference, _ = baseline(frame.head(options.baseline_rows))
    if difference > TOLERANCE:
        raise SystemExit(f"klarsyn and statsmodels differ by {difference:.3g}")
    result = {
        "rows": options.rows,
        "difference_in_differences_seconds": round(did_seconds, 3),
        "difference_in_differences": did.statement,
        "interrupted_time_series_seconds": round(its_seconds, 3),
        "interrupted_time_series": its.statement,
        "baseline_rows": options.baseline_rows,
        "baseline_statsmodels_dummies_seconds": round(base_seconds, 3),
        "klarsyn_estimator_same_rows_seconds": round(ours_seconds, 3),
        "largest_difference_to_statsmodels": difference,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
