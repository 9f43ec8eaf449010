"""``klarsyn alerts``: rules that watch new feedback, where they notify, and running them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from klarsyn.actions.alerts import run_alerts
from klarsyn.actions.outbox import recent
from klarsyn.actions.rules import (
    ChannelKind,
    RuleKind,
    add_channel,
    add_rule,
    list_channels,
    list_rules,
    remove_channel,
    remove_rule,
)
from klarsyn.cli.state import State, console, state
from klarsyn.errors import InputError

alerts_app = typer.Typer(
    help="Alert rules, notification channels and the outbox.", no_args_is_help=True
)
rule_app = typer.Typer(help="Stored alert rules.", no_args_is_help=True)
channel_app = typer.Typer(
    help="Where alerts are sent: e-mail, Slack, Teams, webhooks.", no_args_is_help=True
)
alerts_app.add_typer(rule_app, name="rule")
alerts_app.add_typer(channel_app, name="channel")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _segment(pairs: list[str]) -> dict[str, str]:
    scope = {}
    for pair in pairs:
        key, sep, value = pair.partition(":")
        if not sep or not key or not value:
            raise InputError(f"--scope {pair!r} is not KEY:VALUE", hint="e.g. --scope region:DK")
        scope[key] = value
    return scope


@rule_app.command("add")
def rule_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the rule is called.")],
    kind: Annotated[RuleKind, typer.Option(help="What the rule looks for.")],
    metric: Annotated[str | None, typer.Option(help="nps, csat, ces or rating.")] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Score at or below which (or theme share from which).")
    ] = None,
    min_value: Annotated[
        float | None, typer.Option(help="low_score: lowest CRM value of a customer.")
    ] = None,
    theme: Annotated[str | None, typer.Option(help="theme_share: the theme key.")] = None,
    word: Annotated[
        list[str] | None, typer.Option(help="leave_intent: an extra phrase (repeatable).")
    ] = None,
    scope: Annotated[
        list[str] | None, typer.Option(help="Segment filter KEY:VALUE (repeatable).")
    ] = None,
    team: Annotated[str | None, typer.Option(help="Team that gets the cases.")] = None,
    channel: Annotated[
        list[str] | None, typer.Option(help="Channel name to notify (repeatable).")
    ] = None,
    priority: Annotated[str, typer.Option(help="low, normal, high or urgent.")] = "normal",
    sla_hours: Annotated[int | None, typer.Option(help="Hours to the SLA due time.")] = None,
    no_case: Annotated[bool, typer.Option("--no-case", help="Notify without a case.")] = False,
    backfill: Annotated[
        bool, typer.Option(help="Also look at feedback that arrived before the rule.")
    ] = False,
) -> None:
    """Add an alert rule."""
    params: dict[str, object] = {}
    if min_value is not None:
        params["min_value"] = min_value
    if theme:
        params["theme"] = theme
    if word:
        params["words"] = word
    rule = add_rule(
        state(ctx).store(),
        name=name,
        kind=kind,
        now=datetime.now(UTC),
        metric=metric,
        threshold=threshold,
        params=params,
        scope=_segment(scope or []),
        route_team=team,
        channels=channel or [],
        create_case=not no_case,
        priority=priority,
        sla_hours=sla_hours,
        backfill=backfill,
    )
    console.print(f"[green]Added[/] rule #{rule.id} {escape(rule.name)} ({rule.kind.value})")


@rule_app.command("list")
def rule_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List alert rules."""
    rules = list_rules(state(ctx).store())
    if as_json:
        typer.echo(json.dumps([rule.to_dict() for rule in rules], ensure_ascii=False))
        return
    table = Table("id", "name", "kind", "scope", "team", "channels", "on")
    for rule in rules:
        table.add_row(
            str(rule.id),
            escape(rule.name),
            rule.kind.value,
            escape(", ".join(f"{k}:{v}" for k, v in rule.scope.items())),
            escape(rule.route_team or ""),
            escape(", ".join(rule.channels)),
            "yes" if rule.enabled else "no",
        )
    console.print(table)


@rule_app.command("remove")
def rule_remove(ctx: typer.Context, rule_id: Annotated[int, typer.Argument()]) -> None:
    """Remove an alert rule (its cases stay)."""
    remove_rule(state(ctx).store(), rule_id=rule_id)
    console.print(f"Removed rule #{rule_id}")


@channel_app.command("add")
def channel_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name that rules refer to.")],
    kind: Annotated[ChannelKind, typer.Option(help="email, slack, teams or webhook.")],
    target: Annotated[str, typer.Option(help="E-mail addresses (comma-separated) or URL.")],
    secret: Annotated[
        str | None,
        typer.Option(envvar="KLARSYN_CHANNEL_SECRET", help="HMAC key of a signed webhook."),
    ] = None,
) -> None:
    """Add a notification channel."""
    add_channel(
        state(ctx).store(),
        name=name,
        kind=kind,
        target=target,
        secret=secret,
        now=datetime.now(UTC),
    )
    console.print(f"[green]Added[/] channel {escape(name)} ({kind.value})")


@channel_app.command("list")
def channel_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List notification channels (secrets are never shown)."""
    channels = list_channels(state(ctx).store())
    if as_json:
        typer.echo(json.dumps([channel.to_dict() for channel in channels]))
        return
    table = Table("name", "kind", "target", "signed")
    for channel in channels:
        signed = "yes" if channel.secret else ""
        table.add_row(escape(channel.name), channel.kind.value, escape(channel.target), signed)
    console.print(table)


@channel_app.command("remove")
def channel_remove(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Remove a notification channel."""
    remove_channel(state(ctx).store(), name=name)
    console.print(f"Removed channel {escape(name)}")


@alerts_app.command("run")
def run_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Evaluate rules over new feedback, mark SLA breaches and send due notifications."""
    app_state = state(ctx)
    result = run_alerts(app_state.store(), settings=app_state.settings, now=datetime.now(UTC))
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "checked": result.evaluation.checked,
                    "alerts": result.evaluation.hits,
                    "cases": result.evaluation.cases,
                    "queued": result.evaluation.queued,
                    "breaches": result.breaches,
                    "sent": result.dispatch.sent,
                    "retrying": result.dispatch.retrying,
                    "failed": result.dispatch.failed,
                }
            )
        )
        return
    console.print(result.summary())


@alerts_app.command("outbox")
def outbox_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many of the newest messages.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Show the newest notifications and whether they were delivered."""
    rows = recent(state(ctx).store(), limit=limit)
    if as_json:
        typer.echo(json.dumps([row.to_dict() for row in rows]))
        return
    table = Table("id", "channel", "event", "status", "tries", "next try", "error")
    for row in rows:
        table.add_row(
            str(row.id),
            escape(row.channel),
            escape(row.key),
            row.status,
            str(row.attempts),
            row.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") if row.status == "pending" else "",
            escape((row.last_error or "")[:80]),
        )
    console.print(table)


def after_import(app_state: State) -> None:
    """Run the loop after new feedback arrived; a receiver that is down only delays its message."""
    result = run_alerts(app_state.store(), settings=app_state.settings, now=datetime.now(UTC))
    if result.evaluation.hits or result.dispatch.sent or result.dispatch.retrying:
        console.print(f"alerts: {result.summary()}")


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts", rich_help_panel="Act")
