"""Features for the learned models: hashed word and character n-grams plus the lexicon's reading.

Hashing keeps a model a fixed, small set of arrays (no vocabulary to store or leak). Three
families, each weighted by idf and normalised on its own so that none drowns the others:

* word 1-2-grams over the layer-1 tokens (words, emojis, ``!`` and ``?``), plus each word that
  follows a negator in its clause marked as negated (*inte bra* gives ``¬bra``), so "not good"
  and "good" stop sharing a feature;
* character 2-5-grams within words, which catch Nordic compounds and misspellings;
* the layer-1 reading (score, strongest positive and negative clause and sentence, share of
  positive and negative clauses), which gives a model trained on a few thousand comments what
  the lexicon already knows about words it never saw;
* optionally (layer 3), a sentence encoder's vector (:mod:`klarsyn.text.encoders`), which
  places comments that mean the same thing near each other whatever words they use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from klarsyn.text.encoders import SentenceEncoder
from klarsyn.text.lexicon import LanguageRules, Lexicon
from klarsyn.text.sentiment import Reading, read_sentiment
from klarsyn.text.tokens import BOUNDARY, PAUSE, SYMBOL, WORD, Tokens, tokenize

#: Hash buckets per n-gram family; 2**20 keeps collisions rare at this corpus size.
BUCKETS = 2**20
LEXICON_FEATURES = 8
#: Columns of the two hashed families; the lexicon's reading and the encoder's vector, if
#: any, follow them in that order.
NGRAM_WIDTH = 2 * BUCKETS
NEGATED = "\u00ac"  # prefix of a word in a negator's scope


@dataclass(frozen=True, slots=True)
class Featurizer:
    """Turns texts into a sparse matrix; ``idf`` is learned from the training texts."""

    idf: npt.NDArray[np.float32]
    lexicon: Lexicon | None
    lexicon_weight: float = 1.0
    encoder: SentenceEncoder | None = None

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        *,
        languages: Sequence[str | None],
        lexicon: Lexicon | None,
        lexicon_weight: float = 1.0,
        encoder: SentenceEncoder | None = None,
    ) -> Featurizer:
        counts = sparse.hstack(_counts(texts, lexicon=lexicon, languages=languages), format="csr")
        documents = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log((1 + len(texts)) / (1 + documents)) + 1.0
        return cls(
            idf=idf.astype(np.float32),
            lexicon=lexicon,
            lexicon_weight=lexicon_weight,
            encoder=encoder,
        )

    @property
    def encoder_offset(self) -> int:
        """The first column of the encoder's vector."""
        return NGRAM_WIDTH + (LEXICON_FEATURES if self.lexicon is not None else 0)

    @property
    def width(self) -> int:
        return self.encoder_offset + (self.encoder.dimensions if self.encoder else 0)

    def transform(
        self, texts: Sequence[str], *, languages: Sequence[str | None]
    ) -> sparse.csr_matrix:
        """One row per text: word block, character block, the lexicon's reading, the vector."""
        blocks = [
            _normalised(block, self.idf[k * BUCKETS : (k + 1) * BUCKETS])
            for k, block in enumerate(_counts(texts, lexicon=self.lexicon, languages=languages))
        ]
        if self.lexicon is not None:
            dense = reading_features(texts, languages=languages, lexicon=self.lexicon)
            blocks.append(sparse.csr_matrix(dense * self.lexicon_weight))
        if self.encoder is not None:
            # Unit length, like each n-gram family: neither side drowns the other.
            blocks.append(sparse.csr_matrix(self.encoder.encode(texts)))
        return sparse.hstack(blocks, format="csr")


def _normalised(counts: sparse.csr_matrix, idf: npt.NDArray[np.float32]) -> sparse.csr_matrix:
    weighted = counts.astype(np.float32)
    weighted.data = 1.0 + np.log(weighted.data)  # sublinear term frequency
    weighted = sparse.csr_matrix(weighted.multiply(idf[np.newaxis, :]))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ weighted)


def _counts(
    texts: Sequence[str], *, lexicon: Lexicon | None, languages: Sequence[str | None]
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    words = HashingVectorizer(
        analyzer=lambda terms: terms, n_features=BUCKETS, alternate_sign=False, norm=None
    )
    chars = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), n_features=BUCKETS, alternate_sign=False, norm=None
    )
    # Without a lexicon there are no negators to scope.
    negators = {
        code: lexicon.rules(code).negators if lexicon else frozenset[str]()
        for code in set(languages)
    }
    terms = [
        word_terms(tokenize(text), negators=negators[code])
        for text, code in zip(texts, languages, strict=True)
    ]
    return words.transform(terms), chars.transform([text.lower() for text in texts])


def word_terms(tokens: Tokens, *, negators: frozenset[str]) -> list[str]:
    """Word 1-2-grams over the tokens, plus the words in a negator's scope marked as negated."""
    kept: list[str] = []
    negated: list[str] = []
    in_scope = False
    for token, kind in zip(tokens.text, tokens.kinds, strict=True):
        if kind == WORD:
            if in_scope:
                negated.append(NEGATED + token)
            if token in negators:
                in_scope = True
            kept.append(token)
        elif kind == SYMBOL:
            kept.append(token)
        elif kind in (BOUNDARY, PAUSE):
            # A negator's scope ends at the clause; "!" and "?" carry tone of their own.
            in_scope = False
            kept.extend(mark for mark in "!?" if mark in token)
    bigrams = [f"{a} {b}" for a, b in pairwise(kept)]
    return kept + bigrams + negated


def reading_features(
    texts: Sequence[str], *, languages: Sequence[str | None], lexicon: Lexicon
) -> npt.NDArray[np.float32]:
    """Per text, from the layer-1 reading: see :func:`_summary`."""
    rows = np.zeros((len(texts), LEXICON_FEATURES), dtype=np.float32)
    rules: dict[str | None, LanguageRules] = {}
    for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
        if language not in rules:
            rules[language] = lexicon.rules(language)
        rows[i] = _summary(
            read_sentiment(tokenize(text), rules=rules[language], emojis=lexicon.emojis)
        )
    return rows


def _summary(reading: Reading) -> tuple[float, ...]:
    """Score; strongest positive and negative clause and sentence; the last sentence's score;
    the share of positive and of negative clauses."""
    clauses = reading.clause_scores or [0.0]
    sentences = reading.sentence_scores or [0.0]
    return (
        reading.score,
        max(max(clauses), 0.0),
        min(min(clauses), 0.0),
        max(max(sentences), 0.0),
        min(min(sentences), 0.0),
        sentences[-1],
        sum(1 for c in clauses if c > 0) / len(clauses),
        sum(1 for c in clauses if c < 0) / len(clauses),
    )
