"""The frames an explanation needs, read from the store: feedback of the two periods with its
masked text and its customers' attributes, the theme mentions of those comments, and the events
that could have exposed the customers (from the exposure window before the earlier period on)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from klarsyn.analytics.explain import ExplainOptions, explain
from klarsyn.analytics.explain_results import Explanation
from klarsyn.analytics.explain_windows import Window, parse_window, previous_label
from klarsyn.analytics.findings import Finding, FindingOptions, findings
from klarsyn.analytics.metrics import metric_named
from klarsyn.errors import InputError
from klarsyn.storage.columnar import customers_frame, events_frame
from klarsyn.storage.enriched import enriched_feedback, theme_mentions
from klarsyn.storage.mirror import scan_feedback
from klarsyn.storage.store import Store


@dataclass(frozen=True, slots=True)
class ExplainInputs:
    feedback: pl.DataFrame
    events: pl.DataFrame | None
    mentions: pl.DataFrame | None

    def texts(self, ids: list[str]) -> dict[str, str]:
        """The masked text of the given feedback ids (the raw text when none was enriched)."""
        column = "text_masked" if "text_masked" in self.feedback.columns else "text"
        found = self.feedback.filter(pl.col("id").is_in(ids)).select("id", column)
        return {row[0]: row[1] or "" for row in found.iter_rows()}


def with_customer_attributes(feedback: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    """``feedback`` plus the text attributes of each respondent's customer record that the
    feedback does not carry itself (segment, loyalty tier), so they can be causes too."""
    taken = set(feedback.columns)
    wanted = [
        name
        for name, dtype in customers.schema.items()
        if name not in taken and name != "customer_id" and dtype == pl.String
    ]
    if customers.is_empty() or not wanted:
        return feedback
    return feedback.join(customers.select("customer_id", *wanted), on="customer_id", how="left")


def read_inputs(
    store: Store,
    *,
    period: Window,
    vs: Window,
    options: ExplainOptions,
    scan: pl.LazyFrame | None = None,
) -> ExplainInputs:
    """What `explain` needs for ``period`` against ``vs``; ``scan`` is the feedback mirror when
    the caller already holds one (the web app keeps it fresh in the background)."""
    source = scan if scan is not None else scan_feedback(store)
    feedback = source.filter(period.contains() | vs.contains()).collect()
    enriched = enriched_feedback(store)
    mentions: pl.DataFrame | None = None
    if not enriched.is_empty():
        masked = enriched.select("row_id", "text_masked")
        feedback = feedback.join(masked, on="row_id", how="left")
        ids = feedback.select("row_id", "id")
        mentions = theme_mentions(store).join(ids, on="row_id").drop("row_id")
    feedback = with_customer_attributes(feedback, customers_frame(store))
    earliest = min(vs.start, period.start) - options.window
    latest = max(vs.end, period.end)
    events = events_frame(store).filter(
        (pl.col("occurred_at") >= earliest) & (pl.col("occurred_at") < latest)
    )
    return ExplainInputs(feedback, None if events.is_empty() else events, mentions)


def explain_store(
    store: Store,
    *,
    metric: str,
    period: str,
    vs: str | None,
    time_zone: str,
    where: dict[str, str] | None = None,
    attributes: list[str] | None = None,
    options: ExplainOptions | None = None,
    scan: pl.LazyFrame | None = None,
) -> tuple[Explanation, ExplainInputs]:
    """Explain ``metric`` from ``vs`` (default: the period before) to ``period`` in the store."""
    spec = metric_named(metric)
    chosen = options or ExplainOptions()
    after = parse_window(period, time_zone=time_zone)
    before = parse_window(vs or previous_label(period), time_zone=time_zone)
    inputs = read_inputs(store, period=after, vs=before, options=chosen, scan=scan)
    if inputs.feedback.is_empty():
        raise InputError(
            f"there is no feedback in {before.label} or {after.label}",
            hint="pick periods that hold feedback, e.g. the last two months",
        )
    result = explain(
        inputs.feedback,
        metric=spec,
        period=after,
        vs=before,
        attributes=attributes,
        events=inputs.events,
        mentions=inputs.mentions,
        where=where,
        options=chosen,
    )
    return result, inputs


def store_findings(
    store: Store,
    *,
    time_zone: str,
    period: str = "month",
    options: FindingOptions | None = None,
    scan: pl.LazyFrame | None = None,
) -> list[Finding]:
    """Findings over all feedback in the store, with the themes the text pipeline found."""
    feedback = (scan if scan is not None else scan_feedback(store)).collect()
    mentions = theme_mentions(store)
    named = None
    if not mentions.is_empty():
        named = mentions.join(feedback.select("row_id", "id"), on="row_id").drop("row_id")
    return findings(feedback, time_zone=time_zone, mentions=named, period=period, options=options)
