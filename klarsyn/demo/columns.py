"""Turning index arrays into the nullable columns of the output tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl


def where(keep: npt.NDArray[np.bool_], values: pl.Series) -> pl.Series:
    """``values`` with null wherever ``keep`` is false."""
    return pl.select(pl.when(pl.lit(pl.Series(keep))).then(pl.lit(values))).to_series()


def scores(values: npt.NDArray[np.int64]) -> pl.Series:
    """Integer scores with null where the score is missing (-1)."""
    return where(values >= 0, pl.Series(values, dtype=pl.Int64))


def labels(
    names: Sequence[str],
    index: npt.NDArray[np.int64],
    keep: npt.NDArray[np.bool_] | None = None,
) -> pl.Series:
    """The name for each index; null where the index is -1 or ``keep`` is false."""
    picked = pl.Series(list(names), dtype=pl.String).gather(np.maximum(index, 0))
    present = index >= 0 if keep is None else keep & (index >= 0)
    return where(present, picked)
