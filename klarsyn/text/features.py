"""Features for the learned models: hashed word and character n-grams plus the lexicon's reading.

Hashing keeps a model a fixed, small set of arrays (no vocabulary to store or leak), and the
character n-grams (2-5, within words) catch Nordic compounds and misspellings. The layer-1
reading (score and the strongest positive and negative clause) gives a model trained on a few
thousand comments what the lexicon already knows about words it never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from klarsyn.text.lexicon import Lexicon
from klarsyn.text.sentiment import read_sentiment
from klarsyn.text.tokens import tokenize

#: Hash buckets per n-gram family; 2**20 keeps collisions rare at this corpus size.
BUCKETS = 2**20
LEXICON_FEATURES = 3


@dataclass(frozen=True, slots=True)
class Featurizer:
    """Turns texts into a sparse matrix; ``idf`` is learned from the training texts."""

    idf: npt.NDArray[np.float32]
    lexicon: Lexicon | None
    lexicon_weight: float = 1.0

    @staticmethod
    def vectorizers() -> tuple[HashingVectorizer, HashingVectorizer]:
        words = HashingVectorizer(
            ngram_range=(1, 2),
            n_features=BUCKETS,
            alternate_sign=False,
            norm=None,
            token_pattern=r"(?u)\b\w+\b",
        )
        chars = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            n_features=BUCKETS,
            alternate_sign=False,
            norm=None,
        )
        return words, chars

    @classmethod
    def fit(
        cls, texts: Sequence[str], *, lexicon: Lexicon | None, lexicon_weight: float = 1.0
    ) -> Featurizer:
        counts = _counts(texts)
        documents = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log((1 + len(texts)) / (1 + documents)) + 1.0
        return cls(idf=idf.astype(np.float32), lexicon=lexicon, lexicon_weight=lexicon_weight)

    def transform(
        self, texts: Sequence[str], *, languages: Sequence[str | None]
    ) -> sparse.csr_matrix:
        counts = _counts(texts).astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)  # sublinear term frequency
        weighted = counts.multiply(self.idf[np.newaxis, :]).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        weighted = sparse.diags(1.0 / norms) @ weighted
        if self.lexicon is None:
            return sparse.csr_matrix(weighted)
        dense = reading_features(texts, languages=languages, lexicon=self.lexicon)
        return sparse.hstack(
            [weighted, sparse.csr_matrix(dense * self.lexicon_weight)], format="csr"
        )


def _counts(texts: Sequence[str]) -> sparse.csr_matrix:
    words, chars = Featurizer.vectorizers()
    lowered = [text.lower() for text in texts]
    return sparse.hstack([words.transform(lowered), chars.transform(lowered)], format="csr")


def reading_features(
    texts: Sequence[str], *, languages: Sequence[str | None], lexicon: Lexicon
) -> npt.NDArray[np.float32]:
    """Per text: the layer-1 score and its strongest positive and negative clause."""
    rows = np.zeros((len(texts), LEXICON_FEATURES), dtype=np.float32)
    for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
        reading = read_sentiment(
            tokenize(text), rules=lexicon.rules(language), emojis=lexicon.emojis
        )
        clauses = reading.clause_scores
        rows[i] = (reading.score, max(max(clauses), 0.0), min(min(clauses), 0.0))
    return rows
