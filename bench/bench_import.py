"""Import benchmark: feedback rows from CSV into SQLite and PostgreSQL, beside a naive baseline.

Run ``.venv/bin/python bench/bench_import.py [--rows 1000000] [--out bench/results/import.json]``.

The benchmark generates a realistic, seeded feedback export (cached in the temp directory), then
for each database times, each in a fresh subprocess so that its peak memory is its own:

* **klarsyn**: ``Store.open`` + ``import_file`` (validating, de-duplicating, quarantining);
* **baseline**: pandas ``read_csv`` + ``DataFrame.to_sql(if_exists="append", index=False)`` through
  SQLAlchemy into a fresh database, letting pandas create its own table (no constraints, no
  indexes, no validation: the naive way).

Targets (issue 3): PostgreSQL >= 5x the baseline's rows/s, SQLite >= 1x, peak memory < 1 GB.
The run also checks that Klarsyn imported every unique good row and quarantined every bad one.
PostgreSQL comes from ``--pg-url`` (default: the local trust-auth server); each run creates its own
``bench_*`` schema and drops it afterwards.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = 2
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TARGETS = {"sqlite": 1.0, "postgresql": 5.0}
PEAK_LIMIT_MB = 1024
DUPLICATE_SHARE = 0.01
BAD_SHARE = 0.001

SCORES = {"nps", "csat", "ces", "rating"}
COLUMNS = [
    "id",
    "received_at",
    "channel",
    "customer_id",
    "nps",
    "csat",
    "ces",
    "rating",
    "text",
    "language",
    "region",
    "store",
    "product",
    "campaign",
]

# --- the generated export ----------------------------------------------------------------------

PHRASES = {
    "sv": [
        "Leveransen kom två dagar för sent",
        "personalen i butiken var väldigt trevlig",
        "jag fick vänta länge i kundtjänst",
        "returen gick smidigt och pengarna kom direkt",
        "kampanjen kändes som ett lurendrejeri",
        "priset höjdes strax före rean",
        "appen kraschar när jag ska betala",
        "bra kvalitet på jackan, håller fortfarande",
        "öppettiderna för kundtjänst är för korta",
        "paketet var skadat när det kom fram",
    ],
    "da": [
        "Pakken kom alt for sent frem",
        "medarbejderen var meget hjælpsom",
        "jeg ventede over en time på kundeservice",
        "returneringen var nem og hurtig",
        "tilbuddet var ikke det, der blev lovet",
        "størrelsen passede ikke, men byttet gik fint",
        "hjemmesiden er langsom og forvirrende",
        "god kvalitet til prisen",
        "åbningstiderne passer dårligt til folk, der arbejder",
        "fragten var dyrere end forventet",
    ],
    "no": [
        "Leveringen var forsinket igjen",
        "hyggelig og kunnskapsrik betjening",
        "kundeservice svarte aldri på e-posten min",
        "enkel retur, pengene kom på to dager",
        "kampanjen var misvisende",
        "varen var utsolgt da jeg kom til butikken",
        "bestillingen ble levert til feil adresse",
        "fornøyd med kjøpet, kommer tilbake",
        "køen i kassen var altfor lang",
        "rabattkoden fungerte ikke på nettsiden",
    ],
    "en": [
        "Delivery was late again",
        "the staff in the store were lovely",
        "I waited forever on the phone with support",
        "returns were painless and the refund was quick",
        "the campaign felt like a bait and switch",
        "checkout keeps failing in the app",
        "great quality, still wearing it a year later",
        "customer service hours are too short",
        "the parcel arrived damaged",
        "price went up right before the sale",
    ],
}
CONNECTORS = {
    "sv": [", och ", ". Dessutom ", ", men ", ". ", "; "],
    "da": [", og ", ". Desuden ", ", men ", ". ", "; "],
    "no": [", og ", ". I tillegg ", ", men ", ". ", "; "],
    "en": [", and ", ". Also, ", ", but ", ". ", "; "],
}
CHANNELS = ["survey", "review", "ticket", "email", "chat"]
REGIONS = ["Stockholm", "Göteborg", "Malmö", "København", "Aarhus", "Oslo", "Bergen", "Trondheim"]
PRODUCTS = ["jacka", "sko", "väska", "strømpebukser", "genser", "byxor", "kjole", "skjorte"]
CAMPAIGNS = ["", "", "", "vårrea", "black-week", "sommerudsalg", "medlemsdag"]
LANGUAGE_WEIGHTS = [40, 25, 25, 10]
STOCKHOLM = ZoneInfo("Europe/Stockholm")  # Klarsyn's default zone for stamps without one


def _text(rng: random.Random, language: str) -> str:
    target = int(min(300, max(20, rng.lognormvariate(4.3, 0.6))))
    phrases, connectors = PHRASES[language], CONNECTORS[language]
    text = rng.choice(phrases)
    while len(text) < target:
        text += rng.choice(connectors) + rng.choice(phrases)
    text = text[:target].rstrip(" ,;.")
    roll = rng.random()
    if roll < 0.005:
        text = f'{text}\n"{rng.choice(phrases)}"'  # quoted, multi-line cells, as exports have
    elif roll < 0.05:
        text += rng.choice(["!", "!!", " :(", " :)", "?"])
    return text if len(text) >= 20 else (text + " — " + rng.choice(phrases))[:300]


def _received_at(rng: random.Random, start: datetime) -> str:
    """ISO 8601 with an offset, in UTC ("Z"), or local wall-clock time without a zone."""
    moment = start + timedelta(seconds=rng.randrange(0, 365 * 24 * 3600))
    form = rng.random()
    if form < 0.40:
        return moment.astimezone(STOCKHOLM).isoformat(timespec="seconds")
    if form < 0.55:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Exports without an offset write local time (never inside a DST gap).
    local = moment.astimezone(STOCKHOLM).replace(tzinfo=None)
    if form < 0.85:
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if form < 0.95:
        return local.strftime("%Y-%m-%d %H:%M")
    return local.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def _score(rng: random.Random, low: int, high: int, share: float) -> str:
    return str(rng.randint(low, high)) if rng.random() < share else ""


def _good_row(rng: random.Random, index: int, start: datetime) -> list[str]:
    channel = rng.choice(CHANNELS)
    language = rng.choices(list(PHRASES), LANGUAGE_WEIGHTS)[0]
    survey, review = channel == "survey", channel == "review"
    return [
        f"FB-{index:08d}",
        _received_at(rng, start),
        channel,
        f"C{rng.randrange(200_000):07d}" if rng.random() < 0.9 else "",
        _score(rng, 0, 10, 0.9 if survey else 0.05),
        _score(rng, 1, 5, 0.5 if survey else 0.1),
        _score(rng, 1, 7, 0.3 if survey else 0.0),
        _score(rng, 1, 5, 0.95 if review else 0.0),
        _text(rng, language),
        language,
        rng.choice(REGIONS),
        f"S{rng.randrange(1, 120):03d}",
        rng.choice(PRODUCTS),
        rng.choice(CAMPAIGNS),
    ]


def _spoil(rng: random.Random, row: list[str]) -> list[str]:
    spoilt = list(row)
    kind = rng.randrange(3)
    if kind == 0:
        spoilt[4] = "11"  # NPS outside 0-10
    elif kind == 1:
        spoilt[1] = rng.choice(["2025-13-45 25:61", "igår kväll", "31/31/2025", "soon"])
    else:
        spoilt[1] = ""  # missing received_at
    return spoilt


@dataclass(frozen=True)
class Dataset:
    path: Path
    rows: int
    unique_good: int
    duplicates: int
    bad_rows: list[int]  # spreadsheet row numbers (the header is row 1)
    mb: float


def generate(path: Path, *, rows: int, seed: int) -> Dataset:
    """Write ``rows`` feedback rows: ~1% repeat an earlier id, ~0.1% are bad; seeded."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    recent: list[list[str]] = []
    bad_rows: list[int] = []
    duplicates = 0
    next_id = 1
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row_number in range(2, rows + 2):
            roll = rng.random()
            if roll < DUPLICATE_SHARE and recent:
                row = rng.choice(recent)  # a re-exported row: same id, same content
                duplicates += 1
            elif roll < DUPLICATE_SHARE + BAD_SHARE:
                row = _spoil(rng, _good_row(rng, next_id, start))
                next_id += 1
                bad_rows.append(row_number)
            else:
                row = _good_row(rng, next_id, start)
                next_id += 1
                recent.append(row)
                if len(recent) > 100_000:  # duplicates come from anywhere in the last 100k
                    recent[rng.randrange(len(recent))] = recent.pop()
            writer.writerow(row)
    tmp.replace(path)
    unique_good = rows - duplicates - len(bad_rows)
    mb = path.stat().st_size / 1e6
    return Dataset(path, rows, unique_good, duplicates, bad_rows, mb)


def dataset(rows: int, seed: int, cache: Path) -> Dataset:
    cache.mkdir(parents=True, exist_ok=True)
    stem = f"feedback-{rows}-s{seed}-v{GENERATOR_VERSION}"
    csv_path, meta_path = cache / f"{stem}.csv", cache / f"{stem}.json"
    if csv_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return Dataset(csv_path, **{k: v for k, v in meta.items() if k != "path"})
    made = generate(csv_path, rows=rows, seed=seed)
    meta_path.write_text(json.dumps({k: v for k, v in asdict(made).items() if k != "path"}))
    return made


# --- the timed jobs, each in its own process ----------------------------------------------------


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _usage(cpu_before: float) -> dict[str, float]:
    """The process's peak memory, and the CPU seconds of all its threads since ``cpu_before``.

    A database server's work is not in them.
    """
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    return {"peak_mb": peak_mb, "cpu_s": _cpu_seconds() - cpu_before}


def job_klarsyn(url: str, csv_path: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from klarsyn.collect.importer import import_file
    from klarsyn.storage.store import Store

    cpu, started = _cpu_seconds(), time.perf_counter()
    with Store.open(url) as store:
        report = import_file(csv_path, kind="feedback", store=store, source="bench")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, **_usage(cpu), "counts": asdict(report.counts)}


def job_mirror(url: str, _csv_path: Path) -> dict[str, Any]:
    """The first build of the columnar mirror over what Klarsyn imported."""
    sys.path.insert(0, str(ROOT))
    from klarsyn.storage import mirror
    from klarsyn.storage.store import Store

    with tempfile.TemporaryDirectory(prefix="klarsyn-mirror-") as directory:
        cpu, started = _cpu_seconds(), time.perf_counter()
        with Store.open(url, upgrade=False, columnar_dir=Path(directory)) as store:
            rows = mirror.refresh(store)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, **_usage(cpu), "rows": rows, "rows_per_s": rows / seconds}


def job_baseline(url: str, csv_path: Path, *, indexed: bool) -> dict[str, Any]:
    """pandas ``read_csv`` + ``to_sql``, into the table pandas creates or an equivalent one."""
    import pandas as pd
    from sqlalchemy import create_engine

    cpu, started = _cpu_seconds(), time.perf_counter()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    if indexed:
        _equivalent_table(engine)
    frame = pd.read_csv(csv_path)
    frame.to_sql("feedback", engine, if_exists="append", index=False)
    engine.dispose()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, **_usage(cpu), "rows": len(frame)}


def _equivalent_table(engine: Any) -> None:
    """The CSV's columns with the keys and indexes of Klarsyn's feedback table.

    A surrogate integer key, and indexes on the id, received_at, customer_id and (channel,
    received_at), as Klarsyn has. The id index cannot be unique: the baseline does not
    de-duplicate, so a unique one would stop it at the first repeated id. Columns keep the
    types pandas gives them (text, and floats for scores), since the baseline does not parse.
    """
    from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, Text

    metadata = MetaData()
    Table(
        "feedback",
        metadata,
        Column("row_id", Integer, primary_key=True),
        *[Column(name, Float if name in SCORES else Text) for name in COLUMNS],
        Index("ix_feedback_id", "id"),
        Index("ix_feedback_received_at", "received_at"),
        Index("ix_feedback_customer_id", "customer_id"),
        Index("ix_feedback_channel_received_at", "channel", "received_at"),
    )
    metadata.create_all(engine)


JOBS: dict[str, Callable[[str, Path], dict[str, Any]]] = {
    "klarsyn": job_klarsyn,
    "mirror": job_mirror,
    "baseline-bare": partial(job_baseline, indexed=False),
    "baseline-indexed": partial(job_baseline, indexed=True),
}
#: The baselines, each timed in a fresh database: pandas into the table it creates itself (no
#: keys, no indexes), and into a table with the keys and indexes Klarsyn's feedback table has.
BASELINES = {
    "indexed": "pandas, Klarsyn's indexes",
    "bare": "pandas, no indexes",
}


def run_job(job: str, url: str, csv_path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--job", job, "--url", url, "--csv", str(csv_path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{job} on {url} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- fresh databases ---------------------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, pg_url: str, workdir: Path) -> Iterator[str]:
    """A URL to an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in pg_url else "?"
    try:
        yield f"{pg_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def stored_state(url: str) -> dict[str, Any]:
    """What the Klarsyn import left in the store: rows, quarantined row numbers, run counters."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from klarsyn.storage.deferred_indexes import missing_indexes
    from klarsyn.storage.store import Store
    from klarsyn.storage.tables import feedback, import_runs, quarantine

    with Store.open(url, upgrade=False) as store, store.engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(feedback)).scalar_one()
        quarantined = connection.execute(select(quarantine.c.row_number, quarantine.c.reason))
        reasons = {int(row[0]): str(row[1]) for row in quarantined}
        run = connection.execute(select(import_runs)).mappings().one()
        missing = [str(index.name) for index in missing_indexes(connection, feedback)]
    return {"rows": rows, "quarantined": reasons, "status": run["status"], "missing": missing}


def check(ds: Dataset, result: dict[str, Any], state: dict[str, Any]) -> list[str]:
    """The ways the import differs from what the generator planted (empty when correct)."""
    problems = []
    counts = result["counts"]
    if state["rows"] != ds.unique_good or counts["imported"] != ds.unique_good:
        problems.append(
            f"imported {counts['imported']:,} (stored {state['rows']:,}), "
            f"expected {ds.unique_good:,} unique good rows"
        )
    if counts["duplicates"] != ds.duplicates:
        problems.append(f"{counts['duplicates']:,} duplicates, expected {ds.duplicates:,}")
    if sorted(state["quarantined"]) != ds.bad_rows or counts["quarantined"] != len(ds.bad_rows):
        problems.append(
            f"quarantined {counts['quarantined']:,} rows, expected exactly the "
            f"{len(ds.bad_rows):,} bad rows"
        )
    vague = [r for r in state["quarantined"].values() if not any(w in r for w in WHY)]
    if vague:
        problems.append(f"{len(vague)} quarantine reasons name no cause, e.g. {vague[0]!r}")
    if state["missing"]:
        problems.append(f"indexes missing after the import: {', '.join(state['missing'])}")
    if state["status"] != "completed":
        problems.append(f"import run ended as {state['status']!r}")
    return problems


WHY = ("outside 0-10", "is not a date", "missing required field received_at")


# --- the report --------------------------------------------------------------------------------


def measure(
    backend: str, ds: Dataset, pg_url: str, workdir: Path, *, repeat: int
) -> dict[str, Any]:
    """Time the baselines and Klarsyn in turn, ``repeat`` times each; keep the fastest of each."""
    times: dict[str, list[dict[str, Any]]] = {name: [] for name in [*BASELINES, "klarsyn"]}
    mirrors: list[dict[str, Any]] = []
    problems: list[str] = []
    for _ in range(repeat):
        for name in BASELINES:
            with fresh_database(backend, pg_url, workdir) as url:
                times[name].append(run_job(f"baseline-{name}", url, ds.path))
        with fresh_database(backend, pg_url, workdir) as url:
            times["klarsyn"].append(run_job("klarsyn", url, ds.path))
            problems += check(ds, times["klarsyn"][-1], stored_state(url))
            mirrors.append(run_job("mirror", url, ds.path))
    best = {name: min(runs, key=lambda r: r["seconds"]) for name, runs in times.items()}
    for measured in best.values():
        measured["rows_per_s"] = ds.rows / measured["seconds"]
    ours = best["klarsyn"]
    ours["peak_mb"] = max(r["peak_mb"] for r in times["klarsyn"])
    target = TARGETS[backend]
    comparisons = {}
    for name in BASELINES:
        ratio = ours["rows_per_s"] / best[name]["rows_per_s"]
        comparisons[name] = {"ratio": ratio, "met": ratio >= target}
    return {
        "backend": backend,
        "klarsyn": ours,
        "baselines": {name: best[name] for name in BASELINES},
        "target_ratio": target,
        "comparisons": comparisons,
        "memory_met": ours["peak_mb"] < PEAK_LIMIT_MB,
        # Not a target of the issue: the first build of the columnar mirror over the import.
        "mirror_first_build": min(mirrors, key=lambda r: r["seconds"]),
        "correct": not problems,
        "problems": sorted(set(problems)),
        "all_seconds": {
            name: [round(r["seconds"], 2) for r in runs]
            for name, runs in [*times.items(), ("mirror", mirrors)]
        },
    }


def print_table(ds: Dataset, results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"Import of {ds.rows:,} feedback rows ({ds.mb:,.0f} MB CSV; "
        f"{ds.duplicates:,} duplicate ids, {len(ds.bad_rows):,} bad rows)"
    )
    for name in ("database", "import", "rows/s", "seconds", "CPU s", "peak MB", "klarsyn ÷ it"):
        table.add_column(name, justify="left" if name in {"database", "import"} else "right")
    table.add_column("target", justify="left")

    def yes(ok: bool) -> str:
        return "[green]met[/]" if ok else "[red]missed[/]"

    for r in results:
        ours = r["klarsyn"]
        table.add_row(
            r["backend"],
            "klarsyn",
            f"{ours['rows_per_s']:,.0f}",
            f"{ours['seconds']:,.1f}",
            f"{ours['cpu_s']:,.1f}",
            f"{ours['peak_mb']:,.0f}",
            "",
            f"< {PEAK_LIMIT_MB:,} MB: {yes(r['memory_met'])}",
        )
        for name, label in BASELINES.items():
            m, versus = r["baselines"][name], r["comparisons"][name]
            table.add_row(
                "",
                label,
                f"{m['rows_per_s']:,.0f}",
                f"{m['seconds']:,.1f}",
                f"{m['cpu_s']:,.1f}",
                f"{m['peak_mb']:,.0f}",
                f"{versus['ratio']:.2f}x",
                f"≥ {r['target_ratio']:g}x: {yes(versus['met'])}",
            )
        table.add_section()
    console = Console(width=max(120, Console().width))
    console.print(table)
    for r in results:
        verdict = (
            "[green]correct[/]" if r["correct"] else "[red]WRONG[/]: " + "; ".join(r["problems"])
        )
        console.print(f"{r['backend']}: {verdict}")
        built = r["mirror_first_build"]
        console.print(
            f"{r['backend']}: mirror's first build {built['rows_per_s']:,.0f} rows/s "
            f"({built['seconds']:.1f} s, peak {built['peak_mb']:,.0f} MB)"
        )
    console.print(
        "CPU s: the importing process's own, all threads (a PostgreSQL server's work is not in "
        "it). With --repeat, the fastest run of each counts."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260531)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "import.json")
    parser.add_argument("--pg-url", default=os.environ.get("KLARSYN_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument(
        "--backend", choices=["sqlite", "postgresql"], action="append", help="default: both"
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "klarsyn-bench")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each import this many times; keep the best"
    )
    parser.add_argument("--job", choices=list(JOBS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        print(json.dumps(JOBS[args.job](args.url, args.csv)))
        return 0

    started = time.perf_counter()
    ds = dataset(args.rows, args.seed, args.cache)
    print(f"data: {ds.path} ({ds.mb:,.0f} MB, ready in {time.perf_counter() - started:.1f} s)")
    results = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="klarsyn-bench-") as workdir:
        for backend in args.backend or ["sqlite", "postgresql"]:
            results.append(measure(backend, ds, args.pg_url, Path(workdir), repeat=args.repeat))
    print_table(ds, results)
    report = {
        "benchmark": "import",
        "rows": ds.rows,
        "csv_mb": round(ds.mb, 1),
        "duplicates": ds.duplicates,
        "bad_rows": len(ds.bad_rows),
        "seed": args.seed,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            # Other work on the machine slows both sides; the load average shows how much.
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "repeat": args.repeat,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out} (whole run {time.perf_counter() - started:.0f} s)")
    ok = all(
        r["comparisons"]["indexed"]["met"] and r["memory_met"] and r["correct"] for r in results
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
