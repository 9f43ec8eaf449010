"""``klarsyn cases``: list, read and work on cases from the terminal.

Changes are made in the name of a dashboard user (``--user`` or ``KLARSYN_USER``), so the audit
trail says who did what, and that user's role and team limit what they may change.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from klarsyn.actions.cases import (
    CaseStatus,
    add_note,
    get_case,
    list_cases,
    update_case,
)
from klarsyn.actions.trail import audit_trail, notes
from klarsyn.cli.state import console, state
from klarsyn.errors import NotFound
from klarsyn.storage.store import Store
from klarsyn.storage.users import User, find_user

cases_app = typer.Typer(
    help="Cases: follow-up owned by a team, with SLA and audit trail.", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
UserOption = Annotated[
    str, typer.Option("--user", envvar="KLARSYN_USER", help="E-mail of the user making the change.")
]


def _user(store: Store, email: str) -> User:
    user = find_user(store, email=email)
    if user is None:
        raise NotFound(f"no user {email!r}", hint="see: klarsyn user list")
    return user


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


@cases_app.command("list")
def list_command(
    ctx: typer.Context,
    status: Annotated[
        list[CaseStatus] | None, typer.Option(help="Only these (repeatable).")
    ] = None,
    team: Annotated[str | None, typer.Option(help="Only this team's cases.")] = None,
    customer: Annotated[str | None, typer.Option(help="Only this customer's cases.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List cases, newest first."""
    found = list_cases(
        state(ctx).store(),
        user=None,
        status=status or (),
        team=team,
        customer_id=customer,
        limit=limit,
    )
    now = datetime.now(UTC)
    if as_json:
        rows = [case.to_dict() | {"breached": case.breached(now)} for case in found]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("id", "title", "status", "priority", "team", "customer", "due", "SLA")
    for case in found:
        table.add_row(
            str(case.id),
            escape(case.title[:60]),
            case.status.value,
            case.priority,
            escape(case.team or ""),
            escape(case.customer_id or ""),
            _when(case.sla_due_at),
            "[red]breached[/]" if case.breached(now) else "",
        )
    console.print(table)


@cases_app.command("show")
def show_command(
    ctx: typer.Context, case_id: Annotated[int, typer.Argument()], as_json: JsonFlag = False
) -> None:
    """Show a case with its notes and audit trail."""
    store = state(ctx).store()
    case = get_case(store, case_id=case_id, user=None)
    written = notes(store, case_id=case_id)
    trail = audit_trail(store, case_id=case_id)
    if as_json:
        body = case.to_dict() | {
            "notes": [note.to_dict() for note in written],
            "audit": [entry.to_dict() for entry in trail],
        }
        typer.echo(json.dumps(body, ensure_ascii=False))
        return
    console.print(f"[bold]#{case.id} {escape(case.title)}[/]")
    console.print(
        f"{case.status.value} · {case.priority} · team {escape(case.team or '-')} · "
        f"customer {escape(case.customer_id or '-')} · due {_when(case.sla_due_at)}"
    )
    for note in written:
        author = escape(note.author)
        console.print(f"[dim]{_when(note.created_at)} {author}:[/] {escape(note.body)}")
    table = Table("when", "who", "what", "field", "from", "to", title="Audit trail")
    for entry in trail:
        table.add_row(
            _when(entry.at),
            escape(entry.actor),
            entry.action,
            entry.field or "",
            escape(entry.old_value or ""),
            escape(entry.new_value or ""),
        )
    console.print(table)


@cases_app.command("update")
def update_command(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Argument()],
    user: UserOption,
    status: Annotated[CaseStatus | None, typer.Option(help="New status.")] = None,
    priority: Annotated[str | None, typer.Option(help="low, normal, high or urgent.")] = None,
    team: Annotated[str | None, typer.Option(help="Move to this team (analysts).")] = None,
    owner: Annotated[str | None, typer.Option(help="E-mail of the new owner.")] = None,
    resolution: Annotated[
        str | None, typer.Option(help="Resolution code, needed to resolve.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Add an internal note.")] = None,
) -> None:
    """Change a case's status, priority, team, owner or resolution, or add a note."""
    store = state(ctx).store()
    actor = _user(store, user)
    now = datetime.now(UTC)
    owner_id = _user(store, owner).id if owner else None
    case = update_case(
        store,
        case_id=case_id,
        user=actor,
        now=now,
        status=status,
        priority=priority,
        team=team,
        owner_id=owner_id,
        resolution_code=resolution,
    )
    if note:
        add_note(store, case_id=case_id, user=actor, body=note, now=now)
    console.print(f"Case #{case.id}: {case.status.value}, {case.priority}")


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases", rich_help_panel="Act")
