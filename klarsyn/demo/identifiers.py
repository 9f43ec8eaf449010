"""External ids of the demo company's records: ``c-000001``, ``fb-000001``, ``ev-0000001``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl


def external_ids(prefix: str, numbers: npt.NDArray[np.int64], *, width: int) -> pl.Series:
    """``prefix`` followed by each number, zero-padded to ``width`` digits."""
    digits = pl.Series(numbers).cast(pl.String).str.zfill(width)
    return pl.select(pl.lit(prefix) + digits).to_series()


def customer_ids(indices: npt.NDArray[np.int64]) -> pl.Series:
    """External ids of customer indices (index 0 is ``c-000001``)."""
    return external_ids("c-", indices + 1, width=6)


def customer_index(customer_id: str) -> int:
    """The index of an external customer id."""
    return int(customer_id.removeprefix("c-")) - 1


def order_ids(numbers: npt.NDArray[np.int64]) -> pl.Series:
    """Order numbers as customers see them on receipts (``NH-4711023``)."""
    return external_ids("NH-", numbers, width=7)
