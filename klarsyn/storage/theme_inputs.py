"""Theme mentions in scope, read from the store, ready for the theme summary.

A window is the mentions of the feedback a filter selects (one row per comment and theme, with
its customer and the theme's sentiment in that comment) and the totals to take shares of: the
comments read by the text pipeline in scope and their distinct customers (an anonymous comment
is its own customer). With ``level="top"`` sub-themes count for their top-level theme, so
``delivery`` holds late and damaged deliveries alike; a comment negative about any of them is
negative about ``delivery``. With ``level="all"`` every theme keeps its id and a parent also
counts its sub-themes' comments, as a tree reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from klarsyn.analytics.theme_summary import theme_summary
from klarsyn.storage.driver_inputs import Level, top_theme
from klarsyn.storage.enriched import SENTIMENT_ORDER, enriched_feedback, theme_mentions
from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.store import Store

TOP_K = 3


@dataclass(frozen=True, slots=True)
class ThemeWindow:
    """``mentions`` (``feedback_id``, ``customer_id``, ``theme``, ``sentiment``,
    ``received_at``) and the comments and customers in scope."""

    mentions: pl.DataFrame
    feedback_total: int
    customers_total: int


@dataclass(frozen=True, slots=True)
class ThemeInputs:
    current: ThemeWindow
    previous: ThemeWindow | None


def theme_inputs(
    store: Store,
    *,
    where: pl.Expr | None = None,
    previous: pl.Expr | None = None,
    level: Level = "all",
) -> ThemeInputs:
    """Mentions of the feedback ``where`` selects, and of ``previous`` when given (for trends)."""
    commented = enriched_feedback(store).select("row_id")
    mentions = theme_mentions(store)
    ids = mentions.get_column("theme").unique().to_list()
    themes = pl.concat_list(top_theme()) if level == "top" else _with_ancestors(ids)
    worst = pl.col("sentiment").sort_by(pl.col("sentiment").replace_strict(SENTIMENT_ORDER))
    mentions = (
        mentions.with_columns(themes.alias("theme"))
        .explode("theme")
        .group_by("row_id", "theme")
        .agg(worst.first())
    )
    scan = scan_feedback(store)
    current = _window(scan, commented, mentions, where)
    before = None if previous is None else _window(scan, commented, mentions, previous)
    return ThemeInputs(current=current, previous=before)


def _with_ancestors(ids: list[str]) -> pl.Expr:
    """``delivery.time`` → ``[delivery, delivery.time]``: a parent holds its children's mentions."""
    lineage = {
        theme: [".".join(theme.split(".")[: depth + 1]) for depth in range(theme.count(".") + 1)]
        for theme in ids
    }
    return pl.col("theme").replace_strict(lineage, return_dtype=pl.List(pl.String))


def _window(
    scan: pl.LazyFrame, commented: pl.DataFrame, mentions: pl.DataFrame, where: pl.Expr | None
) -> ThemeWindow:
    chosen = scan if where is None else scan.filter(where)
    feedback = chosen.select(
        "row_id", pl.col("customer_id").cast(pl.String), "received_at"
    ).collect()
    feedback = feedback.join(commented, on="row_id", how="semi")
    anonymous = pl.lit("row:") + pl.col("row_id").cast(pl.String)
    customers = feedback.select(pl.coalesce("customer_id", anonymous).n_unique()).item()
    found = mentions.join(feedback, on="row_id", how="inner").select(
        pl.col("row_id").alias("feedback_id"), "customer_id", "theme", "sentiment", "received_at"
    )
    return ThemeWindow(
        mentions=found, feedback_total=feedback.height, customers_total=int(customers)
    )


@dataclass(frozen=True, slots=True)
class ThemeOverview:
    """The theme summary in scope (see :func:`klarsyn.analytics.theme_summary.theme_summary`)
    with a ``label`` column, and the comments and customers it is out of."""

    table: pl.DataFrame
    feedback: int
    customers: int


def theme_overview(
    store: Store,
    *,
    where: pl.Expr | None = None,
    previous: pl.Expr | None = None,
    level: Level = "all",
    labels: Mapping[str, str] | None = None,
) -> ThemeOverview:
    """Each theme's customers, messages, negative share, loudness and trend, ranked by customers.

    ``labels`` maps theme ids to readable names (the id stands in for a missing one).
    """
    inputs = theme_inputs(store, where=where, previous=previous, level=level)
    now, before = inputs.current, inputs.previous
    table = theme_summary(
        now.mentions,
        customers_total=now.customers_total,
        feedback_total=now.feedback_total,
        previous=None if before is None else before.mentions,
        previous_customers_total=None if before is None else before.customers_total,
        top_k=TOP_K,
    )
    names = dict(labels or {})
    labelled = table.with_columns(
        pl.col("theme")
        .replace_strict(names, default=pl.col("theme"), return_dtype=pl.String)
        .alias("label")
    )
    return ThemeOverview(table=labelled, feedback=now.feedback_total, customers=now.customers_total)
