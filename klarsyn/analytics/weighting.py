"""Representative weighting: make the respondents' mix match the population's.

When 60% of customers live in the south but 80% of respondents do, an unweighted NPS speaks for
the south. Post-stratification weights each cell (a combination of attribute values) by its
population share over its sample share; raking (iterative proportional fitting) matches several
one-way margins when the joint cells are unknown or too thin. Weights average 1, so they sum to
the number of sample rows, and Kish's effective sample size tells how much precision they cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from klarsyn.analytics.contracts import require_columns, require_numeric
from klarsyn.analytics.intervals import Floats
from klarsyn.errors import InputError

# Category values can be of any type the attribute column holds (str, int, None...).
Margins = Mapping[str, Mapping[Any, float]]
_SHARE, _CODE = "_share", "_code"


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights for the sample rows, in row order, with what they cost and how they were found.

    ``uncovered_share`` is the population share in cells without any respondent, which no
    weighting can represent (0 for raking, which fails instead).
    """

    weights: pl.Series
    n_eff: float
    iterations: int
    converged: bool
    uncovered_share: float

    @property
    def design_effect(self) -> float:
        """n / n_eff: how many times larger the variance is than for an unweighted sample."""
        return len(self.weights) / self.n_eff if self.n_eff > 0 else float("nan")


def effective_sample_size(weights: pl.Series) -> float:
    """Kish's effective sample size (Σw)² / Σw²; equals n for equal weights, 0 when empty."""
    w = weights.drop_nulls().cast(pl.Float64)
    squares = float((w * w).sum())
    return float(w.sum()) ** 2 / squares if squares > 0 else 0.0


def _population_shares(
    population: pl.DataFrame | Mapping[Any, float], *, by: Sequence[str], count: str | None
) -> pl.DataFrame:
    """The population as one row per cell: the ``by`` columns and ``_share`` (summing to 1)."""
    if isinstance(population, pl.DataFrame):
        require_columns(population, [*by, *([count] if count else [])], purpose="the population")
        size = pl.col(count).cast(pl.Float64).sum() if count else pl.len().cast(pl.Float64)
        cells = population.group_by(by).agg(size.alias(_SHARE))
    else:
        rows = [(*(key if len(by) > 1 else (key,)), float(v)) for key, v in population.items()]
        cells = pl.DataFrame(rows, schema=[*by, _SHARE], orient="row")
    if (cells.get_column(_SHARE) < 0).any():
        raise InputError("population counts must be >= 0")
    total = cells.get_column(_SHARE).sum()
    if not total > 0:
        raise InputError("the population is empty", hint="give at least one cell a positive count")
    return cells.with_columns(pl.col(_SHARE) / total)


def _unknown_cells(sample: pl.DataFrame, *, by: Sequence[str], known: pl.Series) -> None:
    """Raise `InputError` naming sample cells the population does not have."""
    if known.all():
        return
    cells = sample.filter(~known).group_by(by).len().sort("len", descending=True)
    names = [
        ", ".join(f"{k}={v}" for k, v in zip(by, row[:-1], strict=True)) for row in cells.rows()
    ]
    raise InputError(
        f"{int((~known).sum())} response(s) fall in cells the population does not have: "
        + "; ".join(names[:5]),
        hint="add those cells to the population, or filter those responses out",
    )


def poststratify(
    sample: pl.DataFrame,
    population: pl.DataFrame | Mapping[Any, float],
    *,
    by: Sequence[str],
    count: str | None = None,
) -> Weights:
    """Post-stratification weights for ``sample`` so its ``by`` mix matches ``population``.

    ``sample`` needs the ``by`` columns. ``population`` is a frame with the ``by`` columns (one
    row per unit, e.g. the customer table, or one row per cell with a ``count`` column) or a
    mapping from cell (a value, or a tuple of values for several ``by``) to count. Null is a value
    like any other. Population cells without respondents cannot be represented; their share is
    reported as ``uncovered_share`` and the covered cells share the population between them.
    """
    by = list(by)
    if not by:
        raise InputError("post-stratification needs at least one attribute in by")
    require_columns(sample, by, purpose="post-stratification")
    cells = _population_shares(population, by=by, count=count).with_columns(
        pl.col(column).cast(sample.schema[column]) for column in by
    )
    counted = sample.group_by(by).len("_n")
    covered = cells.join(counted, on=by, how="inner", nulls_equal=True)
    uncovered = 1.0 - float(covered.get_column(_SHARE).sum())
    if uncovered >= 1.0:
        raise InputError(
            "no response falls in a population cell with a positive count",
            hint="check that the sample and the population use the same attribute values",
        )
    n = sample.height
    factors = covered.with_columns(
        (pl.col(_SHARE) / (1.0 - uncovered) / (pl.col("_n") / n)).alias("weight")
    ).select(*by, "weight")
    joined = sample.select(by).join(
        factors, on=by, how="left", nulls_equal=True, maintain_order="left"
    )
    weights = joined.get_column("weight")
    _unknown_cells(sample, by=by, known=weights.is_not_null())
    return Weights(
        weights=weights,
        n_eff=effective_sample_size(weights),
        iterations=1,
        converged=True,
        uncovered_share=uncovered,
    )


def margins(population: pl.DataFrame, *, by: Sequence[str], count: str | None = None) -> Margins:
    """One-way margins of ``population`` (one row per unit, or a ``count`` column) for `rake`."""
    result: dict[str, dict[Any, float]] = {}
    for column in by:
        shares = _population_shares(population, by=[column], count=count)
        result[column] = dict(
            zip(shares.get_column(column), shares.get_column(_SHARE), strict=True)
        )
    return result


def _codes(
    sample: pl.DataFrame, column: str, targets: Mapping[Any, float]
) -> tuple[np.ndarray, Floats]:
    """Category codes of ``column`` in the sample, and the target shares in code order."""
    values = list(targets)
    total = float(sum(targets.values()))
    if any(v < 0 for v in targets.values()) or not total > 0:
        raise InputError(f"the margin of {column!r} needs counts >= 0 with a positive total")
    lookup = pl.DataFrame({column: values, _CODE: np.arange(len(values))}, strict=False)
    lookup = lookup.with_columns(pl.col(column).cast(sample.schema[column]))
    codes = (
        sample.select(column)
        .join(lookup, on=column, how="left", nulls_equal=True, maintain_order="left")
        .get_column(_CODE)
    )
    _unknown_cells(sample, by=[column], known=codes.is_not_null())
    shares = np.array([targets[v] for v in values], dtype=np.float64) / total
    present = np.bincount(codes.to_numpy(), minlength=len(values)) > 0
    empty = [
        str(v)
        for v, target, seen in zip(values, shares, present, strict=True)
        if target > 0 and not seen
    ]
    if empty:
        raise InputError(
            f"no response has {column} = {', '.join(empty[:5])}, which the population has",
            hint="rake on fewer attributes, merge small categories, or drop those margins",
        )
    return codes.to_numpy(), shares


def rake(
    sample: pl.DataFrame,
    targets: Margins,
    *,
    max_iterations: int = 100,
    tolerance: float = 1e-10,
) -> Weights:
    """Raking (iterative proportional fitting) weights matching every one-way margin.

    ``sample`` needs one column per key of ``targets``; each target maps a category to its
    population count or share (normalised per attribute). The weights are adjusted one attribute
    at a time until every weighted margin is within ``tolerance`` of its target share.
    """
    if not targets:
        raise InputError("raking needs at least one margin")
    require_columns(sample, list(targets), purpose="raking")
    coded = [_codes(sample, column, margin) for column, margin in targets.items()]
    n = sample.height
    weights = np.ones(n, dtype=np.float64)
    iterations, converged = 0, False
    while not converged and iterations < max_iterations:
        iterations += 1
        for codes, shares in coded:
            totals = np.bincount(codes, weights=weights, minlength=len(shares))
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(totals > 0, shares * n / totals, 0.0)
            weights *= factor[codes]
        converged = all(
            np.max(np.abs(np.bincount(c, weights=weights, minlength=len(s)) / n - s)) < tolerance
            for c, s in coded
        )
    series = pl.Series("weight", weights)
    return Weights(
        weights=series,
        n_eff=effective_sample_size(series),
        iterations=iterations,
        converged=converged,
        uncovered_share=0.0,
    )


def one_voice_per_customer(
    frame: pl.DataFrame, *, score: str, customer: str = "customer_id"
) -> pl.Series:
    """Weights that give each customer one vote in total: 1 / their number of scored rows.

    Needs ``score`` and ``customer``. Rows without a score get weight 0; anonymous rows weight 1.
    """
    require_columns(frame, [score, customer], purpose="one voice per customer")
    require_numeric(frame, score, purpose="one voice per customer")
    scored = pl.col(score).is_not_null()
    votes = scored.sum().over(customer)
    weight = pl.when(~scored).then(0.0).when(pl.col(customer).is_null()).then(1.0)
    return frame.select(weight.otherwise(1.0 / votes).alias("weight")).to_series()
