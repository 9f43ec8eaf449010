"""Which complaint themes rose, and which of those rises are symptoms of another cause.

A theme's prevalence is the share of feedback in a period (every channel, scored or not) that
mentions it negatively. A rise is tested with the pooled two-proportion z-test and the rises are
controlled together by Benjamini-Hochberg. A rising theme is a *symptom* of a cause when its
rise mostly disappears (falls below half) once that cause's rows are left out: the customers of
the campaign complain about customer service, the others do not complain more than before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.explain_contrasts import benjamini_hochberg
from klarsyn.analytics.intervals import Floats

MENTION_COLUMNS = ("id", "theme", "sentiment")
# Below this many negative mentions in the two periods together a theme is not worth testing.
MIN_MENTIONS = 10
SYMPTOM_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class ThemeRise:
    """A theme whose negative mentions rose: shares of feedback in percent, before and after."""

    theme: str
    share_before: float
    share_after: float
    p_value: float
    symptom_of: str | None = None


def negative_mentions(ids: pl.Series, mentions: pl.DataFrame) -> dict[str, np.ndarray]:
    """For every theme, which of the rows (by feedback ``ids``) mention it negatively."""
    require_columns(mentions, MENTION_COLUMNS, purpose="theme symptoms")
    index = pl.DataFrame({"id": ids.cast(pl.String)}).with_row_index("_row")
    negative = mentions.filter(pl.col("sentiment") == "negative").select(
        pl.col("id").cast(pl.String), "theme"
    )
    joined = negative.join(index, on="id").select("theme", "_row").unique()
    flags: dict[str, np.ndarray] = {}
    for (theme,), group in joined.group_by("theme", maintain_order=True):
        rows = group.get_column("_row").to_numpy()
        if rows.size >= MIN_MENTIONS:
            flag = np.zeros(ids.len(), dtype=bool)
            flag[rows] = True
            flags[str(theme)] = flag
    return dict(sorted(flags.items()))


def _rise(flag: np.ndarray, after: np.ndarray, keep: np.ndarray) -> tuple[float, float, float]:
    """Shares before and after among the kept rows, and the p-value of the difference."""
    n_b, n_a = float((keep & ~after).sum()), float((keep & after).sum())
    x_b, x_a = float((flag & keep & ~after).sum()), float((flag & keep & after).sum())
    if n_b == 0 or n_a == 0:
        return 0.0, 0.0, 1.0
    p_b, p_a = x_b / n_b, x_a / n_a
    pooled = (x_b + x_a) / (n_b + n_a)
    spread = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n_b + 1.0 / n_a))
    if spread == 0.0:
        return p_b, p_a, 1.0
    return p_b, p_a, float(2.0 * stats.norm.sf(abs(p_a - p_b) / spread))


def theme_rises(
    flags: dict[str, np.ndarray], after: np.ndarray, *, alpha: float
) -> list[ThemeRise]:
    """The themes whose negative share rose significantly, largest rise first."""
    keep = np.ones(after.size, dtype=bool)
    measured = [(theme, *_rise(flag, after, keep)) for theme, flag in flags.items()]
    p: Floats = np.array([m[3] for m in measured], dtype=np.float64)
    adjusted = benjamini_hochberg(p)
    rises = [
        ThemeRise(theme, 100.0 * before, 100.0 * later, float(q))
        for (theme, before, later, _), q in zip(measured, adjusted, strict=True)
        if later > before and q < alpha
    ]
    return sorted(rises, key=lambda r: r.share_before - r.share_after)


def symptoms_of(
    cause: np.ndarray,
    rises: list[ThemeRise],
    flags: dict[str, np.ndarray],
    after: np.ndarray,
) -> list[str]:
    """The rising themes whose rise mostly disappears when the ``cause`` rows are left out."""
    found = []
    for rise in rises:
        before, later, _ = _rise(flags[rise.theme], after, ~cause)
        overall = rise.share_after - rise.share_before
        if 100.0 * (later - before) < SYMPTOM_SHARE * overall:
            found.append(rise.theme)
    return found
