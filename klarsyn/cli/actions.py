"""``klarsyn actions``: action plans with their measured effect, and team scorecards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import polars as pl
import typer
from rich.markup import escape
from rich.table import Table

from klarsyn.actions.plans import PlanStatus, add_plan, get_plan, list_plans, plan_effect
from klarsyn.actions.scorecards import scorecards
from klarsyn.cli.state import console, state
from klarsyn.errors import InputError
from klarsyn.storage import mirror
from klarsyn.storage.store import Store

actions_app = typer.Typer(
    help="Action plans, their measured effect, and team scorecards.", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _segment(pairs: list[str] | None, option: str) -> dict[str, str]:
    found = {}
    for pair in pairs or []:
        key, sep, value = pair.partition(":")
        if not sep or not key or not value:
            hint = f"e.g. {option} country:DK"
            raise InputError(f"{option} {pair!r} is not KEY:VALUE", hint=hint)
        found[key] = value
    return found


@actions_app.command("add")
def add_command(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What will change.")],
    start: Annotated[datetime, typer.Option(help="When it started (or starts), e.g. 2026-03-01.")],
    metric: Annotated[str, typer.Option(help="nps, csat, ces or rating.")] = "nps",
    target: Annotated[
        list[str] | None, typer.Option(help="Target segment KEY:VALUE (repeatable).")
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(help="Comparison segment KEY:VALUE; default: everyone outside the target."),
    ] = None,
    no_comparison: Annotated[
        bool, typer.Option("--no-comparison", help="Measure against the target's own trend.")
    ] = False,
    driver: Annotated[str | None, typer.Option(help="The driver it answers.")] = None,
    theme: Annotated[str | None, typer.Option(help="The theme it answers.")] = None,
    finding: Annotated[str | None, typer.Option(help="The finding it answers.")] = None,
    team: Annotated[str | None, typer.Option(help="Team that owns it.")] = None,
    milestone: Annotated[list[str] | None, typer.Option(help="A milestone (repeatable).")] = None,
    status: Annotated[PlanStatus, typer.Option(help="planned, active, done or cancelled.")] = (
        PlanStatus.active
    ),
) -> None:
    """Add an action plan."""
    zone = start.tzinfo or UTC
    plan = add_plan(
        state(ctx).store(),
        title=title,
        metric=metric,
        start_at=start.replace(tzinfo=zone),
        target=_segment(target, "--target"),
        comparison={} if no_comparison else (_segment(compare, "--compare") or None),
        driver=driver,
        theme=theme,
        finding=finding,
        team=team,
        status=status,
        milestones=[(name, None) for name in milestone or []],
        now=datetime.now(UTC),
    )
    console.print(f"[green]Added[/] action plan #{plan.id} {escape(plan.title)}")


@actions_app.command("list")
def list_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List action plans."""
    plans = list_plans(state(ctx).store())
    if as_json:
        typer.echo(json.dumps([plan.to_dict() for plan in plans], ensure_ascii=False))
        return
    table = Table("id", "title", "status", "metric", "target", "since", "team")
    for plan in plans:
        table.add_row(
            str(plan.id),
            escape(plan.title),
            plan.status.value,
            plan.metric,
            escape(", ".join(f"{k}:{v}" for k, v in plan.target.items()) or "everyone"),
            plan.start_at.date().isoformat(),
            escape(plan.team or ""),
        )
    console.print(table)


@actions_app.command("show")
def show_command(
    ctx: typer.Context,
    plan_id: Annotated[int, typer.Argument()],
    period: Annotated[str, typer.Option(help="day, week, month or quarter.")] = "week",
    as_json: JsonFlag = False,
) -> None:
    """Show an action plan with its milestones and measured effect."""
    store = state(ctx).store()
    plan = get_plan(store, plan_id=plan_id)
    effect = plan_effect(plan, _feedback(store), period=period)
    if as_json:
        typer.echo(json.dumps(plan.to_dict() | {"effect": effect.to_dict()}, ensure_ascii=False))
        return
    console.print(f"[bold]#{plan.id} {escape(plan.title)}[/] ({plan.status.value})")
    for milestone in plan.milestones:
        mark = "[green]✓[/]" if milestone.done_at else "·"
        due = milestone.due_at.date().isoformat() if milestone.due_at else ""
        console.print(f"  {mark} {escape(milestone.title)} {due}")
    console.print(f"[bold]Effect[/] ({effect.method}): {escape(effect.statement)}")


@actions_app.command("scorecards")
def scorecards_command(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(help="The last this many days.")] = 90,
    as_json: JsonFlag = False,
) -> None:
    """Per team: cases handled, SLA kept, loops closed, score follow-up, positive feedback."""
    now = datetime.now(UTC)
    cards = scorecards(state(ctx).store(), since=now - timedelta(days=days), until=now, now=now)
    if as_json:
        typer.echo(json.dumps([card.to_dict() for card in cards]))
        return
    table = Table("team", "handled", "SLA kept", "loops closed", "follow-up", "promoters", "open")
    for card in cards:
        table.add_row(
            escape(card.team),
            str(card.handled),
            "" if card.sla_kept is None else f"{card.sla_kept:.0%}",
            str(card.loops_closed),
            "" if card.follow_up is None else f"{card.follow_up:+.1f} (n={card.follow_up_n})",
            str(card.positive_feedback),
            f"{card.open} ({card.open_breached} late)",
        )
    console.print(table)


def _feedback(store: Store) -> pl.DataFrame:
    return mirror.scan_feedback(store).collect()


def seed_loop(store: Store) -> None:
    """Give the demo company its rules, first cases and action plans."""
    from klarsyn.demo.actions import seed_demo_actions

    seeded = seed_demo_actions(store, now=datetime.now(UTC))
    console.print(
        f"{'loop':>10}: {seeded.rules} alert rules, {seeded.cases} cases, "
        f"{seeded.plans} action plans"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(actions_app, name="actions", rich_help_panel="Act")
