"""Training layer 2 from the organisation's own comments: labels, or scores as free labels.

A comment with an NPS of 0-6 or 1-2 stars is a complaint and one with 9-10 or 4-5 stars is
praise, so every scored survey is training data. The model is cross-validated against the
lexicon on the same comments, language by language, and is used only where it wins.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import polars as pl
from sklearn.metrics import accuracy_score, f1_score

from klarsyn.errors import InputError, SchemaError
from klarsyn.text.encoders import SentenceEncoder
from klarsyn.text.features import NGRAM_WIDTH, Featurizer
from klarsyn.text.learned import LearnedModel, LinearHead
from klarsyn.text.learned_selection import (
    SENTIMENT,
    TOPICS,
    choose_classifier,
    choose_multilabel,
)
from klarsyn.text.pii import masked_text
from klarsyn.text.pipeline import TextPipeline
from klarsyn.text.sentiment import read_sentiment
from klarsyn.text.tokens import tokenize

ScoreScale = Literal["nps", "stars5"]
#: Fewer labelled comments than this in a language and the lexicon keeps it.
MIN_PER_LANGUAGE = 30
_LABELS = {
    "negative": "negative",
    "neg": "negative",
    "-1": "negative",
    "0": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "positive": "positive",
    "pos": "positive",
    "1": "positive",
}
_THEME_SEPARATORS = re.compile(r"\s*[;|]\s*")


@dataclass(frozen=True, slots=True)
class LanguageResult:
    """Cross-validated macro-F1 of both layers on one language's comments."""

    language: str
    comments: int
    lexicon_f1: float
    learned_f1: float

    @property
    def learned_wins(self) -> bool:
        return self.comments >= MIN_PER_LANGUAGE and self.learned_f1 > self.lexicon_f1


@dataclass(frozen=True, slots=True)
class TrainReport:
    """What a training run learned and how well, out of fold."""

    comments: int
    labels: dict[str, int]
    languages: list[LanguageResult]
    themes: int
    theme_micro_f1: float | None


def weak_labels(scores: Sequence[Any], *, scale: ScoreScale) -> list[str | None]:
    """Scores as labels: NPS 0-6 / 9-10, stars 1-2 / 4-5; the middle is left unlabelled."""
    low, high = (6, 9) if scale == "nps" else (2, 4)
    top = 10 if scale == "nps" else 5
    labels: list[str | None] = []
    for raw in scores:
        try:
            value = float(raw)
        except (TypeError, ValueError):
            labels.append(None)
            continue
        if value < 0 or value > top:
            raise InputError(f"score {raw!r} is outside the {scale} scale (0-{top})")
        labels.append("negative" if value <= low else "positive" if value >= high else None)
    return labels


def normalise_labels(values: Sequence[Any]) -> list[str | None]:
    """Map label spellings (negative/neg/-1/0, neutral/neu, positive/pos/1) to the three labels."""
    labels: list[str | None] = []
    unknown: Counter[str] = Counter()
    for raw in values:
        if raw is None or str(raw).strip() == "":
            labels.append(None)
            continue
        key = str(raw).strip().lower()
        key = key.removesuffix(".0")
        if key not in _LABELS:
            unknown[str(raw)] += 1
        labels.append(_LABELS.get(key))
    if unknown:
        raise InputError(
            f"labels {sorted(unknown)[:5]} are not negative/neutral/positive",
            hint="use negative, neutral, positive (or neg/neu/pos, -1/0/1, 0/1 for binary)",
        )
    return labels


def train_model(
    frame: pl.DataFrame,
    *,
    pipeline: TextPipeline,
    text_column: str,
    now: datetime,
    label_column: str | None = None,
    score_column: str | None = None,
    score_scale: ScoreScale = "nps",
    theme_column: str | None = None,
    default_language: str | None = None,
    seed: int = 0,
    folds: int = 5,
    encoder: SentenceEncoder | None = None,
) -> tuple[LearnedModel, TrainReport]:
    """Learn sentiment from ``label_column`` or ``score_column`` and themes from ``theme_column``.

    Needs ``text_column`` and the named columns. With an ``encoder`` (layer 3), its sentence
    vectors join the features of both. Returns the model (save it with
    :func:`klarsyn.text.learned.save_model`) and the cross-validation report.
    """
    for column in (text_column, label_column, score_column, theme_column):
        if column is not None and column not in frame.columns:
            raise SchemaError(f"the frame has no column {column!r}; it has {frame.columns}")
    if label_column is None and score_column is None and theme_column is None:
        raise InputError("nothing to learn: give a label, score or theme column")
    frame = frame.filter(pl.col(text_column).cast(pl.String).str.strip_chars().str.len_chars() > 0)
    raw = frame[text_column].cast(pl.String).to_list()
    languages = pipeline.identifier.identify(raw, default=default_language).codes
    texts = [masked_text(t, language=lang) for t, lang in zip(raw, languages, strict=True)]
    featurizer = Featurizer.fit(
        texts, languages=languages, lexicon=pipeline.lexicon, encoder=encoder
    )
    full = featurizer.transform(texts, languages=languages)
    # Train on the columns the comments use (a few hundred thousand of two million hash
    # buckets), then widen the weights back: fitting gets several times faster.
    used = np.unique(full.indices)
    features = full[:, used]
    # The lexicon's reading says how a comment feels, not what it is about; as theme features
    # it only adds noise, so the theme heads see the n-grams and the encoder's vector.
    topical = np.flatnonzero((used < NGRAM_WIDTH) | (used >= featurizer.encoder_offset))
    ngrams = int(np.count_nonzero(used < NGRAM_WIDTH))  # sorted: the n-gram columns come first
    manifest: dict[str, Any] = {
        "kind": "klarsyn-text-model",
        "created_at": now.isoformat(),
        "lexicon_version": pipeline.lexicon.version,
        "lexicon_weight": featurizer.lexicon_weight,
        "text_column": text_column,
    }
    if encoder is not None:
        manifest["encoder"] = {"model": encoder.name, "dimensions": encoder.dimensions}
    sentiment = None
    results: list[LanguageResult] = []
    counts: dict[str, int] = {}
    if label_column is not None or score_column is not None:
        labels = (
            normalise_labels(frame[label_column].to_list())
            if label_column is not None
            else weak_labels(frame[str(score_column)].to_list(), scale=score_scale)
        )
        sentiment, results, classifier = _train_sentiment(
            features,
            texts,
            labels,
            languages,
            pipeline=pipeline,
            seed=seed,
            folds=folds,
            dense_tail=len(used) - ngrams,
        )
        counts = dict(Counter(label for label in labels if label is not None))
        manifest["sentiment"] = {
            "classes": list(sentiment.classes),
            "source": label_column or f"{score_column} ({score_scale})",
            "classifier": classifier,
            "use_for": sorted(r.language for r in results if r.learned_wins),
            "cross_validation": [
                {
                    "language": r.language,
                    "comments": r.comments,
                    "lexicon_macro_f1": round(r.lexicon_f1, 4),
                    "learned_macro_f1": round(r.learned_f1, 4),
                }
                for r in results
            ],
        }
    themes = None
    theme_f1 = None
    if theme_column is not None:
        themes, theme_f1, classifier = _train_themes(
            features[:, topical],
            frame[theme_column].cast(pl.String).to_list(),
            seed=seed,
            folds=folds,
            dense_tail=len(topical) - ngrams,
        )
        manifest["themes"] = {
            "classes": list(themes.classes),
            "multilabel": themes.independent,
            # Per-theme thresholds are folded into the intercepts: a theme applies at p >= 0.5.
            "threshold": 0.5,
            "classifier": classifier,
            "micro_f1": round(theme_f1, 4),
        }
    model = LearnedModel(
        featurizer=featurizer,
        sentiment=_widen(sentiment, used=used, width=full.shape[1]),
        themes=_widen(themes, used=used[topical], width=full.shape[1]),
        manifest=manifest,
    )
    report = TrainReport(
        comments=len(texts),
        labels=counts,
        languages=results,
        themes=len(themes.classes) if themes else 0,
        theme_micro_f1=theme_f1,
    )
    return model, report


def _train_sentiment(
    features: Any,
    texts: list[str],
    labels: list[str | None],
    languages: list[str | None],
    *,
    pipeline: TextPipeline,
    seed: int,
    folds: int,
    dense_tail: int,
) -> tuple[LinearHead, list[LanguageResult], dict[str, Any]]:
    rows = np.array([i for i, label in enumerate(labels) if label is not None])
    if len(rows) < 2 * folds:
        raise InputError(f"only {len(rows)} labelled comments; at least {2 * folds} are needed")
    y = np.array([labels[i] for i in rows])
    classes = sorted(set(y))
    if len(classes) < 2:
        raise InputError(f"every labelled comment is {classes[0]!r}; two labels are needed")
    splits = min(folds, min(Counter(y).values()))
    if splits < 2:
        raise InputError("each label needs at least two comments")
    chosen = choose_classifier(
        features[rows],
        y,
        candidates=SENTIMENT,
        metric=_macro_f1,
        splits=splits,
        seed=seed,
        dense_tail=dense_tail,
    )
    predicted = chosen.predicted
    lexicon_labels = _lexicon_labels(
        [texts[i] for i in rows],
        [languages[i] for i in rows],
        pipeline=pipeline,
        binary=len(classes) == 2,
    )
    results = []
    row_languages = np.array([languages[i] or "" for i in rows])
    for language in sorted({str(code) for code in row_languages}):
        mask = row_languages == language
        if not language:
            continue
        results.append(
            LanguageResult(
                language=language,
                comments=int(mask.sum()),
                lexicon_f1=float(
                    f1_score(
                        y[mask],
                        lexicon_labels[mask],
                        labels=classes,
                        average="macro",
                        zero_division=0,
                    )
                ),
                learned_f1=float(
                    f1_score(
                        y[mask], predicted[mask], labels=classes, average="macro", zero_division=0
                    )
                ),
            )
        )
    head = LinearHead(classes=chosen.classes, coef=chosen.coef, intercept=chosen.intercept)
    return head, results, chosen.describe()


def _macro_f1(truth: Any, predicted: Any) -> float:
    return float(f1_score(truth, predicted, average="macro", zero_division=0))


def _accuracy(truth: Any, predicted: Any) -> float:
    return float(accuracy_score(truth, predicted))


def _lexicon_labels(
    texts: list[str], languages: list[str | None], *, pipeline: TextPipeline, binary: bool
) -> Any:
    lexicon = pipeline.lexicon
    labels = []
    for text, language in zip(texts, languages, strict=True):
        score = read_sentiment(
            tokenize(text), rules=lexicon.rules(language), emojis=lexicon.emojis
        ).score
        threshold = 0.0 if binary else pipeline.threshold
        labels.append(
            "positive" if score > threshold else "negative" if score < -threshold else "neutral"
        )
    return np.array(labels)


def _train_themes(
    features: Any, values: list[str | None], *, seed: int, folds: int, dense_tail: int
) -> tuple[LinearHead, float, dict[str, Any]]:
    sets = [
        [t for t in _THEME_SEPARATORS.split(v.strip()) if t] if v and v.strip() else []
        for v in values
    ]
    rows = np.array([i for i, themes in enumerate(sets) if themes])
    if len(rows) < 10:
        raise InputError(f"only {len(rows)} comments have a theme; at least 10 are needed")
    classes = sorted({t for themes in sets for t in themes})
    X = features[rows]
    if all(len(sets[i]) == 1 for i in rows):
        # One theme per comment: a topic. One classifier over all of them, the likeliest wins.
        y = np.array([sets[i][0] for i in rows])
        chosen = choose_classifier(
            X,
            y,
            candidates=TOPICS,
            metric=_accuracy,
            splits=folds,
            seed=seed,
            calibrate=False,
            dense_tail=dense_tail,
        )
        coef, intercept = chosen.coef, chosen.intercept
        if len(chosen.classes) == 2:  # a binary model scores only the second class
            coef = np.vstack([-coef, coef])
            intercept = np.concatenate([-intercept, intercept])
        head = LinearHead(classes=chosen.classes, coef=coef, intercept=intercept)
        return head, chosen.score, chosen.describe()
    matrix = np.array([[c in sets[i] for c in classes] for i in rows])
    chosen_labels = choose_multilabel(X, matrix, splits=folds, seed=seed, dense_tail=dense_tail)
    head = LinearHead(
        classes=tuple(classes),
        coef=chosen_labels.coef,
        intercept=chosen_labels.intercept,
        independent=True,
    )
    described = {
        **chosen_labels.candidate.describe(),
        "cross_validated": round(chosen_labels.micro_f1, 4),
    }
    return head, chosen_labels.micro_f1, described


def _widen(head: LinearHead | None, *, used: Any, width: int) -> LinearHead | None:
    if head is None:
        return None
    coef = np.zeros((head.coef.shape[0], width), dtype=np.float32)
    coef[:, used] = head.coef
    return LinearHead(
        classes=head.classes, coef=coef, intercept=head.intercept, independent=head.independent
    )
