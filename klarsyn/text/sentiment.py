"""Layer-1 sentiment: the built-in lexicon and rules, per comment, clause and sentence.

The rules are the ones a reader applies without thinking: a negator flips the word after it
(*inte bra*, *ikke god*), or the verb before it in Scandinavian word order (*rekommenderar
inte*), an intensifier or an all-caps word strengthens it, an excess word turns
a neutral measure into a complaint (*för lång väntetid*, *too expensive*), and after a contrast
word (*men*, *but*, *mutta*) the second half of a sentence outweighs the first. Exclamation marks
strengthen a sentence and a question weakens it, since questions are mostly requests; a question
answered with a bare no (*Prisvärt? Knappast.*) reads as its negation.

Scores are sums of valences squashed into [-1, 1]; a theme mention takes the score of its
clause, so "kind staff but the delivery was late" praises one theme and slams the other.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import compress

from klarsyn.text.lexicon import LanguageRules
from klarsyn.text.tokens import BOUNDARY, PAUSE, WORD, Tokens

LABELS = ("negative", "neutral", "positive")
#: A score at least this far from 0 is positive or negative; closer is neutral.
THRESHOLD = 0.2
# How fast the squashed score saturates: one clear word ("bra", 2) gives about 0.58.
_SATURATION = 8.0
_LOOKBACK = 3
_QUESTION = 0.6  # a question's weight: mostly a request, not a verdict
_LONGEST_DENIAL = 5  # words
# Distinct tokens remembered per language before starting afresh (bounds memory).
_REMEMBERED = 500_000


# Not frozen: one is built per comment, and a frozen one costs twice as much to build.
@dataclass(slots=True)
class Reading:
    """The sentiment of one comment, and of each clause and sentence in it."""

    score: float
    clause_starts: list[int]
    sentence_starts: list[int]
    clause_scores: list[float]
    sentence_scores: list[float]

    def score_at(self, token: int) -> float:
        """The score around a token: its clause, else its sentence, else the whole comment."""
        clause = self.clause_scores[bisect_right(self.clause_starts, token) - 1]
        if clause:
            return clause
        sentence = self.sentence_scores[bisect_right(self.sentence_starts, token) - 1]
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
    text, kinds = tokens.text, tokens.kinds
    n = len(text)
    # Each distinct token is resolved against the lexicon once per language. Most tokens carry
    # no sentiment and change no rule, so the loop below visits only the notable ones (those
    # with a valence, contrast or excess words, punctuation and emojis): the rest only belong
    # to a clause and a sentence, which the clause and sentence starts give.
    if len(rules.notable) > _REMEMBERED:
        rules.notable.clear()  # both together: a notable token is always resolved
        rules.resolved.clear()
    notable = list(map(rules.notable.get, text))
    if None in notable:
        for k, flag in enumerate(notable):
            if flag is None:
                notable[k] = _remember(text[k], rules)
    resolved, contrast, modifiers = rules.resolved, rules.contrast, rules.modifiers
    shouted = tokens.shouted
    excess, excess_targets = rules.excess, rules.excess_targets
    negators_after = rules.negators_after
    valences = [0.0] * n
    clause_starts = [0]
    sentence_starts = [0]
    sentence_start = 0
    scored: list[int] = []  # tokens of this sentence given a valence, which later rules scale
    asked: list[tuple[list[int], int]] = []  # questions with a valence: their tokens, next start
    after_contrast = False
    skip_to = 0  # tokens before this belong to a longer term already read
    for i in compress(range(n), notable):
        if i < skip_to:
            continue
        kind = kinds[i]
        if kind != WORD:
            if kind == BOUNDARY:
                _punctuate(valences, scored, text[i])
                if scored and "?" in text[i]:
                    asked.append((scored, i + 1))
                clause_starts.append(i + 1)
                sentence_starts.append(i + 1)
                sentence_start, after_contrast, scored = i + 1, False, []
            elif kind == PAUSE:
                clause_starts.append(i + 1)
            else:
                valences[i] = emojis.get(text[i], 0.0) * (1.5 if after_contrast else 1.0)
                scored.append(i)
            continue
        token = text[i]
        if token in contrast:
            for j in scored:
                valences[j] *= 0.5
            after_contrast = True
            clause_starts.append(i)
        found = resolved.get(token)  # gone only if another thread just started afresh
        single, phrases = found if found is not None else _resolve(token, rules)
        valence: float | None = None
        if phrases:
            hit = rules.words.first(text, i)
            if hit is not None:
                valence = hit.value
                skip_to = i + len(hit.words)
            elif i and text[i - 1] in excess and token in excess_targets:
                valence = -1.5
        elif single is not None:
            valence = single
        elif i and text[i - 1] in excess and token in excess_targets:
            valence = -1.5
        if valence is not None:
            before = text[max(sentence_start, i - _LOOKBACK) : i]
            if not modifiers.isdisjoint(before):
                valence = _modify(valence, tokens, i, sentence_start, rules)
            after = max(i + 1, skip_to)
            if (
                after < n
                and text[after] in negators_after
                and kinds[after] == WORD
                and rules.negators.isdisjoint(before)
            ):
                valence = _negated(valence)
            if shouted[i]:
                valence *= 1.3
            valences[i] = valence * (1.5 if after_contrast else 1.0)
            scored.append(i)
    for question, answer in asked:
        if _denial(tokens, answer, rules.denials):
            for j in question:
                # As if negated in place: "not value for money" (the question's damping undone).
                valences[j] = _negated(valences[j] / _QUESTION)
    # Clause and sentence starts are ascending: a token's clause is the last start at or
    # before it. Only the few tokens with a valence are placed.
    clause_scores = [0.0] * len(clause_starts)
    sentence_scores = [0.0] * len(sentence_starts)
    for k in compress(range(n), valences):
        value = valences[k]
        clause_scores[bisect_right(clause_starts, k) - 1] += value
        sentence_scores[bisect_right(sentence_starts, k) - 1] += value
    return Reading(
        score=squash(sum(valences)),
        clause_starts=clause_starts,
        sentence_starts=sentence_starts,
        clause_scores=[squash(v) if v else 0.0 for v in clause_scores],
        sentence_scores=[squash(v) if v else 0.0 for v in sentence_scores],
    )


_WORDLIKE = re.compile(r"\w+(?:'\w+)*")


def _remember(token: str, rules: LanguageRules) -> bool:
    """Resolve ``token`` for ``rules``; whether the sentiment loop must look at it."""
    single, phrases = rules.resolved[token] = _resolve(token, rules)
    notable = (
        single is not None
        or phrases
        or token in rules.contrast
        or token in rules.excess_targets
        # Punctuation, emoticons and emojis; an odd word too, which the loop reads as a word.
        or not _WORDLIKE.fullmatch(token)
    )
    rules.notable[token] = notable
    return notable


def _denial(tokens: Tokens, start: int, denials: frozenset[tuple[str, ...]]) -> bool:
    """Whether the sentence from ``start`` is nothing but a denial ("Knappast.", "Not really!")."""
    words: list[str] = []
    text, kinds = tokens.text, tokens.kinds
    for k in range(start, len(text)):
        kind = kinds[k]
        if kind == BOUNDARY:
            break
        if kind == WORD:
            words.append(text[k])
            if len(words) > _LONGEST_DENIAL:
                return False
    return tuple(words) in denials


def _punctuate(valences: list[float], scored: list[int], boundary: str) -> None:
    factor = 1.0 + 0.15 * min(boundary.count("!"), 3)
    if "?" in boundary:
        factor *= _QUESTION
    if factor != 1.0:
        for j in scored:
            valences[j] *= factor


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
    return _negated(valence) if negated else valence


def _negated(valence: float) -> float:
    # "not bad" is faint praise, "not good" a clear complaint.
    return -valence * (0.75 if valence > 0 else 0.5)
