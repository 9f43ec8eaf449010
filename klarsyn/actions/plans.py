"""Action plans: an improvement someone owns, tied to what drives the score, with its effect.

A plan names the driver, theme or finding it answers, the metric it should move and the segment
it targets (``{"country": "DK"}``), when it started, its status and milestones. Its effect is
measured from the feedback since the start by :func:`klarsyn.analytics.effect.measure_effect`:
against the customers outside the target by default, against a named comparison segment, or,
with an empty comparison, as an interrupted time series of the target alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import polars as pl
from sqlalchemy import insert, select, update

from klarsyn.analytics.effect import Effect, measure_effect
from klarsyn.errors import InputError, NotFound
from klarsyn.storage.loop_tables import action_milestones, action_plans
from klarsyn.storage.store import Store

METRICS = ("nps", "csat", "ces", "rating")


class PlanStatus(StrEnum):
    planned = "planned"
    active = "active"
    done = "done"
    cancelled = "cancelled"


@dataclass(frozen=True, slots=True)
class Milestone:
    id: int
    title: str
    due_at: datetime | None
    done_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "done_at": self.done_at.isoformat() if self.done_at else None,
        }


@dataclass(frozen=True, slots=True)
class Plan:
    id: int
    title: str
    description: str | None
    owner_id: int | None
    team: str | None
    driver: str | None
    theme: str | None
    finding: str | None
    metric: str
    target: dict[str, str]
    comparison: dict[str, str] | None
    start_at: datetime
    status: PlanStatus
    created_at: datetime
    updated_at: datetime
    milestones: list[Milestone] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat()
            values[name] = value
        values["milestones"] = [m.to_dict() for m in self.milestones]
        return values


def _plan(row: Any, milestones: list[Milestone]) -> Plan:
    values = dict(row._mapping)
    values["status"] = PlanStatus(values["status"])
    return Plan(**values, milestones=milestones)


def add_plan(
    store: Store,
    *,
    title: str,
    metric: str,
    start_at: datetime,
    now: datetime,
    target: dict[str, str] | None = None,
    comparison: dict[str, str] | None = None,
    description: str | None = None,
    owner_id: int | None = None,
    team: str | None = None,
    driver: str | None = None,
    theme: str | None = None,
    finding: str | None = None,
    status: PlanStatus | str = PlanStatus.active,
    milestones: list[tuple[str, datetime | None]] | None = None,
) -> Plan:
    """Store an action plan with its milestones (title, due time)."""
    if not title.strip():
        raise InputError("an action plan needs a title", hint="say what will change")
    if metric not in METRICS:
        raise InputError(f"metric {metric!r} is not one of {', '.join(METRICS)}")
    with store.begin() as connection:
        plan_id = connection.execute(
            insert(action_plans)
            .values(
                title=title.strip()[:300],
                description=description,
                owner_id=owner_id,
                team=team,
                driver=driver,
                theme=theme,
                finding=finding,
                metric=metric,
                target=dict(target or {}),
                comparison=comparison,
                start_at=start_at,
                status=PlanStatus(status).value,
                created_at=now,
                updated_at=now,
            )
            .returning(action_plans.c.id)
        ).scalar_one()
        for milestone, due in milestones or []:
            connection.execute(
                insert(action_milestones).values(plan_id=plan_id, title=milestone, due_at=due)
            )
    return get_plan(store, plan_id=plan_id)


def _milestones(store: Store, plan_ids: list[int]) -> dict[int, list[Milestone]]:
    found: dict[int, list[Milestone]] = {plan_id: [] for plan_id in plan_ids}
    query = (
        select(action_milestones)
        .where(action_milestones.c.plan_id.in_(plan_ids))
        # Undated milestones last, the same on SQLite and PostgreSQL.
        .order_by(
            action_milestones.c.due_at.is_(None), action_milestones.c.due_at, action_milestones.c.id
        )
    )
    with store.engine.connect() as connection:
        for row in connection.execute(query):
            found[row.plan_id].append(Milestone(row.id, row.title, row.due_at, row.done_at))
    return found


def get_plan(store: Store, *, plan_id: int) -> Plan:
    with store.engine.connect() as connection:
        row = connection.execute(select(action_plans).where(action_plans.c.id == plan_id)).first()
    if row is None:
        raise NotFound(f"no action plan #{plan_id}", hint="see: klarsyn actions list")
    return _plan(row, _milestones(store, [plan_id])[plan_id])


def list_plans(store: Store) -> list[Plan]:
    query = select(action_plans).order_by(action_plans.c.start_at.desc(), action_plans.c.id)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    milestones = _milestones(store, [row.id for row in rows])
    return [_plan(row, milestones[row.id]) for row in rows]


EDITABLE = ("title", "description", "owner_id", "team", "status", "driver", "theme", "finding")


def update_plan(store: Store, *, plan_id: int, now: datetime, **changes: Any) -> Plan:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InputError(f"cannot change {', '.join(sorted(unknown))} of an action plan")
    if "status" in changes:
        changes["status"] = PlanStatus(changes["status"]).value
    get_plan(store, plan_id=plan_id)
    with store.begin() as connection:
        connection.execute(
            update(action_plans)
            .where(action_plans.c.id == plan_id)
            .values(**changes, updated_at=now)
        )
    return get_plan(store, plan_id=plan_id)


def add_milestone(store: Store, *, plan_id: int, title: str, due_at: datetime | None) -> Plan:
    get_plan(store, plan_id=plan_id)
    with store.begin() as connection:
        connection.execute(
            insert(action_milestones).values(plan_id=plan_id, title=title, due_at=due_at)
        )
    return get_plan(store, plan_id=plan_id)


def complete_milestone(store: Store, *, plan_id: int, milestone_id: int, now: datetime) -> Plan:
    with store.begin() as connection:
        done = connection.execute(
            update(action_milestones)
            .where(action_milestones.c.id == milestone_id, action_milestones.c.plan_id == plan_id)
            .values(done_at=now)
        ).rowcount
    if not done:
        raise NotFound(f"action plan #{plan_id} has no milestone #{milestone_id}")
    return get_plan(store, plan_id=plan_id)


def plan_effect(plan: Plan, feedback: pl.DataFrame, *, period: str = "week") -> Effect:
    """The measured effect of ``plan`` on its metric, from ``feedback`` (see module docs)."""
    return measure_effect(
        feedback,
        metric=plan.metric,
        start=plan.start_at,
        target=plan.target,
        comparison=plan.comparison,
        period=period,
    )
