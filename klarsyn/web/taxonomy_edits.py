"""What the Themes page's editor does to a taxonomy: rename, change terms, add, deactivate.

Each edit returns a new, validated taxonomy (the order of themes is kept), so the page only
saves what parses exactly as a taxonomy file would. Terms are typed comma-separated, one field
per language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from klarsyn.errors import InputError, NotFound
from klarsyn.text.taxonomy import Taxonomy, Theme, dump_taxonomy, parse_taxonomy

LANGUAGES = ("sv", "da", "nb", "fi", "en")
LABEL_LANGUAGES = ("en", "sv")
THEME_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def split_terms(text: str) -> tuple[str, ...]:
    """``"late, slow ,  delay*"`` → ``("late", "slow", "delay*")``."""
    return tuple(dict.fromkeys(term.strip() for term in text.split(",") if term.strip()))


def _checked(taxonomy: Taxonomy) -> Taxonomy:
    # Round-trip through the file format: terms are validated exactly as a YAML file's would be.
    return parse_taxonomy(dump_taxonomy(taxonomy), origin="the edited taxonomy")


def _find(taxonomy: Taxonomy, theme_id: str) -> Theme:
    if theme_id not in taxonomy:
        raise NotFound(f"theme {theme_id!r} is not in the taxonomy", hint="reload the page")
    return taxonomy[theme_id]


def edit_theme(
    taxonomy: Taxonomy,
    theme_id: str,
    *,
    labels: Mapping[str, str],
    terms: Mapping[str, str],
) -> Taxonomy:
    """The taxonomy with ``theme_id``'s labels and terms replaced (blank labels keep theirs)."""
    theme = _find(taxonomy, theme_id)
    new_labels = dict(theme.labels) | {k: v.strip() for k, v in labels.items() if v.strip()}
    new_terms = dict(theme.terms) | {k: split_terms(v) for k, v in terms.items()}
    edited = replace(theme, labels=new_labels, terms={k: v for k, v in new_terms.items() if v})
    themes = tuple(edited if t.id == theme_id else t for t in taxonomy.themes)
    return _checked(replace(taxonomy, themes=themes))


def add_theme(
    taxonomy: Taxonomy, theme_id: str, *, label: str, terms: Mapping[str, str]
) -> Taxonomy:
    """The taxonomy with a new theme (``parent.child`` ids go under an existing parent)."""
    theme_id = theme_id.strip().lower()
    if not THEME_ID.match(theme_id):
        raise InputError(
            f"theme id {theme_id!r} is not lower-case words joined by dots",
            hint="e.g. delivery.packaging",
        )
    if theme_id in taxonomy:
        raise InputError(f"theme {theme_id!r} already exists", hint="edit it instead")
    theme = Theme(
        id=theme_id,
        labels={"en": label.strip() or theme_id},
        terms={k: split_terms(v) for k, v in terms.items() if split_terms(v)},
    )
    return _checked(replace(taxonomy, themes=(*taxonomy.themes, theme)))


def deactivate_theme(taxonomy: Taxonomy, theme_id: str) -> Taxonomy:
    """The taxonomy without ``theme_id`` and its sub-themes (a child cannot outlive its parent)."""
    _find(taxonomy, theme_id)
    kept = tuple(
        t for t in taxonomy.themes if t.id != theme_id and not t.id.startswith(f"{theme_id}.")
    )
    if not kept:
        raise InputError("the taxonomy needs at least one theme", hint="add a theme first")
    return _checked(replace(taxonomy, themes=kept))
