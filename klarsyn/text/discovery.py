"""Discovery: comments no theme explains, clustered into suggested new themes.

The unexplained comments are embedded as TF-IDF vectors reduced by SVD, grouped with k-means,
and each group is labelled by its class-based TF-IDF terms (c-TF-IDF, as in BERTopic): words
frequent in that group and rare in the others. Suggestions are ranked by growth (comments in
the latest window against the window before) so an emerging issue surfaces before anyone writes
a rule, and one call (:func:`accept_suggestion`) turns a suggestion into a theme.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from klarsyn.errors import InputError, SchemaError
from klarsyn.text.taxonomy import Taxonomy, Theme

# Function words carry no theme; c-TF-IDF would otherwise label groups with "och" and "the".
STOP_WORDS = frozenset(
    """
    och i att det som en på är av för med till den har de inte om ett men var jag så vi
    från kan man när vid eller efter nu här hade mig min mitt mina du ni er sig sin har
    og i at det som en på er af for med til den har de ikke om et men var jeg så vi fra
    kan når eller efter nu her havde mig min mit mine du i jer sig sin der
    og i at det som en på er av for med til den har de ikke om et men var jeg så vi fra
    kan når eller etter nå her hadde meg min mitt mine du dere seg sin
    ja on ei se oli että ovat olen mutta kun tai niin nyt sen siitä myös vain minä sinä me
    he hän minun meidän on ole
    the a an and or but of to in on at for with from by is are was were be been it this that
    i you we they he she my our your their me us them not no so as if then than too very
    have has had do does did can could will would just there here what when which who
    """.split()
)
_TOKEN = re.compile(r"(?u)\b[^\W\d_]{2,}\b")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested theme: its readable label, top terms, examples and how fast it grows."""

    id: str
    label: str
    terms: tuple[str, ...]
    examples: tuple[str, ...]
    comments: int
    recent: int
    earlier: int

    @property
    def growth(self) -> float:
        """Comments in the latest window per comment in the one before (smoothed by +1)."""
        return (self.recent + 1) / (self.earlier + 1)


def discover_themes(
    frame: pl.DataFrame,
    *,
    text_column: str = "text_masked",
    themes_column: str = "themes",
    time_column: str | None = None,
    now: datetime | None = None,
    window: timedelta = timedelta(days=28),
    groups: int | None = None,
    top_terms: int = 6,
    examples: int = 3,
    min_comments: int = 5,
    seed: int = 0,
) -> list[Suggestion]:
    """Suggest themes for the comments whose ``themes_column`` list is empty.

    Needs ``text_column`` (text), ``themes_column`` (list of theme ids, as :func:`analyze`
    writes) and, to rank by growth, ``time_column`` (datetimes) with ``now``. ``groups`` is the
    number of clusters (by default one per 40 unexplained comments, 2 to 30).
    """
    needed = [text_column, themes_column, *([time_column] if time_column else [])]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise SchemaError(f"discovery needs the columns {missing}; the frame has {frame.columns}")
    unexplained = frame.filter(
        pl.col(themes_column).list.len().fill_null(0) == 0,
        pl.col(text_column).str.strip_chars().str.len_chars() > 0,
    )
    texts = unexplained[text_column].to_list()
    if len(texts) < 2 * min_comments:
        return []
    count = groups or max(2, min(30, len(texts) // 40))
    labels, vectors = _cluster(texts, groups=count, seed=seed)
    terms = _class_terms(texts, labels, groups=count, top=top_terms)
    recent, earlier = _windows(unexplained, time_column=time_column, now=now, window=window)
    suggestions = []
    for group in range(count):
        members = np.flatnonzero(labels == group)
        if len(members) < min_comments or not terms[group]:
            continue
        centroid = vectors[members].mean(axis=0)
        nearest = members[np.argsort(-(vectors[members] @ centroid))[:examples]]
        suggestions.append(
            Suggestion(
                id="discovered." + "_".join(terms[group][:2]),
                label=", ".join(terms[group][:3]),
                terms=tuple(terms[group]),
                examples=tuple(texts[i] for i in nearest),
                comments=len(members),
                recent=int(recent[members].sum()),
                earlier=int(earlier[members].sum()),
            )
        )
    return sorted(suggestions, key=lambda s: (-s.growth, -s.comments, s.id))


def _cluster(texts: list[str], *, groups: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    tfidf = TfidfVectorizer(
        token_pattern=_TOKEN.pattern, stop_words=list(STOP_WORDS), sublinear_tf=True, min_df=2
    )
    try:
        matrix = tfidf.fit_transform(texts)
    except ValueError:  # no word occurs twice
        return np.zeros(len(texts), dtype=int), np.zeros((len(texts), 1))
    dimensions = min(100, matrix.shape[1] - 1, len(texts) - 1)
    if dimensions >= 2:
        reduced = TruncatedSVD(n_components=dimensions, random_state=seed).fit_transform(matrix)
    else:
        reduced = matrix.toarray()
    vectors = normalize(reduced)
    groups = min(groups, len(texts))
    labels = KMeans(n_clusters=groups, n_init=4, random_state=seed).fit_predict(vectors)
    return labels, vectors


def _class_terms(texts: list[str], labels: np.ndarray, *, groups: int, top: int) -> list[list[str]]:
    counter = CountVectorizer(token_pattern=_TOKEN.pattern, stop_words=list(STOP_WORDS))
    try:
        counts = counter.fit_transform(texts)
    except ValueError:
        return [[] for _ in range(groups)]
    vocabulary = counter.get_feature_names_out()
    per_class = np.vstack(
        [np.asarray(counts[labels == g].sum(axis=0)).ravel() for g in range(groups)]
    ).astype(float)
    # c-TF-IDF: term frequency within the class, times log(1 + average class size / frequency
    # of the term over all classes).
    frequency = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1)
    average = per_class.sum() / groups
    weights = frequency * np.log1p(average / np.maximum(per_class.sum(axis=0), 1))
    return [
        [str(vocabulary[j]) for j in np.argsort(-weights[g])[:top] if weights[g, j] > 0]
        for g in range(groups)
    ]


def _windows(
    frame: pl.DataFrame, *, time_column: str | None, now: datetime | None, window: timedelta
) -> tuple[np.ndarray, np.ndarray]:
    if time_column is None or now is None:
        zeros = np.zeros(len(frame), dtype=bool)
        return zeros, zeros
    stamps = frame[time_column]
    recent = ((stamps >= now - window) & (stamps < now)).fill_null(False).to_numpy()
    earlier = ((stamps >= now - 2 * window) & (stamps < now - window)).fill_null(False).to_numpy()
    return recent, earlier


def suggestion_document(suggestion: Suggestion) -> dict[str, Any]:
    """A suggestion as JSON-ready data (what `klarsyn text discover` writes)."""
    return {**asdict(suggestion), "growth": round(suggestion.growth, 3)}


def suggestion_from_document(document: Mapping[str, Any]) -> Suggestion:
    """Read back a suggestion written by :func:`suggestion_document`."""
    try:
        return Suggestion(
            id=str(document["id"]),
            label=str(document["label"]),
            terms=tuple(str(t) for t in document["terms"]),
            examples=tuple(str(e) for e in document["examples"]),
            comments=int(document["comments"]),
            recent=int(document.get("recent", 0)),
            earlier=int(document.get("earlier", 0)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"suggestion {document!r} is incomplete: {exc}") from exc


def accept_suggestion(
    taxonomy: Taxonomy,
    suggestion: Suggestion,
    *,
    language: str,
    theme_id: str | None = None,
    label: str | None = None,
) -> Taxonomy:
    """The taxonomy with ``suggestion`` added as a theme (its top terms, in ``language``)."""
    theme = Theme(
        id=theme_id or suggestion.id,
        labels={language: label or suggestion.label},
        terms={language: tuple(f"{term}*" if len(term) > 4 else term for term in suggestion.terms)},
    )
    if theme.parent is not None and theme.parent not in taxonomy:
        parent = Theme(id=theme.parent, labels={"en": "Discovered"}, terms={})
        taxonomy = taxonomy.with_theme(parent)
    return taxonomy.with_theme(theme)
