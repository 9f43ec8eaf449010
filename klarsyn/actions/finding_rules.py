"""What a ``finding`` rule alerts on: a score that moved beyond its normal variation this month or
last, in the rule's segment, with the cause Explain finds for it (or "no clear cause yet").

The rule's scope picks the series: no scope watches the whole company, ``{"region": "DK"}``
watches Denmark's scores. ``params["metrics"]`` narrows the scores watched (all four by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from klarsyn.actions.rules import Rule
from klarsyn.analytics.findings import Finding
from klarsyn.errors import KlarsynError
from klarsyn.storage.explain_inputs import explain_store, store_findings
from klarsyn.storage.store import Store

SCORES = ("nps", "csat", "ces", "rating")


@dataclass(frozen=True, slots=True)
class FindingAlert:
    key: str  # one alert per series, segment and month, however often the rules run
    reason: str


def _watched(rule: Rule, finding: Finding) -> bool:
    metrics = rule.params.get("metrics") or SCORES
    if finding.series not in metrics:
        return False
    if not rule.scope:
        return finding.dimension is None
    if len(rule.scope) != 1:
        return False
    (dimension, value), *_ = rule.scope.items()
    return finding.dimension == dimension and finding.value == str(value)


def _recent(period: date, now: datetime, time_zone: str) -> bool:
    today = now.astimezone(ZoneInfo(time_zone)).date()
    months = (today.year - period.year) * 12 + today.month - period.month
    return months <= 1


def _cause(store: Store, rule: Rule, finding: Finding, time_zone: str) -> str:
    month = f"{finding.period:%Y-%m}"
    try:
        explanation, _ = explain_store(
            store,
            metric=finding.series,
            period=month,
            vs=None,
            time_zone=time_zone,
            where={k: str(v) for k, v in rule.scope.items()} or None,
        )
    except KlarsynError:
        return "no clear cause yet"
    if not explanation.causes:
        return "no clear cause yet"
    return f"cause: {explanation.causes[0].summary}"


def finding_alerts(
    store: Store, rule: Rule, *, now: datetime, time_zone: str
) -> list[FindingAlert]:
    """The findings ``rule`` watches in the current and the last month, each with its cause."""
    found = store_findings(store, time_zone=time_zone)
    alerts = []
    for finding in found:
        if not _watched(rule, finding) or not _recent(finding.period, now, time_zone):
            continue
        segment = f" ({finding.dimension} = {finding.value})" if finding.dimension else ""
        reason = (
            f"{finding.series.upper()}{segment} {finding.observed:.1f} in "
            f"{finding.period:%Y-%m}, expected {finding.expected:.1f}; "
            f"{_cause(store, rule, finding, time_zone)}"
        )
        key = f"finding:{finding.series}:{finding.dimension}:{finding.value}:{finding.period}"
        alerts.append(FindingAlert(key=key, reason=reason))
    return alerts
