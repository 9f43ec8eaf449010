from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import sparse

from klarsyn.errors import InputError
from klarsyn.text.features import BUCKETS, NEGATED, NGRAM_WIDTH, Featurizer, word_terms
from klarsyn.text.learned import LinearHead, load_model, save_model
from klarsyn.text.learned_selection import (
    Candidate,
    NbSvm,
    best_threshold,
    choose_classifier,
    choose_multilabel,
    log_count_ratio,
    temperature,
)
from klarsyn.text.lexicon import default_lexicon
from klarsyn.text.pipeline import TextPipeline
from klarsyn.text.tokens import tokenize
from klarsyn.text.training import train_model

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_a_negator_marks_the_rest_of_its_clause() -> None:
    terms = word_terms(tokenize("Not good at all, but fine!"), negators=frozenset({"not"}))
    assert NEGATED + "good" in terms and NEGATED + "all" in terms
    assert NEGATED + "fine" not in terms  # the comma ends the scope
    assert "not good" in terms and "!" in terms


def test_feature_families_are_normalised_apart() -> None:
    lexicon = default_lexicon()
    texts = ["Bra service och snabb leverans", "Dålig service, ingen leverans alls"]
    featurizer = Featurizer.fit(texts, languages=["sv", "sv"], lexicon=lexicon)
    rows = featurizer.transform(texts, languages=["sv", "sv"])
    assert rows.shape == (2, featurizer.width)
    half = BUCKETS  # the two hashed families, then the reading
    for block in (rows[:, :half], rows[:, half : 2 * half]):
        norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1))).ravel()
        assert np.allclose(norms, 1.0, atol=1e-5)
    reading = rows[:, 2 * half :].toarray()
    assert reading[0, 0] > 0 > reading[1, 0]  # the lexicon's score leads the reading


def test_threshold_and_temperature_follow_the_data() -> None:
    decisions = np.array([2.0, 1.5, 0.4, 0.3, -0.2, -1.0])
    target = np.array([True, True, True, False, False, False])
    assert 0.3 < best_threshold(decisions, target) < 0.4
    clean = np.array([[0.0, 5.0], [0.0, -5.0]] * 50)
    truth = np.array([1, 0] * 50)
    noisy_truth = truth.copy()
    noisy_truth[:30] = 1 - noisy_truth[:30]
    assert temperature(clean, truth) > temperature(clean, noisy_truth)


def _topics(n: int, seed: int = 3) -> tuple[sparse.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    X = rng.random((n, 12)) * 0.3
    X[np.arange(n), y * 4] += 1.0  # each topic lights its own feature
    return sparse.csr_matrix(X), np.array(["billing", "delivery", "staff"])[y]


def test_the_chosen_classifier_is_calibrated_and_predicts_out_of_fold() -> None:
    X, y = _topics(300)
    chosen = choose_classifier(
        X,
        y,
        candidates=(Candidate("svm", 0.01), Candidate("svm", 1.0)),
        metric=lambda t, p: float(np.mean(t == p)),
        splits=3,
        seed=0,
    )
    assert chosen.classes == ("billing", "delivery", "staff")
    assert chosen.score > 0.95 and np.mean(chosen.predicted == y) == chosen.score
    head = LinearHead(classes=chosen.classes, coef=chosen.coef, intercept=chosen.intercept)
    probabilities = head.probabilities(X)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert np.mean(np.array(chosen.classes)[probabilities.argmax(axis=1)] == y) > 0.95
    assert probabilities.max(axis=1).mean() > 0.8  # confident where the data is clear


def test_nbsvm_scales_by_log_count_ratio_and_stays_linear() -> None:
    X, y = _topics(300)
    present = sparse.csr_matrix(X.toarray() * (X.toarray() > 0.5))  # each topic's own word
    ratio = log_count_ratio(present, y == "billing")
    assert ratio[0] > 0 > ratio[4]  # billing's own word, and delivery's
    assert log_count_ratio(X, y == "billing", dense_tail=2)[-2:].tolist() == [1.0, 1.0]
    # A column present in every row says nothing about any class: naive Bayes zeroes it.
    noisy = present + sparse.random(300, 12, density=0.2, random_state=0, format="csr")
    model = NbSvm(C=0.5, balanced=True, dense_tail=0, seed=0).fit(noisy, y)
    decisions = model.decision_function(noisy)
    assert np.allclose(decisions, noisy @ model.coef_.T + model.intercept_)
    assert np.mean(model.classes_[decisions.argmax(axis=1)] == y) > 0.95
    binary = NbSvm(C=0.5, balanced=True, dense_tail=0, seed=0).fit(noisy, y == "staff")
    assert binary.coef_.shape == (1, 12) and binary.decision_function(noisy).ndim == 1


def test_multilabel_themes_get_their_own_thresholds() -> None:
    rng = np.random.default_rng(5)
    matrix = rng.random((240, 3)) < np.array([0.5, 0.3, 0.1])
    matrix[~matrix.any(axis=1), 0] = True
    X = sparse.csr_matrix(np.hstack([matrix * 1.0, rng.random((240, 5)) * 0.5]))
    chosen = choose_multilabel(X, matrix, splits=3, seed=0)
    assert chosen.micro_f1 > 0.95
    called = np.asarray(X @ chosen.coef.T) + chosen.intercept >= 0
    assert np.mean(called == matrix) > 0.95


def test_a_topic_model_round_trips_and_old_formats_are_refused(
    pipeline: TextPipeline, tmp_path: Path
) -> None:
    rng = random.Random(2)
    words = {
        "billing": ["faktura", "betalning", "pris"],
        "delivery": ["leverans", "paket", "budet"],
        "staff": ["personal", "kassören", "bemötande"],
    }
    rows = [
        {"text": f"{rng.choice(ws)} {rng.choice(ws)} idag {i}", "topic": topic}
        for i in range(120)
        for topic, ws in [rng.choice(sorted(words.items()))]
    ]
    model, report = train_model(
        pl.DataFrame(rows),
        pipeline=pipeline,
        text_column="text",
        theme_column="topic",
        default_language="sv",
        now=NOW,
    )
    assert report.theme_micro_f1 is not None and report.theme_micro_f1 > 0.9
    assert model.manifest["themes"]["classifier"]["family"] in {"svm", "logistic"}
    # Themes are read from the n-grams alone, never from the lexicon's reading.
    assert model.themes is not None and not model.themes.coef[:, NGRAM_WIDTH:].any()
    save_model(model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.predict_themes(["paketet och budet"], languages=["sv"]) == [["delivery"]]
    manifest = json.loads((tmp_path / "m/manifest.json").read_text(encoding="utf-8"))
    (tmp_path / "m/manifest.json").write_text(json.dumps({**manifest, "format": 1}))
    with pytest.raises(InputError, match="format 1") as raised:
        load_model(tmp_path / "m")
    assert "train the model again" in (raised.value.hint or "")
