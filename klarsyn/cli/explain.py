"""``klarsyn explain``: why a metric moved, and ``klarsyn findings``: what moved at all."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from klarsyn.analytics.explain import ExplainOptions
from klarsyn.analytics.explain_results import Explanation, as_dict
from klarsyn.analytics.findings import FindingOptions, finding_dict
from klarsyn.cli.metrics import MetricChoice, PeriodChoice
from klarsyn.cli.state import console, state
from klarsyn.errors import InputError
from klarsyn.storage.explain_inputs import ExplainInputs, explain_store, store_findings


def _where(options: list[str] | None) -> dict[str, str]:
    scope = {}
    for option in options or []:
        name, sign, value = option.partition("=")
        if not sign or not name.strip():
            raise InputError(
                f"--where takes ATTRIBUTE=VALUE, not {option!r}",
                hint="e.g. --where 'region=Västra Götaland'",
            )
        scope[name.strip()] = value.strip()
    return scope


def _p(p_value: float) -> str:
    return "< 0.001" if p_value < 0.001 else f"{p_value:.3f}"


def render(explanation: Explanation, inputs: ExplainInputs) -> None:
    """The headline, the ranked causes with their numbers, symptoms and example comments."""
    console.print(f"[bold]{escape(explanation.headline)}[/]")
    if not explanation.causes:
        console.print(
            "[yellow]No clear cause:[/] no segment, campaign, event or theme explains a "
            f"significant share of the change ({explanation.tested:,} candidates tested)."
        )
    else:
        table = Table(title="Causes, best first")
        for column in ("#", "cause", "effect", "explains", "p"):
            table.add_column(column, justify="right" if column in ("#", "explains") else "left")
        for rank, cause in enumerate(explanation.causes, 1):
            label = f"{cause.kind}: {cause.dimension} = {cause.value}"
            table.add_row(
                str(rank),
                escape(label),
                cause.effect,
                f"{cause.explained_share:.0%}",
                _p(cause.p_value),
            )
        console.print(table)
    for rank, cause in enumerate(explanation.causes, 1):
        console.print(f"\n[bold]{rank}.[/] {escape(cause.summary)}")
        if cause.symptoms:
            console.print(f"   Symptoms: {escape(', '.join(cause.symptoms))}")
        texts = inputs.texts(list(cause.examples))
        for example in cause.examples:
            text = " ".join(texts.get(example, "").split())
            short = text if len(text) <= 160 else text[:157] + "…"
            console.print(f"   [dim]{escape(example)}[/] “{escape(short)}”")
    if explanation.themes:
        themes = Table(title="Complaint themes that rose (% of feedback with a negative mention)")
        for column in ("theme", "before", "after", "symptom of"):
            themes.add_column(column, justify="right" if column in ("before", "after") else "left")
        for rise in explanation.themes:
            themes.add_row(
                escape(rise.theme),
                f"{rise.share_before:.1f}",
                f"{rise.share_after:.1f}",
                escape(rise.symptom_of or "-"),
            )
        console.print(themes)


def explain_command(
    ctx: typer.Context,
    period: Annotated[
        str, typer.Option(help="The period to explain: 2026-06, 2026-Q2, 2026 or DAY..DAY.")
    ],
    metric: Annotated[MetricChoice, typer.Option(help="Metric to explain.")] = MetricChoice.nps,
    vs: Annotated[
        str | None,
        typer.Option(help="The period to compare with (default: the one just before)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(help="Attributes to search, comma-separated (default: every attribute)."),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="Explain within a scope, ATTRIBUTE=VALUE (repeatable)."),
    ] = None,
    alpha: Annotated[
        float, typer.Option(help="False discovery rate over all candidate causes.")
    ] = 0.05,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Why did a metric move? The cause, its evidence and its symptoms, or "no clear cause"."""
    if not 0.0 < alpha < 1.0:
        raise InputError(f"--alpha must lie between 0 and 1, not {alpha}", hint="e.g. 0.05")
    app_state = state(ctx)
    attributes = [name.strip() for name in by.split(",") if name.strip()] if by else None
    explanation, inputs = explain_store(
        app_state.store(),
        metric=metric.value,
        period=period,
        vs=vs,
        time_zone=app_state.settings.timezone,
        where=_where(where),
        attributes=attributes,
        options=ExplainOptions(alpha=alpha),
    )
    if as_json:
        sys.stdout.write(json.dumps(as_dict(explanation), ensure_ascii=False) + "\n")
        return
    render(explanation, inputs)


def findings_command(
    ctx: typer.Context,
    period: Annotated[
        PeriodChoice, typer.Option(help="Calendar period of the series.")
    ] = PeriodChoice.month,
    alpha: Annotated[float, typer.Option(help="False discovery rate over all series.")] = 0.05,
    limit: Annotated[int, typer.Option(help="Show at most this many findings.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """What moved beyond normal variation: every metric, overall and per segment."""
    if not 0.0 < alpha < 1.0:
        raise InputError(f"--alpha must lie between 0 and 1, not {alpha}", hint="e.g. 0.05")
    app_state = state(ctx)
    found = store_findings(
        app_state.store(),
        time_zone=app_state.settings.timezone,
        period=period.value,
        options=FindingOptions(alpha=alpha),
    )[:limit]
    if as_json:
        sys.stdout.write(json.dumps([finding_dict(f) for f in found], ensure_ascii=False) + "\n")
        return
    if not found:
        console.print("No findings: every series stayed within its normal variation.")
        return
    table = Table(title=f"Findings: changes beyond normal variation (FDR {alpha:.0%})")
    for column in ("period", "series", "segment", "observed", "expected", "change", "p"):
        right = column in ("observed", "expected", "change")
        table.add_column(column, justify="right" if right else "left")
    for finding in found:
        segment = "all" if finding.dimension is None else f"{finding.dimension} = {finding.value}"
        table.add_row(
            finding.period.isoformat(),
            finding.series,
            escape(segment),
            f"{finding.observed:.1f}",
            f"{finding.expected:.1f}",
            f"{finding.change:+.1f}",
            _p(finding.p_value),
        )
    console.print(table)
    console.print(
        "[dim]Explain one: klarsyn explain --metric nps --period YYYY-MM "
        "[--where ATTRIBUTE=VALUE][/]"
    )


def register(app: typer.Typer) -> None:
    app.command("explain", rich_help_panel="Measure")(explain_command)
    app.command("findings", rich_help_panel="Measure")(findings_command)
