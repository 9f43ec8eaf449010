"""``/api/v1/actions``: action plans with their measured effect; ``/api/v1/scorecards``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from klarsyn.actions.plans import (
    PlanStatus,
    add_milestone,
    add_plan,
    complete_milestone,
    get_plan,
    list_plans,
    update_plan,
)
from klarsyn.actions.scorecards import scorecards
from klarsyn.storage.users import Role
from klarsyn.web.api.cases import WriteDep
from klarsyn.web.deps import AnalystDep, MirrorDep, NowDep, StoreDep, UserDep
from klarsyn.web.pages.actions import measured

router = APIRouter(tags=["actions"])


class NewMilestone(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    due_at: datetime | None = None


class NewPlan(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    metric: str = "nps"
    start_at: datetime
    target: dict[str, str] = Field(default_factory=dict)
    comparison: dict[str, str] | None = None
    description: str | None = Field(default=None, max_length=5000)
    owner_id: int | None = None
    team: str | None = Field(default=None, max_length=100)
    driver: str | None = Field(default=None, max_length=200)
    theme: str | None = Field(default=None, max_length=100)
    finding: str | None = Field(default=None, max_length=5000)
    status: PlanStatus = PlanStatus.active
    milestones: list[NewMilestone] = Field(default_factory=list)


class PlanChange(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = None
    owner_id: int | None = None
    team: str | None = None
    status: PlanStatus | None = None
    driver: str | None = None
    theme: str | None = None
    finding: str | None = None


@router.get("/actions")
def plans_list(store: StoreDep, mirror: MirrorDep, _user: UserDep) -> dict[str, Any]:
    """Every action plan with its measured effect (or why it cannot be measured yet)."""
    return {
        "items": [plan.to_dict() | {"effect": measured(mirror, plan)} for plan in list_plans(store)]
    }


@router.post("/actions", status_code=201, dependencies=[WriteDep])
def plans_create(body: NewPlan, store: StoreDep, _user: AnalystDep, now: NowDep) -> dict[str, Any]:
    fields = body.model_dump(exclude={"milestones"})
    milestones = [(m.title, m.due_at) for m in body.milestones]
    return add_plan(store, now=now, milestones=milestones, **fields).to_dict()


@router.get("/actions/{plan_id}")
def plans_show(plan_id: int, store: StoreDep, mirror: MirrorDep, _user: UserDep) -> dict[str, Any]:
    plan = get_plan(store, plan_id=plan_id)
    return plan.to_dict() | {"effect": measured(mirror, plan)}


@router.patch("/actions/{plan_id}", dependencies=[WriteDep])
def plans_update(
    plan_id: int, body: PlanChange, store: StoreDep, _user: AnalystDep, now: NowDep
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    return update_plan(store, plan_id=plan_id, now=now, **changes).to_dict()


@router.post("/actions/{plan_id}/milestones", status_code=201, dependencies=[WriteDep])
def milestones_create(
    plan_id: int, body: NewMilestone, store: StoreDep, _user: AnalystDep
) -> dict[str, Any]:
    return add_milestone(store, plan_id=plan_id, title=body.title, due_at=body.due_at).to_dict()


@router.post("/actions/{plan_id}/milestones/{milestone_id}/done", dependencies=[WriteDep])
def milestones_done(
    plan_id: int, milestone_id: int, store: StoreDep, _user: AnalystDep, now: NowDep
) -> dict[str, Any]:
    plan = complete_milestone(store, plan_id=plan_id, milestone_id=milestone_id, now=now)
    return plan.to_dict()


@router.get("/scorecards")
def team_scorecards(
    store: StoreDep,
    user: UserDep,
    now: NowDep,
    days: Annotated[int, Query(ge=1, le=3660)] = 90,
) -> dict[str, Any]:
    """Per team: cases handled, SLA kept, loops closed, score follow-up, positive feedback.

    Agents get their own team's scorecard only.
    """
    cards = scorecards(store, since=now - timedelta(days=days), until=now, now=now)
    if not user.can(Role.analyst) and user.role == Role.agent:
        cards = [card for card in cards if card.team == user.team]
    return {"items": [card.to_dict() for card in cards]}
