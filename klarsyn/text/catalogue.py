"""The organisation's taxonomy, kept in the store's ``themes`` table.

The store holds the taxonomy everyone works with: the dashboard edits it, enrichment reads it,
and the taxonomy version written beside each enrichment tells which comments an edit makes
stale. Until one is saved, the built-in taxonomy applies.
"""

from __future__ import annotations

import functools

from sqlalchemy import delete, insert, select

from klarsyn.storage.store import Store
from klarsyn.storage.tables import themes
from klarsyn.text.taxonomy import Taxonomy, Theme, default_taxonomy, validate

STORED_NAME = "stored"


def save_taxonomy(store: Store, taxonomy: Taxonomy) -> int:
    """Replace the stored taxonomy by ``taxonomy``; returns its version."""
    version = taxonomy.version
    rows = [
        {
            "key": theme.id,
            "parent_key": theme.parent,
            "labels": dict(theme.labels),
            "keywords": {language: list(terms) for language, terms in theme.terms.items()},
            "active": True,
            "version": version,
        }
        for theme in taxonomy.themes
    ]
    with store.begin() as connection:
        connection.execute(delete(themes))
        if rows:
            connection.execute(insert(themes), rows)
    return version


def stored_taxonomy(store: Store) -> Taxonomy:
    """The taxonomy saved in the store, or the built-in one when none is."""
    query = select(themes.c.key, themes.c.labels, themes.c.keywords).where(
        themes.c.active.is_(True)
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query.order_by(themes.c.id)).all()
    if not rows:
        return default_taxonomy()
    return _built(
        tuple(
            (
                row.key,
                tuple(sorted(dict(row.labels).items())),
                tuple((language, tuple(terms)) for language, terms in row.keywords.items()),
            )
            for row in rows
        )
    )


Labels = tuple[tuple[str, str], ...]
Terms = tuple[tuple[str, tuple[str, ...]], ...]
Stored = tuple[tuple[str, Labels, Terms], ...]


@functools.lru_cache(maxsize=8)
def _built(stored: Stored) -> Taxonomy:
    # Validating compiles every term; pages read the taxonomy on each request, and it rarely
    # changes, so the result is kept per content.
    loaded = tuple(
        Theme(id=key, labels=dict(labels), terms=dict(terms)) for key, labels, terms in stored
    )
    return validate(Taxonomy(name=STORED_NAME, themes=loaded))
