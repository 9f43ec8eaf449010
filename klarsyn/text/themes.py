"""Finding theme mentions in a tokenised comment, with their spans.

Each mention carries its theme, where it is in the (masked) text and the term that matched.
When one word mentions a theme and its ancestor (*leveranstiden*: delivery time, delivery),
only the most specific theme is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from klarsyn.text.lexicon import NEIGHBOURS
from klarsyn.text.taxonomy import Taxonomy
from klarsyn.text.terms import TermChain, TermIndex
from klarsyn.text.tokens import WORD, Tokens


@dataclass(frozen=True, slots=True)
class Mention:
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
        self._chains: Mapping[str, TermChain[str]] = {
            language: TermChain(
                (index, *(own[n] for n in NEIGHBOURS.get(language, ()) if n in own))
            )
            for language, index in own.items()
        }
        #: Ancestors of every theme, looked up per mention.
        self.ancestors = {t.id: frozenset(taxonomy.ancestors(t.id)) for t in taxonomy.themes}

    def find(self, tokens: Tokens, *, language: str | None) -> list[Mention]:
        """Mentions in ``tokens``, read with the terms of ``language``."""
        chain = self._chains.get(language or "")
        if chain is None:
            return []
        mentions: list[Mention] = []
        text, kinds = tokens.text, tokens.kinds
        for i in range(len(text)):
            if kinds[i] != WORD:
                continue
            for hit in chain.match(text, i):
                last = i + len(hit.words) - 1
                mentions.append(Mention(hit.value, i, last, tokens.starts[i], tokens.ends[last]))
        return self._most_specific(mentions)

    def _most_specific(self, mentions: list[Mention]) -> list[Mention]:
        if len(mentions) < 2:
            return mentions
        present = {m.theme for m in mentions}
        # For each theme, the themes present that descend from it and may overshadow it.
        descendants = {
            theme: {o for o in present if theme in self.ancestors.get(o, ())} for theme in present
        }
        kept: list[Mention] = []
        spans: dict[str, list[tuple[int, int]]] = {}
        for m in mentions:
            taken = spans.get(m.theme)
            if taken and any(a <= m.last and m.first <= b for a, b in taken):
                continue  # the same theme again inside a longer term ("customer service")
            below = descendants[m.theme]
            if below and any(
                o.theme in below and o.first <= m.last and m.first <= o.last for o in mentions
            ):
                continue
            kept.append(m)
            spans.setdefault(m.theme, []).append((m.first, m.last))
        return kept
