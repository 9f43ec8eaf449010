"""Findings: which metrics moved beyond their normal variation, overall and per segment.

Every series (a metric overall or in one segment, feedback volume per channel, the negative
share of a theme, the share of customers raising a theme) is tallied per calendar period. Each
period is compared with what its own history leads us to expect:

- the **level** is the median of the preceding ``window`` periods, so one past spike does not
  move it (a mean would);
- the **season**, when a year of history exists, adds how far the same period last year stood
  from its own preceding median (a December that always dips is not news);
- the **spread** adds the period's own sampling variance to the between-period variance of the
  history (from its median absolute deviation, again robust to spikes), so a series that always
  wobbles needs a larger move to count.

The z-scores of all periods of all series are tested together and controlled by
Benjamini-Hochberg, so watching hundreds of series does not raise a finding a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.explain import RESERVED
from klarsyn.analytics.explain_contrasts import benjamini_hochberg
from klarsyn.analytics.explain_tallies import levels
from klarsyn.analytics.metrics import metric_named
from klarsyn.analytics.periods import period_starts

SEASON = 12  # months: the same period a year earlier


@dataclass(frozen=True, slots=True)
class FindingOptions:
    """``window``: preceding periods that set the level; ``min_baseline``: the fewest needed;
    ``min_n``: responses a period needs to be judged; ``alpha``: false discovery rate."""

    window: int = 6
    min_baseline: int = 4
    min_n: int = 30
    alpha: float = 0.05
    max_values: int = 50


@dataclass(frozen=True, slots=True)
class Finding:
    """One period of one series that moved beyond its normal variation."""

    series: str  # nps, csat, ces, rating, volume, theme (negative share), theme_customers
    dimension: str | None
    value: str | None
    period: dt.date
    observed: float
    expected: float
    change: float
    z: float
    p_value: float
    n: int

    @property
    def direction(self) -> str:
        return "up" if self.change > 0 else "down"


def _series_tallies(frame: pl.DataFrame, y: str, keys: list[str]) -> pl.DataFrame:
    return frame.group_by(["period", *keys]).agg(
        pl.len().alias("n"), pl.col(y).sum().alias("s1"), (pl.col(y) ** 2).sum().alias("s2")
    )


def _judge(
    values: np.ndarray, variances: np.ndarray, n: np.ndarray, options: FindingOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Expected values and z-scores of one series (periods in order, NaN where unusable)."""
    size = values.size
    expected = np.full(size, np.nan)
    z = np.full(size, np.nan)
    usable = (n >= options.min_n) & np.isfinite(values)
    for t in range(size):
        history = [s for s in range(max(0, t - options.window), t) if usable[s]]
        if not usable[t] or len(history) < options.min_baseline:
            continue
        past = values[history]
        level = float(np.median(past))
        seasonal = 0.0
        year_ago = t - SEASON
        if year_ago >= 0 and usable[year_ago]:
            before = [s for s in range(max(0, year_ago - options.window), year_ago) if usable[s]]
            if len(before) >= options.min_baseline:
                seasonal = float(values[year_ago] - np.median(values[before]))
        mad = 1.4826 * float(np.median(np.abs(past - level)))
        sampling = float(np.mean(variances[history]))
        between = max(mad * mad - sampling, 0.0)
        # The median of k values is about pi/2 times as variable as their mean.
        spread = variances[t] + between + np.pi / 2 * (sampling + between) / len(history)
        expected[t] = level + seasonal
        if spread > 0:
            z[t] = (values[t] - expected[t]) / np.sqrt(spread)
    return expected, z


def _findings_of(
    table: pl.DataFrame, *, series: str, dimension: str | None, unit: float, options: FindingOptions
) -> list[tuple[Finding, float]]:
    """(finding, p) for every judged period of every segment in ``table``."""
    found = []
    key = "value" if dimension is not None else None
    groups = table.partition_by(key, as_dict=True) if key else {(None,): table}
    for (segment,), group in groups.items():
        ordered = group.sort("period")
        values = ordered.get_column("estimate").to_numpy().astype(float)
        variances = ordered.get_column("variance").to_numpy().astype(float)
        n = ordered.get_column("n").to_numpy()
        expected, z = _judge(values, variances, n, options)
        for t in np.flatnonzero(np.isfinite(z)):
            p = float(2.0 * stats.norm.sf(abs(z[t])))
            finding = Finding(
                series=series,
                dimension=dimension,
                value=None if segment is None else str(segment),
                period=ordered.get_column("period")[int(t)],
                observed=float(values[t]) * unit,
                expected=float(expected[t]) * unit,
                change=float(values[t] - expected[t]) * unit,
                z=float(z[t]),
                p_value=p,
                n=int(n[t]),
            )
            found.append((finding, p))
    return found


def _complete(table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Every period for every segment (a month without responses has n = 0), in order."""
    periods = table.select("period").unique()
    segments = table.select(keys).unique() if keys else pl.DataFrame()
    grid = periods.join(segments, how="cross") if keys else periods
    filled = grid.join(table, on=["period", *keys], how="left", nulls_equal=True)
    return filled.with_columns(pl.col("n", "s1", "s2").fill_null(0))


def _estimates(table: pl.DataFrame) -> pl.DataFrame:
    mean = pl.col("s1") / pl.col("n")
    spread = (pl.col("s2") - pl.col("s1") ** 2 / pl.col("n")) / (pl.col("n") - 1)
    return table.with_columns(
        mean.alias("estimate"), (spread.clip(lower_bound=0.0) / pl.col("n")).alias("variance")
    )


def findings(
    feedback: pl.DataFrame,
    *,
    time_zone: str,
    metrics: Sequence[str] = ("nps", "csat", "ces", "rating"),
    attributes: Sequence[str] | None = None,
    mentions: pl.DataFrame | None = None,
    period: str = "month",
    options: FindingOptions | None = None,
) -> list[Finding]:
    """Every period of every series that moved beyond its normal variation, surest first.

    ``feedback`` needs ``id``, ``received_at`` and ``channel`` and the score columns of
    ``metrics``; text columns among the rest are the segments (or name them in
    ``attributes``). ``mentions`` (``id``, ``theme``, ``sentiment``) adds each theme's
    negative share.
    """
    chosen = options or FindingOptions()
    require_columns(feedback, ("id", "received_at", "channel"), purpose="findings")
    frame = feedback.with_columns(period_starts(feedback, period, time_zone=time_zone))
    names = (
        list(attributes)
        if attributes is not None
        else [
            name
            for name, dtype in frame.schema.items()
            if name not in RESERVED
            and name != "period"
            and dtype == pl.String
            and 2 <= frame.get_column(name).n_unique() <= chosen.max_values
        ]
    )
    tested: list[tuple[Finding, float]] = []
    for name in metrics:
        spec = metric_named(name)
        if spec.column not in frame.columns:
            continue
        scored = frame.filter(pl.col(spec.column).is_not_null())
        if scored.is_empty():
            continue
        index, value = levels(spec, scored.get_column(spec.column))
        scored = scored.with_columns(pl.Series("_y", value[index]))
        for dimension in [None, *names]:
            keys = [] if dimension is None else [dimension]
            table = _estimates(_complete(_series_tallies(scored, "_y", keys), keys))
            if dimension is not None:
                table = table.rename({dimension: "value"}).filter(pl.col("value").is_not_null())
            tested += _findings_of(
                table, series=spec.name, dimension=dimension, unit=spec.unit, options=chosen
            )
    tested += _volume(frame, chosen)
    if mentions is not None:
        tested += _themes(frame, mentions, chosen)
    if not tested:
        return []
    adjusted = benjamini_hochberg(np.array([p for _, p in tested]))
    kept = [
        _with_p(finding, float(q))
        for (finding, _), q in zip(tested, adjusted, strict=True)
        if q < chosen.alpha
    ]
    return _distinct(sorted(kept, key=lambda f: (f.p_value, f.dimension is not None, -abs(f.z))))


def _distinct(found: list[Finding]) -> list[Finding]:
    """One finding per distinct set of responses: when every NPS answer comes from surveys,
    "NPS of channel survey" is NPS itself and says nothing more."""
    seen: set[tuple[str, dt.date, float, int]] = set()
    kept = []
    for finding in found:
        key = (finding.series, finding.period, round(finding.observed, 9), finding.n)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def _with_p(finding: Finding, p: float) -> Finding:
    return Finding(**{**{s: getattr(finding, s) for s in Finding.__slots__}, "p_value": p})


def _volume(frame: pl.DataFrame, options: FindingOptions) -> list[tuple[Finding, float]]:
    """Feedback per channel and period; a count's sampling variance is the count (Poisson)."""
    counts = _complete(
        frame.group_by("period", "channel")
        .agg(pl.len().alias("n"))
        .with_columns(s1=pl.lit(0.0), s2=pl.lit(0.0)),
        ["channel"],
    )
    table = counts.with_columns(
        pl.col("n").cast(pl.Float64).alias("estimate"),
        pl.col("n").cast(pl.Float64).alias("variance"),
    ).rename({"channel": "value"})
    return _findings_of(table, series="volume", dimension="channel", unit=1.0, options=options)


def _themes(
    frame: pl.DataFrame, mentions: pl.DataFrame, options: FindingOptions
) -> list[tuple[Finding, float]]:
    """Each theme's share of feedback with a negative mention of it, per period; and its reach:
    the share of the period's customers who raised it at all (one voice per customer, so a few
    customers writing again and again do not make a theme spread)."""
    require_columns(mentions, ("id", "theme", "sentiment"), purpose="theme findings")
    who = pl.col("customer_id") if "customer_id" in frame.columns else pl.lit(None)
    voices = frame.select("id", "period", pl.coalesce(who, pl.col("id")).alias("_who"))
    negative = mentions.filter(pl.col("sentiment") == "negative").select("id", "theme").unique()
    raised = mentions.select("id", "theme").unique().join(voices, on="id")
    return _shares(
        voices.group_by("period").agg(pl.len().alias("n")),
        negative.join(voices, on="id").group_by("period", "theme").agg(pl.len().alias("s1")),
        series="theme",
        options=options,
    ) + _shares(
        voices.group_by("period").agg(pl.col("_who").n_unique().alias("n")),
        raised.group_by("period", "theme").agg(pl.col("_who").n_unique().alias("s1")),
        series="theme_customers",
        options=options,
    )


def _shares(
    totals: pl.DataFrame, hits: pl.DataFrame, *, series: str, options: FindingOptions
) -> list[tuple[Finding, float]]:
    """Findings of ``hits / n`` per period and theme, a binomial share."""
    themes = hits.select("theme").unique()
    grid = totals.join(themes, how="cross").join(hits, on=["period", "theme"], how="left")
    share = pl.col("s1").fill_null(0) / pl.col("n")
    table = grid.with_columns(
        share.alias("estimate"), (share * (1 - share) / pl.col("n")).alias("variance")
    ).rename({"theme": "value"})
    return _findings_of(table, series=series, dimension="theme", unit=100.0, options=options)


def finding_dict(finding: Finding) -> dict[str, object]:
    """The JSON form of a finding (``klarsyn findings --json``, ``GET /api/v1/findings``)."""
    return {
        "series": finding.series,
        "dimension": finding.dimension,
        "value": finding.value,
        "period": finding.period.isoformat(),
        "observed": round(finding.observed, 4),
        "expected": round(finding.expected, 4),
        "change": round(finding.change, 4),
        "direction": finding.direction,
        "z": round(finding.z, 3),
        "p_value": finding.p_value,
        "n": finding.n,
    }
