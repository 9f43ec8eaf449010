"""Explain: why did a metric move between two periods? The cause first, its symptoms under it.

Candidate causes are every value of every attribute, every pair of values of two attributes,
and every exposure to an event or campaign before the feedback (see `explain_exposure`). Each
is scored by how much of the change it explains, split into mix and rate (see
`explain_contrasts`), and tested; the tests of one search are controlled together by
Benjamini-Hochberg. A cause is reported only when it is significant *and* explains a
meaningful share of the change; otherwise the answer is "no clear cause".

The search is greedy. The candidate with the strongest evidence goes first, because a cause
is most visible where it is concentrated: a store whose customers got unhappier shows a larger
test statistic than the region around it, and a partner late in one region more than the
partner or the region alone. Its rows are then set aside and the search repeats, so that what
only echoed the first cause (the region, the surge in customer-service contacts) falls away.
Themes whose rise disappears with a cause's rows are listed as its symptoms. See
docs/explain.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.explain_exposure import exposures
from klarsyn.analytics.explain_results import Cause, ChangeSummary, Explanation
from klarsyn.analytics.explain_search import (
    PAIR_SIGN,
    ExplainOptions,
    Found,
    Sample,
    effect_of,
    search,
    unit_change,
)
from klarsyn.analytics.explain_tallies import encode_all, levels
from klarsyn.analytics.explain_text import cause_summary, headline
from klarsyn.analytics.explain_themes import (
    ThemeRise,
    negative_mentions,
    symptoms_of,
    theme_rises,
)
from klarsyn.analytics.explain_windows import Window
from klarsyn.analytics.metrics import Metric, metric_named
from klarsyn.analytics.significance import compare
from klarsyn.errors import InputError

__all__ = ["PAIR_SIGN", "RESERVED", "ExplainOptions", "explain"]

# Columns of the feedback frame that are never split on.
RESERVED = frozenset(
    {
        "row_id",
        "id",
        "source",
        "received_at",
        "customer_id",
        "nps",
        "csat",
        "ces",
        "rating",
        "text",
        "text_masked",
        "language",
        "sentiment",
        "sentiment_score",
        "themes",
    }
)


def _attributes(
    frame: pl.DataFrame, wanted: Sequence[str] | None, limit: int, *, event_types: set[str]
) -> list[str]:
    """The attributes to split on. One named like an event type (``campaign``) is exposure data
    joined at import; the exposure search covers it better, knowing the timing and every row
    of the customer, so it is left to that search."""
    if wanted is not None:
        require_columns(frame, wanted, purpose="explaining by attribute")
        return list(wanted)
    names = []
    for name, dtype in frame.schema.items():
        if name in RESERVED or name.startswith("_") or name in event_types:
            continue
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            distinct = frame.get_column(name).n_unique()
            if 2 <= distinct <= limit:
                names.append(name)
    return names


def _examples(
    frame: pl.DataFrame,
    members: np.ndarray,
    *,
    after: np.ndarray,
    score: str,
    telling: np.ndarray,
    limit: int,
) -> tuple[str, ...]:
    """Ids of the later period's comments from a cause's rows, the most telling first: those
    that name one of its symptoms, then the lowest scores."""
    text = "text_masked" if "text_masked" in frame.columns else "text"
    if text not in frame.columns or limit <= 0:
        return ()
    chosen = frame.select("id", text, score).with_columns(
        pl.Series("_in", members & after), pl.Series("_telling", telling)
    )
    has_text = pl.col(text).is_not_null() & (pl.col(text) != "")
    ranked = chosen.filter(pl.col("_in") & has_text).sort(
        ["_telling", score, "id"], descending=[True, False, False], nulls_last=True
    )
    return tuple(str(v) for v in ranked.get_column("id").head(limit).to_list())


def _cause(
    found: Found,
    metric: Metric,
    *,
    symptoms: list[str],
    examples: tuple[str, ...],
    where: Mapping[str, str],
) -> Cause:
    family, i = found.family, found.index
    result = family.result
    value = str(family.labels[i])
    dimension = family.dimension
    if family.kind == "segment" and where:
        # Inside a scope the segment is the scope's part of it: Budgo within Västra Götaland.
        dimension = PAIR_SIGN.join([dimension, *where])
        value = PAIR_SIGN.join([value, *where.values()])
    effect = effect_of(family, i)
    values = (float(result.mean_v[i, 0]), float(result.mean_v[i, 1]))
    rest = (float(result.mean_r[i, 0]), float(result.mean_r[i, 1]))
    weights = (float(result.share[i, 0]), float(result.share[i, 1]))
    summary = cause_summary(
        metric,
        kind=family.kind,
        dimension=dimension,
        value=value,
        effect=effect,
        share=found.share,
        values=values,
        rest=rest,
        weights=weights,
        p_value=found.p_value,
    )

    def scaled(number: float) -> float | None:
        return None if math.isnan(number) else number * metric.unit

    return Cause(
        kind=family.kind,
        dimension=dimension,
        value=value,
        effect=effect,
        explained_share=found.share,
        p_value=found.p_value,
        summary=summary,
        symptoms=tuple(symptoms),
        examples=examples,
        explained=float(result.explained[i]) * metric.unit,
        mix=float(result.mix[i]) * metric.unit,
        rate=float(result.rate[i]) * metric.unit,
        share_before=weights[0],
        share_after=weights[1],
        value_before=scaled(values[0]),
        value_after=scaled(values[1]),
        rest_before=scaled(rest[0]),
        rest_after=scaled(rest[1]),
        n_before=int(result.n[i, 0]),
        n_after=int(result.n[i, 1]),
    )


def _change(
    frame: pl.DataFrame, metric: Metric, after: np.ndarray, *, period: str, vs: str
) -> ChangeSummary:
    scores = frame.get_column(metric.column)
    mask = pl.Series(after)
    change = compare(scores.filter(~mask), scores.filter(mask), metric=metric)
    return ChangeSummary(
        metric=metric.name,
        period=period,
        vs=vs,
        value_before=change.before.value,
        value_after=change.after.value,
        delta=change.difference,
        ci_low=change.low,
        ci_high=change.high,
        p_value=change.p_value,
        n_before=change.before.n,
        n_after=change.after.n,
    )


def _sample(
    frame: pl.DataFrame,
    metric: Metric,
    *,
    after: np.ndarray,
    attributes: list[str],
    events: pl.DataFrame | None,
    options: ExplainOptions,
) -> Sample:
    score = frame.get_column(metric.column)
    level, value = levels(metric, score)
    flags = []
    if events is not None:
        for exposure in exposures(frame, events, window=options.window, min_rows=options.min_n):
            flags.append((exposure.kind, exposure.dimension, exposure.value, exposure.exposed))
    # An attribute named like an event type is exposure data the import already joined.
    return Sample(
        after=after,
        scored=score.is_not_null().to_numpy(),
        level=level,
        value=value,
        attributes=encode_all(frame, attributes),
        flags=flags,
    )


def explain(
    feedback: pl.DataFrame,
    *,
    metric: str | Metric,
    period: Window,
    vs: Window,
    attributes: Sequence[str] | None = None,
    events: pl.DataFrame | None = None,
    mentions: pl.DataFrame | None = None,
    where: Mapping[str, str] | None = None,
    options: ExplainOptions | None = None,
) -> Explanation:
    """Why ``metric`` moved from the ``vs`` window to the ``period`` window.

    ``feedback`` needs ``id``, ``received_at`` (UTC datetime), ``customer_id`` and the metric's
    score column; ``text_masked`` or ``text`` give the example comments. Text columns among
    the rest are the attributes searched (or name them in ``attributes``). ``events``
    (``customer_id``, ``occurred_at``, ``type``, attributes) adds exposures to campaigns and
    events; ``mentions`` (``id``, ``theme``, ``sentiment``: one row per comment and theme) adds
    theme rises and symptoms. ``where`` (attribute → value) explains the change within that
    scope only, e.g. one region; segment causes are then named with the scope.
    """
    spec = metric_named(metric)
    chosen = options or ExplainOptions()
    require_columns(
        feedback, ("id", "received_at", "customer_id", spec.column), purpose="explaining a change"
    )
    if period.start < vs.end and vs.start < period.end:
        raise InputError(
            f"the periods {vs.label!r} and {period.label!r} overlap",
            hint="compare two periods that do not share any day",
        )
    scope = dict(where or {})
    require_columns(feedback, scope, purpose="explaining within a scope")
    inside = pl.lit(True)
    for name, wanted in scope.items():
        inside = inside & (pl.col(name).cast(pl.String) == wanted)
    keep = (
        feedback.select((period.contains() | vs.contains()) & inside).to_series().fill_null(False)
    )
    # Copying ten million rows to keep them all is a cost worth skipping.
    frame = feedback if keep.all() else feedback.filter(keep)
    after = frame.select(period.contains()).to_series().to_numpy()
    change = _change(frame, spec, after, period=period.label, vs=vs.label)
    types = set() if events is None else set(events.get_column("type").drop_nulls().unique())
    names = _attributes(frame, attributes, chosen.max_values, event_types=types)
    sample = _sample(frame, spec, after=after, attributes=names, events=events, options=chosen)
    delta = unit_change(sample, sample.scored)
    # A change within the noise has no cause to find; searching would only dress up noise
    # (and divide by a difference that is not there).
    moved = change.p_value < chosen.alpha
    rounds = chosen.max_causes if moved else 0
    found, tested = search(sample, delta=delta, options=chosen, rounds=rounds)
    flags = {} if mentions is None else negative_mentions(frame.get_column("id"), mentions)
    rises = theme_rises(flags, after, alpha=chosen.alpha)
    causes: list[Cause] = []
    claimed: dict[str, str] = {}
    for item in found:
        symptoms = [t for t in symptoms_of(item.members, rises, flags, after) if t not in claimed]
        label = f"{item.family.dimension} = {item.family.labels[item.index]}"
        claimed |= dict.fromkeys(symptoms, label)
        telling = np.zeros(after.size, dtype=bool)
        for theme in symptoms:
            telling |= flags[theme]
        examples = _examples(
            frame,
            item.members,
            after=after,
            score=spec.column,
            telling=telling,
            limit=chosen.examples,
        )
        causes.append(_cause(item, spec, symptoms=symptoms, examples=examples, where=scope))
    if moved:
        causes += _theme_causes(
            frame, sample, found, rises, claimed, flags, spec, delta=delta, options=chosen
        )
    themes = tuple(
        ThemeRise(r.theme, r.share_before, r.share_after, r.p_value, claimed.get(r.theme))
        for r in rises
    )
    return Explanation(
        change=change,
        causes=tuple(causes),
        themes=themes,
        headline=headline(
            spec,
            delta=change.delta,
            low=change.ci_low,
            high=change.ci_high,
            p_value=change.p_value,
            period=period.label,
            vs=vs.label,
            alpha=chosen.alpha,
        ),
        tested=tested,
    )


def _theme_causes(
    frame: pl.DataFrame,
    sample: Sample,
    found: list[Found],
    rises: list[ThemeRise],
    claimed: dict[str, str],
    flags: dict[str, np.ndarray],
    metric: Metric,
    *,
    delta: float,
    options: ExplainOptions,
) -> list[Cause]:
    """Rising themes that no reported cause accounts for, tested like segments on the rows
    the causes leave over: a complaint is a cause of its own only when nothing explains it."""
    free = [r.theme for r in rises if r.theme not in claimed]
    if not free or len(found) >= options.max_causes:
        return []
    excluded = np.zeros(sample.after.size, dtype=bool)
    for item in found:
        excluded |= item.members
    themed = Sample(
        after=sample.after,
        scored=sample.scored & ~excluded,
        level=sample.level,
        value=sample.value,
        attributes=[],
        flags=[("theme", "theme", theme, flags[theme]) for theme in free],
    )
    more, _ = search(
        themed,
        delta=delta,
        options=options,
        rounds=options.max_causes - len(found),
    )
    return [
        _cause(
            item,
            metric,
            symptoms=[],
            examples=_examples(
                frame,
                item.members,
                after=sample.after,
                score=metric.column,
                telling=item.members,
                limit=options.examples,
            ),
            where={},
        )
        for item in more
    ]
