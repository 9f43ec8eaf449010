"""Layer-1 sentiment: the built-in lexicon and rules, per comment, clause and sentence.

The rules are the ones a reader applies without thinking: a negator flips the word after it
(*inte bra*, *ikke god*), an intensifier or an all-caps word strengthens it, an excess word turns
a neutral measure into a complaint (*för lång väntetid*, *too expensive*), and after a contrast
word (*men*, *but*, *mutta*) the second half of a sentence outweighs the first. Exclamation marks
strengthen a sentence and a question weakens it, since questions are mostly requests.

Scores are sums of valences squashed into [-1, 1]; a theme mention takes the score of its
clause, so "kind staff but the delivery was late" praises one theme and slams the other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from klarsyn.text.lexicon import LanguageRules
from klarsyn.text.tokens import BOUNDARY, PAUSE, SYMBOL, Tokens

LABELS = ("negative", "neutral", "positive")
#: A score at least this far from 0 is positive or negative; closer is neutral.
THRESHOLD = 0.2
# How fast the squashed score saturates: one clear word ("bra", 2) gives about 0.58.
_SATURATION = 8.0
_LOOKBACK = 3


@dataclass(frozen=True, slots=True)
class Reading:
    """The sentiment of one comment, and of each clause and sentence in it."""

    score: float
    clause_of: list[int]
    sentence_of: list[int]
    clause_scores: list[float]
    sentence_scores: list[float]

    def score_at(self, token: int) -> float:
        """The score around a token: its clause, else its sentence, else the whole comment."""
        clause = self.clause_scores[self.clause_of[token]]
        if clause:
            return clause
        sentence = self.sentence_scores[self.sentence_of[token]]
        return sentence if sentence else self.score


def squash(total: float) -> float:
    """Map a sum of valences to [-1, 1]."""
    return total / math.sqrt(total * total + _SATURATION)


def label(score: float, *, threshold: float = THRESHOLD) -> str:
    """``negative``, ``neutral`` or ``positive``."""
    if score >= threshold:
        return "positive"
    if score <= -threshold:
        return "negative"
    return "neutral"


def read_sentiment(tokens: Tokens, *, rules: LanguageRules, emojis: Mapping[str, float]) -> Reading:
    """Score a tokenised comment with ``rules`` (one language) and the shared emoji valences."""
    n = len(tokens)
    text, kinds = tokens.text, tokens.kinds
    valences = [0.0] * n
    clause_of = [0] * n
    sentence_of = [0] * n
    clause = sentence = 0
    sentence_start = 0
    after_contrast = False
    i = 0
    while i < n:
        token, kind = text[i], kinds[i]
        if kind == BOUNDARY:
            clause_of[i], sentence_of[i] = clause, sentence
            _punctuate(valences, sentence_start, i, token)
            clause += 1
            sentence += 1
            sentence_start, after_contrast = i + 1, False
            i += 1
            continue
        if kind == PAUSE:
            clause_of[i], sentence_of[i] = clause, sentence
            clause += 1
            i += 1
            continue
        if kind == SYMBOL:
            clause_of[i], sentence_of[i] = clause, sentence
            valences[i] = emojis.get(token, 0.0) * (1.5 if after_contrast else 1.0)
            i += 1
            continue
        if token in rules.contrast:
            for j in range(sentence_start, i):
                valences[j] *= 0.5
            after_contrast = True
            clause += 1
        valence, width = _valence(tokens, i, rules)
        if valence is not None:
            valence = _modify(valence, tokens, i, sentence_start, rules)
            valences[i] = valence * (1.5 if after_contrast else 1.0)
        for k in range(i, min(i + width, n)):
            clause_of[k], sentence_of[k] = clause, sentence
        i += width
    clause_scores = [0.0] * (clause + 1)
    sentence_scores = [0.0] * (sentence + 1)
    for k, value in enumerate(valences):
        if value:
            clause_scores[clause_of[k]] += value
            sentence_scores[sentence_of[k]] += value
    return Reading(
        score=squash(sum(valences)),
        clause_of=clause_of,
        sentence_of=sentence_of,
        clause_scores=[squash(v) for v in clause_scores],
        sentence_scores=[squash(v) for v in sentence_scores],
    )


def _punctuate(valences: list[float], start: int, end: int, boundary: str) -> None:
    factor = 1.0 + 0.15 * min(boundary.count("!"), 3)
    if "?" in boundary:
        factor *= 0.6
    if factor != 1.0:
        for j in range(start, end):
            valences[j] *= factor


def _valence(tokens: Tokens, i: int, rules: LanguageRules) -> tuple[float | None, int]:
    """The lexicon valence of the term starting at token ``i`` and how many tokens it spans."""
    token = tokens.text[i]
    resolved = rules.resolved.get(token)
    if resolved is None:
        resolved = _resolve(token, rules)
        rules.resolved[token] = resolved
    single, phrases = resolved
    if phrases:
        hits = rules.words.match(tokens.text, i)
        if hits:
            return hits[0].value, len(hits[0].words)
    elif single is not None:
        return single, 1
    previous = tokens.text[i - 1] if i else ""
    if previous in rules.excess and token in rules.excess_targets:
        return -1.5, 1
    return None, 1


def _resolve(token: str, rules: LanguageRules) -> tuple[float | None, bool]:
    """A token's own valence, and whether a longer term may start at it."""
    # Glued intensifiers first: "jättebra", "superdårlig", "kjempefornøyd".
    for prefix in rules.prefixes:
        if token.startswith(prefix) and len(token) > len(prefix) + 2:
            found = rules.words.lookup(token[len(prefix) :])
            if found and len(found[0].words) == 1:
                return found[0].value * 1.4, False
    hits = rules.words.lookup(token)
    if any(len(hit.words) > 1 for hit in hits):
        return None, True
    return (hits[0].value if hits else None), False


def _modify(
    valence: float, tokens: Tokens, i: int, sentence_start: int, rules: LanguageRules
) -> float:
    text, kinds = tokens.text, tokens.kinds
    negated = False
    scaled = False
    for j in range(i - 1, max(sentence_start, i - _LOOKBACK) - 1, -1):
        if kinds[j] != 0 or text[j] in rules.contrast:
            break
        word = text[j]
        if word in rules.negators:
            negated = True
            break
        if not scaled and word in rules.intensifiers and j >= i - 2:
            valence *= rules.intensifiers[word]
            scaled = True
        elif j == i - 1 and word in rules.excess and valence < 0:
            valence *= 1.3
    if negated:
        # "not bad" is faint praise, "not good" a clear complaint.
        valence = -valence * (0.75 if valence > 0 else 0.5)
    if tokens.shouted[i]:
        valence *= 1.3
    return valence
