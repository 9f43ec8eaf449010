"""Bulk writes of validated rows: executemany on SQLite, COPY on PostgreSQL.

Both paths insert idempotently on each kind's natural key: facts (feedback, events) that are
already stored are skipped, while master data (customers, campaigns) is updated when it changed.

On PostgreSQL, new facts are copied straight into their table once the batch's own repeats and
the keys already stored are set aside; should another writer store one of the keys in between,
the batch falls back to the general path, a staging table and ``INSERT … ON CONFLICT``. An
import's batches of facts may be written by several connections at once, each a transaction of
its own, so the server's ``COPY`` work is spread over its cores.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, Table, func, select

from klarsyn.storage.tables import TABLES_BY_KIND
from klarsyn.storage.types import SQLITE_TIMESTAMP_FORMAT

#: Kinds whose stored rows are updated when a re-import brings changed values.
UPSERT_KINDS = {"customers": "customer_id", "campaigns": "name"}
#: Kinds whose stored rows never change; a re-import skips them.
INSERT_KINDS = {"feedback": ("source", "external_id"), "events": ("source", "external_id")}


@dataclass(frozen=True, slots=True)
class Written:
    inserted: int
    updated: int


def write_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name != "id"]


def prepare(frame: pl.DataFrame, table: Table, *, run_id: int) -> pl.DataFrame:
    """Select the table's columns in order, filling those the batch lacks with nulls."""
    frame = frame.with_columns(pl.lit(run_id, dtype=pl.Int64).alias("import_run_id"))
    exprs = []
    for name in write_columns(table):
        if name in frame.columns:
            exprs.append(pl.col(name))
        else:
            exprs.append(pl.lit(None).alias(name))
    return frame.select(exprs)


class Session:
    """What the batches of one import share, on one writer thread or several.

    On PostgreSQL that is whether each source of facts held no rows when the import began: its
    batches, with their repeats set aside by :class:`Repeats`, are then new without asking the
    database.

    ``relaxed_commit`` lets PostgreSQL acknowledge a batch's commit before its WAL reaches the
    disk. A server crash may then lose the latest batches, never part of one (the WAL keeps
    its order), and the run is marked finished by an ordinary commit, which flushes them all;
    a rerun of an unfinished import writes what was lost.
    """

    def __init__(self, *, relaxed_commit: bool = False) -> None:
        self._empty: dict[tuple[str, str], bool] = {}
        self._lock = threading.Lock()
        self.relaxed_commit = relaxed_commit

    def empty_at_start(self, cursor: Any, table: Table, key: tuple[str, str], value: str) -> bool:
        """Whether ``table`` held no rows of source ``value`` when the import first wrote it."""
        with self._lock:
            if (table.name, value) not in self._empty:
                scope = key[0]
                cursor.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {table.name} WHERE {scope} = %s)", (value,)
                )
                (stored,) = cursor.fetchone()
                self._empty[table.name, value] = not stored
            return self._empty[table.name, value]

    def forget(self, table: Table) -> None:
        """Ask the database from now on: another writer has stored keys meanwhile."""
        with self._lock:
            for scope in [k for k in self._empty if k[0] == table.name]:
                self._empty[scope] = False


class Repeats:
    """The facts' keys that earlier batches of an import brought, to set their repeats aside.

    Used in batch order, before the batches are handed to the writers, so the first row with a
    key wins however many writers there are, and batches written at the same time never share
    a key.
    """

    def __init__(self, kind: str) -> None:
        self.key = INSERT_KINDS[kind]
        self._seen: dict[str, pl.Series] = {}

    def first_seen(self, rows: pl.DataFrame) -> pl.DataFrame:
        """``rows`` without the repeats of earlier rows, in this batch or an earlier one."""
        scope, name = self.key
        rows = rows.unique(subset=list(self.key), keep="first", maintain_order=True)
        kept = []
        for (value,), part in rows.group_by(scope, maintain_order=True):
            seen = self._seen.get(str(value))
            if seen is not None:
                part = part.filter(~pl.col(name).is_in(seen.implode()))
                seen.append(part[name])
            else:
                self._seen[str(value)] = part[name].clone()
            kept.append(part)
        return pl.concat(kept) if kept else rows


def write(
    connection: Connection,
    kind: str,
    frame: pl.DataFrame,
    *,
    run_id: int,
    session: Session | None = None,
) -> Written:
    """Write ``frame`` (validated rows of ``kind``) in the connection's transaction.

    ``session`` carries what earlier batches of the same import learnt; without one, each
    batch finds out for itself.
    """
    table = TABLES_BY_KIND[kind]
    if kind in UPSERT_KINDS:
        frame = frame.unique(subset=UPSERT_KINDS[kind], keep="last", maintain_order=True)
    brought = set(frame.columns)
    rows = prepare(frame, table, run_id=run_id)
    if rows.is_empty():
        return Written(0, 0)
    if connection.dialect.name == "postgresql":
        return _write_postgresql(connection, kind, table, rows, session or Session(), brought)
    return _write_sqlite(connection, kind, table, rows, brought)


def _conflict_clause(kind: str, table: Table, *, brought: Collection[str], dialect: str) -> str:
    if kind in INSERT_KINDS:
        return f"ON CONFLICT ({', '.join(INSERT_KINDS[kind])}) DO NOTHING"
    key = UPSERT_KINDS[kind]
    # A file updates only the fields it brings: a CRM export without churn dates must not
    # erase the stored ones. Its attributes are merged into the stored attributes.
    values = {
        c: f"excluded.{c}"
        for c in write_columns(table)
        if c in brought and c not in {key, "import_run_id", "source", "attributes"}
    }
    if "attributes" in brought:
        values["attributes"] = _MERGED_ATTRIBUTES[dialect].format(table=table.name)
    assignments = ", ".join(
        f"{c} = {v}"
        for c, v in {
            **values,
            "source": "excluded.source",
            "import_run_id": "excluded.import_run_id",
        }.items()
    )
    old = ", ".join(f"{table.name}.{c}" for c in values)
    new = ", ".join(values.values())
    distinct = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return f"ON CONFLICT ({key}) DO UPDATE SET {assignments} WHERE ({old}) {distinct} ({new})"


#: The stored attributes with a re-import's merged in; an empty cell removes the attribute.
_MERGED_ATTRIBUTES = {
    "sqlite": "json_patch({table}.attributes, excluded.attributes)",
    "postgresql": "jsonb_strip_nulls({table}.attributes || excluded.attributes)",
}


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


#: SQLite settings for the connection that writes an import: a page cache big enough for the
#: indexes of a large table (the default 2 MB makes every index insert a disk read), and
#: checkpoints every 80 MB of WAL instead of every 4 MB, so hot index pages are not rewritten
#: again and again. Both are per connection and put back when the import ends.
SQLITE_IMPORT_PRAGMAS = {"cache_size": -200_000, "wal_autocheckpoint": 20_000}


@contextmanager
def import_session(connection: Connection, session: Session | None = None) -> Iterator[Session]:
    """``session`` (or a new one) for writing many batches on ``connection``, with the
    connection tuned for it and restored after."""
    if connection.dialect.name != "sqlite":
        yield session or Session(relaxed_commit=True)
        return
    raw: Any = connection.connection.driver_connection
    before = {name: raw.execute(f"PRAGMA {name}").fetchone()[0] for name in SQLITE_IMPORT_PRAGMAS}
    try:
        for name, value in SQLITE_IMPORT_PRAGMAS.items():
            raw.execute(f"PRAGMA {name} = {int(value)}")
        yield session or Session()
    finally:
        for name, value in before.items():
            raw.execute(f"PRAGMA {name} = {int(value)}")
        raw.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _write_sqlite(
    connection: Connection, kind: str, table: Table, rows: pl.DataFrame, brought: set[str]
) -> Written:
    rows = rows.with_columns(
        pl.col(pl.Datetime).dt.convert_time_zone("UTC").dt.strftime(SQLITE_TIMESTAMP_FORMAT)
    )
    rows, placeholders = _null_sentinels(rows)
    columns = rows.columns
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(placeholders)}) "
        + _conflict_clause(kind, table, brought=brought, dialect="sqlite")
    )
    raw: Any = connection.connection.driver_connection
    before_rows = _count(connection, table) if kind in UPSERT_KINDS else 0
    before = raw.total_changes
    # Column by column is several times faster than Polars' row iteration.
    raw.executemany(sql, zip(*(column.to_list() for column in rows.iter_columns()), strict=True))
    changed = raw.total_changes - before
    if kind in INSERT_KINDS:
        return Written(changed, 0)
    inserted = _count(connection, table) - before_rows
    return Written(inserted, changed - inserted)


def _null_sentinels(rows: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Stand-ins for nulls, and the placeholders that turn them back into NULL.

    The sqlite3 module binds ``None`` several times slower than a string or an integer (it
    looks for an adapter each time), and sparse columns such as scores are mostly null. So a
    text column binds ``''`` and an integer column a number it does not hold, and
    ``NULLIF(?, sentinel)`` stores NULL for them; validated text is never empty.
    """
    placeholders, filled = [], []
    for name, dtype in rows.schema.items():
        column = rows[name]
        sentinel: str | int | None = None
        if column.null_count() == 0:
            pass
        elif dtype == pl.String and not (column == "").any():
            sentinel = ""
        elif dtype.is_integer():
            low = column.min()
            sentinel = -1 if low is None or int(low) > -1 else int(low) - 1  # type: ignore[arg-type]
        if sentinel is None:
            placeholders.append("?")
            continue
        filled.append(pl.col(name).fill_null(sentinel))
        placeholders.append(
            f"NULLIF(?, {sentinel!r})" if sentinel == "" else f"NULLIF(?, {sentinel})"
        )
    return rows.with_columns(filled), placeholders


def _write_postgresql(
    connection: Connection,
    kind: str,
    table: Table,
    rows: pl.DataFrame,
    session: Session,
    brought: set[str],
) -> Written:
    rows = rows.with_columns(
        pl.col(pl.Datetime).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S%.f+00")
    )
    from psycopg.errors import UniqueViolation  # PostgreSQL support is an optional extra

    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor:
        if session.relaxed_commit:
            cursor.execute("SET LOCAL synchronous_commit = off")
        if kind in INSERT_KINDS:
            key = INSERT_KINDS[kind]
            new = _new_facts(cursor, table, rows, key=key, session=session)
            cursor.execute("SAVEPOINT klarsyn_copy")
            try:
                _copy(cursor, table.name, new)
            except UniqueViolation:  # another writer stored some of these keys meanwhile
                cursor.execute("ROLLBACK TO SAVEPOINT klarsyn_copy")
                session.forget(table)
            else:
                cursor.execute("RELEASE SAVEPOINT klarsyn_copy")
                return Written(new.height, 0)
        return _write_staged(cursor, kind, table, rows, brought)


def _new_facts(
    cursor: Any, table: Table, rows: pl.DataFrame, *, key: tuple[str, str], session: Session
) -> pl.DataFrame:
    """The rows whose key is neither stored already nor repeated earlier in the batch."""
    scope, name = key
    rows = rows.unique(subset=list(key), keep="first", maintain_order=True)
    stored = pl.Series(dtype=pl.String)
    for value, keys in rows.group_by(scope).agg(pl.col(name)).iter_rows():
        if session.empty_at_start(cursor, table, key, value):
            continue  # the import's own earlier keys were set aside by Repeats
        cursor.execute(
            f"SELECT {name} FROM {table.name} WHERE {scope} = %s AND {name} = ANY(%s)",
            (value, keys),
        )
        stored.append(pl.Series([found for (found,) in cursor.fetchall()], dtype=pl.String))
    if stored.is_empty():
        return rows
    return rows.filter(~pl.col(name).is_in(stored.implode()))


def _copy(cursor: Any, table: str, rows: pl.DataFrame) -> None:
    # CSV's own null, an unquoted empty field; Polars quotes an empty string, so the two stay
    # apart, and no text (not even a literal \N) can be read as a null.
    columns = ", ".join(rows.columns)
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(rows.write_csv(include_header=False))


def _write_staged(
    cursor: Any, kind: str, table: Table, rows: pl.DataFrame, brought: set[str]
) -> Written:
    columns = ", ".join(rows.columns)
    stage = f"klarsyn_stage_{table.name}"
    cursor.execute(
        f"CREATE TEMP TABLE {stage} ON COMMIT DROP "
        f"AS SELECT {columns} FROM {table.name} WITH NO DATA"
    )
    _copy(cursor, stage, rows)
    conflict = _conflict_clause(kind, table, brought=brought, dialect="postgresql")
    cursor.execute(
        f"WITH written AS (INSERT INTO {table.name} ({columns}) "
        f"SELECT {columns} FROM {stage} {conflict} RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
        "FROM written"
    )
    inserted, updated = cursor.fetchone()
    return Written(int(inserted), int(updated))
