"""The closed loop of the demo company: alert rules, their first cases and two action plans.

The returns-policy plan is the one planted in the data (free 100-day returns in Denmark from
``RETURNS_POLICY_FROM``), so its measured effect on the Actions page is the story's own. Rules
are run over the newest feedback only, giving a handful of open cases rather than thousands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from klarsyn.actions.evaluate import evaluate
from klarsyn.actions.plans import PlanStatus, add_plan, list_plans
from klarsyn.actions.rules import RuleKind, add_rule, list_rules
from klarsyn.demo.geography import TIME_ZONES
from klarsyn.demo.stories import RETURNS_POLICY_COUNTRY, RETURNS_POLICY_FROM
from klarsyn.storage.loop_tables import alert_rules
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback

#: How many of the newest feedback items the demo rules look back over.
LOOK_BACK = 1_500


@dataclass(frozen=True, slots=True)
class DemoLoop:
    rules: int
    cases: int
    plans: int


def seed_demo_actions(store: Store, *, now: dt.datetime) -> DemoLoop:
    """Add the demo's rules, cases and plans once; a second call adds nothing."""
    if list_rules(store) or list_plans(store):
        return DemoLoop(rules=0, cases=0, plans=0)
    rules = [
        add_rule(
            store,
            name="Intent to leave",
            kind=RuleKind.leave_intent,
            route_team="customer-service",
            priority="urgent",
            now=now,
        ),
        add_rule(
            store,
            name="Detractor in Denmark",
            kind=RuleKind.detractor_comment,
            threshold=4,
            scope={"country": "DK"},
            route_team="customer-service-dk",
            priority="high",
            now=now,
        ),
        add_rule(
            store,
            name="Unhappy high-value customer",
            kind=RuleKind.low_score,
            metric="nps",
            threshold=6,
            params={"min_value": 10_000},
            route_team="key-accounts",
            priority="high",
            now=now,
        ),
    ]
    with store.begin() as connection:
        newest = connection.execute(select(func.max(feedback.c.id))).scalar_one() or 0
        connection.execute(update(alert_rules).values(checked_through=max(newest - LOOK_BACK, 0)))
    cases = evaluate(store, now=now).cases
    zone = ZoneInfo(TIME_ZONES[RETURNS_POLICY_COUNTRY])
    start = dt.datetime.combine(RETURNS_POLICY_FROM, dt.time(), tzinfo=zone)
    add_plan(
        store,
        title="Free 100-day returns in Denmark",
        description="Returns were the most criticised part of buying online in Denmark; "
        "customers there now get 100 days to return anything, free of charge.",
        metric="nps",
        target={"country": RETURNS_POLICY_COUNTRY},
        start_at=start,
        driver="returns_negative",
        theme="returns",
        team="ecommerce",
        milestones=[
            ("New policy on nordhem.dk and in the app", start),
            ("Store staff in Denmark trained", start + dt.timedelta(days=14)),
            ("Review the effect with management", start + dt.timedelta(days=120)),
        ],
        now=now,
    )
    add_plan(
        store,
        title="Longer customer service opening hours",
        description="About one comment in forty complains that customer service closes early.",
        metric="csat",
        target={},
        comparison={},
        start_at=now + dt.timedelta(days=30),
        driver="service_negative",
        theme="store.opening_hours",
        team="customer-service",
        status=PlanStatus.planned,
        milestones=[("Staffing plan approved", now + dt.timedelta(days=14))],
        now=now,
    )
    return DemoLoop(rules=len(rules), cases=cases, plans=2)
