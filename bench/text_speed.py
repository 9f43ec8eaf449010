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
* **MiniLM embedding alone**: ``sentence-transformers`` ``all-MiniLM-L6-v2`` from a local path
  given with ``--minilm PATH`` (skipped when the package or the path is missing; nothing is
  downloaded).

Targets (issue 4): >= 10,000 comments/s, >= 50x the MiniLM embedding, within 2x of VADER.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
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


def timed(
    name: str, fn: Callable[[list[str]], int], batches: list[list[str]], workers: int
) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(fn, [batches[0][:200]] * workers))  # load models in every worker
        started = time.perf_counter()
        done = sum(pool.map(fn, batches))
        seconds = time.perf_counter() - started
    rate = done / seconds
    print(f"{name}: {done:,} comments in {seconds:.1f} s = {rate:,.0f} comments/s")
    return {"system": name, "comments": done, "seconds": round(seconds, 2), "per_second": rate}


def minilm(path: Path | None, texts: list[str]) -> dict[str, Any] | None:
    if path is None or not path.exists():
        print("note: MiniLM skipped (give --minilm PATH to a local all-MiniLM-L6-v2 copy)")
        return None
    try:
        from sentence_transformers import (  # type: ignore[import-not-found,unused-ignore]
            SentenceTransformer,
        )
    except ImportError:
        print("note: MiniLM skipped: sentence-transformers is not installed")
        return None
    model = SentenceTransformer(str(path), device="cpu")
    sample = texts[:5_000]
    started = time.perf_counter()
    model.encode(sample, batch_size=64)
    seconds = time.perf_counter() - started
    rate = len(sample) / seconds
    print(f"MiniLM embedding: {len(sample):,} comments in {seconds:.1f} s = {rate:,.0f}/s")
    return {"system": "MiniLM embedding", "comments": len(sample), "per_second": rate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--minilm", type=Path)
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
    embedding = minilm(args.minilm, texts)
    if embedding:
        results.append(embedding)
    ours = results[0]["per_second"]
    for other in results[1:]:
        print(f"klarsyn / {other['system']}: {ours / other['per_second']:.2f}x")
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
