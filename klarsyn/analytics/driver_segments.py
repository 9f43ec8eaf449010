"""Drivers per segment, and where two segments' drivers differ beyond chance.

Each segment (a level of the segment column: region, channel, store) gets its own key driver
analysis over the same predictors, encoded once on the whole frame so that ``region=DK`` means the
same everywhere. Segments draw independent bootstrap replicates, so pairing replicate ``b`` of one
with replicate ``b`` of another samples the difference of two independent estimates; its
percentile interval says whether a driver matters more in one segment than in the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import polars as pl

from klarsyn.analytics.contracts import require_columns
from klarsyn.analytics.driver_bootstrap import interval
from klarsyn.analytics.driver_data import plan_predictors
from klarsyn.analytics.driver_models import Fit
from klarsyn.analytics.drivers import KeyDrivers, Method, Model, Options, analyse
from klarsyn.errors import InputError


@dataclass(frozen=True, slots=True)
class SegmentDrivers:
    """Per-segment results and the pairwise differences of importance.

    ``differences`` has one row per driver and pair of segments: ``driver``, ``segment_a``,
    ``segment_b``, ``importance_a``, ``importance_b``, ``difference`` (a minus b),
    ``difference_low``, ``difference_high`` and ``significant`` (the interval excludes 0),
    significant rows first, then by the size of the difference. ``skipped`` lists the segments
    with fewer than ``min_customers`` customers, which are not analysed.
    """

    segment: str
    results: Mapping[str, KeyDrivers]
    differences: pl.DataFrame
    skipped: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict of the per-segment results and the differences."""
        return {
            "segment": self.segment,
            "results": {name: result.to_dict() for name, result in self.results.items()},
            "differences": self.differences.to_dicts(),
            "skipped": list(self.skipped),
        }


def compare_segments(
    frame: pl.DataFrame,
    *,
    segment: str,
    outcome: str,
    themes: Sequence[str] = (),
    attributes: Sequence[str] = (),
    controls: Sequence[str] = (),
    customer: str = "customer_id",
    model: Model = "auto",
    method: Method = "auto",
    higher_is_better: bool = True,
    per_customer: bool = True,
    reference: Mapping[str, str] | None = None,
    max_levels: int = 20,
    min_customers: int = 30,
    replicates: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> SegmentDrivers:
    """`klarsyn.analytics.drivers.key_drivers` per level of ``segment``, compared pairwise.

    Needs the columns `key_drivers` needs plus ``segment``; rows without a segment are left out.
    """
    require_columns(frame, [segment], purpose="segment comparison of drivers")
    if replicates < 1:
        raise InputError(
            "comparing segments needs bootstrap replicates, got replicates=0",
            hint="use replicates=200",
        )
    options = Options(
        outcome=outcome,
        controls=tuple(controls),
        customer=customer,
        model=model,
        method=method,
        higher_is_better=higher_is_better,
        per_customer=per_customer,
        value=None,
        churn=None,
        period=None,
        text=None,
        examples=0,
        replicates=replicates,
        confidence=confidence,
        seed=seed,
    )
    predictors = plan_predictors(
        frame,
        themes=themes,
        attributes=[*attributes, *controls],
        reference=reference,
        max_levels=max_levels,
    )
    labelled = frame.filter(pl.col(segment).is_not_null())
    levels = sorted(labelled.get_column(segment).cast(pl.String).unique().to_list())
    results: dict[str, KeyDrivers] = {}
    fits: dict[str, Fit] = {}
    skipped = []
    for index, level in enumerate(levels):
        rows = labelled.filter(pl.col(segment).cast(pl.String) == level)
        if rows.get_column(customer).n_unique() < min_customers:
            skipped.append(level)
            continue
        results[level], fits[level] = analyse(
            rows, predictors=predictors, options=options, stream=(seed, index + 1)
        )
    names = [p.name for p in predictors]
    table = _differences(names, fits, confidence=confidence)
    return SegmentDrivers(segment, results, table, tuple(skipped))


def _differences(
    names: Sequence[str], fits: Mapping[str, Fit], *, confidence: float
) -> pl.DataFrame:
    parts = []
    for a, b in combinations(sorted(fits), 2):
        first, second = fits[a], fits[b]
        estimate = first.importance - second.importance
        spread = first.importance_replicates - second.importance_replicates
        low, high = interval(estimate, replicates=spread, confidence=confidence)
        parts.append(
            pl.DataFrame(
                {
                    "driver": list(names),
                    "segment_a": [a] * len(names),
                    "segment_b": [b] * len(names),
                    "importance_a": first.importance,
                    "importance_b": second.importance,
                    "difference": estimate,
                    "difference_low": low,
                    "difference_high": high,
                    "significant": (low > 0) | (high < 0),
                }
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "driver": pl.String,
                "segment_a": pl.String,
                "segment_b": pl.String,
                "importance_a": pl.Float64,
                "importance_b": pl.Float64,
                "difference": pl.Float64,
                "difference_low": pl.Float64,
                "difference_high": pl.Float64,
                "significant": pl.Boolean,
            }
        )
    table = pl.concat(parts)
    order = np.lexsort(
        (
            -np.abs(table.get_column("difference").to_numpy()),
            ~table.get_column("significant").to_numpy(),
        )
    )
    return table[order]
