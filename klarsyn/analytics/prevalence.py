"""One voice per customer: how many customers raise a theme, and how loudly.

A mention frame has one row per feedback and theme (or any other label) with the columns
``feedback_id``, ``customer_id`` and ``theme``. Prevalence counts distinct customers, so a theme
raised 40 times by 3 customers ranks below one raised once each by 400 customers; the loudness
view shows how concentrated each theme's messages are among its most vocal customers.

Feedback without a customer cannot be matched to anyone else's, so each such feedback counts as
its own customer. Rows without a theme are ignored.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.intervals import wilson, z_value
from klarsyn.analytics.tallies import check_confidence
from klarsyn.errors import InputError

_VOICE = "_voice"


def _voices(mentions: pl.DataFrame, *, label: str, purpose: str) -> pl.DataFrame:
    """Themed rows with a ``_voice`` column: the customer, or the feedback when anonymous."""
    require_columns(mentions, ["feedback_id", "customer_id", label], purpose=purpose)
    anonymous = pl.lit("feedback:") + pl.col("feedback_id").cast(pl.String)
    voice = pl.coalesce(pl.col("customer_id").cast(pl.String), anonymous).alias(_VOICE)
    return mentions.filter(pl.col(label).is_not_null()).select(label, "feedback_id", voice)


def _total(given: int | None, observed: int, *, name: str) -> int:
    if given is None:
        return observed
    if given < observed:
        raise InputError(
            f"{name} is {given}, fewer than the {observed} already seen in the mentions",
            hint=f"pass the number of all {name.removesuffix('_total')} in the period, or omit it",
        )
    return given


def prevalence(
    mentions: pl.DataFrame,
    *,
    label: str = "theme",
    customers_total: int | None = None,
    feedback_total: int | None = None,
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Each theme's reach: distinct customers and feedback, with shares, ranked by customers.

    Needs ``feedback_id``, ``customer_id`` and ``label`` (default ``theme``). Shares are out of
    ``customers_total`` and ``feedback_total`` (all customers and feedback in scope, including those
    that raised no theme); by default they are the customers and feedback seen in ``mentions``.
    Returns ``theme``, ``customers``, ``customer_share`` (%), ``customer_share_low``/``_high``
    (Wilson), ``feedback``, ``feedback_share`` (%), ``rank`` and ``feedback_rank``.
    """
    check_confidence(confidence)
    rows = _voices(mentions, label=label, purpose="theme prevalence")
    seen_customers, seen_feedback = rows.select(
        pl.col(_VOICE).n_unique(), pl.col("feedback_id").n_unique()
    ).row(0)
    customers_n = _total(customers_total, seen_customers, name="customers_total")
    feedback_n = _total(feedback_total, seen_feedback, name="feedback_total")
    table = rows.group_by(label).agg(
        pl.col(_VOICE).n_unique().alias("customers"),
        pl.col("feedback_id").n_unique().alias("feedback"),
    )
    share = table.get_column("customers").to_numpy().astype(np.float64) / max(customers_n, 1)
    low, high = wilson(share, np.full_like(share, float(customers_n)), z=z_value(confidence))
    table = table.with_columns(
        pl.Series("customer_share", share * 100.0),
        pl.Series("customer_share_low", low * 100.0),
        pl.Series("customer_share_high", high * 100.0),
        (pl.col("feedback") / max(feedback_n, 1) * 100.0).alias("feedback_share"),
        pl.col("feedback").rank("min", descending=True).alias("feedback_rank"),
    )
    table = table.sort(["customers", "feedback", label], descending=[True, True, False])
    return table.with_columns(pl.int_range(1, pl.len() + 1).alias("rank")).select(
        label,
        "customers",
        "customer_share",
        "customer_share_low",
        "customer_share_high",
        "feedback",
        "feedback_share",
        "rank",
        pl.col("feedback_rank").cast(pl.Int64),
    )


def loudness(
    mentions: pl.DataFrame,
    *,
    label: str = "theme",
    top_k: int = 3,
    loud_share: float = 0.25,
) -> pl.DataFrame:
    """How concentrated each theme's feedback is among its most vocal customers.

    Needs ``feedback_id``, ``customer_id`` and ``label``. Returns ``theme``, ``feedback``,
    ``customers``, ``feedback_per_customer``, ``top_k_feedback`` (feedback from the ``top_k``
    most vocal customers), ``top_k_share`` (%), ``loudest_customer``, ``loudest_feedback`` and
    ``loud``, sorted by feedback, i.e. the ranking a message count would give. A theme is loud
    when its top-k customers wrote at least ``loud_share`` of its feedback and repeated
    themselves: on average two or more pieces of feedback each.
    """
    if top_k < 1 or not 0.0 < loud_share <= 1.0:
        raise InputError(f"need top_k >= 1 and 0 < loud_share <= 1; got {top_k}, {loud_share}")
    rows = _voices(mentions, label=label, purpose="the loudness view")
    per_customer = rows.group_by(label, _VOICE).agg(pl.col("feedback_id").n_unique().alias("k"))
    table = per_customer.group_by(label).agg(
        pl.col("k").sum().alias("feedback"),
        pl.len().alias("customers"),
        pl.col("k").top_k(top_k).sum().alias("top_k_feedback"),
        pl.col(_VOICE)
        .sort_by(["k", _VOICE], descending=[True, False])
        .first()
        .alias("loudest_customer"),
        pl.col("k").max().alias("loudest_feedback"),
    )
    share = pl.col("top_k_feedback") / pl.col("feedback")
    return (
        table.with_columns(
            (pl.col("feedback") / pl.col("customers")).alias("feedback_per_customer"),
            (share * 100.0).alias("top_k_share"),
            (
                (share >= loud_share)
                & (pl.col("top_k_feedback") >= 2 * pl.min_horizontal(pl.col("customers"), top_k))
            ).alias("loud"),
        )
        .sort(["feedback", label], descending=[True, False])
        .select(
            label,
            "feedback",
            "customers",
            "feedback_per_customer",
            "top_k_feedback",
            "top_k_share",
            "loudest_customer",
            "loudest_feedback",
            "loud",
        )
    )
