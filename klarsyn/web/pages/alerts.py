"""Alerts: the rules (analysts edit them), the channels they notify (admins) and the outbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from klarsyn.actions.cases import PRIORITIES
from klarsyn.actions.outbox import counts, recent
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
from klarsyn.errors import InputError
from klarsyn.storage.users import Role
from klarsyn.web.deps import AdminDep, AnalystDep, MirrorDep, NowDep, StoreDep, UserDep
from klarsyn.web.pages.context import layout
from klarsyn.web.pages.forms import CsrfDep, see_other
from klarsyn.web.scope import Blank, ScopeDep
from klarsyn.web.templating import render

router = APIRouter()
OUTBOX_SHOWN = 30

KIND_LABELS = {
    "detractor_comment": "Detractor with a comment",
    "low_score": "Low score from a high-value customer",
    "leave_intent": "Words of intent to leave",
    "theme_share": "Theme share crossing a threshold",
    "finding": "A score moved beyond normal variation, with its cause",
    "email": "E-mail",
    "slack": "Slack",
    "teams": "Microsoft Teams",
    "webhook": "Signed webhook",
}


@router.get("/alerts")
def alerts_page(
    request: Request, store: StoreDep, mirror: MirrorDep, user: UserDep, scope: ScopeDep
) -> Response:
    context = layout(mirror, scope) | {
        "rules": list_rules(store),
        "channels": list_channels(store),
        "outbox": recent(store, limit=OUTBOX_SHOWN),
        "outbox_counts": counts(store),
        "kinds": list(RuleKind),
        "channel_kinds": list(ChannelKind),
        "priorities": PRIORITIES,
        "labels": KIND_LABELS,
        "can_edit": user.can(Role.analyst),
        "is_admin": user.can(Role.admin),
    }
    return render(request, "alerts.html", context)


def segment_field(text: str | None) -> dict[str, str]:
    found = {}
    for part in (text or "").split(","):
        key, sep, value = part.strip().partition(":")
        if part.strip() and not (sep and key and value):
            raise InputError(f"scope {part.strip()!r} is not KEY:VALUE", hint="e.g. country:DK")
        if sep:
            found[key.strip()] = value.strip()
    return found


def _rule_params(min_value: float | None, theme: str | None, words: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if min_value is not None:
        params["min_value"] = min_value
    if theme:
        params["theme"] = theme
    if words:
        params["words"] = [word.strip() for word in words.split(",") if word.strip()]
    return params


@router.post("/alerts/rules")
def create_rule(
    store: StoreDep,
    _user: AnalystDep,
    now: NowDep,
    _csrf: CsrfDep,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    kind: Annotated[RuleKind, Form()],
    metric: Annotated[str | None, Form(max_length=20), Blank] = None,
    threshold: Annotated[float | None, Form(), Blank] = None,
    min_value: Annotated[float | None, Form(), Blank] = None,
    theme: Annotated[str | None, Form(max_length=100), Blank] = None,
    words: Annotated[str | None, Form(max_length=1000), Blank] = None,
    scope: Annotated[str | None, Form(max_length=500), Blank] = None,
    team: Annotated[str | None, Form(max_length=100), Blank] = None,
    channels: Annotated[list[str] | None, Form()] = None,
    priority: Annotated[str, Form(max_length=10)] = "normal",
) -> Response:
    add_rule(
        store,
        name=name,
        kind=kind,
        metric=metric,
        threshold=threshold,
        params=_rule_params(min_value, theme, words),
        scope=segment_field(scope),
        route_team=team,
        channels=channels or [],
        priority=priority,
        now=now,
    )
    return see_other("/alerts")


@router.post("/alerts/rules/{rule_id}/toggle")
def toggle_rule(
    store: StoreDep, _user: AnalystDep, now: NowDep, _csrf: CsrfDep, rule_id: int
) -> Response:
    rule = get_rule(store, rule_id=rule_id)
    update_rule(store, rule_id=rule_id, enabled=not rule.enabled, now=now)
    return see_other("/alerts")


@router.post("/alerts/rules/{rule_id}/delete")
def delete_rule(store: StoreDep, _user: AnalystDep, _csrf: CsrfDep, rule_id: int) -> Response:
    remove_rule(store, rule_id=rule_id)
    return see_other("/alerts")


@router.post("/alerts/channels")
def create_channel(
    store: StoreDep,
    _user: AdminDep,
    now: NowDep,
    _csrf: CsrfDep,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    kind: Annotated[ChannelKind, Form()],
    target: Annotated[str, Form(min_length=1, max_length=2000)],
    secret: Annotated[str | None, Form(max_length=200), Blank] = None,
) -> Response:
    add_channel(store, name=name, kind=kind, target=target, secret=secret, now=now)
    return see_other("/alerts")


@router.post("/alerts/channels/{name}/delete")
def delete_channel(store: StoreDep, _user: AdminDep, _csrf: CsrfDep, name: str) -> Response:
    remove_channel(store, name=name)
    return see_other("/alerts")
