"""The numbers a driver analysis runs on: 0/1 predictors, the outcome, one voice per customer.

A feedback frame has one row per response with ``customer_id``, the outcome column and the
predictor columns. Themes are 0/1 (or boolean) flags such as "mentions delivery negatively".
Attributes are encoded the same way: a 0/1 or boolean attribute stays as it is, and any other
attribute (text, category or a numeric code) becomes one flag per level, ``"region=DK"``, against a
reference level (the most common one unless named). Each flag then reads "this response has the
driver", and its counterfactual is "it does not".

Rows lacking the outcome or a predictor are left out and counted. A missing ``customer_id``
makes the row its own customer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from klarsyn.analytics.contracts import require_columns, require_numeric
from klarsyn.analytics.intervals import Floats
from klarsyn.errors import SchemaError

Ints = npt.NDArray[np.int64]
_VOICE = "_voice"
_PURPOSE = "key driver analysis"


@dataclass(frozen=True, slots=True)
class Predictor:
    """One 0/1 column of the model: a theme flag, a binary attribute or one attribute level."""

    name: str
    kind: str
    column: str
    level: str | None

    def expression(self) -> pl.Expr:
        """The 0/1 expression computing this predictor from its source column."""
        if self.level is None:
            return pl.col(self.column).cast(pl.Float64).alias(self.name)
        text = pl.col(self.column).cast(pl.String)
        return (text == self.level).cast(pl.Float64).alias(self.name)


@dataclass(frozen=True, slots=True)
class DriverData:
    """Arrays for the model: ``x`` (rows x predictors), ``y``, and per-row weights and groups.

    ``weight`` is 1 / (the customer's responses) when each customer has one voice, else 1.
    ``group`` assigns each row's customer to one of ``groups`` bootstrap groups. ``affected``
    counts distinct customers with each predictor set; ``trend`` is the change (percentage
    points) of that share between the last two periods, when a period column was given.
    """

    predictors: tuple[Predictor, ...]
    x: Floats
    y: Floats
    weight: Floats
    group: Ints
    groups: int
    value: Floats | None
    churn: Floats | None
    customers: int
    affected: Ints
    trend: Floats | None
    dropped: int

    @property
    def rows(self) -> int:
        """Responses that entered the model."""
        return int(self.y.shape[0])


def _is_flag(frame: pl.DataFrame, column: str) -> bool:
    dtype = frame.schema[column]
    if dtype == pl.Boolean:
        return True
    if not dtype.is_numeric():
        return False
    return bool(frame.select(pl.col(column).is_in([0, 1]).all()).item())


def plan_predictors(
    frame: pl.DataFrame,
    *,
    themes: Sequence[str],
    attributes: Sequence[str],
    reference: Mapping[str, str] | None = None,
    max_levels: int = 20,
) -> tuple[Predictor, ...]:
    """The model's predictors, in the order given; attribute levels after their reference."""
    require_columns(frame, [*themes, *attributes], purpose=_PURPOSE)
    reference = reference or {}
    planned = []
    for column in themes:
        if not _is_flag(frame, column):
            raise SchemaError(
                f"{_PURPOSE} needs theme column {column!r} to hold 0/1 or true/false, "
                f"but it is {frame.schema[column]} with other values",
                hint="pass a flag per theme, e.g. 1 when the response mentions it negatively",
                column=column,
            )
        planned.append(Predictor(column, "theme", column, None))
    for column in attributes:
        if _is_flag(frame, column):
            planned.append(Predictor(column, "attribute", column, None))
            continue
        planned.extend(_levels(frame, column, reference.get(column), max_levels=max_levels))
    names = [p.name for p in planned]
    if len(set(names)) != len(names) or not names:
        raise SchemaError(
            f"{_PURPOSE} needs distinct predictors, got {names}",
            hint="name each theme and attribute once",
        )
    return tuple(planned)


def _levels(
    frame: pl.DataFrame, column: str, reference: str | None, *, max_levels: int
) -> list[Predictor]:
    counts = (
        frame.select(pl.col(column).drop_nulls().cast(pl.String).value_counts(name="n"))
        .unnest(column)
        .sort(["n", column], descending=[True, False])
    )
    levels = counts.get_column(column).to_list()
    if len(levels) > max_levels:
        raise SchemaError(
            f"{_PURPOSE} would turn attribute {column!r} into {len(levels)} levels, "
            f"more than max_levels={max_levels}",
            hint="group rare levels first, or raise max_levels",
            column=column,
        )
    base = levels[0] if reference is None and levels else reference
    if base not in levels:
        raise SchemaError(
            f"reference level {base!r} of attribute {column!r} does not occur; "
            f"its levels are {levels}",
            hint="name an existing level as the reference",
            column=column,
        )
    return [
        Predictor(f"{column}={level}", "attribute", column, level)
        for level in levels
        if level != base
    ]


def driver_data(
    frame: pl.DataFrame,
    *,
    predictors: Sequence[Predictor],
    outcome: str,
    customer: str = "customer_id",
    per_customer: bool = True,
    value: str | None = None,
    churn: str | None = None,
    period: str | None = None,
    seed: int = 0,
    max_groups: int = 1000,
) -> DriverData:
    """Build the model arrays from ``frame`` (see the module docstring for the contract)."""
    sources = list(dict.fromkeys(p.column for p in predictors))
    extras = [c for c in (value, churn, period) if c is not None]
    require_columns(frame, [customer, outcome, *sources, *extras], purpose=_PURPOSE)
    for column in (outcome, *(c for c in (value, churn) if c is not None)):
        _require_number(frame, column)
    needed = [outcome, *sources, *([churn] if churn else [])]
    # NaN counts as missing, like null: one NaN would otherwise poison every sum.
    floats = [c for c in needed if frame.schema[c].is_float()]
    used = frame.with_columns(pl.col(floats).fill_nan(None)).drop_nulls(needed)
    if used.height == 0:
        raise SchemaError(
            f"{_PURPOSE} found no row with {outcome!r} and every predictor present",
            hint="check the outcome column and the predictor columns for missing values",
        )
    # Customers become dense integer codes (cheaper to count than text); an anonymous row gets a
    # code above every customer's, from its row number.
    known = pl.col(customer).rank("dense").cast(pl.Int64)
    voice = pl.coalesce(known, pl.len().cast(pl.Int64) + pl.int_range(pl.len())).alias(_VOICE)
    columns = [p.expression() for p in predictors]
    table = used.select(voice, *columns)
    if per_customer:
        weight = table.select(1.0 / pl.len().over(_VOICE)).to_series().to_numpy()
    else:
        weight = np.ones(table.height)
    x = table.select(p.name for p in predictors).to_numpy(order="c").astype(np.float64, copy=False)
    customers = _customers(table)
    affected = _affected(table, predictors)
    groups = max(1, min(max_groups, customers))
    content = list(dict.fromkeys([*needed, *extras]))
    group = _bootstrap_groups(used, customer=customer, content=content, groups=groups, seed=seed)
    return DriverData(
        predictors=tuple(predictors),
        x=x,
        y=used.get_column(outcome).cast(pl.Float64).to_numpy(),
        weight=np.asarray(weight, dtype=np.float64),
        group=group,
        groups=groups,
        value=None
        if value is None
        else used.get_column(value).fill_null(0).cast(pl.Float64).to_numpy(),
        churn=None if churn is None else used.get_column(churn).cast(pl.Float64).to_numpy(),
        customers=customers,
        affected=affected,
        trend=None if period is None else _trend(used, table, predictors, period=period),
        dropped=frame.height - used.height,
    )


def _bootstrap_groups(
    used: pl.DataFrame, *, customer: str, content: Sequence[str], groups: int, seed: int
) -> Ints:
    """Each row's bootstrap group, from a seeded hash of its customer.

    Hashing the customer (or, when anonymous, the row's content) keeps each customer's rows in
    one group whatever the row order, so results do not depend on it.
    """
    key = pl.col(customer).hash(seed=seed)
    if used.get_column(customer).null_count():
        row_key = pl.struct(*content).hash(seed=seed)
        key = pl.when(pl.col(customer).is_null()).then(row_key).otherwise(key)
    labels = used.select((key % groups).cast(pl.Int64)).to_series().to_numpy()
    return np.asarray(labels, dtype=np.int64)


def _require_number(frame: pl.DataFrame, column: str) -> None:
    if frame.schema[column] != pl.Boolean:
        require_numeric(frame, column, purpose=_PURPOSE)


def _customers(table: pl.DataFrame) -> int:
    return int(table.get_column(_VOICE).n_unique())


def _affected(table: pl.DataFrame, predictors: Sequence[Predictor]) -> Ints:
    """Distinct customers with each predictor set in at least one response."""
    counts = table.select(
        pl.col(_VOICE).filter(pl.col(p.name) > 0).n_unique().alias(p.name) for p in predictors
    ).row(0)
    return np.array(counts, dtype=np.int64)


def _trend(
    used: pl.DataFrame, table: pl.DataFrame, predictors: Sequence[Predictor], *, period: str
) -> Floats:
    """Change of each predictor's customer share between the last two periods (points)."""
    stamped = table.with_columns(used.get_column(period).alias("_period")).drop_nulls("_period")
    latest = stamped.get_column("_period").unique().sort().tail(2).to_list()
    if len(latest) < 2:
        return np.full(len(predictors), np.nan)
    shares = []
    for moment in latest:
        rows = stamped.filter(pl.col("_period") == moment)
        shares.append(_affected(rows, predictors) / _customers(rows))
    return np.asarray((shares[1] - shares[0]) * 100.0, dtype=np.float64)
