"""The documented default import formats: which columns each kind of record has.

Every column of an input file that is not one of these fields becomes a free attribute (region,
store, product, campaign, touchpoint, …), so nothing the organisation exports is thrown away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["feedback", "customers", "events", "campaigns"]
KINDS: tuple[Kind, ...] = ("feedback", "customers", "events", "campaigns")

FieldType = Literal["id", "timestamp", "integer", "number", "text", "key"]


@dataclass(frozen=True, slots=True)
class Field:
    """One named column of a kind's default format."""

    name: str
    type: FieldType
    required: bool = False
    low: int | None = None
    high: int | None = None
    column: str | None = None  # the store column, when it differs from the field name
    max_length: int | None = None

    @property
    def target(self) -> str:
        return self.column or self.name


FIELDS: dict[Kind, tuple[Field, ...]] = {
    "feedback": (
        Field("id", "id", max_length=200),
        Field("received_at", "timestamp", required=True),
        Field("channel", "key", max_length=50),
        Field("customer_id", "key", max_length=200),
        Field("nps", "integer", low=0, high=10),
        Field("csat", "integer", low=1, high=5),
        Field("ces", "integer", low=1, high=7),
        Field("rating", "integer", low=1, high=5),
        Field("text", "text"),
        Field("language", "key", max_length=12),
    ),
    "customers": (
        Field("customer_id", "key", required=True, max_length=200),
        Field("annual_value", "number", column="value"),
        Field("churned_at", "timestamp"),
    ),
    "events": (
        Field("id", "id", max_length=200),
        Field("customer_id", "key", required=True, max_length=200),
        Field("occurred_at", "timestamp", required=True),
        Field("type", "key", required=True, max_length=50),
    ),
    "campaigns": (
        Field("name", "key", required=True, max_length=200),
        Field("starts_at", "timestamp", required=True),
        Field("ends_at", "timestamp"),
        Field("channel", "key", max_length=50),
        Field("description", "text"),
    ),
}

#: The column that identifies a record for idempotent re-imports.
NATURAL_KEY: dict[Kind, str] = {
    "feedback": "external_id",
    "customers": "customer_id",
    "events": "external_id",
    "campaigns": "name",
}

SCORE_FIELDS = ("nps", "csat", "ces", "rating")


def field_names(kind: Kind) -> list[str]:
    return [f.name for f in FIELDS[kind]]
