"""``/api/v1/alerts``: rules (analysts edit), channels (admins edit), the outbox, and a run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from klarsyn.actions.alerts import run_alerts
from klarsyn.actions.outbox import recent
from klarsyn.actions.rules import (
    ChannelKind,
    RuleKind,
    add_channel,
    add_rule,
    get_rule,
    list_channels,
    list_rules,
    remove_channel,
    remove_rule,
    update_rule,
)
from klarsyn.storage.users import Role
from klarsyn.web.api.cases import WriteDep
from klarsyn.web.deps import AdminDep, AnalystDep, NowDep, SettingsDep, StoreDep, UserDep

router = APIRouter(tags=["alerts"])


class NewRule(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: RuleKind
    metric: str | None = None
    threshold: float | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    scope: dict[str, str] = Field(default_factory=dict)
    route_team: str | None = Field(default=None, max_length=100)
    route_user_id: int | None = None
    channels: list[str] = Field(default_factory=list)
    create_case: bool = True
    priority: str = "normal"
    sla_hours: int | None = Field(default=None, ge=1)
    backfill: bool = False


class RuleChange(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    enabled: bool | None = None
    threshold: float | None = None
    params: dict[str, Any] | None = None
    scope: dict[str, str] | None = None
    route_team: str | None = None
    route_user_id: int | None = None
    channels: list[str] | None = None
    create_case: bool | None = None
    priority: str | None = None
    sla_hours: int | None = Field(default=None, ge=1)


class NewChannel(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    kind: ChannelKind
    target: str = Field(min_length=1, max_length=2000)
    secret: str | None = Field(default=None, max_length=200)


@router.get("/alerts/rules")
def rules_list(store: StoreDep, _user: UserDep) -> dict[str, Any]:
    return {"items": [rule.to_dict() for rule in list_rules(store)]}


@router.post("/alerts/rules", status_code=201, dependencies=[WriteDep])
def rules_create(body: NewRule, store: StoreDep, _user: AnalystDep, now: NowDep) -> dict[str, Any]:
    return add_rule(store, now=now, **body.model_dump()).to_dict()


@router.get("/alerts/rules/{rule_id}")
def rules_show(rule_id: int, store: StoreDep, _user: UserDep) -> dict[str, Any]:
    return get_rule(store, rule_id=rule_id).to_dict()


@router.patch("/alerts/rules/{rule_id}", dependencies=[WriteDep])
def rules_update(
    rule_id: int, body: RuleChange, store: StoreDep, _user: AnalystDep, now: NowDep
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    return update_rule(store, rule_id=rule_id, now=now, **changes).to_dict()


@router.delete("/alerts/rules/{rule_id}", status_code=204, dependencies=[WriteDep])
def rules_delete(rule_id: int, store: StoreDep, _user: AnalystDep) -> Response:
    remove_rule(store, rule_id=rule_id)
    return Response(status_code=204)


@router.get("/alerts/channels")
def channels_list(store: StoreDep, user: AnalystDep) -> dict[str, Any]:
    """Channels without their secrets; webhook URLs in full only for admins."""
    full = user.can(Role.admin)
    return {"items": [channel.to_dict(full=full) for channel in list_channels(store)]}


@router.post("/alerts/channels", status_code=201, dependencies=[WriteDep])
def channels_create(
    body: NewChannel, store: StoreDep, _user: AdminDep, now: NowDep
) -> dict[str, Any]:
    return add_channel(store, now=now, **body.model_dump()).to_dict()


@router.delete("/alerts/channels/{name}", status_code=204, dependencies=[WriteDep])
def channels_delete(name: str, store: StoreDep, _user: AdminDep) -> Response:
    remove_channel(store, name=name)
    return Response(status_code=204)


@router.get("/alerts/outbox")
def outbox_list(
    store: StoreDep, _user: AnalystDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    """The newest notifications and their delivery state."""
    return {"items": [row.to_dict() for row in recent(store, limit=limit)]}


@router.post("/alerts/run", dependencies=[WriteDep])
def alerts_run(
    store: StoreDep, settings: SettingsDep, _user: AnalystDep, now: NowDep
) -> dict[str, Any]:
    """Evaluate rules over new feedback, mark SLA breaches and send due notifications."""
    result = run_alerts(store, settings=settings, now=now)
    evaluation = result.evaluation
    return {
        "checked": evaluation.checked,
        "alerts": evaluation.hits,
        "cases": evaluation.cases,
        "queued": evaluation.queued,
        "breaches": result.breaches,
        "sent": result.dispatch.sent,
        "retrying": result.dispatch.retrying,
        "failed": result.dispatch.failed,
    }
