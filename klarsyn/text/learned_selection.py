"""Choosing, calibrating and thresholding the linear classifiers of a learned model.

Everything here looks at the training comments only: each candidate classifier (a linear SVM,
an NB-SVM, or a logistic model, a few regularisation strengths, with or without balanced class
weights) is scored out of fold, the best one is refitted on all comments, and the out-of-fold
decision values then set one temperature (so that scores read as probabilities) and, for
multi-label themes, one decision threshold per theme.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import LinearSVC

Family = Literal["svm", "nbsvm", "logistic", "multinomial"]
Floats = npt.NDArray[np.float64]
#: A metric over true and predicted labels (macro-F1 for sentiment, accuracy for topics).
Metric = Callable[[Any, Any], float]
_TEMPERATURES = np.logspace(-1.5, 1.5, 31)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One classifier to try: its family, regularisation strength and class weighting."""

    family: Family
    strength: float  # C for svm, nbsvm and multinomial, alpha for logistic (SGD)
    balanced: bool = True

    def build(self, seed: int, *, dense_tail: int = 0) -> Any:
        """An unfitted classifier; ``dense_tail`` trailing columns are not n-gram weights."""
        weight = "balanced" if self.balanced else None
        if self.family == "svm":
            return LinearSVC(C=self.strength, class_weight=weight, random_state=seed)
        if self.family == "nbsvm":
            return NbSvm(C=self.strength, balanced=self.balanced, dense_tail=dense_tail, seed=seed)
        if self.family == "multinomial":
            return LogisticRegression(C=self.strength, class_weight=weight, max_iter=300)
        # Logistic loss by SGD: a minute of lbfgs becomes a second, at the same accuracy.
        return SGDClassifier(
            loss="log_loss",
            alpha=self.strength,
            max_iter=30,
            tol=None,
            class_weight=weight,
            average=True,
            random_state=seed,
        )

    def describe(self) -> dict[str, Any]:
        return {"family": self.family, "strength": self.strength, "balanced": self.balanced}


class NbSvm:
    """One linear SVM per class over n-gram weights scaled by their log-count ratio.

    The NB-SVM of Wang and Manning (2012): each column is multiplied by how much likelier it
    is in the class than outside it, so that the SVM starts from naive Bayes' view of which
    words matter. The scaling folds into the weights, so the fitted model is a plain linear
    one (``coef_``, ``intercept_``) like the others. The last ``dense_tail`` columns (the
    lexicon's reading, which can be negative) are left unscaled.
    """

    def __init__(self, *, C: float, balanced: bool, dense_tail: int, seed: int) -> None:
        self.C, self.balanced, self.dense_tail, self.seed = C, balanced, dense_tail, seed

    def fit(self, X: Any, y: Any) -> NbSvm:
        self.classes_ = np.array(sorted(set(np.asarray(y).tolist())))
        # Binary: one row scores the second class, as in scikit-learn.
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        coefs, intercepts = [], []
        for target in targets:
            member = np.asarray(y) == target
            ratio = log_count_ratio(X, member, dense_tail=self.dense_tail)
            svm = LinearSVC(
                C=self.C, class_weight="balanced" if self.balanced else None, random_state=self.seed
            ).fit(sparse.csr_matrix(X) @ sparse.diags(ratio), member)
            coefs.append(svm.coef_[0] * ratio)
            intercepts.append(float(svm.intercept_[0]))
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.array(intercepts)
        return self

    def decision_function(self, X: Any) -> Floats:
        raw: Floats = np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_
        return raw[:, 0] if len(self.classes_) == 2 else raw


def log_count_ratio(
    X: Any, member: npt.NDArray[np.bool_], *, dense_tail: int = 0, alpha: float = 1.0
) -> Floats:
    """Per column, log of its share of the class's presences over its share of the rest's."""
    present = sparse.csr_matrix(X, copy=True)
    present.data = (present.data != 0).astype(np.float64)
    inside = alpha + np.asarray(present[member].sum(axis=0)).ravel()
    outside = alpha + np.asarray(present[~member].sum(axis=0)).ravel()
    ratio: Floats = np.log((inside / inside.sum()) / (outside / outside.sum()))
    if dense_tail:
        ratio[-dense_tail:] = 1.0
    return ratio


#: Tried for sentiment, always with balanced weights: the target is macro-F1.
SENTIMENT = (
    *(Candidate("svm", c) for c in (0.05, 0.15, 0.5, 1.0)),
    *(Candidate("nbsvm", c) for c in (0.15, 0.3)),
    *(Candidate("logistic", a) for a in (3e-6, 1e-5, 5e-5)),
)
#: Tried for single-label themes (topics), scored by accuracy. A multinomial logistic model
#: ("multinomial") is available but costs minutes per fit on a few thousand comments; the SGD
#: logistic model gets there in seconds and wins where the themes blur into each other.
TOPICS = (
    *(Candidate("svm", c, balanced) for c in (0.15, 0.5) for balanced in (True, False)),
    Candidate("logistic", 5e-5),
)
#: Tried for each theme of a multi-label set.
LABELS = tuple(Candidate("svm", c) for c in (0.15, 0.5))


@dataclass(frozen=True, slots=True)
class Chosen:
    """The refitted best classifier: one row of weights per class, or one row if binary."""

    classes: tuple[str, ...]
    coef: npt.NDArray[np.float32]
    intercept: npt.NDArray[np.float32]
    candidate: Candidate
    score: float  # the metric, out of fold
    predicted: npt.NDArray[np.str_]  # out-of-fold labels of the chosen candidate

    def describe(self) -> dict[str, Any]:
        return {**self.candidate.describe(), "cross_validated": round(self.score, 4)}


def choose_classifier(
    X: Any,
    y: npt.NDArray[np.str_],
    *,
    candidates: Sequence[Candidate],
    metric: Metric,
    splits: int,
    seed: int,
    calibrate: bool = True,
    dense_tail: int = 0,
) -> Chosen:
    """The candidate with the best out-of-fold ``metric``, refitted on all rows.

    With ``calibrate`` the weights are scaled by the temperature that makes the out-of-fold
    decision values best predict the labels, so their softmax (sigmoid if binary) reads as a
    probability; the predicted class is unchanged.
    ``dense_tail`` trailing columns are not n-gram weights (see :class:`NbSvm`).
    """
    classes = np.array(sorted(set(y.tolist())))
    best: tuple[float, Candidate, Floats] | None = None
    for candidate in candidates:
        decisions = out_of_fold(
            candidate, X, y, classes=classes, splits=splits, seed=seed, dense_tail=dense_tail
        )
        score = metric(y, classes[decisions.argmax(axis=1)])
        if best is None or score > best[0]:
            best = (score, candidate, decisions)
    assert best is not None
    score, candidate, decisions = best
    final = _fit(candidate, X, y, seed=seed, dense_tail=dense_tail)
    coef = np.asarray(final.coef_, dtype=np.float64)
    intercept = np.asarray(final.intercept_, dtype=np.float64)
    if calibrate:
        scale = temperature(decisions, np.searchsorted(classes, y))
        coef, intercept = coef * scale, intercept * scale
    return Chosen(
        classes=tuple(str(c) for c in final.classes_),
        coef=coef.astype(np.float32),
        intercept=intercept.astype(np.float32),
        candidate=candidate,
        score=score,
        predicted=classes[decisions.argmax(axis=1)],
    )


def out_of_fold(
    candidate: Candidate,
    X: Any,
    y: npt.NDArray[np.str_],
    *,
    classes: npt.NDArray[np.str_],
    splits: int,
    seed: int,
    dense_tail: int = 0,
) -> Floats:
    """Decision values per row and class (``classes`` order) from models that never saw it."""
    decisions = np.zeros((len(y), len(classes)))
    folds: Any = (
        StratifiedKFold(n_splits=splits, shuffle=True, random_state=seed)
        if min(np.unique(y, return_counts=True)[1]) >= splits
        else KFold(n_splits=splits, shuffle=True, random_state=seed)
    )
    for train, test in folds.split(np.zeros(len(y)), y):
        model = _fit(candidate, X[train], y[train], seed=seed, dense_tail=dense_tail)
        decisions[test] = _decisions(model, X[test], classes=classes)
    return decisions


def _fit(candidate: Candidate, X: Any, y: Any, *, seed: int, dense_tail: int = 0) -> Any:
    with warnings.catch_warnings():
        # A few more iterations would move the weights, not the ranking of candidates.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return candidate.build(seed, dense_tail=dense_tail).fit(X, y)


def _decisions(model: Any, X: Any, *, classes: npt.NDArray[np.str_]) -> Floats:
    raw = np.asarray(model.decision_function(X), dtype=np.float64)
    known = list(model.classes_)
    if raw.ndim == 1:  # binary: the value scores the second class against the first
        raw = np.column_stack([np.zeros_like(raw), raw])
    # A class missing from a fold's training rows can never win in that fold.
    result = np.full((X.shape[0], len(classes)), raw.min() - 1.0)
    for k, name in enumerate(classes):
        if name in known:
            result[:, k] = raw[:, known.index(name)]
    return result


def temperature(decisions: Floats, truth: npt.NDArray[np.intp]) -> float:
    """The scale ``t`` for which softmax(t * decisions) has the lowest log-loss on ``truth``."""
    best, best_loss = 1.0, np.inf
    for scale in _TEMPERATURES:
        logits = decisions * scale
        logits -= logits.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(logits).sum(axis=1))
        loss = float(np.mean(log_norm - logits[np.arange(len(truth)), truth]))
        if loss < best_loss:
            best, best_loss = float(scale), loss
    return best


@dataclass(frozen=True, slots=True)
class MultiLabel:
    """One yes/no classifier per theme; a theme applies where its logit is at least 0."""

    coef: npt.NDArray[np.float32]  # (themes, features)
    intercept: npt.NDArray[np.float32]  # thresholds folded in
    candidate: Candidate
    micro_f1: float  # out of fold, with the chosen thresholds


def choose_multilabel(
    X: Any, matrix: npt.NDArray[np.bool_], *, splits: int, seed: int, dense_tail: int = 0
) -> MultiLabel:
    """Per theme a linear SVM; strength chosen by out-of-fold micro-F1, thresholds per theme.

    ``dense_tail`` trailing columns are not n-gram weights (see :class:`NbSvm`).
    """
    best: tuple[float, Candidate, Floats] | None = None
    for candidate in LABELS:
        shifts = np.zeros(matrix.shape[1])
        # A theme too rare (or too common) to cross-validate keeps threshold 0 and counts as
        # never called when the candidates are compared.
        decisions = np.full(matrix.shape, -np.inf)
        for k in range(matrix.shape[1]):
            target = matrix[:, k]
            if target.sum() < splits or (~target).sum() < splits:
                continue
            labels = np.where(target, "yes", "no")
            column = out_of_fold(
                candidate,
                X,
                labels,
                classes=np.array(["no", "yes"]),
                splits=splits,
                seed=seed,
                dense_tail=dense_tail,
            )[:, 1]
            decisions[:, k] = column
            shifts[k] = best_threshold(column, target)
        predicted = decisions >= shifts
        score = float(f1_score(matrix, predicted, average="micro", zero_division=0))
        if best is None or score > best[0]:
            best = (score, candidate, shifts)
    assert best is not None
    score, candidate, shifts = best
    coefs, intercepts = [], []
    for k in range(matrix.shape[1]):
        target = matrix[:, k]
        if target.all() or not target.any():
            coefs.append(np.zeros(X.shape[1]))
            intercepts.append(10.0 if target.all() else -10.0)
            continue
        fitted = _fit(candidate, X, target, seed=seed, dense_tail=dense_tail)
        coefs.append(np.asarray(fitted.coef_[0], dtype=np.float64))
        intercepts.append(float(fitted.intercept_[0]) - shifts[k])
    return MultiLabel(
        coef=np.vstack(coefs).astype(np.float32),
        intercept=np.array(intercepts, dtype=np.float32),
        candidate=candidate,
        micro_f1=score,
    )


def best_threshold(decisions: Floats, target: npt.NDArray[np.bool_]) -> float:
    """The decision value above which calling the theme gives the best F1 out of fold."""
    order = np.argsort(-decisions)
    hits = np.cumsum(target[order])
    called = np.arange(1, len(order) + 1)
    f1 = 2 * hits / (called + target.sum())
    cut = int(np.argmax(f1))
    # Halfway to the next value, so that a new comment scoring like the last one called is in.
    below = decisions[order[cut + 1]] if cut + 1 < len(order) else decisions[order[cut]] - 1.0
    return float((decisions[order[cut]] + below) / 2)
