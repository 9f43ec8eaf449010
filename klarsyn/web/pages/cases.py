"""Cases: the list with team scorecards, and one case with its customer's timeline and trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response

from klarsyn.actions.cases import (
    NEXT,
    PRIORITIES,
    RESOLUTION_CODES,
    Case,
    CaseStatus,
    add_note,
    create_case,
    get_case,
    list_cases,
    update_case,
)
from klarsyn.actions.scorecards import Scorecard, scorecards
from klarsyn.actions.trail import audit_trail, notes
from klarsyn.errors import NotFound
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback
from klarsyn.storage.users import Role, User, list_users
from klarsyn.web.api.cases import feedback_origin
from klarsyn.web.deps import MirrorDep, NowDep, StoreDep, UserDep
from klarsyn.web.pages.context import layout
from klarsyn.web.pages.forms import CsrfDep, see_other
from klarsyn.web.queries.feedback_list import comments_query, to_comment
from klarsyn.web.queries.timeline import customer_timeline
from klarsyn.web.scope import Blank, ScopeDep
from klarsyn.web.templating import render

router = APIRouter()
CASES_SHOWN = 300

OptionalText = Annotated[str | None, Form(max_length=300), Blank]

#: How workflow codes read in the interface (translated through the catalogue).
LABELS = {
    "new": "New",
    "in_progress": "In progress",
    "waiting_for_customer": "Waiting for customer",
    "resolved": "Resolved",
    "closed": "Closed",
    "low": "Low",
    "normal": "Normal",
    "high": "High",
    "urgent": "Urgent",
    "fixed": "Fixed",
    "compensated": "Compensated",
    "explained": "Explained",
    "no_action": "No action needed",
    "duplicate": "Duplicate",
    "unreachable": "Customer unreachable",
    "created": "Opened",
    "changed": "Changed",
    "note": "Note",
    "sla_breached": "SLA breached",
    "alert": "Alert",
    "status": "Status",
    "priority": "Priority",
    "team": "Team",
    "owner_id": "Owner",
    "resolution_code": "Resolution",
    "sla_due_at": "Due",
    "title": "Title",
}


def visible_cases(store: Store, *, user: User, status: CaseStatus | None) -> list[Case]:
    """The newest cases ``user`` may see, in ``status`` when one is given."""
    wanted = (status,) if status else ()
    return list_cases(store, user=user, status=wanted, limit=CASES_SHOWN)


def visible_scorecards(store: Store, *, user: User, now: datetime) -> list[Scorecard]:
    """The last 90 days' team scorecards; an agent sees their own team's only."""
    cards = scorecards(store, since=now - timedelta(days=90), until=now, now=now)
    if user.role == Role.agent:
        cards = [card for card in cards if card.team == user.team]
    return cards


@router.get("/cases")
def cases_page(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    user: UserDep,
    scope: ScopeDep,
    now: NowDep,
    status: Annotated[CaseStatus | None, Query(), Blank] = None,
) -> Response:
    context = layout(mirror, scope) | {
        "cases": visible_cases(store, user=user, status=status),
        "cards": visible_scorecards(store, user=user, now=now),
        "status": status,
        "statuses": list(CaseStatus),
        "priorities": PRIORITIES,
        "now": now,
        "can_write": user.can(Role.agent),
        "labels": LABELS,
    }
    return render(request, "cases.html", context)


@router.post("/cases")
def open_case(
    store: StoreDep,
    user: UserDep,
    now: NowDep,
    _csrf: CsrfDep,
    title: OptionalText = None,
    feedback_id: Annotated[int | None, Form(), Blank] = None,
    customer_id: Annotated[str | None, Form(max_length=200), Blank] = None,
    team: Annotated[str | None, Form(max_length=100), Blank] = None,
    priority: Annotated[str, Form(max_length=10)] = "normal",
) -> Response:
    if feedback_id is not None:
        origin, text = feedback_origin(store, feedback_id)
        customer_id = customer_id or origin
        title = title or f"Follow up: {' '.join((text or 'feedback').split())[:120]}"
    case = create_case(
        store,
        user=user,
        title=title or "",
        now=now,
        feedback_id=feedback_id,
        customer_id=customer_id,
        team=team,
        priority=priority,
    )
    return see_other(f"/cases/{case.id}")


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    store: StoreDep,
    mirror: MirrorDep,
    user: UserDep,
    scope: ScopeDep,
    now: NowDep,
    case_id: int,
) -> Response:
    case = get_case(store, case_id=case_id, user=user)
    origin = None
    if case.feedback_id is not None:
        with store.engine.connect() as connection:
            row = connection.execute(
                comments_query().where(feedback.c.id == case.feedback_id)
            ).first()
        origin = to_comment(row) if row is not None else None
    timeline = None
    if case.customer_id:
        try:
            timeline = customer_timeline(store, customer_id=case.customer_id, limit=50)
        except NotFound:
            timeline = None
    others = [
        other
        for other in list_cases(store, user=user, customer_id=case.customer_id or "", limit=20)
        if other.id != case.id and case.customer_id
    ]
    people = {person.id: person for person in list_users(store)}
    context = layout(mirror, scope) | {
        "case": case,
        "origin": origin,
        "timeline": timeline,
        "others": others,
        "notes": notes(store, case_id=case_id),
        "audit": audit_trail(store, case_id=case_id),
        "next_statuses": sorted(NEXT[case.status]),
        "priorities": PRIORITIES,
        "codes": RESOLUTION_CODES,
        "people": people,
        "owner": people.get(case.owner_id) if case.owner_id else None,
        "now": now,
        "can_write": user.can(Role.agent),
        "can_move": user.can(Role.analyst),
        "labels": LABELS,
    }
    return render(request, "case.html", context)


@router.post("/cases/{case_id}")
def change_case(
    store: StoreDep,
    user: UserDep,
    now: NowDep,
    _csrf: CsrfDep,
    case_id: int,
    status: Annotated[str | None, Form(max_length=30), Blank] = None,
    priority: Annotated[str | None, Form(max_length=10), Blank] = None,
    owner_id: Annotated[int | None, Form(), Blank] = None,
    team: Annotated[str | None, Form(max_length=100), Blank] = None,
    resolution_code: Annotated[str | None, Form(max_length=50), Blank] = None,
) -> Response:
    update_case(
        store,
        case_id=case_id,
        user=user,
        now=now,
        status=status,
        priority=priority,
        owner_id=owner_id,
        team=team,
        resolution_code=resolution_code,
    )
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/notes")
def note_case(
    store: StoreDep,
    user: UserDep,
    now: NowDep,
    _csrf: CsrfDep,
    case_id: int,
    body: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    add_note(store, case_id=case_id, user=user, body=body, now=now)
    return see_other(f"/cases/{case_id}#notes")
