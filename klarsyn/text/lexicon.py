"""The built-in sentiment lexicon: CX words, negators, intensifiers and contrast words.

One YAML file per language in ``klarsyn/text/data/lexicon/`` (sv, da, nb, fi, en) plus
``common.yaml`` for emojis and emoticons. Word entries are term patterns (see
:mod:`klarsyn.text.terms`) with a valence from -3 to +3. Swedish, Danish and Norwegian read one
another's lexicon after their own (between Swedish and the others, whole words only), since a
short comment is often identified as a neighbour.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from klarsyn.errors import InputError
from klarsyn.text.terms import TermChain, TermIndex

#: Languages whose lexicons back each other up, in order.
NEIGHBOURS = {"sv": ("nb", "da"), "da": ("nb", "sv"), "nb": ("da", "sv")}
SHARED_SPELLING = {"da", "nb"}


@dataclass(frozen=True, slots=True)
class LanguageRules:
    """The sentiment rules of one language."""

    language: str
    words: TermChain[float]  # own lexicon first, then the neighbours'
    negators: frozenset[str]
    intensifiers: Mapping[str, float]
    excess: frozenset[str]
    excess_targets: frozenset[str]
    contrast: frozenset[str]
    prefixes: tuple[str, ...]
    # Negators that follow the word they negate, as after a verb in Scandinavian word order.
    negators_after: frozenset[str] = frozenset()
    # Whole sentences that answer a question with no ("Prisvärt? Knappast."), as word tuples.
    denials: frozenset[tuple[str, ...]] = frozenset()
    # token -> (its own valence, whether a longer term may start at it), filled as words come
    resolved: dict[str, tuple[float | None, bool]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # token -> whether the sentiment rules must look at it at all, filled with ``resolved``
    notable: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    # Words that change the valence of a word after them: most words have none before them.
    modifiers: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        modifiers = self.negators | self.intensifiers.keys() | self.excess
        object.__setattr__(self, "modifiers", frozenset(modifiers))


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Sentiment rules for every language plus the shared emoji valences."""

    languages: Mapping[str, LanguageRules]
    emojis: Mapping[str, float]
    version: str

    def rules(self, language: str | None, *, fallback: str = "en") -> LanguageRules:
        """The rules for ``language``, or for ``fallback`` when there are none."""
        found = self.languages.get(language or "")
        return found if found is not None else self.languages[fallback]


def default_lexicon() -> Lexicon:
    """The lexicon shipped with Klarsyn."""
    folder = resources.files("klarsyn.text") / "data" / "lexicon"
    texts = {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }
    return parse_lexicon(texts)


def load_lexicon(folder: Path) -> Lexicon:
    """A lexicon from a folder of YAML files laid out like the built-in one."""
    texts = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.yaml")}
    if "common.yaml" not in texts:
        raise InputError(f"lexicon folder {str(folder)!r} has no common.yaml")
    return parse_lexicon(texts)


def parse_lexicon(texts: Mapping[str, str]) -> Lexicon:
    """Build a lexicon from YAML texts by file name (``sv.yaml`` …, ``common.yaml``)."""
    digest = hashlib.sha256()
    documents: dict[str, dict[str, Any]] = {}
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode())
        documents[name.removesuffix(".yaml")] = yaml.safe_load(texts[name]) or {}
    common = documents.pop("common", {})
    indexes = {code: _index(code, doc) for code, doc in documents.items()}
    languages = {}
    for code, doc in documents.items():
        # A neighbour's partial words are written for its own compounds and misread Swedish
        # ones: Norwegian "best*" (best) would praise every Swedish "beställning". Danish and
        # Norwegian Bokmål spell their words alike, so they keep each other's partial words.
        neighbours = tuple(
            indexes[n] if {code, n} == SHARED_SPELLING else indexes[n].whole_words()
            for n in NEIGHBOURS.get(code, ())
            if n in indexes
        )
        languages[code] = LanguageRules(
            language=code,
            words=TermChain((indexes[code], *neighbours), phrases_fall_through=True),
            negators=frozenset(str(w) for w in doc.get("negators", [])),
            intensifiers={str(k): float(v) for k, v in (doc.get("intensifiers") or {}).items()},
            excess=frozenset(str(w) for w in doc.get("excess", [])),
            excess_targets=frozenset(str(w) for w in doc.get("excess_targets", [])),
            contrast=frozenset(str(w) for w in doc.get("contrast", [])),
            prefixes=tuple(str(p) for p in doc.get("intensifying_prefixes", [])),
            negators_after=frozenset(str(w) for w in doc.get("negators_after", [])),
            denials=frozenset(tuple(str(d).split()) for d in doc.get("denials", [])),
        )
    emojis = {str(k): float(v) for k, v in (common.get("emojis") or {}).items()}
    return Lexicon(languages=languages, emojis=emojis, version=digest.hexdigest()[:12])


def _index(code: str, document: Mapping[str, Any]) -> TermIndex[float]:
    index: TermIndex[float] = TermIndex()
    for term, valence in (document.get("words") or {}).items():
        if not isinstance(term, str):
            # YAML reads a bare no/yes/on as a boolean; the term must be quoted.
            raise InputError(f"lexicon {code}: term {term!r} is not text; quote it")
        try:
            index.add(str(term), float(valence))
        except ValueError as exc:
            raise InputError(f"lexicon {code}: {exc}") from exc
    return index
