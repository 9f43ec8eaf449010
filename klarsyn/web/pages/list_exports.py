"""CSV of the working lists: cases, action plans (and each plan's figures), alerts and a
customer's timeline.

Each export asks the same data function as its page, with the same rights: an agent's cases
download holds their team's cases only, exactly as their Cases page does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from klarsyn.actions.cases import Case, CaseStatus
from klarsyn.actions.outbox import recent
from klarsyn.actions.plans import Plan, get_plan
from klarsyn.actions.rules import list_channels, list_rules
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, User
from klarsyn.web.csv_export import Row, csv_response
from klarsyn.web.deps import MirrorDep, NowDep, SettingsDep, StoreDep, UserDep
from klarsyn.web.pages.actions import plan_series, plans_with_effect
from klarsyn.web.pages.alerts import OUTBOX_SHOWN
from klarsyn.web.pages.cases import visible_cases, visible_scorecards
from klarsyn.web.queries.timeline import Entry, customer_timeline
from klarsyn.web.scope import Blank, ScopeDep

router = APIRouter()
# These lists ignore the global filters, as their pages do, but take them all the same: a link
# carries them, and a malformed one is refused here exactly as on the page.
CaseTable = Literal["list", "scorecards"]
AlertTable = Literal["rules", "channels", "outbox"]


CASE_COLUMNS = [
    *("id", "title", "status", "priority", "team", "owner_id", "customer_id", "feedback_id"),
    *("created_at", "sla_due_at", "sla_breached", "resolution_code", "closed_at"),
]
SCORECARD_COLUMNS = [
    *("team", "handled", "sla_kept", "loops_closed", "follow_up", "follow_up_n"),
    *("positive_feedback", "open", "open_breached"),
]


def _case_row(case: Case, now: datetime) -> Row:
    return [
        *(case.id, case.title, case.status, case.priority, case.team, case.owner_id),
        *(case.customer_id, case.feedback_id, case.created_at, case.sla_due_at),
        *(case.breached(now), case.resolution_code, case.closed_at),
    ]


@router.get("/cases/{table}.csv")
def cases_csv(
    store: StoreDep,
    user: UserDep,
    scope: ScopeDep,
    now: NowDep,
    table: CaseTable,
    status: Annotated[CaseStatus | None, Query(), Blank] = None,
) -> StreamingResponse:
    if table == "scorecards":
        cards = visible_scorecards(store, user=user, now=now)
        rows = [[getattr(card, name) for name in SCORECARD_COLUMNS] for card in cards]
        return csv_response("scorecards.csv", SCORECARD_COLUMNS, rows)
    found = visible_cases(store, user=user, status=status)
    return csv_response("cases.csv", CASE_COLUMNS, [_case_row(case, now) for case in found])


PLAN_COLUMNS = [
    *("id", "title", "status", "metric", "target", "comparison", "start_at", "team"),
    *("theme", "driver", "effect_status", "estimate", "ci_low", "ci_high", "p_value"),
    *("significant", "method", "n_before", "n_after", "statement"),
]
EFFECT_FIELDS = ("estimate", "ci_low", "ci_high", "p_value", "significant", "method")


def _plan_row(plan: Plan, effect: dict[str, Any]) -> Row:
    """A plan and its effect; one that cannot be measured says why in ``statement``."""
    head = [
        *(plan.id, plan.title, plan.status, plan.metric, plan.target, plan.comparison),
        *(plan.start_at, plan.team, plan.theme, plan.driver),
    ]
    if "error" in effect:
        return [*head, "error", *(None for _ in EFFECT_FIELDS), None, None, effect["error"]]
    measured = [effect.get(name) for name in EFFECT_FIELDS]
    counts = [effect.get("n_before"), effect.get("n_after"), effect.get("statement")]
    return [*head, effect.get("status"), *measured, *counts]


@router.get("/actions/plans.csv")
def plans_csv(
    store: StoreDep, mirror: MirrorDep, user: UserDep, scope: ScopeDep
) -> StreamingResponse:
    rows = [_plan_row(plan, effect) for plan, effect in plans_with_effect(store, mirror)]
    return csv_response("action-plans.csv", PLAN_COLUMNS, rows)


PlanTable = Literal["series", "milestones"]
PLAN_TABLE_COLUMNS = {
    "series": ["month", "group", "value", "n"],
    "milestones": ["id", "title", "due_at", "done_at"],
}


@router.get("/actions/{plan_id}/{table}.csv")
def plan_csv(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    settings: SettingsDep,
    user: UserDep,
    scope: ScopeDep,
    plan_id: int,
    table: PlanTable,
) -> StreamingResponse:
    """One plan's monthly scores per group (its chart) or its milestones."""
    plan = get_plan(store, plan_id=plan_id)
    columns = PLAN_TABLE_COLUMNS[table]
    if table == "series":
        found = plan_series(request, mirror, plan, time_zone=settings.timezone)
        rows = [[row[name] for name in columns] for row in found]
    else:
        rows = [[getattr(m, name) for name in columns] for m in plan.milestones]
    return csv_response(f"action-{plan.id}-{table}.csv", columns, rows)


RULE_COLUMNS = [
    *("id", "name", "kind", "metric", "threshold", "params", "scope", "route_team"),
    *("channels", "priority", "enabled"),
]
CHANNEL_COLUMNS = ["name", "kind", "target", "signed"]
OUTBOX_COLUMNS = [
    *("id", "channel", "key", "status", "attempts", "last_error", "created_at", "sent_at"),
]


def _alert_rows(store: Store, table: AlertTable, *, user: User) -> list[Row]:
    if table == "rules":
        return [[getattr(rule, name) for name in RULE_COLUMNS] for rule in list_rules(store)]
    if table == "channels":
        # Whether a channel signs its messages, never the secret itself.
        # Webhook URLs carry their credential: in full only for admins, as on the page.
        full = user.can(Role.admin)
        return [
            [c.name, c.kind, c.target if full else c.public_target, bool(c.secret)]
            for c in list_channels(store)
        ]
    rows = recent(store, limit=OUTBOX_SHOWN)
    return [[getattr(row, name) for name in OUTBOX_COLUMNS] for row in rows]


ALERT_COLUMNS = {"rules": RULE_COLUMNS, "channels": CHANNEL_COLUMNS, "outbox": OUTBOX_COLUMNS}


@router.get("/alerts/{table}.csv")
def alerts_csv(
    store: StoreDep, user: UserDep, scope: ScopeDep, table: AlertTable
) -> StreamingResponse:
    rows = _alert_rows(store, table, user=user)
    return csv_response(f"alert-{table}.csv", ALERT_COLUMNS[table], rows)


TIMELINE_COLUMNS = [
    *("at", "entry", "feedback_id", "channel", "nps", "csat", "ces", "rating", "language"),
    *("text", "themes", "event_type", "attributes"),
]


def _entry_row(entry: Entry) -> Row:
    """A comment with the masked text the page shows, or an event with its attributes."""
    if entry.comment is not None:
        c = entry.comment
        text = "".join(piece for piece, _ in c.pieces())
        scores = (c.nps, c.csat, c.ces, c.rating)
        head = [entry.at, "feedback", c.external_id, c.channel, *scores, c.language]
        return [*head, text, c.themes, None, c.attributes]
    event = entry.event
    assert event is not None  # an entry is a comment or an event
    return [entry.at, "event", *([None] * 9), event.type, event.attributes]


@router.get("/customers/{customer_id:path}/timeline.csv")
def timeline_csv(
    store: StoreDep, user: UserDep, scope: ScopeDep, customer_id: str
) -> StreamingResponse:
    timeline = customer_timeline(store, customer_id=customer_id)
    rows = [_entry_row(entry) for entry in timeline.entries]
    return csv_response(f"customer-{customer_id}-timeline.csv", TIMELINE_COLUMNS, rows)
