"""What Nordhem sells: product categories, their seasons and typical order values (SEK)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

CATEGORIES: tuple[str, ...] = (
    "furniture",
    "lighting",
    "textiles",
    "kitchenware",
    "decoration",
    "outdoor",
    "storage",
)
_BASE_WEIGHTS: npt.NDArray[np.float64] = np.array([0.16, 0.13, 0.22, 0.17, 0.16, 0.06, 0.10])
_MEDIAN_VALUE: npt.NDArray[np.float64] = np.array(
    [3_400.0, 650.0, 480.0, 420.0, 290.0, 2_300.0, 780.0]
)


def category_weights(month_of_year: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Row-wise category probabilities for months 1-12: garden in spring, decoration in winter."""
    weights = np.tile(_BASE_WEIGHTS, (month_of_year.size, 1))
    outdoor = CATEGORIES.index("outdoor")
    decoration = CATEGORIES.index("decoration")
    weights[(month_of_year >= 4) & (month_of_year <= 7), outdoor] *= 4.0
    weights[(month_of_year == 11) | (month_of_year == 12), decoration] *= 2.2
    total: npt.NDArray[np.float64] = weights.sum(axis=1, keepdims=True)
    return weights / total


def draw_categories(
    rng: np.random.Generator, month_of_year: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """One category index per row, in season."""
    return draw_rows(rng, category_weights(month_of_year))


def draw_rows(rng: np.random.Generator, weights: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """One column index per row of a row-stochastic matrix."""
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random((weights.shape[0], 1)) * cumulative[:, -1:]
    index = np.minimum((draws > cumulative).sum(axis=1), weights.shape[1] - 1)
    return np.asarray(index, dtype=np.int64)


def draw_order_values(
    rng: np.random.Generator, category: npt.NDArray[np.int64], business: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Order values in SEK: skewed around each category's median, larger for businesses."""
    values = _MEDIAN_VALUE[category] * rng.lognormal(0.0, 0.55, size=category.size)
    values = np.where(business, values * 2.4, values)
    return np.round(np.maximum(values, 49.0), 0).astype(np.float64)
