"""The latest findings (changes beyond normal variation) of the scores, as pages show them."""

from __future__ import annotations

from klarsyn.analytics.findings import Finding
from klarsyn.storage.explain_inputs import store_findings
from klarsyn.storage.store import Store
from klarsyn.web.mirror_cache import MirrorCache

SCORE_SERIES = frozenset({"nps", "csat", "ces", "ces_easy", "rating"})
SHOWN = 12
KEY = "score-findings"
MAX_AGE = 300.0


def _compute(mirror: MirrorCache, store: Store, time_zone: str) -> list[Finding]:
    found = store_findings(store, time_zone=time_zone, scan=mirror.scan())
    scores = [f for f in found if f.series in SCORE_SERIES]
    # Newest period first; within it the whole company before its segments, then the surest.
    return sorted(scores, key=lambda f: (f.period, f.dimension is None, abs(f.z)), reverse=True)[
        :SHOWN
    ]


def latest_findings(mirror: MirrorCache, store: Store, *, time_zone: str) -> list[Finding]:
    """The newest score findings, most recent period first, remembered a few minutes."""
    return mirror.memo(KEY, lambda: _compute(mirror, store, time_zone), max_age=MAX_AGE)


def findings_if_ready(mirror: MirrorCache, store: Store, *, time_zone: str) -> list[Finding] | None:
    """The same, or ``None`` while they are first computed in the background."""
    return mirror.ready(KEY, lambda: _compute(mirror, store, time_zone), max_age=MAX_AGE)
