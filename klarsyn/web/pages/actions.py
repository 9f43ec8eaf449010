"""Actions: improvement plans with owners and milestones, and the measured effect of each."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request, Response

from klarsyn.actions.plans import (
    METRICS,
    Plan,
    PlanStatus,
    add_milestone,
    add_plan,
    complete_milestone,
    get_plan,
    list_plans,
    plan_effect,
    update_plan,
)
from klarsyn.errors import KlarsynError
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role
from klarsyn.web.charts_actions import effect_chart, effect_series
from klarsyn.web.deps import AnalystDep, MirrorDep, NowDep, SettingsDep, StoreDep, UserDep
from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.pages.alerts import segment_field
from klarsyn.web.pages.context import layout
from klarsyn.web.pages.forms import CsrfDep, see_other
from klarsyn.web.scope import Blank, ScopeDep
from klarsyn.web.templating import formatter, render

router = APIRouter()

STATUS_LABELS = {
    "planned": "Planned",
    "active": "Active",
    "done": "Done",
    "cancelled": "Cancelled",
    "measured": "Measured",
    "too early": "Too early to tell",
}


def measured(mirror: MirrorCache, plan: Plan) -> dict[str, Any]:
    """The plan's effect as a dict, or ``{"error": …}`` when it cannot be measured at all."""

    def compute() -> dict[str, Any]:
        try:
            return plan_effect(plan, mirror.scan().collect()).to_dict()
        except KlarsynError as exc:
            return {"error": str(exc)}

    return mirror.memo(f"effect:{plan.id}:{plan.updated_at.isoformat()}", compute)


def plans_with_effect(store: Store, mirror: MirrorCache) -> list[tuple[Plan, dict[str, Any]]]:
    """Every plan, newest start first, with its measured effect (see :func:`measured`)."""
    return [(plan, measured(mirror, plan)) for plan in list_plans(store)]


def _described(segment: dict[str, str]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in segment.items())


def plan_series(
    request: Request, mirror: MirrorCache, plan: Plan, *, time_zone: str
) -> list[dict[str, Any]]:
    """The plan's metric per month in its target and comparison groups, as its chart shows."""
    t = formatter(request).t
    return effect_series(
        mirror.scan().collect(),
        plan,
        time_zone=time_zone,
        target_label=_described(plan.target) or t("everyone"),
        other_label=_described(plan.comparison or {}) or t("everyone else"),
    )


@router.get("/actions")
def actions_page(
    request: Request, store: StoreDep, mirror: MirrorDep, user: UserDep, scope: ScopeDep
) -> Response:
    context = layout(mirror, scope) | {
        "plans": plans_with_effect(store, mirror),
        "metrics": METRICS,
        "labels": STATUS_LABELS,
        "can_edit": user.can(Role.analyst),
    }
    return render(request, "actions.html", context)


@router.get("/actions/{plan_id}")
def action_page(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    settings: SettingsDep,
    user: UserDep,
    scope: ScopeDep,
    plan_id: int,
) -> Response:
    plan = get_plan(store, plan_id=plan_id)
    t = formatter(request).t
    rows = plan_series(request, mirror, plan, time_zone=settings.timezone)
    chart = effect_chart(
        rows,
        start=plan.start_at.date().isoformat(),
        metric_label=plan.metric.upper(),
        start_label=t("Start"),
    )
    context = layout(mirror, scope) | {
        "plan": plan,
        "chart": chart if rows else None,
        "effect": measured(mirror, plan),
        "statuses": list(PlanStatus),
        "labels": STATUS_LABELS,
        "can_edit": user.can(Role.analyst),
    }
    return render(request, "action.html", context)


@router.post("/actions")
def create_action(
    store: StoreDep,
    settings: SettingsDep,
    _user: AnalystDep,
    now: NowDep,
    _csrf: CsrfDep,
    title: Annotated[str, Form(min_length=1, max_length=300)],
    start: Annotated[date, Form()],
    metric: Annotated[str, Form(max_length=20)] = "nps",
    target: Annotated[str | None, Form(max_length=500), Blank] = None,
    comparison: Annotated[str | None, Form(max_length=500), Blank] = None,
    own_trend: Annotated[bool, Form()] = False,
    driver: Annotated[str | None, Form(max_length=200), Blank] = None,
    theme: Annotated[str | None, Form(max_length=100), Blank] = None,
    team: Annotated[str | None, Form(max_length=100), Blank] = None,
    description: Annotated[str | None, Form(max_length=5000), Blank] = None,
) -> Response:
    plan = add_plan(
        store,
        title=title,
        metric=metric,
        start_at=datetime.combine(start, time(), tzinfo=ZoneInfo(settings.timezone)),
        target=segment_field(target),
        comparison={} if own_trend else (segment_field(comparison) or None),
        driver=driver,
        theme=theme,
        team=team,
        description=description,
        now=now,
    )
    return see_other(f"/actions/{plan.id}")


@router.post("/actions/{plan_id}/status")
def change_status(
    store: StoreDep,
    _user: AnalystDep,
    now: NowDep,
    _csrf: CsrfDep,
    plan_id: int,
    status: Annotated[PlanStatus, Form()],
) -> Response:
    update_plan(store, plan_id=plan_id, status=status, now=now)
    return see_other(f"/actions/{plan_id}")


@router.post("/actions/{plan_id}/milestones")
def new_milestone(
    store: StoreDep,
    settings: SettingsDep,
    _user: AnalystDep,
    _csrf: CsrfDep,
    plan_id: int,
    title: Annotated[str, Form(min_length=1, max_length=300)],
    due: Annotated[date | None, Form(), Blank] = None,
) -> Response:
    zone = ZoneInfo(settings.timezone)
    due_at = datetime.combine(due, time(), tzinfo=zone) if due else None
    add_milestone(store, plan_id=plan_id, title=title, due_at=due_at)
    return see_other(f"/actions/{plan_id}")


@router.post("/actions/{plan_id}/milestones/{milestone_id}/done")
def finish_milestone(
    store: StoreDep,
    _user: AnalystDep,
    now: NowDep,
    _csrf: CsrfDep,
    plan_id: int,
    milestone_id: int,
) -> Response:
    complete_milestone(store, plan_id=plan_id, milestone_id=milestone_id, now=now)
    return see_other(f"/actions/{plan_id}")
