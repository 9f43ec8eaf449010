"""The schema of the store, as SQLAlchemy Core tables.

Customers are referred to by their external ``customer_id`` (the key in the organisation's CRM),
not by a foreign key, so feedback, events and customers can be imported in any order.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from klarsyn.storage.types import UTCDateTime, json_type

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("source", String(200), nullable=False),
    Column("filename", Text),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(20), nullable=False),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("imported", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("quarantined", Integer, nullable=False, default=0),
    Column("error", Text),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("import_run_id", ForeignKey("import_runs.id", ondelete="CASCADE"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", json_type(), nullable=False),
    Index("ix_quarantine_run_row", "import_run_id", "row_number"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(200), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("channel", String(50), nullable=False),
    Column("customer_id", String(200)),
    Column("nps", SmallInteger),
    Column("csat", SmallInteger),
    Column("ces", SmallInteger),
    Column("rating", SmallInteger),
    Column("text", Text),
    Column("language", String(12)),
    Column("attributes", json_type(), nullable=False),
    Column("import_run_id", ForeignKey("import_runs.id")),
    UniqueConstraint("source", "external_id", name="uq_feedback_source_external_id"),
    Index("ix_feedback_received_at", "received_at"),
    Index("ix_feedback_customer_id", "customer_id"),
    Index("ix_feedback_channel_received_at", "channel", "received_at"),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", String(200), nullable=False, unique=True),
    Column("value", Float),
    Column("churned_at", UTCDateTime),
    Column("attributes", json_type(), nullable=False),
    Column("source", String(200), nullable=False),
    Column("import_run_id", ForeignKey("import_runs.id")),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(200), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("customer_id", String(200)),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("type", String(50), nullable=False),
    Column("attributes", json_type(), nullable=False),
    Column("import_run_id", ForeignKey("import_runs.id")),
    UniqueConstraint("source", "external_id", name="uq_events_source_external_id"),
    Index("ix_events_customer_id_occurred_at", "customer_id", "occurred_at"),
    Index("ix_events_type_occurred_at", "type", "occurred_at"),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime),
    Column("channel", String(50)),
    Column("description", Text),
    Column("attributes", json_type(), nullable=False),
    Column("source", String(200), nullable=False),
    Column("import_run_id", ForeignKey("import_runs.id")),
)

themes = Table(
    "themes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(100), nullable=False, unique=True),
    Column("parent_key", String(100)),
    Column("labels", json_type(), nullable=False),
    Column("keywords", json_type(), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1),
)

enrichments = Table(
    "enrichments",
    metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(100), nullable=False),
    Column("model_version", String(50), nullable=False),
    Column("taxonomy_version", Integer),
    Column("language", String(12)),
    Column("language_confidence", Float),
    Column("masked_text", Text),
    Column("sentiment", String(10)),
    Column("sentiment_score", Float),
    Column("themes", json_type(), nullable=False),
    Column("enriched_at", UTCDateTime, nullable=False),
)

#: A counter per kind of change that no id or count shows (comments read again in place),
#: moved in the transaction of each such write, so readers notice it without a scan.
revisions = Table(
    "revisions",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", Integer, nullable=False),
)

#: Tables an import writes to, by import kind.
TABLES_BY_KIND = {
    "feedback": feedback,
    "customers": customers,
    "events": events,
    "campaigns": campaigns,
}
