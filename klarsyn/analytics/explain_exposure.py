"""Who was exposed to what: campaigns and other events a customer had before their feedback.

A feedback row is *exposed* to a candidate when its customer had a matching event in the
``window`` before the feedback arrived (timing matters: an event after the feedback cannot
have caused it). Candidates are every event type, and every value of the events' text
attributes that has few distinct values (a campaign name, a contact channel, a delivery
partner); identifiers such as order numbers and numbers such as amounts are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from klarsyn.analytics.contracts import require_columns

EVENT_COLUMNS = ("customer_id", "occurred_at", "type")
MAX_VALUES = 40


@dataclass(frozen=True, slots=True)
class Exposure:
    """One exposure candidate and which rows it covers."""

    kind: str  # campaign | event
    dimension: str
    value: str
    exposed: np.ndarray


def _is_number(values: pl.Series) -> bool:
    parsed = values.cast(pl.Float64, strict=False)
    return parsed.null_count() == 0


def _candidates(events: pl.DataFrame) -> list[tuple[str, str, str, pl.Expr]]:
    """(kind, dimension, value, filter) for every event type and its usable attribute values."""
    found: list[tuple[str, str, str, pl.Expr]] = []
    attributes = [c for c in events.columns if c not in (*EVENT_COLUMNS, "id")]
    for event_type in sorted(events.get_column("type").drop_nulls().unique().to_list()):
        of_type = events.filter(pl.col("type") == event_type)
        kind = "campaign" if event_type == "campaign" else "event"
        # An attribute named like its event type (a campaign's name) identifies the event; its
        # other attributes (the campaign's channel) describe it and would only blur it.
        identity = [
            a for a in attributes if a == event_type and of_type.get_column(a).drop_nulls().len()
        ]
        for attribute in identity or attributes:
            values = of_type.get_column(attribute).drop_nulls()
            distinct = values.unique().sort()
            # A describing attribute with one value says no more than the event type does; an
            # identifying one (the only campaign) still names the event.
            fewest = 1 if identity else 2
            if not fewest <= distinct.len() <= MAX_VALUES or _is_number(distinct):
                continue
            named = "campaign" if attribute == "campaign" else kind
            dimension = event_type if attribute == event_type else f"{event_type}.{attribute}"
            for value in distinct.to_list():
                condition = (pl.col("type") == event_type) & (pl.col(attribute) == value)
                found.append((named, dimension, str(value), condition))
        # After its values: when one campaign is all there is, the campaign is named, not "any".
        found.append((kind, event_type, event_type, pl.col("type") == event_type))
    return found


def exposures(
    rows: pl.DataFrame, events: pl.DataFrame, *, window: dt.timedelta, min_rows: int
) -> list[Exposure]:
    """The exposure candidates of ``rows`` (``customer_id``, ``received_at``), in row order.

    ``events`` needs ``customer_id``, ``occurred_at`` (UTC datetime) and ``type``; other
    columns are attributes. Candidates covering fewer than ``min_rows`` rows are dropped.
    """
    require_columns(events, EVENT_COLUMNS, purpose="exposure to events")
    require_columns(rows, ("customer_id", "received_at"), purpose="exposure to events")
    if events.is_empty() or rows.is_empty():
        return []
    customers = rows.get_column("customer_id").drop_nulls().unique()
    relevant = events.filter(pl.col("customer_id").is_in(customers.implode()))
    moments = rows.select(
        pl.int_range(pl.len()).alias("_row"),
        pl.col("customer_id"),
        pl.col("received_at").dt.cast_time_unit("us").dt.convert_time_zone("UTC"),
    ).sort("received_at")
    found = []
    for kind, dimension, value, condition in _candidates(relevant):
        matched = (
            relevant.filter(condition)
            .select(
                "customer_id",
                pl.col("occurred_at").dt.cast_time_unit("us").dt.convert_time_zone("UTC"),
            )
            .sort("occurred_at")
        )
        joined = moments.join_asof(
            matched,
            left_on="received_at",
            right_on="occurred_at",
            by="customer_id",
            strategy="backward",
            tolerance=window,
            # Both sides are sorted by time above; per-customer order follows from that.
            check_sortedness=False,
        )
        exposed = np.zeros(rows.height, dtype=bool)
        hit = joined.filter(pl.col("occurred_at").is_not_null()).get_column("_row").to_numpy()
        exposed[hit] = True
        if int(exposed.sum()) >= min_rows:
            found.append(Exposure(kind, dimension, value, exposed))
    return found
