"""The input of key driver analysis, read from the store: one row per response.

Each row is one piece of feedback from the columnar mirror with its scores and attributes, plus
what the text pipeline found and what the customer table knows:

* ``<theme>_negative`` (0/1): the comment mentions the theme negatively. With ``level="top"``
  (the default) a theme counts its sub-themes too, so ``delivery_negative`` is set by a late or a
  damaged delivery alike; ``level="all"`` keeps every theme id (``delivery.time_negative``).
* ``text``: the comment with personal data masked (null when it was not enriched), so example
  comments never show what the masking removed.
* ``annual_value`` (0 when unknown) and ``churned`` (0/1; a response without a customer record
  counts as not churned) from the customer table.

Only themes that at least ``min_customers`` customers mention negatively become flags: a theme
three customers complain about cannot be estimated, and leaving it out keeps the model small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from klarsyn.analytics.driver_segments import SegmentDrivers, compare_segments
from klarsyn.analytics.drivers import KeyDrivers, key_drivers
from klarsyn.errors import InputError
from klarsyn.storage.columnar import customers_frame
from klarsyn.storage.enriched import enriched_feedback, theme_mentions
from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.store import Store

Level = Literal["top", "all"]
DriverMetric = Literal["nps", "csat", "ces", "rating", "churn"]
METRICS: tuple[str, ...] = ("nps", "csat", "ces", "rating", "churn")
NEGATIVE = "_negative"
SCORES = ("nps", "csat", "ces", "rating")
# Mirror columns that are not attributes a driver analysis could use.
_NOT_ATTRIBUTES = {"row_id", "id", "source", "received_at", "customer_id", "text", "language"}


@dataclass(frozen=True, slots=True)
class DriverInputs:
    """The response frame and the names of its predictor columns.

    ``frame`` has ``row_id``, ``customer_id``, ``received_at``, the score columns, ``text``
    (masked), ``language``, ``annual_value``, ``churned``, one column per feedback attribute and
    one 0/1 column per theme in ``themes``. ``attributes`` names the attribute columns
    (``channel`` first), ``customers_known`` whether a customer table was imported at all.
    """

    frame: pl.DataFrame
    themes: tuple[str, ...]
    attributes: tuple[str, ...]
    customers_known: bool


def theme_flag(theme: str) -> str:
    """The flag column of ``theme``: ``delivery`` → ``delivery_negative``."""
    return f"{theme}{NEGATIVE}"


def theme_of(flag: str) -> str:
    """The theme id of a flag column (the inverse of :func:`theme_flag`)."""
    return flag.removesuffix(NEGATIVE)


def top_theme(column: str = "theme") -> pl.Expr:
    """The top-level theme of a theme id: ``delivery.time`` → ``delivery``."""
    return pl.col(column).str.split(".").list.first()


def driver_inputs(
    store: Store,
    *,
    where: pl.Expr | None = None,
    level: Level = "top",
    min_customers: int = 30,
) -> DriverInputs:
    """One row per response in scope (``where`` filters the mirror's columns), with flags.

    See the module docstring for the columns and the rules.
    """
    scan = scan_feedback(store)
    if where is not None:
        scan = scan.filter(where)
    # An empty table reads as nulls without a type: pin the key, so joins always line up.
    feedback = scan.drop("text").collect().with_columns(pl.col("customer_id").cast(pl.String))
    enriched = enriched_feedback(store).select("row_id", pl.col("text_masked").alias("text"))
    frame = feedback.join(enriched, on="row_id", how="left")
    flags, themes = _negative_flags(store, frame, level=level, min_customers=min_customers)
    frame = frame.join(flags, on="row_id", how="left").with_columns(
        pl.col(themes).fill_null(0).cast(pl.Int8)
    )
    customers = customers_frame(store)
    frame = frame.join(_customer_columns(customers), on="customer_id", how="left").with_columns(
        pl.col("annual_value").fill_null(0.0), pl.col("churned").fill_null(0)
    )
    attributes = [c for c in feedback.columns if c not in _NOT_ATTRIBUTES and c not in SCORES]
    return DriverInputs(
        frame=frame,
        themes=tuple(themes),
        attributes=tuple(attributes),
        customers_known=customers.height > 0,
    )


def _negative_flags(
    store: Store, frame: pl.DataFrame, *, level: Level, min_customers: int
) -> tuple[pl.DataFrame, list[str]]:
    """A frame of ``row_id`` and one 0/1 column per theme complained about often enough."""
    theme = top_theme() if level == "top" else pl.col("theme")
    negative = (
        theme_mentions(store)
        .filter(pl.col("sentiment") == "negative")
        .select("row_id", theme.alias("theme"))
        .join(frame.select("row_id", "customer_id"), on="row_id", how="inner")
        .unique(["row_id", "theme"])
    )
    # A comment without a customer is its own customer, as everywhere else.
    voice = pl.coalesce(pl.col("customer_id"), pl.lit("row:") + pl.col("row_id").cast(pl.String))
    reach = negative.group_by("theme").agg(voice.n_unique().alias("customers"))
    kept = reach.filter(pl.col("customers") >= min_customers).sort(
        ["customers", "theme"], descending=[True, False]
    )
    themes = kept.get_column("theme").to_list()
    if not themes:
        return pl.DataFrame({"row_id": []}, schema={"row_id": pl.Int64}), []
    wide = (
        negative.filter(pl.col("theme").is_in(themes))
        .with_columns(pl.lit(1, dtype=pl.Int8).alias("flag"))
        .pivot(on="theme", index="row_id", values="flag")
    )
    renamed = wide.rename({name: theme_flag(name) for name in themes})
    return renamed, [theme_flag(name) for name in themes]


def _customer_columns(customers: pl.DataFrame) -> pl.DataFrame:
    return customers.select(
        pl.col("customer_id").cast(pl.String),
        pl.col("annual_value").cast(pl.Float64),
        pl.col("churned_at").is_not_null().cast(pl.Int8).alias("churned"),
    )


def drivers_of(
    inputs: DriverInputs,
    *,
    metric: DriverMetric = "nps",
    attributes: Sequence[str] = (),
    controls: Sequence[str] = (),
    replicates: int = 200,
    seed: int = 0,
) -> KeyDrivers:
    """Key drivers of ``metric`` over the theme flags (and any attributes named) of ``inputs``.

    Scores are better when higher; ``churn`` (the customer left) is the 0/1 outcome where lower
    is better. Money at stake needs a customer table; the trend of each driver is its change
    between the last two calendar months (UTC).
    """
    frame = inputs.frame
    unknown = [name for name in (*attributes, *controls) if name not in frame.columns]
    if unknown:
        raise InputError(
            f"feedback has no attribute {', '.join(repr(name) for name in unknown)}",
            hint=f"use one of: {', '.join(inputs.attributes) or '(no attributes imported yet)'}",
        )
    if not inputs.themes and not attributes:
        raise InputError(
            "no theme is mentioned negatively by enough customers to analyse",
            hint="enrich the text first (klarsyn text enrich), widen the filters, "
            "or lower --min-customers",
        )
    if metric == "churn" and not inputs.customers_known:
        raise InputError(
            "churn needs the customer table, and none has been imported",
            hint="import customers with a churned_at column: klarsyn import customers FILE",
        )
    outcome = "churned" if metric == "churn" else metric
    if metric != "churn" and frame.get_column(outcome).drop_nulls().is_empty():
        raise InputError(
            f"no feedback in scope has a {metric} score",
            hint="pick another --metric, or widen the filters",
        )
    known = inputs.customers_known
    monthly = frame.with_columns(pl.col("received_at").dt.strftime("%Y-%m").alias("_month"))
    return key_drivers(
        monthly,
        outcome=outcome,
        themes=list(inputs.themes),
        attributes=list(attributes),
        controls=list(controls),
        higher_is_better=metric != "churn",
        value="annual_value" if known else None,
        churn="churned" if known else None,
        period="_month",
        text="text",
        replicates=replicates,
        seed=seed,
    )


def segment_drivers(
    inputs: DriverInputs,
    *,
    segment: str,
    metric: DriverMetric = "nps",
    replicates: int = 200,
    seed: int = 0,
) -> SegmentDrivers:
    """Key drivers of ``metric`` per value of the attribute ``segment``, and where they differ.

    Each segment is analysed on the same theme flags as :func:`drivers_of`; segments with too
    few customers are skipped and listed.
    """
    if segment not in inputs.attributes:
        raise InputError(
            f"feedback has no attribute {segment!r} to compare segments by",
            hint=f"use one of: {', '.join(inputs.attributes) or '(no attributes imported yet)'}",
        )
    if not inputs.themes:
        raise InputError(
            "no theme is mentioned negatively by enough customers to compare",
            hint="enrich the text first (klarsyn text enrich), or lower --min-customers",
        )
    return compare_segments(
        inputs.frame.filter(pl.col(segment).is_not_null()),
        segment=segment,
        outcome="churned" if metric == "churn" else metric,
        themes=list(inputs.themes),
        higher_is_better=metric != "churn",
        replicates=replicates,
        seed=seed,
    )


__all__ = [
    "METRICS",
    "DriverInputs",
    "DriverMetric",
    "driver_inputs",
    "drivers_of",
    "segment_drivers",
    "theme_flag",
    "theme_of",
    "top_theme",
]
