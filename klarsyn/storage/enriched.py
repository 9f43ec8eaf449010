"""What the text pipeline found, as frames that join the feedback mirror on ``row_id``.

The ``enrichments`` table keeps themes and their mentions as JSON per feedback row; analytics
want them flat: one row per comment (:func:`enriched_feedback`) or one row per comment and theme
(:func:`theme_mentions`). The JSON is decoded in one vectorised step and the result kept as a
Parquet file beside the feedback mirror, named by a stamp of the table (row count, newest
enrichment time, highest id), so pages read it in milliseconds until an enrichment run changes it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Text, cast, func, select

from klarsyn.storage.columnar import read_frame
from klarsyn.storage.store import Store
from klarsyn.storage.tables import enrichments

SENTIMENT_ORDER = {"negative": 0, "neutral": 1, "positive": 2}

MENTION = pl.Struct({"theme": pl.String, "sentiment": pl.String, "sentiment_score": pl.Float64})
FOUND = pl.Struct({"themes": pl.List(pl.String), "mentions": pl.List(MENTION)})
ENRICHED_SCHEMA: dict[str, Any] = {
    "row_id": pl.Int64(),
    "language": pl.String(),
    "sentiment": pl.String(),
    "sentiment_score": pl.Float64(),
    "text_masked": pl.String(),
    "themes": pl.List(pl.String()),
}
MENTION_SCHEMA = pl.Schema(
    {
        "row_id": pl.Int64(),
        "theme": pl.String(),
        "sentiment": pl.String(),
        "sentiment_score": pl.Float64(),
    }
)


def _stamp(store: Store) -> str:
    e = enrichments.c
    query = select(func.count(), func.max(e.enriched_at), func.max(e.feedback_id))
    with store.engine.connect() as connection:
        row = connection.execute(query).one()
    return hashlib.sha256(repr(tuple(row)).encode()).hexdigest()[:16]


def _decoded(store: Store) -> pl.DataFrame:
    """Every enrichment with its JSON decoded: the enriched columns plus ``mentions``."""
    return pl.read_parquet(_decoded_path(store))


def scan_enriched(store: Store) -> pl.LazyFrame:
    """:func:`enriched_feedback` as a lazy scan, for readers that want a few of its columns."""
    return pl.scan_parquet(_decoded_path(store)).drop("mentions")


def _decoded_path(store: Store) -> Path:
    """The Parquet file of the decoded enrichments, written first if the table changed."""
    directory = store.columnar_dir / "enrichments"
    path = directory / f"enriched-{_stamp(store)}.parquet"
    if path.exists():
        return path
    e = enrichments.c
    query = select(
        e.feedback_id.label("row_id"),
        e.language,
        e.sentiment,
        e.sentiment_score,
        e.masked_text.label("text_masked"),
        cast(e.themes, Text).label("found"),
    ).order_by(e.feedback_id)
    raw = read_frame(store, query)
    if raw.is_empty():
        frame = pl.DataFrame(schema=ENRICHED_SCHEMA | {"mentions": pl.List(MENTION)})
    else:
        found = pl.col("found").cast(pl.String).str.json_decode(FOUND)
        frame = raw.select(
            pl.col("row_id").cast(pl.Int64),
            *(pl.col(name).cast(ENRICHED_SCHEMA[name]) for name in list(ENRICHED_SCHEMA)[1:5]),
            found.struct.field("themes").fill_null([]).alias("themes"),
            found.struct.field("mentions").fill_null([]).alias("mentions"),
        )
    _replace(directory, path, frame)
    return path


def _replace(directory: Path, path: Path, frame: pl.DataFrame) -> None:
    """Write ``path`` atomically and drop older stamps: readers never see half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{path.name}.{os.getpid()}.tmp"
    frame.write_parquet(temporary)
    temporary.replace(path)
    for old in directory.glob("enriched-*.parquet"):
        if old != path:
            old.unlink(missing_ok=True)


def enriched_feedback(store: Store) -> pl.DataFrame:
    """One row per enriched comment.

    Columns: ``row_id`` (the store id, as in :func:`klarsyn.storage.mirror.scan_feedback`),
    ``language``, ``sentiment`` (negative/neutral/positive), ``sentiment_score`` in [-1, 1],
    ``text_masked`` (personal data replaced) and ``themes`` (theme ids).
    """
    return _decoded(store).drop("mentions")


def theme_mentions(store: Store) -> pl.DataFrame:
    """One row per comment and theme it raises.

    Columns: ``row_id``, ``theme``, and the theme's ``sentiment``/``sentiment_score`` in that
    comment: its most negative mention, or the comment's own sentiment when the pipeline kept
    the theme without a mention of its own (a parent implied by a more specific theme).
    """
    decoded = _decoded(store)
    worst = (
        decoded.select("row_id", "mentions")
        .explode("mentions")
        .drop_nulls("mentions")
        .unnest("mentions")
        .sort("sentiment_score")
        .unique(["row_id", "theme"], keep="first")
    )
    raised = decoded.select(
        "row_id", "themes", comment=pl.col("sentiment"), comment_score=pl.col("sentiment_score")
    ).explode("themes")
    return (
        raised.drop_nulls("themes")
        .rename({"themes": "theme"})
        .join(worst, on=["row_id", "theme"], how="left")
        .select(
            "row_id",
            "theme",
            pl.coalesce("sentiment", "comment").alias("sentiment"),
            pl.coalesce("sentiment_score", "comment_score").alias("sentiment_score"),
        )
        .sort("row_id", maintain_order=True)
        .cast(MENTION_SCHEMA)
    )


def with_enrichment(feedback: pl.DataFrame, enriched: pl.DataFrame) -> pl.DataFrame:
    """``feedback`` (with ``row_id``) plus the enrichment columns; unenriched rows get nulls
    and an empty theme list."""
    joined = feedback.join(enriched, on="row_id", how="left", suffix="_enriched")
    return joined.with_columns(pl.col("themes").fill_null(pl.lit([], dtype=pl.List(pl.String))))
