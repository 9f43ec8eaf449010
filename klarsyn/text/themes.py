"""Finding theme mentions in a tokenised comment, with their spans.

Each mention carries its theme, where it is in the (masked) text and the term that matched.
When one word mentions a theme and its ancestor (*leveranstiden*: delivery time, delivery),
only the most specific theme is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from itertools import compress
from typing import NamedTuple

from klarsyn.text.lexicon import NEIGHBOURS
from klarsyn.text.taxonomy import Taxonomy
from klarsyn.text.terms import Hit, Memo, Phrases, TermChain, TermIndex
from klarsyn.text.tokens import WORD, Tokens


class Mention(NamedTuple):
    """A theme mentioned at tokens ``[first, last]``, characters ``[start, end)``."""

    theme: str
    first: int
    last: int
    start: int
    end: int


class ThemeMatcher:
    """The taxonomy compiled into one term index per language."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        own: dict[str, TermIndex[str]] = {}
        for theme in taxonomy.themes:
            for language, terms in theme.terms.items():
                index = own.setdefault(language, TermIndex())
                for term in terms:
                    index.add(term, theme.id)
        chains = {
            language: TermChain(
                (index, *(own[n] for n in NEIGHBOURS.get(language, ()) if n in own))
            )
            for language, index in own.items()
        }
        self._chains: Mapping[str, TermChain[str]] = chains
        # Per language, token -> its hits; a token that starts a term of several words gets
        # them as Phrases, so the usual one-word terms need no further matching.
        self._hits: Mapping[str, Memo[str, tuple[Hit[str], ...] | Phrases[str]]] = {
            language: Memo(partial(_sorted_hits, chain)) for language, chain in chains.items()
        }
        #: Ancestors of every theme, looked up per mention.
        self.ancestors = {t.id: frozenset(taxonomy.ancestors(t.id)) for t in taxonomy.themes}
        #: Every theme that is some theme's ancestor: only these can be overshadowed.
        self.parents = frozenset().union(*self.ancestors.values())

    def find(self, tokens: Tokens, *, language: str | None) -> list[Mention]:
        """Mentions in ``tokens``, read with the terms of ``language``."""
        memo = self._hits.get(language or "")
        if memo is None:
            return []
        text, kinds, starts, ends = tokens.text, tokens.kinds, tokens.starts, tokens.ends
        # One cached read per token (in C); only the few tokens that start a term go further.
        found = list(map(memo.__getitem__, text))
        mentions: list[Mention] = []
        for i in compress(range(len(text)), found):
            if kinds[i] != WORD:
                continue
            hits = found[i]
            if isinstance(hits, tuple):  # one-word terms only: every one of them matches here
                for hit in hits:
                    mentions.append(Mention(hit.value, i, i, starts[i], ends[i]))
                continue
            for hit in hits.match(text, i):
                last = i + len(hit.words) - 1
                mentions.append(Mention(hit.value, i, last, starts[i], ends[last]))
        return self._most_specific(mentions)

    def _most_specific(self, mentions: list[Mention]) -> list[Mention]:
        """Drop a mention that a more specific theme, or a longer term of its own theme,
        covers on the same words.

        Mentions come ordered by their first token; only mentions whose words overlap can
        cover each other, so each run of overlapping ones is settled on its own and a
        mention that overlaps nothing (most of them) is kept as it is.
        """
        if len(mentions) < 2:
            return mentions
        kept: list[Mention] = []
        run: list[Mention] = []
        run_last = -1
        for m in mentions:
            if m[1] > run_last and run:
                kept.extend(run if len(run) == 1 else self._settle(run))
                run = []
            run.append(m)
            if m[2] > run_last:
                run_last = m[2]
        kept.extend(run if len(run) == 1 else self._settle(run))
        return kept

    def _settle(self, run: list[Mention]) -> list[Mention]:
        ancestors = self.ancestors
        present = {m[0] for m in run}
        # For each theme, the themes present that descend from it and may overshadow it.
        descendants: dict[str, set[str]] = {}
        if not self.parents.isdisjoint(present):
            for theme in present:
                for ancestor in ancestors.get(theme, ()):
                    if ancestor in present:
                        descendants.setdefault(ancestor, set()).add(theme)
        if not descendants and len(present) == len(run):
            return run  # every theme once and none above another: nothing to drop
        kept: list[Mention] = []
        spans: dict[str, list[tuple[int, int]]] = {}
        for m in run:
            theme, first, last = m[0], m[1], m[2]
            taken = spans.get(theme)
            if taken and any(a <= last and first <= b for a, b in taken):
                continue  # the same theme again inside a longer term ("customer service")
            below = descendants.get(theme)
            if below and any(o[0] in below and o[1] <= last and first <= o[2] for o in run):
                continue
            kept.append(m)
            if taken is None:
                spans[theme] = [(first, last)]
            else:
                taken.append((first, last))
        return kept


def _sorted_hits(chain: TermChain[str], token: str) -> tuple[Hit[str], ...] | Phrases[str]:
    hits = chain.lookup(token)
    if any(len(hit.words) > 1 for hit in hits):
        return Phrases(hits)
    # One-word terms all cover just this token: one hit per theme says all they can.
    first: dict[str, Hit[str]] = {}
    for hit in hits:
        first.setdefault(hit.value, hit)
    return tuple(first.values())
