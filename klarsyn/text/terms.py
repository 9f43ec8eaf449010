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


class Phrases(Generic[V]):
    """The hits of one token, ready to be matched where the token starts a term.

    A common word starts many terms ("not good", "not happy", ...), but the next token is the
    second word of only a few of them, if any: those few are found by the next token, and
    only they are matched further. The one-word terms always match.
    """

    __slots__ = ("_by_second", "_loose", "_loose_pattern", "_single", "_single_placed")

    def __init__(self, hits: Sequence[Hit[V]]) -> None:
        # Every hit goes with its place among all of them (strongest first), which is the
        # order answers keep.
        placed = list(enumerate(hits))
        self._single_placed = [(place, hit) for place, hit in placed if len(hit.words) == 1]
        self._single = tuple(hit for _, hit in self._single_placed)
        by_second: dict[str, list[tuple[int, Hit[V]]]] = {}
        loose: list[tuple[int, Hit[V]]] = []
        for place, hit in placed:
            if len(hit.words) > 1:
                second = hit.words[1]
                if second.at_start and second.at_end:
                    by_second.setdefault(second.core, []).append((place, hit))
                else:
                    loose.append((place, hit))
        #: Terms by their second word where it must be the whole next token ...
        self._by_second = by_second
        #: ... and those whose second word is part of a token, with one pattern for them all.
        self._loose = loose
        patterns = sorted({hit.words[1].regex() for _, hit in loose})
        self._loose_pattern = re.compile("|".join(patterns), re.DOTALL) if patterns else None

    def _longer(self, tokens: Sequence[str], index: int) -> list[tuple[int, Hit[V]]]:
        """The terms of several words that match at ``index``, with their places."""
        after = index + 1
        if after >= len(tokens):
            return []
        following = tokens[after]
        found = self._by_second.get(following, [])
        if self._loose_pattern is not None and self._loose_pattern.fullmatch(following):
            found = [
                *found,
                *(entry for entry in self._loose if entry[1].words[1].matches(following)),
            ]
        if not found:
            return found
        return [entry for entry in found if _matches_rest(entry[1], tokens, index)]

    def match(self, tokens: Sequence[str], index: int) -> Sequence[Hit[V]]:
        """Those hits (their first word matches ``tokens[index]``) that match whole there,
        in the order of the hits (strongest first)."""
        longer = self._longer(tokens, index)
        if not longer:
            return self._single
        return [hit for _, hit in sorted([*self._single_placed, *longer], key=_place)]

    def first(self, tokens: Sequence[str], index: int) -> Hit[V] | None:
        """The first of :meth:`match`."""
        matched = self.match(tokens, index)
        return matched[0] if matched else None


def _place(entry: tuple[int, Hit[V]]) -> int:
    return entry[0]


def _matches_rest(hit: Hit[V], tokens: Sequence[str], index: int) -> bool:
    """Whether the words of ``hit`` after its first two match the tokens after ``index + 1``."""
    words = hit.words
    if len(words) == 2:
        return True  # two words, both matched
    if index + len(words) > len(tokens):
        return False
    return all(words[k].matches(tokens[index + k]) for k in range(2, len(words)))
