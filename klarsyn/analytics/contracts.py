"""Checks that a frame honours the column contract a function's docstring names."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from klarsyn.errors import SchemaError


def require_columns(frame: pl.DataFrame, columns: Iterable[str], *, purpose: str) -> None:
    """Raise `SchemaError` naming every column ``purpose`` needs that ``frame`` lacks."""
    missing = [column for column in dict.fromkeys(columns) if column not in frame.columns]
    if missing:
        raise SchemaError(
            f"{purpose} needs the column(s) {', '.join(repr(c) for c in missing)}; "
            f"the frame has {', '.join(repr(c) for c in frame.columns) or 'no columns'}",
            hint="rename the columns or pass the right names as arguments",
            missing=missing,
        )


def require_numeric(frame: pl.DataFrame, column: str, *, purpose: str) -> None:
    """Raise `SchemaError` when ``column`` is not numeric (nulls alone are fine)."""
    dtype = frame.schema[column]
    if not (dtype.is_numeric() or dtype == pl.Null):
        raise SchemaError(
            f"{purpose} needs {column!r} to be numeric, but it is {dtype}",
            hint=f"cast {column!r} to a number before computing metrics",
            column=column,
        )
