"""What the text pipeline found, as frames that join the feedback mirror on ``row_id``.

The ``enrichments`` table keeps themes and their mentions as JSON per feedback row; analytics
want them flat: one row per comment (:func:`enriched_feedback`) or one row per comment and theme
(:func:`theme_mentions`).
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from sqlalchemy import select

from klarsyn.storage.store import Store
from klarsyn.storage.tables import enrichments

SENTIMENT_ORDER = {"negative": 0, "neutral": 1, "positive": 2}

ENRICHED_SCHEMA: dict[str, Any] = {
    "row_id": pl.Int64(),
    "language": pl.String(),
    "sentiment": pl.String(),
    "sentiment_score": pl.Float64(),
    "text_masked": pl.String(),
    "themes": pl.List(pl.String()),
}
MENTION_SCHEMA: dict[str, Any] = {
    "row_id": pl.Int64(),
    "theme": pl.String(),
    "sentiment": pl.String(),
    "sentiment_score": pl.Float64(),
}


def _rows(store: Store) -> list[Any]:
    e = enrichments.c
    query = select(
        e.feedback_id,
        e.language,
        e.sentiment,
        e.sentiment_score,
        e.masked_text,
        e.themes,
    ).order_by(e.feedback_id)
    with store.engine.connect() as connection:
        return list(connection.execute(query).all())


def _themes(value: Any) -> dict[str, Any]:
    # SQLite hands JSON back already decoded; a driver returning text is handled too.
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def enriched_feedback(store: Store) -> pl.DataFrame:
    """One row per enriched comment.

    Columns: ``row_id`` (the store id, as in :func:`klarsyn.storage.mirror.scan_feedback`),
    ``language``, ``sentiment`` (negative/neutral/positive), ``sentiment_score`` in [-1, 1],
    ``text_masked`` (personal data replaced) and ``themes`` (theme ids).
    """
    records = [
        (row_id, language, sentiment, score, masked, list(_themes(found).get("themes", [])))
        for row_id, language, sentiment, score, masked, found in _rows(store)
    ]
    return pl.DataFrame(records, schema=ENRICHED_SCHEMA, orient="row")


def theme_mentions(store: Store) -> pl.DataFrame:
    """One row per comment and theme it raises.

    Columns: ``row_id``, ``theme``, and the theme's ``sentiment``/``sentiment_score`` in that
    comment: its most negative mention, or the comment's own sentiment when the pipeline kept
    the theme without a mention of its own (a parent implied by a more specific theme).
    """
    records = []
    for row_id, _language, sentiment, score, _masked, found in _rows(store):
        data = _themes(found)
        worst: dict[str, tuple[str, float]] = {}
        for mention in data.get("mentions", []):
            theme = mention["theme"]
            reading = (mention["sentiment"], float(mention["sentiment_score"]))
            if theme not in worst or reading[1] < worst[theme][1]:
                worst[theme] = reading
        for theme in data.get("themes", []):
            label, value = worst.get(theme, (sentiment, score))
            records.append((row_id, theme, label, value))
    return pl.DataFrame(records, schema=MENTION_SCHEMA, orient="row")


def with_enrichment(feedback: pl.DataFrame, enriched: pl.DataFrame) -> pl.DataFrame:
    """``feedback`` (with ``row_id``) plus the enrichment columns; unenriched rows get nulls
    and an empty theme list."""
    joined = feedback.join(enriched, on="row_id", how="left", suffix="_enriched")
    return joined.with_columns(pl.col("themes").fill_null(pl.lit([], dtype=pl.List(pl.String))))
