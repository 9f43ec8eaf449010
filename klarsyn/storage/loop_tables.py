"""Tables of the closed loop: alert rules and channels, their hits, the outbox, cases, plans.

They share :data:`klarsyn.storage.tables.metadata`. A rule that matches an event records one
*hit* (unique per rule and event), and every hit puts one message per channel in the *outbox*
under a unique key, so a notification is sent at most once even when evaluation runs again or the
process restarts between evaluating and sending.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

import klarsyn.storage.auth_tables  # noqa: F401  (cases and rules refer to users)
from klarsyn.storage.tables import metadata
from klarsyn.storage.types import UTCDateTime, json_type

alert_channels = Table(
    "alert_channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("target", Text, nullable=False),
    # The HMAC key of signed webhooks; receivers hold the same value to verify deliveries.
    Column("secret", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
)

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("metric", String(20)),
    Column("threshold", Float),
    Column("params", json_type(), nullable=False),
    Column("scope", json_type(), nullable=False),
    Column("route_team", String(100)),
    Column("route_user_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("channels", json_type(), nullable=False),
    Column("create_case", Boolean, nullable=False, default=True),
    Column("priority", String(10), nullable=False),
    Column("sla_hours", Integer),
    # The newest feedback id this rule has looked at: evaluation resumes after it.
    Column("checked_through", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

alert_hits = Table(
    "alert_hits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rule_id", ForeignKey("alert_rules.id", ondelete="CASCADE"), nullable=False),
    # ``feedback:<id>`` for rules on single comments, ``theme:<key>:<period>`` for aggregates.
    Column("event_key", String(200), nullable=False),
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE")),
    Column("case_id", ForeignKey("cases.id", ondelete="SET NULL")),
    Column("reason", Text, nullable=False),
    Column("matched_at", UTCDateTime, nullable=False),
    UniqueConstraint("rule_id", "event_key", name="uq_alert_hits_rule_id_event_key"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hit_id", ForeignKey("alert_hits.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(100), nullable=False),
    Column("dedupe_key", String(320), nullable=False, unique=True),
    Column("payload", json_type(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("status", String(30), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("team", String(100)),
    Column("owner_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("customer_id", String(200)),
    Column("feedback_id", ForeignKey("feedback.id", ondelete="SET NULL")),
    Column("rule_id", ForeignKey("alert_rules.id", ondelete="SET NULL")),
    Column("sla_due_at", UTCDateTime),
    Column("sla_breached_at", UTCDateTime),
    Column("resolution_code", String(50)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Index("ix_cases_team_status", "team", "status"),
    Index("ix_cases_customer_id", "customer_id"),
    Index("ix_cases_feedback_id", "feedback_id"),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_case_notes_case_id", "case_id"),
)

case_audit = Table(
    "case_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL")),
    # Who acted, kept as text so the trail survives the user being deleted ("rule: …" for rules).
    Column("actor", String(254), nullable=False),
    Column("action", String(30), nullable=False),
    Column("field", String(50)),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_case_audit_case_id", "case_id"),
)

action_plans = Table(
    "action_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("description", Text),
    Column("owner_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("team", String(100)),
    Column("driver", String(200)),
    Column("theme", String(100)),
    Column("finding", Text),
    Column("metric", String(20), nullable=False),
    Column("target", json_type(), nullable=False),
    # NULL: everyone outside the target; {}: no comparison group (interrupted time series).
    Column("comparison", json_type()),
    Column("start_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

action_milestones = Table(
    "action_milestones",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("due_at", UTCDateTime),
    Column("done_at", UTCDateTime),
    Index("ix_action_milestones_plan_id", "plan_id"),
)
