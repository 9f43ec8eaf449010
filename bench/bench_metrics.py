"""Metrics benchmark: NPS with intervals by week x region over millions of feedback rows.

Run ``.venv/bin/python bench/bench_metrics.py [--rows 10000000] [--repeat 3]
[--out bench/results/metrics.json]``.

The benchmark generates a seeded feedback table shaped like the store's columnar mirror
(``received_at`` in UTC, ``region``, ``customer_id`` with 10% anonymous, ``nps`` with 40% missing),
writes it once to Parquet in the temp directory, then times from that file:

* **klarsyn**: ``polars.read_parquet`` of the needed columns + ``metric_table(metric="nps",
  by=["region"], period="week")``: weeks in Europe/Stockholm, n, distinct customers, NPS and its
  score interval per group;
* **baseline**: ``pandas.read_parquet`` of the same columns + ``tz_convert`` + ``to_period("W")``
  + ``groupby([week, region]).agg(...)`` with ``nunique`` customers and a Wald interval, the way a
  notebook would do it.

With ``--from-store`` (the default) the same rows are also written once into a SQLite store, and
the product's path (the store's columnar mirror, whose one-time build is timed separately, then
``metric_table``) is timed beside the notebook way (``pandas.read_sql`` from the store, then the
same groupby).

Both produce the same table (checked: n, customers and NPS agree exactly). Each side runs
``--repeat`` times and the best time counts. Target (issue 5): klarsyn >= 5x faster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from rich.console import Console
from rich.table import Table

from klarsyn.analytics import metric_table
from klarsyn.storage import mirror
from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = 1
TARGET = 5.0
TIME_ZONE = "Europe/Stockholm"
COLUMNS = ["received_at", "region", "customer_id", "nps"]
REGIONS = ["Stockholm", "Göteborg", "Malmö", "København", "Aarhus", "Oslo", "Bergen", "Trondheim"]
START_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z


def generate(rows: int, *, seed: int) -> pl.DataFrame:
    """``rows`` feedback rows over one year: 200,000 customers, NPS answered by 60%."""
    rng = np.random.default_rng(seed)
    seconds = rng.integers(0, 365 * 86_400, rows)
    customer = rng.integers(0, 200_000, rows)
    region = rng.integers(0, len(REGIONS), rows)
    scores = rng.choice(11, rows, p=[0.04] * 7 + [0.12, 0.14, 0.2, 0.26])
    return pl.DataFrame(
        {
            "received_at": pl.Series(START_US + seconds * 1_000_000).cast(pl.Datetime("us", "UTC")),
            "region": pl.Series(np.array(REGIONS)[region]),
            "customer_id": pl.Series([f"C{c:07d}" for c in range(200_000)]).gather(customer),
            "nps": pl.Series(scores, dtype=pl.Int64),
        }
    ).with_columns(
        pl.when(pl.Series(rng.random(rows) < 0.1))
        .then(None)
        .otherwise(pl.col("customer_id"))
        .alias("customer_id"),
        pl.when(pl.Series(rng.random(rows) < 0.4)).then(None).otherwise(pl.col("nps")).alias("nps"),
    )


def dataset(rows: int, seed: int) -> Path:
    """The generated table as Parquet, cached in the temp directory."""
    path = (
        Path(tempfile.gettempdir())
        / f"klarsyn-bench-metrics-v{GENERATOR_VERSION}-{rows}-{seed}.parquet"
    )
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        generate(rows, seed=seed).write_parquet(partial, statistics=True)
        partial.replace(path)
    return path


def klarsyn_path(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path, columns=COLUMNS)
    return metric_table(frame, metric="nps", by=["region"], period="week", time_zone=TIME_ZONE)


def pandas_baseline(path: Path) -> pd.DataFrame:
    return pandas_group(pd.read_parquet(path, columns=COLUMNS))


def store_from(path: Path, directory: Path) -> Store:
    """A SQLite store holding the generated rows, written once and cached beside the Parquet."""
    database = directory / f"{path.stem}.db"
    if not database.exists():
        partial = database.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        Store.open(f"sqlite:///{partial}").close()
        frame = pl.read_parquet(path).with_row_index("n")
        rows = frame.select(
            pl.lit("bench").alias("source"),
            pl.format("fb{}", pl.col("n")).alias("external_id"),
            pl.col("received_at").dt.strftime("%Y-%m-%d %H:%M:%S.%f"),
            pl.lit("survey").alias("channel"),
            pl.col("customer_id"),
            pl.col("nps"),
            pl.struct("region").struct.json_encode().alias("attributes"),
        )
        with sqlite3.connect(partial) as connection:
            connection.executemany(
                "INSERT INTO feedback (source, external_id, received_at, channel, customer_id, "
                "nps, attributes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows.iter_rows(),
            )
        partial.replace(database)
    return Store.open(f"sqlite:///{database}")


def klarsyn_store_path(store: Store) -> pl.DataFrame:
    """What the CLI and dashboard do: read the columnar mirror of the store, then aggregate."""
    frame = scan_feedback(store, refreshed=False).select(COLUMNS).collect()
    return metric_table(frame, metric="nps", by=["region"], period="week", time_zone=TIME_ZONE)


def pandas_store_baseline(store: Store) -> pd.DataFrame:
    """The notebook way: load the rows from the store into pandas, then group."""
    database = store.engine.url.database
    assert database is not None
    with sqlite3.connect(database) as connection:
        frame = pd.read_sql(
            "SELECT received_at, json_extract(attributes, '$.region') AS region, customer_id, nps "
            "FROM feedback",
            connection,
        )
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    return pandas_group(frame)


def pandas_group(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[frame["nps"].notna()]
    local = frame["received_at"].dt.tz_convert(TIME_ZONE).dt.tz_localize(None)
    frame = frame.assign(
        period=local.dt.to_period("W").dt.start_time,
        promoter=frame["nps"] >= 9,
        detractor=frame["nps"] <= 6,
        anonymous=frame["customer_id"].isna(),
    )
    table = frame.groupby(["period", "region"], sort=True).agg(
        n=("nps", "size"),
        promoters=("promoter", "sum"),
        detractors=("detractor", "sum"),
        known=("customer_id", "nunique"),
        anonymous=("anonymous", "sum"),
    )
    table["customers"] = table["known"] + table["anonymous"]
    top, bottom = table["promoters"] / table["n"], table["detractors"] / table["n"]
    table["value"] = 100 * (top - bottom)
    half = 100 * 1.959963984540054 * np.sqrt((top + bottom - (top - bottom) ** 2) / table["n"])
    table["ci_low"], table["ci_high"] = table["value"] - half, table["value"] + half
    return table.reset_index()


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def check_same(ours: pl.DataFrame, theirs: pd.DataFrame) -> None:
    """Fail loudly if the two tables disagree on n, customers or NPS."""
    baseline = pl.from_pandas(theirs[["period", "region", "n", "customers", "value"]])
    baseline = baseline.with_columns(pl.col("period").cast(pl.Date))
    joined = ours.join(baseline, on=["period", "region"], how="full", suffix="_pandas")
    assert joined.height == ours.height == baseline.height, "the tables have different groups"
    assert (joined["n"] == joined["n_pandas"]).all(), "n differs"
    assert (joined["customers"] == joined["customers_pandas"]).all(), "customers differ"
    assert ((joined["value"] - joined["value_pandas"]).abs() < 1e-9).all(), "NPS differs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--from-store",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also compare from a SQLite store: our mirror vs pandas read_sql",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "metrics.json")
    args = parser.parse_args()
    console = Console()
    with console.status(f"generating {args.rows:,} rows…"):
        path = dataset(args.rows, args.seed)
    with console.status("klarsyn (polars)…"):
        ours_s, ours = best_of(args.repeat, lambda: klarsyn_path(path))
    with console.status("baseline (pandas)…"):
        theirs_s, theirs = best_of(args.repeat, lambda: pandas_baseline(path))
    check_same(ours, theirs)
    ratio = theirs_s / ours_s
    store_result: dict[str, Any] = {}
    if args.from_store:
        with console.status("writing the rows into a SQLite store (cached)…"):
            store = store_from(path, path.parent)
        with console.status("building the columnar mirror (once per store)…"):
            started = time.perf_counter()
            mirror.refresh(store)
            refresh_s = time.perf_counter() - started
        with console.status("klarsyn from the store…"):
            store_ours_s, store_ours = best_of(args.repeat, lambda: klarsyn_store_path(store))
        with console.status("baseline from the store (pandas read_sql)…"):
            store_theirs_s, store_theirs = best_of(1, lambda: pandas_store_baseline(store))
        check_same(store_ours, store_theirs)
        store_result = {
            "mirror_build_seconds": round(refresh_s, 3),
            "klarsyn_seconds": round(store_ours_s, 4),
            "baseline_seconds": round(store_theirs_s, 4),
            "ratio": round(store_theirs_s / store_ours_s, 2),
            "target_met": store_theirs_s / store_ours_s >= TARGET,
        }
    table = Table(title=f"NPS by week x region, {args.rows:,} feedback rows ({ours.height} groups)")
    table.add_column("path")
    table.add_column("seconds", justify="right")
    table.add_column("rows/s", justify="right")
    table.add_row("klarsyn (polars)", f"{ours_s:.3f}", f"{args.rows / ours_s:,.0f}")
    table.add_row("baseline (pandas)", f"{theirs_s:.3f}", f"{args.rows / theirs_s:,.0f}")
    table.add_row(
        "ratio", f"{ratio:.1f}x", "target >= 5x: " + ("met" if ratio >= TARGET else "NOT met")
    )
    if store_result:
        table.add_section()
        table.add_row(
            "klarsyn from the store (mirror)",
            f"{store_result['klarsyn_seconds']:.3f}",
            f"{args.rows / store_result['klarsyn_seconds']:,.0f}",
        )
        table.add_row(
            "baseline: pandas read_sql + groupby",
            f"{store_result['baseline_seconds']:.3f}",
            f"{args.rows / store_result['baseline_seconds']:,.0f}",
        )
        table.add_row(
            "ratio",
            f"{store_result['ratio']:.1f}x",
            "target >= 5x: " + ("met" if store_result["target_met"] else "NOT met"),
        )
        table.add_row("mirror build (once)", f"{store_result['mirror_build_seconds']:.1f}", "")
    console.print(table)
    result = {
        "benchmark": "nps by week x region",
        "rows": args.rows,
        "groups": ours.height,
        "repeat": args.repeat,
        "klarsyn_seconds": round(ours_s, 4),
        "baseline_seconds": round(theirs_s, 4),
        "ratio": round(ratio, 2),
        "target_ratio": TARGET,
        "target_met": ratio >= TARGET,
        "from_store": store_result,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "polars": pl.__version__,
            "pandas": pd.__version__,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
