"""Explain benchmark: why NPS moved, over millions of feedback rows with 8 attributes.

Run ``.venv/bin/python bench/bench_explain.py [--rows 10000000]
[--out bench/results/explain.json]``.

The benchmark generates a seeded feedback table of two months (May and June 2026) with eight
text attributes of 3 to 200 values (region, store nested in region, delivery partner, product,
channel, segment, loyalty tier, language) and NPS scores, with one cause planted in June: one
delivery partner in one region makes its customers unhappier. Then, in the same run:

* **klarsyn**: ``explain(frame, metric="nps", period=June, vs=May)``: the change with its
  interval and test, every attribute value and every pair of values (8 singles, 28 pairs) as
  candidates, the greedy search with its Benjamini-Hochberg control, up to three rounds;
* **baseline**: the same search where every candidate segment's tallies come from one full
  pandas ``groupby`` per attribute and per pair of attributes (36 group-bys a round), the way
  a notebook would compute them; the statistics and the selection are the same code.

Both must name the same causes with the same explained shares (checked). Target (issue 6):
klarsyn >= 10x faster. Results go to ``bench/results/explain.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from rich.console import Console
from rich.table import Table

from klarsyn.analytics.explain import explain
from klarsyn.analytics.explain_contrasts import contrasts
from klarsyn.analytics.explain_search import PAIR_SIGN, ExplainOptions, Family, pick
from klarsyn.analytics.explain_tallies import Cells, Encoded, levels
from klarsyn.analytics.explain_windows import Window
from klarsyn.analytics.metrics import metric_named

ROOT = Path(__file__).resolve().parents[1]
MAY = Window(
    "2026-05", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
)
JUNE = Window(
    "2026-06", dt.datetime(2026, 6, 1, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
)
SIZES = {
    "region": 20,
    "store": 200,
    "delivery_partner": 5,
    "product": 30,
    "channel": 4,
    "segment": 3,
    "tier": 4,
    "language": 5,
}
ATTRIBUTES = list(SIZES)


def generate(rows: int, seed: int = 6) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    june = rng.random(rows) < 0.5
    start = np.where(june, JUNE.start.timestamp(), MAY.start.timestamp())
    micros = ((start + rng.uniform(0, 29 * 86_400, rows)) * 1e6).astype(np.int64)
    codes = {name: rng.integers(0, size, rows) for name, size in SIZES.items()}
    codes["store"] = codes["region"] * 10 + rng.integers(0, 10, rows)  # stores lie in regions
    latent = 7.5 + rng.normal(0, 2.0, rows)
    latent -= 3.5 * (june & (codes["delivery_partner"] == 2) & (codes["region"] == 7))
    columns: dict[str, Any] = {
        "id": pl.int_range(rows, eager=True).cast(pl.String),
        "received_at": pl.Series(micros).cast(pl.Datetime("us", "UTC")),
        "customer_id": pl.Series(rng.integers(0, rows // 3, rows)).cast(pl.String),
        "nps": np.clip(np.rint(latent), 0, 10).astype(np.int64),
    }
    for name, values in codes.items():
        columns[name] = pl.Series(values).cast(pl.String).str.replace(r"^", f"{name[:3]}-")
    return pl.DataFrame(columns)


def klarsyn_causes(frame: pl.DataFrame) -> list[tuple[str, str, str, float]]:
    result = explain(frame, metric="nps", period=JUNE, vs=MAY, attributes=ATTRIBUTES)
    return [(c.dimension, c.value, c.effect, round(c.explained_share, 9)) for c in result.causes]


def _cells(table: pd.DataFrame, keys: list[str], index: dict[str, dict[Any, int]]) -> Cells:
    """Tallies of a pandas group-by laid out as klarsyn's cells (first code, then second)."""
    sizes = [len(index[k]) for k in keys]
    total = int(np.prod(sizes))
    position = np.zeros(len(table), dtype=np.int64)
    for key, size in zip(keys, sizes, strict=True):
        mapped = table[key].map(index[key]).to_numpy(dtype=np.int64)
        position = position * size + mapped
    after = table["after"].to_numpy(dtype=np.int64)
    arrays = []
    for column in ("n", "s1", "s2"):
        grid = np.zeros((total, 2))
        np.add.at(grid, (position, after), table[column].to_numpy(dtype=np.float64))
        arrays.append(grid)
    return Cells(*arrays)


def baseline_causes(data: pd.DataFrame) -> list[tuple[str, str, str, float]]:
    """The same search, its tallies from one pandas group-by per candidate segment."""
    options = ExplainOptions()
    spec = metric_named("nps")
    index_of, value = levels(spec, pl.Series(data["nps"].to_numpy()))
    data = data.assign(y=value[index_of], y2=value[index_of] ** 2)
    excluded = np.zeros(len(data), dtype=bool)
    labels = {a: sorted(data[a].dropna().unique().tolist()) for a in ATTRIBUTES}
    index = {a: {v: i for i, v in enumerate(vs)} for a, vs in labels.items()}
    first = data.groupby("after")[["y"]].agg(["count", "sum"])
    means = first[("y", "sum")] / first[("y", "count")]
    delta = float(means[True] - means[False])
    found = []
    for _ in range(options.max_causes):
        active = data[~excluded]
        whole_table = active.groupby("after").agg(
            n=("y", "count"), s1=("y", "sum"), s2=("y2", "sum")
        )
        whole = Cells(
            whole_table["n"].to_numpy(dtype=float)[None, :],
            whole_table["s1"].to_numpy(dtype=float)[None, :],
            whole_table["s2"].to_numpy(dtype=float)[None, :],
        )
        families = []
        encoded = {a: Encoded(a, np.empty(0, dtype=np.int64), tuple(labels[a])) for a in ATTRIBUTES}
        dimensions = [[a] for a in ATTRIBUTES] + [
            list(p) for p in itertools.combinations(ATTRIBUTES, 2)
        ]
        for keys in dimensions:
            table = (
                active.groupby([*keys, "after"], observed=True)
                .agg(n=("y", "count"), s1=("y", "sum"), s2=("y2", "sum"))
                .reset_index()
            )
            result = contrasts(_cells(table, keys, index), whole, min_n=options.min_n)
            names = [
                PAIR_SIGN.join(map(str, combo))
                for combo in itertools.product(*(labels[k] for k in keys))
            ]
            families.append(
                Family(
                    "segment",
                    PAIR_SIGN.join(keys),
                    list(names),
                    result,
                    tuple(encoded[k] for k in keys),
                )
            )
        picked = pick(families, delta=delta, options=options)
        if picked is None:
            break
        family, i, _ = picked
        share = float(family.result.explained[i] / delta)
        effect = (
            "rate"
            if abs(family.result.rate[i]) >= abs(family.result.mix[i]) and not family.result.new[i]
            else "mix"
        )
        found.append((family.dimension, str(family.labels[i]), effect, round(share, 9)))
        member = np.ones(len(data), dtype=bool)
        for key, wanted in zip(
            family.dimension.split(PAIR_SIGN), str(family.labels[i]).split(PAIR_SIGN), strict=True
        ):
            member &= (data[key] == wanted).to_numpy()
        excluded |= member
    return found


def timed(function: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "explain.json")
    args = parser.parse_args()
    console = Console()
    with console.status(f"generating {args.rows:,} rows…"):
        frame = generate(args.rows)
        after = frame.select(JUNE.contains()).to_series()
        data = frame.select("nps", *ATTRIBUTES).with_columns(after.alias("after")).to_pandas()
    with console.status("klarsyn explain…"):
        fast, ours = timed(klarsyn_causes, frame)
    with console.status("pandas baseline…"):
        slow, theirs = timed(baseline_causes, data)
    if ours != theirs:
        raise SystemExit(f"the answers differ:\nklarsyn:  {ours}\nbaseline: {theirs}")
    table = Table(title=f"Explain NPS June vs May over {args.rows:,} rows, 8 attributes")
    for column in ("path", "seconds", "ratio"):
        table.add_column(column, justify="left" if column == "path" else "right")
    table.add_row("klarsyn explain (Polars + bincount tallies)", f"{fast:.2f}", "")
    table.add_row(
        "baseline: pandas groupby per candidate segment", f"{slow:.2f}", f"{slow / fast:.1f}x"
    )
    console.print(table)
    console.print(f"causes (equal on both sides): {ours}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "rows": args.rows,
                "attributes": SIZES,
                "klarsyn_seconds": round(fast, 3),
                "baseline_seconds": round(slow, 3),
                "ratio": round(slow / fast, 2),
                "causes": [list(c) for c in ours],
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "versions": {"polars": pl.__version__, "pandas": pd.__version__},
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
