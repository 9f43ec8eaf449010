"""Key driver benchmark: Shapley importance over 1,000,000 feedback rows.

Run ``.venv/bin/python bench/bench_drivers.py [--rows 1000000] [--repeat 3] [--full-baseline]
[--out bench/results/drivers.json]``.

The benchmark generates a seeded feedback table: 300,000 customers (so most write more than
once), correlated negative-theme flags with planted effects, and a 0-10 NPS score. Then:

* **12 predictors, klarsyn**: `key_drivers` with exact Shapley importance and 200 bootstrap
  replicates (timed), and the point estimate alone (``replicates=0``, timed);
* **12 predictors, baseline**: the exact all-subsets Shapley decomposition by refitting the
  4,096 subset regressions on the rows (``numpy.linalg.lstsq`` with an intercept, weighted one
  voice per customer as klarsyn does). A full refit takes 35-40 minutes on two cores, so by
  default the baseline fits a seeded sample of subsets of every size, checks their R² against
  klarsyn's to 1e-6 and extrapolates its time as ``Σ_k C(12, k) x (mean seconds at size k)``.
  ``--full-baseline`` fits all 4,096, computes the Shapley values from them and checks klarsyn's
  to 1e-6;
* **12 predictors, relative weights**: the approximation error of Johnson's relative weights
  against the exact Shapley values on the same data;
* **30 predictors, klarsyn**: relative weights with 200 bootstrap replicates (timed).

klarsyn's runs count the best of ``--repeat`` (the machine may be shared); the baseline runs once.

Target (issue 7): klarsyn >= 20x faster than the baseline at 12 predictors.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

from klarsyn.analytics.driver_data import driver_data, plan_predictors
from klarsyn.analytics.drivers import KeyDrivers, Method, key_drivers
from klarsyn.analytics.shapley import correlation, shapley_from_subsets, subset_r2

ROOT = Path(__file__).resolve().parents[1]
TARGET = 20.0
TOLERANCE = 1e-6


def generate(rows: int, predictors: int, *, seed: int) -> pl.DataFrame:
    """``rows`` responses from 300,000 customers with ``predictors`` correlated theme flags."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=rows)
    latent = 0.5 * mood[:, None] + rng.normal(size=(rows, predictors))
    prevalence = np.linspace(0.03, 0.3, predictors)
    flags = latent > np.quantile(latent[:20_000], 1 - prevalence, axis=0).diagonal()
    effects = -np.geomspace(2.5, 0.05, predictors)
    score = 8.0 + flags @ effects - 0.6 * mood + rng.normal(scale=1.5, size=rows)
    columns = {f"theme_{j:02d}": flags[:, j].astype(np.int8) for j in range(predictors)}
    return pl.DataFrame(
        {
            "customer_id": rng.integers(0, 300_000, rows),
            "nps": np.clip(np.round(score), 0, 10).astype(np.int8),
        }
        | columns
    )


def themes_of(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("theme_")]


def timed(run: Callable[[], Any], *, repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs (the machine may be shared) and the last result."""
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def klarsyn_subset_r2(frame: pl.DataFrame) -> np.ndarray:
    """klarsyn's R² of every subset, from the same weighted covariance the analysis uses."""
    themes = themes_of(frame)
    planned = plan_predictors(frame, themes=themes, attributes=[])
    data = driver_data(frame, predictors=planned, outcome="nps")
    z = np.column_stack([data.x, data.y])
    mean = data.weight @ z / data.weight.sum()
    centred = z - mean
    cov = (centred * data.weight[:, None]).T @ centred / data.weight.sum()
    corr, _ = correlation(cov)
    p = len(themes)
    return subset_r2(corr[:p, :p], r_xy=corr[:p, p])


class Baseline:
    """Weighted least squares refitted on the rows for each subset, R² from the residuals."""

    def __init__(self, frame: pl.DataFrame) -> None:
        weight = frame.select(1.0 / pl.len().over("customer_id")).to_series().to_numpy()
        self.root = np.sqrt(weight)
        self.weight = weight
        self.x = frame.select(themes_of(frame)).to_numpy().astype(np.float64)
        self.y = frame.get_column("nps").to_numpy().astype(np.float64)
        centred = self.y - (weight @ self.y) / weight.sum()
        self.total = float(weight @ centred**2)

    def r2(self, subset: tuple[int, ...]) -> float:
        design = np.column_stack([np.ones(len(self.y)), self.x[:, list(subset)]])
        coef, *_ = np.linalg.lstsq(design * self.root[:, None], self.y * self.root, rcond=None)
        residual = self.y - design @ coef
        return float(1.0 - (self.weight @ residual**2) / self.total)


def run_baseline(
    frame: pl.DataFrame, *, full: bool, per_size: int, seed: int
) -> tuple[float, dict[int, float], bool]:
    """Seconds for all 4,096 fits (measured or extrapolated) and the R² of fitted subsets."""
    baseline = Baseline(frame)
    p = baseline.x.shape[1]
    rng = np.random.default_rng(seed)
    fitted: dict[int, float] = {0: 0.0}
    seconds = 0.0
    for size in range(1, p + 1):
        subsets = list(combinations(range(p), size))
        chosen = (
            subsets
            if full
            else [subsets[i] for i in sorted(rng.permutation(len(subsets))[:per_size])]
        )
        started = time.perf_counter()
        for subset in chosen:
            fitted[sum(1 << j for j in subset)] = baseline.r2(subset)
        spent = time.perf_counter() - started
        seconds += spent if full else spent / len(chosen) * math.comb(p, size)
    return seconds, fitted, full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--per-size", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full-baseline", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "drivers.json")
    args = parser.parse_args()
    console = Console()
    with console.status(f"generating {args.rows:,} rows…"):
        small = generate(args.rows, 12, seed=args.seed)
        wide = generate(args.rows, 30, seed=args.seed + 1)
    themes = themes_of(small)

    def ours(replicates: int, frame: pl.DataFrame, method: Method = "auto") -> KeyDrivers:
        return key_drivers(
            frame,
            outcome="nps",
            themes=themes_of(frame),
            replicates=replicates,
            method=method,
            seed=args.seed,
        )

    with console.status("klarsyn, 12 predictors…"):
        ours_s, result = timed(lambda: ours(args.replicates, small), repeat=args.repeat)
        point_s, point = timed(lambda: ours(0, small), repeat=args.repeat)
        weights_s, weights = timed(lambda: ours(0, small, "relative_weights"), repeat=args.repeat)
        mine = klarsyn_subset_r2(small)
    with console.status("baseline: all-subsets refits on the rows…"):
        base_s, fitted, full = run_baseline(
            small, full=args.full_baseline, per_size=args.per_size, seed=args.seed
        )
    r2_error = max(abs(mine[mask] - value) for mask, value in fitted.items())
    exact = {d.driver: d.importance for d in point.drivers}
    shapley_error = None
    if full:
        table_r2 = np.array([fitted[m] for m in range(1 << len(themes))])
        theirs = shapley_from_subsets(table_r2, p=len(themes))
        shapley_error = float(np.max(np.abs(theirs - np.array([exact[t] for t in themes]))))
    approx = {d.driver: d.importance for d in weights.drivers}
    rw_error = max(abs(approx[t] - exact[t]) for t in themes)
    with console.status("klarsyn, 30 predictors with bootstrap…"):
        wide_s, wide_result = timed(lambda: ours(args.replicates, wide), repeat=args.repeat)

    ratio = base_s / ours_s
    point_ratio = base_s / point_s
    checked = "all 4,096" if full else f"{len(fitted) - 1} sampled"
    same = r2_error <= TOLERANCE and (shapley_error is None or shapley_error <= TOLERANCE)
    table = Table(title=f"Key drivers over {args.rows:,} feedback rows")
    table.add_column("run")
    table.add_column("seconds", justify="right")
    table.add_column("note")
    table.add_row(
        "12 predictors: klarsyn exact Shapley + bootstrap",
        f"{ours_s:.2f}",
        f"{args.replicates} replicates, {ratio:.0f}x the baseline",
    )
    table.add_row(
        "12 predictors: klarsyn exact Shapley, point",
        f"{point_s:.2f}",
        f"{point_ratio:.0f}x the baseline",
    )
    table.add_row(
        "12 predictors: baseline, 4,096 lstsq refits",
        f"{base_s:.1f}",
        "measured" if full else f"extrapolated from {len(fitted) - 1} fits",
    )
    table.add_row(
        "12 predictors: agreement",
        "",
        f"max |ΔR²| {r2_error:.1e} over {checked} subsets"
        + ("" if shapley_error is None else f"; max |ΔShapley| {shapley_error:.1e}"),
    )
    table.add_row(
        "12 predictors: relative weights vs exact",
        f"{weights_s:.2f}",
        f"max |Δ| {rw_error:.4f} (R² {point.r2:.3f})",
    )
    table.add_row(
        "30 predictors: klarsyn relative weights + bootstrap",
        f"{wide_s:.2f}",
        f"{args.replicates} replicates, priorities {', '.join(wide_result.priorities)}",
    )
    table.add_row(
        "target",
        "",
        f">= {TARGET:.0f}x and equal to {TOLERANCE:g}: "
        + ("met" if ratio >= TARGET and same else "NOT met"),
    )
    console.print(table)
    output = {
        "benchmark": "key drivers",
        "rows": args.rows,
        "customers": result.customers,
        "replicates": args.replicates,
        "repeat": args.repeat,
        "p12": {
            "klarsyn_seconds": round(ours_s, 3),
            "klarsyn_point_seconds": round(point_s, 3),
            "baseline_seconds": round(base_s, 2),
            "baseline_measured": full,
            "baseline_fits": len(fitted) - 1,
            "ratio": round(ratio, 1),
            "point_ratio": round(point_ratio, 1),
            "max_r2_error": r2_error,
            "max_shapley_error": shapley_error,
            "r2": point.r2,
            "relative_weights_seconds": round(weights_s, 3),
            "relative_weights_max_error": rw_error,
            "priorities": list(result.priorities),
        },
        "p30": {
            "klarsyn_seconds": round(wide_s, 3),
            "method": wide_result.method,
            "r2": wide_result.r2,
            "priorities": list(wide_result.priorities),
        },
        "target_ratio": TARGET,
        "target_met": ratio >= TARGET and same,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "numpy": np.__version__,
            "polars": pl.__version__,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(output, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
