"""Knowing whether the store changed without reading its rows.

Appended feedback shows in its highest id. Every import batch adds to its run's counts in the
batch's transaction, so the runs' totals move when customers or events are updated in place,
or when batches written side by side commit out of id order. Comments read again by a new
taxonomy keep their ids and their number, so the enrichment writer moves a change counter in
its transaction. Together these make :func:`data_version`, which reads a few rows at any size.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback, import_runs, revisions

ENRICHMENTS = "enrichments"


def bump(connection: Connection, name: str) -> None:
    """Move the counter ``name`` on, in the connection's transaction."""
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(revisions).values(name=name, value=1)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[revisions.c.name], set_={"value": revisions.c.value + 1}
        )
    )


def current(connection: Connection) -> tuple[tuple[str, int], ...]:
    """Every counter, by name."""
    rows = connection.execute(select(revisions.c.name, revisions.c.value).order_by("name"))
    return tuple((str(name), int(value)) for name, value in rows)


def data_version(store: Store) -> tuple[Any, ...]:
    """Changes whenever feedback is added, comments are (re-)enriched or customers, events
    or campaigns are imported or updated."""
    runs = import_runs.c
    with store.engine.connect() as connection:
        newest = connection.execute(select(func.max(feedback.c.id))).scalar_one()
        imported = connection.execute(
            select(func.count(), func.sum(runs.imported), func.sum(runs.updated))
        ).one()
        return (newest, *imported, current(connection))
