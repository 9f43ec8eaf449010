"""The theme taxonomy: a hierarchy of CX themes with terms per language, edited by users.

A taxonomy is YAML (see ``klarsyn/text/data/taxonomy.yaml``, the default): a ``themes`` list
whose items have an ``id`` (``delivery.time`` is a child of ``delivery``), ``labels`` per
language and ``terms`` per language. Its ``version`` is derived from its content, so every
enrichment records exactly which taxonomy produced it and an edit triggers re-enrichment.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from klarsyn.errors import InputError
from klarsyn.text.terms import Pattern


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme: a stable id, readable labels and the terms that mention it."""

    id: str
    labels: Mapping[str, str]
    terms: Mapping[str, tuple[str, ...]]

    @property
    def parent(self) -> str | None:
        """The id of the parent theme (``delivery`` for ``delivery.time``), if any."""
        head, dot, _ = self.id.rpartition(".")
        return head if dot else None

    def label(self, language: str = "en") -> str:
        return self.labels.get(language) or self.labels.get("en") or self.id


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """An ordered set of themes."""

    name: str
    themes: tuple[Theme, ...]
    _by_id: Mapping[str, Theme] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {theme.id: theme for theme in self.themes})

    def __getitem__(self, theme_id: str) -> Theme:
        return self._by_id[theme_id]

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    @property
    def ids(self) -> list[str]:
        return [theme.id for theme in self.themes]

    @property
    def version(self) -> int:
        """A number that changes whenever a theme, label or term changes (31 bits)."""
        # The name is left out: the same themes saved under another name read the same.
        payload = json.dumps(to_document(self)["themes"], sort_keys=True, ensure_ascii=False)
        return int(hashlib.sha256(payload.encode()).hexdigest()[:7], 16)

    def ancestors(self, theme_id: str) -> list[str]:
        """Parents of ``theme_id``, nearest first."""
        found = []
        current = self._by_id[theme_id].parent if theme_id in self._by_id else None
        while current is not None:
            found.append(current)
            current = self._by_id[current].parent if current in self._by_id else None
        return found

    def with_theme(self, theme: Theme) -> Taxonomy:
        """A copy with ``theme`` added, or replacing the theme with the same id."""
        themes = [t for t in self.themes if t.id != theme.id]
        return validate(replace(self, themes=(*themes, theme)))


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The built-in CX taxonomy (sv, da, nb, fi, en), read and checked once per process."""
    text = (resources.files("klarsyn.text") / "data" / "taxonomy.yaml").read_text("utf-8")
    return parse_taxonomy(text, origin="the built-in taxonomy")


def load_taxonomy(path: Path) -> Taxonomy:
    """Read a taxonomy from a YAML file."""
    if not path.is_file():
        raise InputError(
            f"taxonomy file {str(path)!r} does not exist",
            hint="export the default with `klarsyn text taxonomy --out FILE` and edit it",
        )
    return parse_taxonomy(path.read_text(encoding="utf-8"), origin=str(path))


def parse_taxonomy(text: str, *, origin: str = "taxonomy") -> Taxonomy:
    """Parse and validate taxonomy YAML."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{origin} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("themes"), list):
        raise InputError(f"{origin} needs a 'themes' list", hint="see docs/text.md")
    themes = tuple(_theme(item, origin=origin) for item in document["themes"])
    return validate(Taxonomy(name=str(document.get("name", "custom")), themes=themes))


def _theme(item: Any, *, origin: str) -> Theme:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise InputError(f"{origin}: every theme needs an 'id', got {item!r}")
    theme_id = item["id"]
    terms: dict[str, tuple[str, ...]] = {}
    for language, words in (item.get("terms") or {}).items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise InputError(
                f"{origin}: theme {theme_id!r} terms for {language!r} must be a list of text",
                hint='quote terms that start with "*"',
            )
        for word in words:
            for part in word.split():
                try:
                    Pattern.parse(part)
                except ValueError as exc:
                    raise InputError(f"{origin}: theme {theme_id!r}: {exc}") from exc
        terms[str(language)] = tuple(words)
    labels = {str(k): str(v) for k, v in (item.get("labels") or {}).items()}
    return Theme(id=theme_id, labels=labels, terms=terms)


def validate(taxonomy: Taxonomy) -> Taxonomy:
    """Check ids are unique and every parent exists; return the taxonomy."""
    seen: set[str] = set()
    for theme in taxonomy.themes:
        if theme.id in seen:
            raise InputError(f"theme id {theme.id!r} appears twice in {taxonomy.name!r}")
        seen.add(theme.id)
    for theme in taxonomy.themes:
        if theme.parent is not None and theme.parent not in seen:
            raise InputError(
                f"theme {theme.id!r} has the parent {theme.parent!r}, which is not in the taxonomy",
                hint=f"add a theme with id {theme.parent!r} or rename {theme.id!r}",
            )
    return taxonomy


def to_document(taxonomy: Taxonomy) -> dict[str, Any]:
    """The taxonomy as plain data, ready for YAML or JSON."""
    return {
        "name": taxonomy.name,
        "themes": [
            {
                "id": t.id,
                "labels": dict(t.labels),
                "terms": {k: list(v) for k, v in t.terms.items()},
            }
            for t in taxonomy.themes
        ],
    }


def dump_taxonomy(taxonomy: Taxonomy) -> str:
    """The taxonomy as YAML that :func:`parse_taxonomy` reads back."""
    return yaml.safe_dump(to_document(taxonomy), allow_unicode=True, sort_keys=False, width=100)


def theme_ids(taxonomy: Taxonomy, *, include: Sequence[str] = ()) -> list[str]:
    """Theme ids in taxonomy order, plus any extra ``include`` ids not in it."""
    ids = taxonomy.ids
    return ids + [i for i in include if i not in ids]
