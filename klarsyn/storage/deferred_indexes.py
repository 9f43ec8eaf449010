"""Secondary indexes set aside while a large import fills a table, and built again after it.

Keeping an index up to date row by row costs a B-tree descent per row and index; building it
afterwards sorts once. For a first import of a million rows that is most of the write time
(see docs/benchmarks.md), so an import that brings more rows than the table holds drops the
table's secondary indexes for its duration and creates them again when it ends, whether it
succeeded or failed. The unique key that de-duplicates rows always stays.

On PostgreSQL the table's foreign keys are set aside with them: each row a ``COPY`` brings
fires a trigger that looks its import run up, while adding the key again checks every row in
one join.

A process killed outright cannot run its ``finally``; the missing indexes and keys are then the
only trace, and :func:`restore` (run at the start of every import, and cheap when nothing is
missing) builds them again. Queries stay correct meanwhile, only slower.

Dropping an index waits for the table's readers to finish, and holds up new ones meanwhile; so
when the table stays busy for longer than :data:`LOCK_WAIT`, the import keeps its indexes
instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, ForeignKeyConstraint, Index, Table, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from klarsyn.storage.store import Store
from klarsyn.storage.tables import TABLES_BY_KIND

#: Below this many incoming rows the indexes stay: rebuilding them would cost more than it saves.
DEFER_MIN_ROWS = 100_000

#: PostgreSQL sorts an index in memory up to ``maintenance_work_mem`` (64 MB by default) and on
#: disk beyond it; a million rows' keys fit in this.
POSTGRES_INDEX_MEMORY = "256MB"

#: How long to wait for the table's readers before importing with the indexes after all.
LOCK_WAIT = "2s"


def secondary_indexes(table: Table) -> list[Index]:
    """The indexes of ``table`` that no constraint needs, by name."""
    return sorted((i for i in table.indexes if not i.unique), key=lambda i: str(i.name))


def missing_indexes(connection: Connection, table: Table) -> list[Index]:
    """The secondary indexes of ``table`` that the database does not have."""
    present = {i["name"] for i in inspect(connection).get_indexes(table.name)}
    return [i for i in secondary_indexes(table) if i.name not in present]


def deferred_foreign_keys(connection: Connection, table: Table) -> list[ForeignKeyConstraint]:
    """The foreign keys of ``table`` an import sets aside: on PostgreSQL, all of them."""
    if connection.dialect.name != "postgresql":
        return []  # SQLite cannot drop a constraint, and its inserts check none by default
    return sorted(table.foreign_key_constraints, key=lambda c: tuple(c.column_keys))


def missing_foreign_keys(connection: Connection, table: Table) -> list[ForeignKeyConstraint]:
    """The foreign keys of ``table`` that the database does not have."""
    present = {
        tuple(fk["constrained_columns"]) for fk in inspect(connection).get_foreign_keys(table.name)
    }
    return [
        c for c in deferred_foreign_keys(connection, table) if tuple(c.column_keys) not in present
    ]


def restore(connection: Connection, tables: list[Table] | None = None) -> list[str]:
    """Create the secondary indexes and foreign keys that are missing (on every import table
    by default).

    Returns the names of the indexes created.
    """
    created = []
    for table in tables if tables is not None else list(TABLES_BY_KIND.values()):
        missing = missing_indexes(connection, table)
        if missing and connection.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL maintenance_work_mem = '{POSTGRES_INDEX_MEMORY}'"))
        for index in missing:
            # IF NOT EXISTS: two imports ending together may both restore the same index.
            connection.execute(CreateIndex(index, if_not_exists=True))
            created.append(str(index.name))
        for constraint in missing_foreign_keys(connection, table):
            connection.execute(AddConstraint(constraint))
    return created


def worth_deferring(connection: Connection, table: Table, *, incoming_rows: int) -> bool:
    """Whether rebuilding ``table``'s indexes after ``incoming_rows`` beats updating them.

    A rebuild sorts the stored rows too, so it pays off when the import brings more rows
    than the table holds.
    """
    if incoming_rows < DEFER_MIN_ROWS or not secondary_indexes(table):
        return False
    # Counting stops at the number that matters, so a big table is not scanned whole.
    stored = connection.execute(
        text(f"SELECT count(*) FROM (SELECT 1 FROM {table.name} LIMIT :limit) AS head"),
        {"limit": incoming_rows},
    ).scalar_one()
    return int(stored) < incoming_rows


def _drop(store: Store, table: Table) -> bool:
    """Drop the secondary indexes of ``table``; ``False`` if its readers kept it too long."""
    try:
        with store.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
            for index in secondary_indexes(table):
                connection.execute(DropIndex(index, if_exists=True))
            for constraint in deferred_foreign_keys(connection, table):
                connection.execute(DropConstraint(constraint, if_exists=True))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        with store.begin() as connection:
            restore(connection, [table])  # nothing was dropped, unless a killed import did
        return False
    return True


@contextmanager
def deferred(store: Store, kind: str, *, incoming_rows: int) -> Iterator[bool]:
    """Within the block, the import table of ``kind`` lacks its secondary indexes if that pays.

    Yields whether they were dropped. On leaving, by success or error, every missing index
    is created again, also ones an earlier, killed import left missing.
    """
    table = TABLES_BY_KIND[kind]
    with store.begin() as connection:
        defer = worth_deferring(connection, table, incoming_rows=incoming_rows)
        restore(connection, [t for t in TABLES_BY_KIND.values() if not defer or t is not table])
    defer = defer and _drop(store, table)
    try:
        yield defer
    finally:
        if defer:
            with store.begin() as connection:
                restore(connection, [table])
