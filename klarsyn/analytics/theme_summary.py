"""One table per theme: how many customers raise it, how negatively, how loudly, and the trend.

Built on :func:`klarsyn.analytics.prevalence.prevalence` and
:func:`klarsyn.analytics.prevalence.loudness`, so it inherits one voice per customer: themes are
ranked by distinct customers, and the loudness columns show when a theme's message count comes
from a few customers repeating themselves.
"""

from __future__ import annotations

import polars as pl

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.prevalence import loudness, prevalence

_VOICE = "_voice"


def _negative_share(mentions: pl.DataFrame) -> pl.DataFrame:
    """Per theme: distinct customers negative about it, and their share of its customers (%)."""
    anonymous = pl.lit("feedback:") + pl.col("feedback_id").cast(pl.String)
    voice = pl.coalesce(pl.col("customer_id").cast(pl.String), anonymous).alias(_VOICE)
    rows = mentions.filter(pl.col("theme").is_not_null()).with_columns(voice)
    return rows.group_by("theme").agg(
        pl.col(_VOICE).filter(pl.col("sentiment") == "negative").n_unique().alias("negative"),
        (
            pl.col(_VOICE).filter(pl.col("sentiment") == "negative").n_unique()
            / pl.col(_VOICE).n_unique()
            * 100.0
        ).alias("negative_share"),
    )


def theme_summary(
    mentions: pl.DataFrame,
    *,
    customers_total: int,
    feedback_total: int,
    previous: pl.DataFrame | None = None,
    previous_customers_total: int | None = None,
    top_k: int = 3,
) -> pl.DataFrame:
    """Each theme's reach, tone and loudness, ranked by distinct customers.

    ``mentions`` has one row per feedback and theme: ``feedback_id``, ``customer_id``, ``theme``
    and ``sentiment`` (negative/neutral/positive). ``customers_total`` and ``feedback_total``
    count everything in scope, themed or not. With ``previous`` (the same columns for the window
    before) and ``previous_customers_total``, ``trend`` is the change of the customer share in
    percentage points; otherwise it is null.

    Returns ``theme``, ``customers``, ``customer_share`` (%) with ``customer_share_low``/
    ``_high``, ``feedback``, ``feedback_share``, ``negative`` (customers), ``negative_share``
    (% of the theme's customers), ``top_k_share`` (% of its feedback from its ``top_k`` most
    vocal customers), ``feedback_per_customer``, ``loud``, ``rank`` (by customers),
    ``feedback_rank`` (by messages) and ``trend``.
    """
    require_columns(
        mentions, ["feedback_id", "customer_id", "theme", "sentiment"], purpose="theme summary"
    )
    reach = prevalence(mentions, customers_total=customers_total, feedback_total=feedback_total)
    loud = loudness(mentions, top_k=top_k).select(
        "theme", "top_k_share", "feedback_per_customer", "loud"
    )
    table = reach.join(_negative_share(mentions), on="theme", how="left").join(
        loud, on="theme", how="left"
    )
    trend = pl.lit(None, dtype=pl.Float64)
    if previous is not None and previous_customers_total:
        before = prevalence(previous, customers_total=previous_customers_total).select(
            "theme", pl.col("customer_share").alias("_before")
        )
        table = table.join(before, on="theme", how="left")
        trend = pl.col("customer_share") - pl.col("_before").fill_null(0.0)
    return table.with_columns(trend.alias("trend")).select(
        "theme",
        "customers",
        "customer_share",
        "customer_share_low",
        "customer_share_high",
        "feedback",
        "feedback_share",
        "negative",
        "negative_share",
        "top_k_share",
        "feedback_per_customer",
        "loud",
        "rank",
        "feedback_rank",
        "trend",
    )
