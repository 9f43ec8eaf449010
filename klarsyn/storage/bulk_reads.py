"""Reading many rows at once, without a Python object per value.

Going through SQLAlchemy's result rows and letting Polars infer each column's type costs more
than the database's own work at millions of rows. Here:

* PostgreSQL hands over the rows as one CSV text (``COPY (query) TO STDOUT``, every value
  quoted so that ``NULL`` and the empty string stay apart, timestamps in UTC) that Polars
  parses in parallel;
* SQLite's rows are fetched from the driver in slices, turned into columns, and each column
  becomes a Series of the type its SQL type gives. (Asking SQLite for JSON or CSV text instead
  was slower: building the text costs SQLite as much as the fetch, and parsing it more.)

The result is typed like :func:`klarsyn.storage.columnar.read_frame`'s.
"""

from __future__ import annotations

import io
from typing import Any

import polars as pl
from sqlalchemy import Connection, Float, Integer, Select

from klarsyn.storage.columnar import TIMESTAMPS, typed_frame
from klarsyn.storage.store import Store


def read_frame_bulk(store: Store, query: Select[Any]) -> pl.DataFrame:
    """Run ``query`` (whose parameters must be plain literals) and return its rows as a frame."""
    dtypes = {str(c.key): _dtype(c.type) for c in query.selected_columns}
    with store.engine.connect() as connection:
        sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
        if connection.dialect.name == "postgresql":
            frame = _postgresql(connection, sql, dtypes)
        else:
            frame = _sqlite(connection, sql, dtypes)
    return typed_frame(frame)


def _dtype(kind: Any) -> type[pl.DataType]:
    if isinstance(kind, Integer):
        return pl.Int64
    if isinstance(kind, Float):
        return pl.Float64
    return pl.String


#: Rows fetched from SQLite at a time, turned into columns before the next fetch.
SQLITE_FETCH_ROWS = 100_000


def _sqlite(connection: Connection, sql: str, dtypes: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    raw: Any = connection.connection.driver_connection
    cursor = raw.execute(sql)
    pieces = [pl.DataFrame(schema=dtypes)]
    while rows := cursor.fetchmany(SQLITE_FETCH_ROWS):
        columns = zip(*rows, strict=True)
        pieces.append(
            pl.DataFrame(
                [
                    pl.Series(name, values, dtype=dtype)
                    for (name, dtype), values in zip(dtypes.items(), columns, strict=True)
                ]
            )
        )
    return pl.concat(pieces)


def _postgresql(
    connection: Connection, sql: str, dtypes: dict[str, type[pl.DataType]]
) -> pl.DataFrame:
    raw: Any = connection.connection.driver_connection
    buffer = io.BytesIO()
    with raw.transaction(), raw.cursor() as cursor:
        # Timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]+00', whatever the server's settings.
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        cursor.execute("SET LOCAL DateStyle = 'ISO'")
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)") as copy:
            for data in copy:
                buffer.write(data)
    if not buffer.tell():
        return pl.DataFrame(schema=dtypes)
    buffer.seek(0)
    frame = pl.read_csv(
        buffer, has_header=False, new_columns=list(dtypes), infer_schema=False, quote_char='"'
    )
    return frame.with_columns(
        *(pl.col(name).cast(dtype) for name, dtype in dtypes.items() if dtype != pl.String),
        *(pl.col(name).str.strip_suffix("+00") for name in dtypes if name in TIMESTAMPS),
    )
