"""Tallies of a metric per segment value and period, for every candidate at once.

An explanation compares thousands of candidate segments. Rather than one group-by per segment,
each attribute is encoded once as dense integer codes, and one ``numpy.bincount`` per attribute
(or pair of attributes) counts the rows per code, period and score level. Scores are whole
numbers on a known scale, so the counts per level give the sums every test needs (n, Σy, Σy²)
for any metric. That is what lets ten million rows be explained in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from klarsyn.analytics.intervals import Floats, Ints
from klarsyn.analytics.metrics import Metric
from klarsyn.errors import InputError


@dataclass(frozen=True, slots=True)
class Encoded:
    """An attribute as dense codes ``0..size-1`` (one per row) and the label of each code."""

    name: str
    codes: Ints
    labels: tuple[str | None, ...]

    @property
    def size(self) -> int:
        return len(self.labels)


@dataclass(frozen=True, slots=True)
class Cells:
    """Sums per code (rows) and period (columns: before, after) on the metric's unit scale."""

    n: Floats
    s1: Floats
    s2: Floats

    def total(self) -> Cells:
        """The sums over every code: one row, the whole sample."""
        return Cells(
            self.n.sum(axis=0, keepdims=True),
            self.s1.sum(axis=0, keepdims=True),
            self.s2.sum(axis=0, keepdims=True),
        )


def _dense(name: str, categorical: pl.Series) -> Encoded:
    physical = categorical.to_physical()
    highest = physical.max()
    null_code = 0 if highest is None else int(highest) + 1  # type: ignore[arg-type]
    raw = physical.fill_null(null_code).to_numpy().astype(np.int64)
    present = np.bincount(raw, minlength=null_code + 1) > 0
    ids = np.flatnonzero(present)
    remap = np.full(null_code + 1, -1, dtype=np.int64)
    remap[ids] = np.arange(ids.size)
    # The distinct values know their own ids: no pass over the rows is needed for the labels.
    distinct = categorical.unique()
    label_of = dict(
        zip(
            distinct.to_physical().fill_null(null_code).to_list(),
            distinct.cast(pl.String).to_list(),
            strict=True,
        )
    )
    labels = tuple(label_of[int(i)] for i in ids)
    return Encoded(name, remap[raw], labels)


def encode_all(frame: pl.DataFrame, names: list[str]) -> list[Encoded]:
    """Dense codes of text (or categorical) columns; null is a code of its own.

    All columns are cast in one Polars query, which encodes them in parallel.
    """
    if not names:
        return []
    encoded = frame.select(pl.col(name).cast(pl.String).cast(pl.Categorical) for name in names)
    return [_dense(name, encoded.get_column(name)) for name in names]


def encode(series: pl.Series) -> Encoded:
    """Dense codes of one text column (see `encode_all`)."""
    return encode_all(series.to_frame(), [series.name])[0]


def levels(metric: Metric, scores: pl.Series) -> tuple[Ints, Floats]:
    """Each score as a level index into its scale, and each level's value on the unit scale.

    NPS levels are worth +1 (promoter), 0 or -1 (detractor); shares 1 or 0; means the score.
    """
    if metric.scale is None:
        raise InputError(
            f"explaining {metric.name} needs a metric with a known scale",
            hint="use nps, csat, ces, ces_easy or rating",
        )
    lowest, highest = (int(bound) for bound in metric.scale)
    points = np.arange(lowest, highest + 1, dtype=np.float64)
    if metric.kind == "mean":
        value = points
    else:
        value = (points >= float(metric.top or 0)).astype(np.float64)
        if metric.kind == "net":
            value = value - (points <= float(metric.bottom or 0)).astype(np.float64)
    index = scores.cast(pl.Int64).fill_null(lowest).to_numpy().astype(np.int64) - lowest
    return index, value


def slots(*, after: Ints, level: Ints, width: int) -> Ints:
    """Each row's period and score level as one number, computed once per search round."""
    result: Ints = after * width + level
    return result


def cells(key: Ints, size: int, *, slot: Ints, value: Floats) -> Cells:
    """The sums per ``key`` (0..size-1) and period from one pass over the rows; ``slot`` is
    `slots` of the same rows."""
    return counted_cells(key * (2 * value.size) + slot, size, value=value)


def counted_cells(flat: Ints, size: int, *, value: Floats) -> Cells:
    """`cells` from each row's key, period and level already joined into one number."""
    width = value.size
    counts = np.bincount(flat, minlength=size * 2 * width)
    grid = counts.reshape(size, 2, width).astype(np.float64)
    return Cells(grid.sum(axis=2), grid @ value, grid @ (value * value))
