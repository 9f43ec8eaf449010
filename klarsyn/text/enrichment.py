"""Enriching the store: running the text pipeline over feedback and saving the results.

Each ``enrichments`` row records the model, model version and taxonomy version that produced
it, so :func:`enrich_store` can pick up exactly the feedback that is new or was read by an older
model or taxonomy, and leave the rest alone. Work goes in batches of feedback ids, one
transaction each: an interrupted run keeps what it finished and the next run resumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, delete, func, insert, or_, select

from klarsyn.storage import revisions
from klarsyn.storage.columnar import read_frame
from klarsyn.storage.statistics import refresh_statistics
from klarsyn.storage.store import Store
from klarsyn.storage.tables import enrichments, feedback
from klarsyn.text.pipeline import TextPipeline, analyze

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class EnrichReport:
    """What one enrichment run did."""

    pending: int  # feedback that needed enrichment when the run started
    enriched: int
    model: str
    model_version: str
    taxonomy_version: int


def _stale(pipeline: TextPipeline) -> Any:
    """Feedback with text whose enrichment is missing or came from another model/taxonomy."""
    e = enrichments.c
    return and_(
        feedback.c.text.is_not(None),
        or_(
            e.feedback_id.is_(None),
            e.model != pipeline.name,
            e.model_version != pipeline.version,
            e.taxonomy_version.is_(None),
            e.taxonomy_version != pipeline.taxonomy.version,
        ),
    )


def pending_count(store: Store, *, pipeline: TextPipeline) -> int:
    """How many feedback rows :func:`enrich_store` would enrich now."""
    query = (
        select(func.count())
        .select_from(feedback.outerjoin(enrichments, enrichments.c.feedback_id == feedback.c.id))
        .where(_stale(pipeline))
    )
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def enrich_store(
    store: Store,
    *,
    pipeline: TextPipeline,
    now: datetime,
    batch_size: int = 2_000,
    everything: bool = False,
    progress: Progress | None = None,
) -> EnrichReport:
    """Enrich feedback that is new or was read by another model or taxonomy version.

    ``everything`` re-enriches all feedback with text. ``progress(done, total)`` is called
    after each batch. The row's own ``language`` (as imported) is the fallback when Danish and
    Norwegian are too close to call.
    """
    total = _count_all(store) if everything else pending_count(store, pipeline=pipeline)
    done = 0
    last_id = 0
    if progress is not None:
        progress(0, total)
    while True:
        batch = _next_batch(
            store, pipeline=pipeline, after=last_id, size=batch_size, everything=everything
        )
        if batch.is_empty():
            break
        last_id = int(batch["feedback_id"].max())  # type: ignore[arg-type]
        result = analyze(batch, pipeline=pipeline, language_column="source_language")
        with store.begin() as connection:
            _write(connection, result, pipeline=pipeline, now=now)
        done += len(batch)
        if progress is not None:
            progress(done, max(total, done))
    refresh_statistics(store, enrichments, written=done)
    return EnrichReport(
        pending=total,
        enriched=done,
        model=pipeline.name,
        model_version=pipeline.version,
        taxonomy_version=pipeline.taxonomy.version,
    )


def _count_all(store: Store) -> int:
    query = select(func.count()).select_from(feedback).where(feedback.c.text.is_not(None))
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _next_batch(
    store: Store, *, pipeline: TextPipeline, after: int, size: int, everything: bool
) -> pl.DataFrame:
    query = (
        select(
            feedback.c.id.label("feedback_id"),
            feedback.c.text,
            feedback.c.language.label("source_language"),
        )
        .select_from(feedback.outerjoin(enrichments, enrichments.c.feedback_id == feedback.c.id))
        .where(feedback.c.id > after)
        .order_by(feedback.c.id)
        .limit(size)
    )
    query = query.where(feedback.c.text.is_not(None) if everything else _stale(pipeline))
    frame = read_frame(store, query)
    return frame.with_columns(
        pl.col("feedback_id").cast(pl.Int64),
        pl.col("text").cast(pl.String),
        pl.col("source_language").cast(pl.String),
    )


def _write(
    connection: Connection, result: pl.DataFrame, *, pipeline: TextPipeline, now: datetime
) -> None:
    ids = result["feedback_id"].to_list()
    connection.execute(delete(enrichments).where(enrichments.c.feedback_id.in_(ids)))
    rows = [
        {
            "feedback_id": row["feedback_id"],
            "model": pipeline.name,
            "model_version": pipeline.version,
            "taxonomy_version": pipeline.taxonomy.version,
            "language": row["language"],
            "language_confidence": row["language_confidence"],
            "masked_text": row["text_masked"],
            "sentiment": row["sentiment"],
            "sentiment_score": row["sentiment_score"],
            "themes": {"themes": row["themes"], "mentions": row["mentions"]},
            "enriched_at": now,
        }
        for row in result.iter_rows(named=True)
    ]
    if rows:
        connection.execute(insert(enrichments), rows)
        revisions.bump(connection, revisions.ENRICHMENTS)


def enrichments_frame(store: Store) -> pl.DataFrame:
    """Enrichments with the feedback's external id and source.

    Columns: ``source``, ``id`` (external id), ``language``, ``language_confidence``,
    ``text_masked``, ``sentiment``, ``sentiment_score``, ``themes`` (list of theme ids),
    ``model``, ``model_version``, ``taxonomy_version``.
    """
    e = enrichments.c
    query = (
        select(
            feedback.c.source,
            feedback.c.external_id.label("id"),
            e.language,
            e.language_confidence,
            e.masked_text.label("text_masked"),
            e.sentiment,
            e.sentiment_score,
            e.themes.label("theme_json"),
            e.model,
            e.model_version,
            e.taxonomy_version,
        )
        .select_from(enrichments.join(feedback, feedback.c.id == e.feedback_id))
        .order_by(feedback.c.id)
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    records = [
        {
            **{k: v for k, v in row.items() if k != "theme_json"},
            "themes": row["theme_json"]["themes"],
        }
        for row in rows
    ]
    schema: dict[str, pl.DataType] = {
        "source": pl.String(),
        "id": pl.String(),
        "language": pl.String(),
        "language_confidence": pl.Float64(),
        "text_masked": pl.String(),
        "sentiment": pl.String(),
        "sentiment_score": pl.Float64(),
        "themes": pl.List(pl.String),
        "model": pl.String(),
        "model_version": pl.String(),
        "taxonomy_version": pl.Int64(),
    }
    return pl.DataFrame(records, schema=schema)
