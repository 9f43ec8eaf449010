"""Reading the store into Polars frames for analytics and export.

The analytics core only ever sees these frames; it never learns where they came from.
Attributes (stored as JSON) become one string column each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Select, Text, cast, select, type_coerce

from klarsyn.storage.store import Store
from klarsyn.storage.tables import customers, events, feedback

TIMESTAMPS = {"received_at", "occurred_at", "churned_at", "starts_at", "ends_at"}
SCORES = {"nps", "csat", "ces", "rating"}
FEEDBACK_COLUMNS = (
    "id",
    "source",
    "received_at",
    "channel",
    "customer_id",
    "nps",
    "csat",
    "ces",
    "rating",
    "text",
    "language",
)


def read_frame(store: Store, query: Select[Any]) -> pl.DataFrame:
    """Run ``query`` and return its rows as a frame.

    Columns named in :data:`TIMESTAMPS` become UTC datetimes, score columns integers, and an
    ``attributes`` JSON column becomes one string column per key.
    """
    with store.engine.connect() as connection:
        result = connection.execute(query)
        names = list(result.keys())
        rows = result.fetchall()
    frame = pl.DataFrame(
        [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in names],
        schema=names,
        orient="col",
        infer_schema_length=None,
    )
    return typed_frame(frame)


def typed_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Type the columns of a frame read from the store as :func:`read_frame` describes.

    Timestamps may arrive as datetimes or as text (``2026-05-04 10:15:00[.ffffff]`` in UTC).
    """
    names = frame.columns
    frame = frame.with_columns(
        *(_utc(frame[name]).alias(name) for name in names if name in TIMESTAMPS),
        *(pl.col(name).cast(pl.Int64) for name in names if name in SCORES),
    )
    if "attributes" in names:
        frame = expand_attributes(frame)
    return frame


def _utc(series: pl.Series) -> pl.Series:
    if series.dtype == pl.String or series.dtype == pl.Null:
        parsed = series.cast(pl.String).str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us")
        return parsed.dt.replace_time_zone("UTC")
    return series.cast(pl.Datetime("us", "UTC"))


def expand_attributes(frame: pl.DataFrame, column: str = "attributes") -> pl.DataFrame:
    """Replace a JSON text column by one string column per key found in any row."""
    if frame.is_empty():
        return frame.drop(column)
    decoded = frame[column].str.json_decode(infer_schema_length=None)
    if not isinstance(decoded.dtype, pl.Struct) or not decoded.dtype.fields:
        return frame.drop(column)
    taken = set(frame.columns)
    attributes = decoded.struct.unnest()
    attributes = attributes.rename(
        {name: f"attr_{name}" for name in attributes.columns if name in taken}
    ).with_columns(pl.all().cast(pl.String))
    return pl.concat([frame.drop(column), attributes], how="horizontal")


def _unprocessed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """Timestamps come back as the driver gives them, parsed in one vectorised step later.

    Converting each value in Python costs more than reading it, at millions of rows.
    """
    if column.name in TIMESTAMPS:
        return type_coerce(column, Text).label(column.name)
    return column


def feedback_query() -> Select[Any]:
    """The feedback columns analytics read, with the store id as ``row_id``."""
    c = feedback.c
    return select(
        c.id.label("row_id"),
        c.external_id.label("id"),
        *(_unprocessed(c[name]) for name in FEEDBACK_COLUMNS[1:]),
        cast(c.attributes, Text).label("attributes"),
    )


def feedback_frame(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: str | None = None,
    source: str | None = None,
) -> pl.DataFrame:
    """Feedback (optionally filtered) read straight from the store, oldest first.

    Columns: ``id`` (the external id), ``source``, ``received_at`` (UTC), ``channel``,
    ``customer_id``, ``nps``, ``csat``, ``ces``, ``rating``, ``text``, ``language``, then one
    string column per attribute. For analytics over many rows, read
    :func:`klarsyn.storage.mirror.scan_feedback` instead.
    """
    c = feedback.c
    query = feedback_query().order_by(c.received_at, c.id)
    if since is not None:
        query = query.where(c.received_at >= since)
    if until is not None:
        query = query.where(c.received_at < until)
    if channel is not None:
        query = query.where(c.channel == channel)
    if source is not None:
        query = query.where(c.source == source)
    return read_frame(store, query).drop("row_id")


def customers_frame(store: Store) -> pl.DataFrame:
    """Customers: ``customer_id``, ``annual_value``, ``churned_at`` (UTC), then attributes."""
    c = customers.c
    query = select(
        c.customer_id,
        c.value.label("annual_value"),
        _unprocessed(c.churned_at),
        cast(c.attributes, Text).label("attributes"),
    ).order_by(c.customer_id)
    return read_frame(store, query).with_columns(pl.col("annual_value").cast(pl.Float64))


def events_frame(store: Store, *, type: str | None = None) -> pl.DataFrame:
    """Events: ``id``, ``customer_id``, ``occurred_at`` (UTC), ``type``, then attributes."""
    c = events.c
    query = select(
        c.external_id.label("id"),
        c.customer_id,
        _unprocessed(c.occurred_at),
        c.type,
        cast(c.attributes, Text).label("attributes"),
    ).order_by(c.occurred_at, c.id)
    if type is not None:
        query = query.where(c.type == type)
    return read_frame(store, query)
