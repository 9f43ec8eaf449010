"""Text accuracy benchmark: layer 1, layer 2 and baselines on every labelled set in ../shared/data.

Run ``.venv/bin/python bench/text_accuracy.py [--data ../shared/data] [--out
bench/results/text_accuracy.json] [--only NAME] [--encoder minilm]``.

Splits are fixed and seeded (seed 0) so every run scores the same comments:

* ``airline_tweets_en``: de-duplicated on tweet_id, shuffled, first 80 % train, last 20 % test;
  sentiment (3 classes), and the negative reason as a theme on the negative tweets of the same
  split (micro-F1 = accuracy, one reason per tweet).
* ``swe_sentiment_sv``: de-duplicated on text, shuffled, 80 / 20.
* ``norec_sentence_no``: 3-class and binary; train.json to train, dev.json to test (the
  published test files are kept aside).
* ``scandisent_mt_en``: sv.csv and no.csv each de-duplicated on text, shuffled, first 75 % train,
  last 25 % test (the authors' 7,500 / 2,500 proportion); binary.
* ``amazon_alexa_reviews_en``: de-duplicated, empty texts dropped, 80 / 20; layer 2 learns from
  the star rating as a weak label (1-2 / 4-5 stars); scored on the same binary labels.
* ``cfpb_complaints_sample_en``: complaints with a narrative, 80 / 20; Product as a theme.
* ``semeval_absa_en`` 2015 restaurants: reviews (not sentences) split 80 / 20 by a seeded
  shuffle of review ids, since the 2015 test file is not among the copies; aspect categories
  (multi-label per sentence, micro-F1) and the polarity of each gold opinion (accuracy).

Systems: **layer 1** (the built-in lexicon, no training), **layer 2** (``train_model`` on the
train split, which picks its classifier by cross-validation on that split alone and records
the choice in the results; it falls back to layer 1 in languages where cross-validation did
not favour it), the **TF-IDF + LR** baseline (word 1-2-grams + char 2-5-grams, logistic
regression, trained on the same split), and where installed **VADER** (en) and **AFINN** (en);
with ``--encoder minilm`` (or a sentence-transformers model directory) also **layer 3**: layer 2
with the encoder's sentence vectors added to its features, on the sets in
``--encoder-languages`` (default ``en``: MiniLM reads English only);
VADER-Swedish and AFINN-Danish are listed as skipped when missing. For binary sets, layer 1
and the lexicons decide by the sign of their score.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import random
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_union
from sklearn.preprocessing import MultiLabelBinarizer

from klarsyn.text.encoders import SentenceEncoder, load_encoder
from klarsyn.text.learned import LearnedModel
from klarsyn.text.pipeline import TextPipeline, analyze, build_pipeline
from klarsyn.text.training import train_model

SEED = 0
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Task:
    name: str
    language: str
    kind: str  # sentiment3 | binary | theme | multitheme
    train: pl.DataFrame  # columns: text, label (or labels: list[str] for multitheme)
    test: pl.DataFrame
    weak_scores: str | None = None  # train from this score column instead of labels
    notes: list[str] = field(default_factory=list)


def shuffled(frame: pl.DataFrame, *, seed: int = SEED) -> pl.DataFrame:
    order = list(range(len(frame)))
    random.Random(seed).shuffle(order)
    return frame[order]


def split(frame: pl.DataFrame, fraction: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = shuffled(frame)
    cut = int(len(frame) * fraction)
    return frame[:cut], frame[cut:]


def load_tasks(data: Path) -> list[Task]:
    tasks: list[Task] = []
    airline = pl.read_csv(data / "airline_tweets_en/Tweets.csv", infer_schema=False)
    airline = airline.unique("tweet_id", keep="first", maintain_order=True).select(
        "text", pl.col("airline_sentiment").alias("label"), "negativereason"
    )
    train, test = split(airline, 0.8)
    tasks.append(Task("airline tweets", "en", "sentiment3", train, test))
    reasons = [
        f.filter(pl.col("negativereason").is_not_null()).select(
            "text", pl.col("negativereason").alias("label")
        )
        for f in (train, test)
    ]
    tasks.append(Task("airline negative reasons (themes)", "en", "theme", reasons[0], reasons[1]))

    swe = pl.read_csv(data / "swe_sentiment_sv/swe-sentiment-dataset.csv", infer_schema=False)
    swe = swe.unique("text", keep="first", maintain_order=True).select(
        "text",
        pl.col("label").replace({"pos": "positive", "neg": "negative", "neu": "neutral"}),
    )
    tasks.append(Task("swe-sentiment (informal)", "sv", "sentiment3", *split(swe, 0.8)))

    for variant, kind in (("3class", "sentiment3"), ("binary", "binary")):
        parts = [
            pl.DataFrame(
                json.loads((data / f"norec_sentence_no/{variant}/{n}.json").read_text())
            ).select("text", pl.col("label").str.to_lowercase())
            for n in ("train", "dev")
        ]
        tasks.append(Task(f"NoReC sentences {variant}", "nb", kind, parts[0], parts[1]))

    for source in ("sv", "no"):
        scandi = pl.read_csv(data / f"scandisent_mt_en/{source}.csv", infer_schema=False)
        scandi = scandi.unique("text", keep="first", maintain_order=True).select(
            "text", pl.col("label").replace({"1": "positive", "0": "negative"})
        )
        tasks.append(Task(f"ScandiSent MT ({source}→en)", "en", "binary", *split(scandi, 0.75)))

    alexa = pl.read_csv(
        data / "amazon_alexa_reviews_en/amazon_alexa.tsv", separator="\t", infer_schema=False
    )
    alexa = (
        alexa.rename({alexa.columns[0]: "rating"})
        .unique(maintain_order=True)
        .filter(pl.col("verified_reviews").str.strip_chars().str.len_chars() > 0)
        .filter(pl.col("rating") != "3")
        .select(
            pl.col("verified_reviews").alias("text"),
            pl.col("rating"),
            pl.when(pl.col("rating").cast(pl.Int64) >= 4)
            .then(pl.lit("positive"))
            .otherwise(pl.lit("negative"))
            .alias("label"),
        )
    )
    tasks.append(
        Task("Amazon Alexa (stars as weak labels)", "en", "binary", *split(alexa, 0.8), "rating")
    )

    cfpb = pl.read_csv(data / "cfpb_complaints_sample_en/complaints_sample.csv", infer_schema=False)
    cfpb = cfpb.filter(pl.col("Consumer complaint narrative").is_not_null()).select(
        pl.col("Consumer complaint narrative").alias("text"), pl.col("Product").alias("label")
    )
    tasks.append(Task("CFPB products (themes)", "en", "theme", *split(cfpb, 0.8)))
    tasks.extend(semeval_tasks(data / "semeval_absa_en/2015/ABSA-15_Restaurants_Train_Final.xml"))
    return tasks


def semeval_tasks(path: Path) -> list[Task]:
    root = ET.parse(path).getroot()
    reviews = [review.get("rid", "") for review in root.iter("Review")]
    random.Random(SEED).shuffle(reviews)
    test_reviews = set(reviews[int(len(reviews) * 0.8) :])
    sentences: dict[str, list[dict[str, Any]]] = {"train": [], "test": []}
    opinions: dict[str, list[dict[str, str]]] = {"train": [], "test": []}
    for review in root.iter("Review"):
        part = "test" if review.get("rid") in test_reviews else "train"
        for sentence in review.iter("sentence"):
            text = sentence.findtext("text") or ""
            found = sentence.findall("Opinions/Opinion")
            categories = sorted({o.get("category", "") for o in found})
            sentences[part].append({"text": text, "labels": categories})
            opinions[part].extend(
                {"text": text, "label": o.get("polarity", "")}
                for o in found
                if o.get("polarity") in {"positive", "negative", "neutral"}
            )
    return [
        Task(
            "SemEval-2015 restaurants: aspect categories",
            "en",
            "multitheme",
            pl.DataFrame(sentences["train"]),
            pl.DataFrame(sentences["test"]),
        ),
        Task(
            "SemEval-2015 restaurants: aspect polarity",
            "en",
            "sentiment3",
            pl.DataFrame(opinions["train"]),
            pl.DataFrame(opinions["test"]),
        ),
    ]


def lexicon_labels(
    scores: Sequence[float | None], *, binary: bool, threshold: float, tie: str = "neutral"
) -> list[str]:
    """Labels from scores; on a binary task a score of exactly 0 gets ``tie``."""
    cut = 0.0 if binary else threshold
    return [
        "positive"
        if (s or 0.0) > cut
        else "negative"
        if (s or 0.0) < -cut
        else (tie if binary else "neutral")
        for s in scores
    ]


def baseline_predict(task: Task) -> list[Any]:
    vectorizer = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    )
    train_x = vectorizer.fit_transform(task.train["text"].to_list())
    test_x = vectorizer.transform(task.test["text"].to_list())
    if task.kind == "multitheme":
        binarizer = MultiLabelBinarizer()
        y = binarizer.fit_transform(task.train["labels"].to_list())
        model = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(train_x, y)
        return [list(row) for row in binarizer.inverse_transform(model.predict(test_x))]
    model = LogisticRegression(max_iter=1000).fit(train_x, task.train["label"].to_list())
    return list(model.predict(test_x))


def optional_lexicons() -> dict[str, Callable[[str], float]]:
    found: dict[str, Callable[[str], float]] = {}
    try:
        from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
            SentimentIntensityAnalyzer,
        )

        vader = SentimentIntensityAnalyzer()
        found["VADER"] = lambda text: float(vader.polarity_scores(text)["compound"])
    except ImportError:
        print("note: vaderSentiment is not installed; VADER is skipped")
    try:
        from afinn import Afinn  # type: ignore[import-untyped,import-not-found,unused-ignore]

        afinn = Afinn(language="en")
        found["AFINN"] = lambda text: float(afinn.score(text))
    except ImportError:
        print("note: afinn is not installed; AFINN is skipped")
    return found


def score(task: Task, truth: Sequence[Any], predicted: Sequence[Any]) -> dict[str, float]:
    if task.kind == "multitheme":
        binarizer = MultiLabelBinarizer().fit([*truth, *predicted])
        y, p = binarizer.transform(truth), binarizer.transform(predicted)
        return {"micro_f1": float(f1_score(y, p, average="micro", zero_division=0))}
    labels = sorted(set(truth))  # a prediction outside the true classes only costs recall
    return {
        "macro_f1": float(
            f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
        ),
        "micro_f1": float(
            f1_score(truth, predicted, labels=labels, average="micro", zero_division=0)
        ),
        "accuracy": float(accuracy_score(truth, predicted)),
    }


def learned_score(
    task: Task, model: LearnedModel, *, pipeline: TextPipeline, truth: list[Any], tie: str
) -> dict[str, float]:
    """A trained model's score on the test split, as the pipeline applies it."""
    if task.kind in {"sentiment3", "binary"}:
        learned = analyze(
            task.test.select("text"),
            pipeline=build_pipeline(lexicon=pipeline.lexicon, model=model),
            default_language=task.language,
        )
        if task.kind == "binary":
            predicted = lexicon_labels(
                learned["sentiment_score"].to_list(), binary=True, threshold=0, tie=tie
            )
        else:
            predicted = learned["sentiment"].fill_null("neutral").to_list()
        return score(task, truth, predicted)
    texts = task.test["text"].to_list()
    themes = model.predict_themes(texts, languages=[task.language] * len(texts))
    predicted_themes: list[Any] = (
        themes if task.kind == "multitheme" else [t[0] if t else "" for t in themes]
    )
    return score(task, truth, predicted_themes)


def _classifiers(model: LearnedModel) -> dict[str, Any]:
    return {
        part: model.manifest[part]["classifier"]
        for part in ("sentiment", "themes")
        if part in model.manifest
    }


def run_task(
    task: Task,
    *,
    pipeline: TextPipeline,
    lexicons: dict[str, Callable[[str], float]],
    encoder: SentenceEncoder | None = None,
    encoder_languages: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    started = time.perf_counter()
    classifiers: dict[str, Any] = {}
    test_texts = task.test["text"].to_list()
    results: dict[str, dict[str, float]] = {}
    notes = list(task.notes)
    truth = task.test["labels" if task.kind == "multitheme" else "label"].to_list()
    binary = task.kind == "binary"
    # On a binary task a lexicon that finds nothing must still answer: it answers with the
    # training split's majority class, as any analyst would.
    majority = Counter(task.train["label"].to_list()).most_common(1)[0][0] if binary else "neutral"
    layer1 = analyze(task.test.select("text"), pipeline=pipeline, default_language=task.language)
    if task.kind in {"sentiment3", "binary"}:
        predicted = lexicon_labels(
            layer1["sentiment_score"].to_list(),
            binary=binary,
            threshold=pipeline.threshold,
            tie=majority,
        )
        results["layer 1"] = score(task, truth, predicted)
    if task.kind in {"sentiment3", "binary"}:
        kwargs: dict[str, Any] = (
            {"score_column": task.weak_scores, "score_scale": "stars5"}
            if task.weak_scores
            else {"label_column": "label"}
        )
    else:
        train = task.train
        if task.kind == "multitheme":
            train = train.with_columns(pl.col("labels").list.join(";").alias("label"))
        kwargs = {"theme_column": "label"}
        task = Task(task.name, task.language, task.kind, train, task.test, task.weak_scores)
    fit = partial(
        train_model,
        task.train,
        pipeline=pipeline,
        text_column="text",
        now=NOW,
        default_language=task.language,
        seed=SEED,
        **kwargs,
    )
    model, report = fit()
    results["layer 2"] = learned_score(task, model, pipeline=pipeline, truth=truth, tie=majority)
    if (
        task.kind in {"sentiment3", "binary"}
        and task.language not in model.manifest["sentiment"]["use_for"]
    ):
        notes.append(f"layer 2 not used for {task.language} (cross-validation favoured layer 1)")
    if encoder is not None and task.language in encoder_languages:
        encoded, _ = fit(encoder=encoder)
        results["layer 3"] = learned_score(
            task, encoded, pipeline=pipeline, truth=truth, tie=majority
        )
        classifiers["layer 3"] = _classifiers(encoded)
    results["TF-IDF + LR"] = score(task, truth, baseline_predict(task))
    if task.kind in {"sentiment3", "binary"}:
        if task.language == "en":
            for name, scorer in lexicons.items():
                scores = [scorer(text) for text in test_texts]
                cut = 0.0 if binary or name == "AFINN" else 0.05
                predicted = [
                    "positive" if s > cut else "negative" if s < -cut else "neutral" for s in scores
                ]
                results[name] = score(task, truth, predicted)
        elif task.language == "sv":
            notes.append("VADER-Swedish skipped: not installed (it shadows English VADER)")
    return {
        "task": task.name,
        "language": task.language,
        "kind": task.kind,
        "train": len(task.train),
        "test": len(task.test),
        "results": results,
        "cross_validation": [dataclasses.asdict(r) for r in report.languages],
        "classifier": _classifiers(model),
        "classifier_layer_3": classifiers.get("layer 3"),
        "notes": notes,
        "seconds": round(time.perf_counter() - started, 1),
    }


def table(runs: list[dict[str, Any]]) -> str:
    systems = ["layer 1", "layer 2", "layer 3", "TF-IDF + LR", "VADER", "AFINN"]
    lines = [
        "| set | lang | n test | metric | " + " | ".join(systems) + " |",
        "|---|---|---|---|" + "---|" * len(systems),
    ]
    for run in runs:
        metrics = (
            ["micro_f1"] if run["kind"] in {"theme", "multitheme"} else ["macro_f1", "accuracy"]
        )
        if run["kind"] == "theme":
            metrics = ["micro_f1"]
        for metric in metrics:
            cells = [
                f"{run['results'][s][metric]:.3f}" if s in run["results"] else "-" for s in systems
            ]
            lines.append(
                f"| {run['task']} | {run['language']} | {run['test']:,} | {metric} | "
                + " | ".join(cells)
                + " |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared/data")
    parser.add_argument("--out", type=Path, default=Path("bench/results/text_accuracy.json"))
    parser.add_argument("--only", help="Run only the tasks whose name contains this.")
    parser.add_argument(
        "--encoder",
        help="Also train layer 3 with this sentence encoder ('minilm' or a model directory).",
    )
    parser.add_argument(
        "--encoder-languages",
        default="en",
        help="Comma-separated languages of the sets layer 3 runs on (MiniLM reads English).",
    )
    args = parser.parse_args()
    encoder = load_encoder(args.encoder) if args.encoder else None
    encoder_languages = frozenset(args.encoder_languages.split(","))
    pipeline = build_pipeline()
    lexicons = optional_lexicons()
    runs = []
    for task in load_tasks(args.data):
        if args.only and args.only.lower() not in task.name.lower():
            continue
        run = run_task(
            task,
            pipeline=pipeline,
            lexicons=lexicons,
            encoder=encoder,
            encoder_languages=encoder_languages,
        )
        runs.append(run)
        print(f"{run['task']}: {json.dumps(run['results'])} ({run['seconds']} s)")
        for note in run["notes"]:
            print(f"  note: {note}")
    print()
    print(table(runs))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"machine": platform.platform(), "cpus": __import__("os").cpu_count(), "runs": runs},
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    np.seterr(over="ignore")
    main()
