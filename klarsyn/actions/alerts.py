"""One pass of the closed loop: evaluate rules, mark SLA breaches, send what is due.

``klarsyn alerts run`` and every import call :func:`run_alerts`; nothing in it raises for a
receiver that is down, so an import never fails because a notification could not be sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx

from klarsyn.actions.cases import mark_breaches
from klarsyn.actions.evaluate import Evaluation, evaluate
from klarsyn.actions.notify import Notifier, SmtpSettings
from klarsyn.actions.outbox import DispatchReport, dispatch
from klarsyn.config import Settings
from klarsyn.storage.store import Store


@dataclass(frozen=True, slots=True)
class AlertRun:
    evaluation: Evaluation
    breaches: int
    dispatch: DispatchReport

    def summary(self) -> str:
        return (
            f"{self.evaluation.summary()}; {self.breaches} cases past their SLA; "
            f"notifications: {self.dispatch.summary()}"
        )


def send_due(
    store: Store, *, settings: Settings, now: datetime, http: httpx.Client | None = None
) -> DispatchReport:
    """Send every queued notification that is due now."""
    notifier = Notifier(store, smtp=SmtpSettings.from_settings(settings), http=http)
    try:
        return dispatch(store, send=notifier, now=now)
    finally:
        if http is None:
            notifier.close()


def run_alerts(
    store: Store, *, settings: Settings, now: datetime, http: httpx.Client | None = None
) -> AlertRun:
    evaluation = evaluate(store, now=now, time_zone=settings.timezone)
    breaches = mark_breaches(store, now=now)
    return AlertRun(evaluation, breaches, send_due(store, settings=settings, now=now, http=http))
