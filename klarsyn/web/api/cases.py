"""``/api/v1/cases``: cases with their notes and audit trail, as each user may see them.

Agents see and change only their team's cases; another team's case answers 404, as if it did
not exist. Viewers read but cannot write (403). Writes made with the dashboard's session cookie
must echo the CSRF cookie in an ``X-CSRF-Token`` header; scripts with a bearer token need not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from klarsyn.actions.cases import (
    CLEARABLE,
    CaseStatus,
    add_note,
    create_case,
    get_case,
    list_cases,
    update_case,
)
from klarsyn.actions.trail import audit_trail, notes
from klarsyn.errors import NotFound
from klarsyn.storage.store import Store
from klarsyn.storage.tables import feedback
from klarsyn.storage.users import User
from klarsyn.web.deps import NowDep, StoreDep, UserDep
from klarsyn.web.security import check_csrf

router = APIRouter(tags=["cases"])


def csrf_for_cookies(request: Request, _user: UserDep) -> None:
    """Writes signed in by cookie need the CSRF header; a bearer token cannot be forged."""
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        check_csrf(request, request.headers.get("x-csrf-token"))


WriteDep = Depends(csrf_for_cookies)


class NewCase(BaseModel):
    title: str | None = Field(default=None, max_length=300)
    feedback_id: int | None = None
    customer_id: str | None = None
    team: str | None = None
    owner_id: int | None = None
    priority: str = "normal"


class CaseChange(BaseModel):
    status: CaseStatus | None = None
    priority: str | None = None
    team: str | None = None
    owner_id: int | None = None
    resolution_code: str | None = None
    sla_due_at: datetime | None = None
    title: str | None = Field(default=None, max_length=300)


class NewNote(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)


def feedback_origin(store: Store, feedback_id: int) -> tuple[str | None, str | None]:
    """The customer and the text of a feedback item a case is opened from."""
    with store.engine.connect() as connection:
        row = connection.execute(
            select(feedback.c.customer_id, feedback.c.text).where(feedback.c.id == feedback_id)
        ).first()
    if row is None:
        raise NotFound(f"no feedback #{feedback_id}")
    return row.customer_id, row.text


def detail(store: Store, case_id: int, user: User) -> dict[str, Any]:
    case = get_case(store, case_id=case_id, user=user)
    return case.to_dict() | {
        "notes": [note.to_dict() for note in notes(store, case_id=case_id)],
        "audit": [entry.to_dict() for entry in audit_trail(store, case_id=case_id)],
    }


@router.get("/cases")
def cases_list(
    store: StoreDep,
    user: UserDep,
    now: NowDep,
    status: Annotated[list[CaseStatus] | None, Query()] = None,
    team: str | None = None,
    customer_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Cases newest first; agents get only their team's."""
    found = list_cases(
        store, user=user, status=status or (), team=team, customer_id=customer_id, limit=limit
    )
    return {"items": [case.to_dict() | {"breached": case.breached(now)} for case in found]}


@router.post("/cases", status_code=201, dependencies=[WriteDep])
def cases_create(body: NewCase, store: StoreDep, user: UserDep, now: NowDep) -> dict[str, Any]:
    """Open a case by hand, from a feedback item or about a customer."""
    fields = body.model_dump(exclude={"title"})
    title = body.title
    if body.feedback_id is not None:
        customer_id, text = feedback_origin(store, body.feedback_id)
        fields["customer_id"] = body.customer_id or customer_id
        title = title or f"Follow up: {(text or 'feedback').strip()[:120]}"
    case = create_case(store, user=user, title=title or "", now=now, **fields)
    return detail(store, case.id, user)


@router.get("/cases/{case_id}")
def cases_show(case_id: int, store: StoreDep, user: UserDep) -> dict[str, Any]:
    """A case with its internal notes and its audit trail (oldest first)."""
    return detail(store, case_id, user)


@router.patch("/cases/{case_id}", dependencies=[WriteDep])
def cases_update(
    case_id: int, body: CaseChange, store: StoreDep, user: UserDep, now: NowDep
) -> dict[str, Any]:
    """Change status, priority, owner, team (analysts), resolution code or SLA due time.

    ``"owner_id": null`` unassigns the case and ``"sla_due_at": null`` removes its due time.
    """
    given = body.model_dump(exclude_unset=True)
    clear = [name for name in CLEARABLE if name in given and given[name] is None]
    update_case(store, case_id=case_id, user=user, now=now, clear=clear, **given)
    return detail(store, case_id, user)


@router.post("/cases/{case_id}/notes", status_code=201, dependencies=[WriteDep])
def cases_note(
    case_id: int, body: NewNote, store: StoreDep, user: UserDep, now: NowDep
) -> dict[str, Any]:
    """Add an internal note."""
    return add_note(store, case_id=case_id, user=user, body=body.body, now=now).to_dict()
