"""Bulk writes of validated rows: executemany on SQLite, COPY through a staging table on PostgreSQL.

Both paths insert idempotently on each kind's natural key: facts (feedback, events) that are
already stored are skipped, while master data (customers, campaigns) is updated when it changed.
"""

from __future__ import annotations

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


def write(connection: Connection, kind: str, frame: pl.DataFrame, *, run_id: int) -> Written:
    """Write ``frame`` (validated rows of ``kind``) in the connection's transaction."""
    table = TABLES_BY_KIND[kind]
    if kind in UPSERT_KINDS:
        frame = frame.unique(subset=UPSERT_KINDS[kind], keep="last", maintain_order=True)
    rows = prepare(frame, table, run_id=run_id)
    if rows.is_empty():
        return Written(0, 0)
    if connection.dialect.name == "postgresql":
        return _write_postgresql(connection, kind, table, rows)
    return _write_sqlite(connection, kind, table, rows)


def _conflict_clause(kind: str, table: Table, *, distinct: str) -> str:
    if kind in INSERT_KINDS:
        return f"ON CONFLICT ({', '.join(INSERT_KINDS[kind])}) DO NOTHING"
    key = UPSERT_KINDS[kind]
    changing = [c for c in write_columns(table) if c not in {key, "import_run_id", "source"}]
    assignments = ", ".join(f"{c} = excluded.{c}" for c in [*changing, "source", "import_run_id"])
    old = ", ".join(f"{table.name}.{c}" for c in changing)
    new = ", ".join(f"excluded.{c}" for c in changing)
    return f"ON CONFLICT ({key}) DO UPDATE SET {assignments} WHERE ({old}) {distinct} ({new})"


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _write_sqlite(connection: Connection, kind: str, table: Table, rows: pl.DataFrame) -> Written:
    rows = rows.with_columns(
        pl.col(pl.Datetime).dt.convert_time_zone("UTC").dt.strftime(SQLITE_TIMESTAMP_FORMAT)
    )
    columns = rows.columns
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)}) "
        + _conflict_clause(kind, table, distinct="IS NOT")
    )
    raw: Any = connection.connection.driver_connection
    before_rows = _count(connection, table) if kind in UPSERT_KINDS else 0
    before = raw.total_changes
    raw.executemany(sql, rows.iter_rows())
    changed = raw.total_changes - before
    if kind in INSERT_KINDS:
        return Written(changed, 0)
    inserted = _count(connection, table) - before_rows
    return Written(inserted, changed - inserted)


def _write_postgresql(
    connection: Connection, kind: str, table: Table, rows: pl.DataFrame
) -> Written:
    rows = rows.with_columns(
        pl.col(pl.Datetime).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S%.f+00")
    )
    columns = ", ".join(rows.columns)
    stage = f"klarsyn_stage_{table.name}"
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP "
            f"AS SELECT {columns} FROM {table.name} WITH NO DATA"
        )
        with cursor.copy(f"COPY {stage} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
            copy.write(rows.write_csv(include_header=False, null_value="\\N"))
        conflict = _conflict_clause(kind, table, distinct="IS DISTINCT FROM")
        cursor.execute(
            f"WITH written AS (INSERT INTO {table.name} ({columns}) "
            f"SELECT {columns} FROM {stage} {conflict} RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
            "FROM written"
        )
        inserted, updated = cursor.fetchone()
    return Written(int(inserted), int(updated))
