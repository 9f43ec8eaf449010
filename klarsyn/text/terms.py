"""Term patterns, shared by the sentiment lexicon and the theme taxonomy.

Nordic languages glue words together (*leveranstiden*, *kundeservicen*, *asiakaspalvelussa*),
so a term is a pattern over one lower-cased token:

- ``bra``: exactly the token *bra*;
- ``leverans*``: a token starting with *leverans* (inflections: *leveransen*, *leveranser*);
- ``*leverans``: a token ending with it (compounds: *paketleverans*);
- ``*leverans*``: anywhere in the token (*hemleveransen*).

A term of several words (``customer service``, ``ingen svarar``) matches consecutive tokens,
each word a pattern of its own. Lookups are cached per token: real text repeats a small
vocabulary, so the work per comment is one dictionary lookup per word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V", bound=Hashable)
K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

#: Shortest core a prefix/suffix/infix pattern may have; shorter ones match noise.
MIN_CORE = 2


class Memo(dict[K, R]):
    """A dictionary that computes a missing value once and keeps it (up to ``limit`` keys).

    Reading it through ``map(memo.__getitem__, tokens)`` looks a whole comment up in one C
    loop; only words never seen before cost a Python call.
    """

    __slots__ = ("_compute", "_limit")

    def __init__(self, compute: Callable[[K], R], *, limit: int = 500_000) -> None:
        super().__init__()
        self._compute = compute
        self._limit = limit

    def __missing__(self, key: K) -> R:
        if len(self) >= self._limit:
            self.clear()  # a stream of never-repeating tokens must not grow memory forever
        value = self[key] = self._compute(key)
        return value


@dataclass(frozen=True, slots=True)
class Pattern:
    """One word of a term: its core and where in a token the core may sit."""

    core: str
    at_start: bool  # the token must start with the core
    at_end: bool  # the token must end with the core

    @classmethod
    def parse(cls, word: str) -> Pattern:
        core = word.strip("*").lower()
        if not core:
            raise ValueError(f"term word {word!r} has no letters")
        return cls(core=core, at_start=not word.startswith("*"), at_end=not word.endswith("*"))

    def regex(self) -> str:
        """The pattern as a regular expression over a whole token."""
        return f"{'' if self.at_start else '.*'}{re.escape(self.core)}{'' if self.at_end else '.*'}"

    def matches(self, token: str) -> bool:
        if self.at_start and self.at_end:
            return token == self.core
        if self.at_start:
            return token.startswith(self.core)
        if self.at_end:
            return token.endswith(self.core)
        return self.core in token


@dataclass(frozen=True, slots=True)
class Hit(Generic[V]):
    """A term that matched a token: its value, its length in words and its core length."""

    value: V
    words: tuple[Pattern, ...]
    strength: int


class TermIndex(Generic[V]):
    """Maps tokens to the values of the terms that match them."""

    def __init__(self) -> None:
        self._exact: dict[str, list[Hit[V]]] = {}
        self._partial: dict[str, list[Hit[V]]] = {}
        self._partial_digits = False  # whether a partial core holds a digit
        self._cache: dict[str, tuple[Hit[V], ...]] = {}

    def add(self, term: str, value: V) -> None:
        """Add ``term`` (one or more space-separated patterns) with ``value``."""
        words = tuple(Pattern.parse(word) for word in term.split())
        if not words:
            raise ValueError("a term needs at least one word")
        first = words[0]
        if not (first.at_start and first.at_end) and len(first.core) < MIN_CORE:
            raise ValueError(f"term {term!r}: a partial word needs {MIN_CORE}+ letters")
        hit = Hit(value=value, words=words, strength=sum(len(w.core) for w in words))
        target = self._exact if first.at_start and first.at_end else self._partial
        target.setdefault(first.core, []).append(hit)
        if target is self._partial and any(ch.isdigit() for ch in first.core):
            self._partial_digits = True
        self._cache.clear()

    def whole_words(self) -> TermIndex[V]:
        """The same index without the terms that start with a partial word (``best*``)."""
        narrowed: TermIndex[V] = TermIndex()
        narrowed._exact = self._exact
        return narrowed

    def lookup(self, token: str) -> tuple[Hit[V], ...]:
        """Every term whose first word matches ``token``, strongest first."""
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        hits = list(self._exact.get(token, ()))
        # Order numbers, prices and dates are new tokens by the thousand; no word is in them.
        if self._partial and (self._partial_digits or not token.isdigit()):
            size = len(token)
            for start in range(size - MIN_CORE + 1):
                for end in range(start + MIN_CORE, size + 1):
                    for hit in self._partial.get(token[start:end], ()):
                        first = hit.words[0]
                        if (not first.at_start or start == 0) and (not first.at_end or end == size):
                            hits.append(hit)
        found = tuple(sorted(hits, key=lambda h: -h.strength))
        if len(self._cache) < 500_000:
            self._cache[token] = found
        return found

    def match(self, tokens: Sequence[str], index: int) -> list[Hit[V]]:
        """Terms that start at ``tokens[index]`` and match all their words, strongest first."""
        matched = []
        for hit in self.lookup(tokens[index]):
            end = index + len(hit.words)
            if end > len(tokens):
                continue
            if all(w.matches(tokens[index + k]) for k, w in enumerate(hit.words[1:], start=1)):
                matched.append(hit)
        return matched


class TermChain(Generic[V]):
    """Several indexes asked in order: the first that knows a token answers for it.

    A comment's own language comes first and its neighbours after; the chain caches the
    answer per token, so a word costs one dictionary lookup however many indexes there are.
    """

    def __init__(
        self, indexes: Sequence[TermIndex[V]], *, phrases_fall_through: bool = False
    ) -> None:
        self.indexes = tuple(indexes)
        self.phrases_fall_through = phrases_fall_through
        self._cache: Memo[str, tuple[Hit[V], ...]] = Memo(self._first_answer)
        #: ``hits(token)``: the same answer as :meth:`lookup`, as a bare dictionary read.
        self.hits: Callable[[str], tuple[Hit[V], ...]] = self._cache.__getitem__
        self._phrases: Memo[str, Phrases[V]] = Memo(lambda token: Phrases(self._cache[token]))

    def _first_answer(self, token: str) -> tuple[Hit[V], ...]:
        """The first answer, or with ``phrases_fall_through``, when that answer holds only
        terms of several words, the later indexes' answers after it: Swedish knows "kom" only
        in "kom aldrig", which must not hide Norwegian "kom aldri"."""
        answer: tuple[Hit[V], ...] = ()
        for index in self.indexes:
            found = index.lookup(token)
            if not found:
                continue
            answer += found
            if not self.phrases_fall_through or any(len(hit.words) == 1 for hit in found):
                break
        return answer

    def lookup(self, token: str) -> tuple[Hit[V], ...]:
        return self._cache[token]

    def first(self, tokens: Sequence[str], index: int) -> Hit[V] | None:
        """The first term of the answering indexes that matches whole at ``tokens[index]``."""
        if not self._cache[tokens[index]]:
            return None
        return self._phrases[tokens[index]].first(tokens, index)


def matching(hits: Sequence[Hit[V]], tokens: Sequence[str], index: int) -> Sequence[Hit[V]]:
    """Those of ``hits`` (terms whose first word matches ``tokens[index]``) that match whole."""
    size = len(tokens)
    matched = []
    for hit in hits:
        words = hit.words
        if len(words) == 1:
            matched.append(hit)
        elif index + len(words) <= size:
            k = 1
            for word in words[1:]:
                if not word.matches(tokens[index + k]):
                    break
                k += 1
            else:
                matched.append(hit)
    return matched


class Phrases(Generic[V]):
    """The hits of one token, ready to be matched where the token starts a term.

    Most of the time the next token is none of the second words these terms could go on
    with, and the answer is just the one-word terms: one regular expression over the next
    token tells.
    """

    __slots__ = ("_exact", "_hits", "_loose", "_single")

    def __init__(self, hits: Sequence[Hit[V]]) -> None:
        self._hits = tuple(hits)
        self._single = tuple(hit for hit in hits if len(hit.words) == 1)
        seconds = {hit.words[1] for hit in hits if len(hit.words) > 1}
        #: Second words that must be the whole next token, and a pattern for the rest.
        self._exact = frozenset(w.core for w in seconds if w.at_start and w.at_end)
        loose = sorted(w.regex() for w in seconds if not (w.at_start and w.at_end))
        self._loose = re.compile("|".join(loose), re.DOTALL) if loose else None

    def _may_go_on(self, tokens: Sequence[str], index: int) -> bool:
        # Whether the next token is a second word of some term: if not, only one-word terms
        # can match.
        after = index + 1
        if after >= len(tokens):
            return False
        following = tokens[after]
        return following in self._exact or (
            self._loose is not None and self._loose.fullmatch(following) is not None
        )

    def match(self, tokens: Sequence[str], index: int) -> Sequence[Hit[V]]:
        """Those hits (their first word matches ``tokens[index]``) that match whole there."""
        if self._may_go_on(tokens, index):
            return matching(self._hits, tokens, index)
        return self._single

    def first(self, tokens: Sequence[str], index: int) -> Hit[V] | None:
        """The first of :meth:`match`, found without looking further."""
        if not self._may_go_on(tokens, index):
            return self._single[0] if self._single else None
        size = len(tokens)
        for hit in self._hits:
            words = hit.words
            if len(words) == 1:
                return hit
            if index + len(words) <= size and all(
                word.matches(tokens[index + k]) for k, word in enumerate(words[1:], start=1)
            ):
                return hit
        return None
