"""Exact Shapley decomposition of R² (LMG) from a correlation matrix.

Each predictor's share is the average gain in R² from adding it, over every order in which the
predictors could enter the model. That needs the R² of all 2^p subset regressions; each follows
from the correlation matrix alone, ``R²(S) = r_S' R_SS⁻¹ r_S``, so no subset model is refitted on
the rows: the row pass happens once, when the covariance is summed. Subsets of equal size are
solved as one batched ``numpy.linalg.solve``, for a whole stack of bootstrap replicates at once.

Predictors without variance must come in with a unit diagonal and zero correlations (see
`correlation`), so they add nothing to any subset and their share is exactly zero.
"""

from __future__ import annotations

import math

import numpy as np

from klarsyn.analytics.intervals import Floats

# A vanishing ridge keeps exactly collinear subsets solvable (a flag repeated under another name,
# a complete set of dummies); it moves R² by about 1e-10, far below any reported digit.
RIDGE = 1e-10
# Batched solves are chunked so that one chunk holds at most this many matrix entries.
_CHUNK_ENTRIES = 4_000_000


def correlation(cov: Floats) -> tuple[Floats, Floats]:
    """Correlation matrices and standard deviations of a stack of covariance matrices.

    A variable whose variance is (numerically) zero gets a standard deviation of 0, a unit
    diagonal and zero correlations, so it behaves as an uninformative predictor.
    """
    variance = np.diagonal(cov, axis1=-2, axis2=-1)
    scale = np.maximum(np.abs(variance), 1.0)
    alive = variance > 1e-13 * scale
    sd = np.where(alive, np.sqrt(np.where(alive, variance, 1.0)), 0.0)
    safe = np.where(alive, sd, 1.0)
    corr = cov / (safe[..., :, None] * safe[..., None, :])
    both = alive[..., :, None] & alive[..., None, :]
    corr = np.where(both, corr, 0.0)
    eye = np.eye(cov.shape[-1], dtype=bool)
    return np.where(eye, 1.0, corr), sd


def subset_r2(corr_xx: Floats, *, r_xy: Floats) -> Floats:
    """R² of every subset regression, indexed by bit mask: ``out[..., mask]``.

    ``corr_xx`` is ``(..., p, p)`` and ``r_xy`` ``(..., p)``; bit ``j`` of a mask selects
    predictor ``j``. The empty subset has R² 0.

    Subsets grow by adding a predictor above their highest one, so each of the 2^p subsets is
    reached once, from its parent. Each keeps the correlations of the later predictors and the
    outcome given its own predictors (the matrix swept on them): adding predictor ``j`` is the
    rank-one update ``M - m_j m_jᵀ / m_jj`` of the parent's, and the outcome's remaining variance
    ``M_yy`` is ``1 - R²``. Only predictors above the newest one are kept, so a subset whose
    highest predictor is ``h`` costs ``O((p - h)²)``: about ``6 x 2^p`` operations in all.
    """
    p = r_xy.shape[-1]
    batch = r_xy.shape[:-1]
    full = np.zeros((*batch, p + 1, p + 1))
    full[..., :p, :p] = corr_xx
    full[..., :p, p] = r_xy
    full[..., p, :p] = r_xy
    full[..., p, p] = 1.0
    full = full.reshape(-1, p + 1, p + 1)
    out = np.empty((full.shape[0], 1 << p))
    kept = (p + 1) ** 2 + sum((1 << h) * (p - h) ** 2 for h in range(p))
    step = max(1, _CHUNK_ENTRIES // kept)
    for start in range(0, full.shape[0], step):
        out[start : start + step] = _grow(full[start : start + step], p)
    return out.reshape(*batch, 1 << p)


def _grow(full: Floats, p: int) -> Floats:
    """Subset R² for a chunk of stacked ``(p+1, p+1)`` correlation matrices (outcome last)."""
    out = np.zeros((full.shape[0], 1 << p))
    # Each family: the masks of subsets sharing their highest predictor, and their swept blocks
    # over (later predictors, outcome), shaped (chunk, subsets, size, size).
    families = [(np.zeros(1, dtype=np.int64), full[:, None], -1)]
    for h in range(p):
        masks, blocks = [], []
        for members, block, highest in families:
            sub = block[:, :, h - highest - 1 :, h - highest - 1 :]
            pivot = sub[:, :, 0, 1:]
            diagonal = sub[:, :, 0, 0]
            # A predictor collinear with the subset has nothing left to explain: no update.
            usable = diagonal > RIDGE
            scale = np.where(usable, 1.0 / np.where(usable, diagonal, 1.0), 0.0)
            update = (pivot * scale[..., None])[..., :, None] * pivot[..., None, :]
            blocks.append(sub[:, :, 1:, 1:] - update)
            masks.append(members | (1 << h))
        members = np.concatenate(masks)
        block = np.concatenate(blocks, axis=1)
        out[:, members] = 1.0 - block[:, :, -1, -1]
        families.append((members, block, h))
    return out


def shapley_from_subsets(r2: Floats, *, p: int) -> Floats:
    """Shapley values of the set function ``r2[..., mask]`` over ``p`` players."""
    masks = np.arange(1 << p)
    sizes = np.bitwise_count(masks)
    order_weight = np.array(
        [math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p) for k in range(p)]
    )
    values = np.empty((*r2.shape[:-1], p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gain = r2[..., without | (1 << j)] - r2[..., without]
        values[..., j] = gain @ order_weight[sizes[without]]
    return values


def shapley_r2(corr_xx: Floats, *, r_xy: Floats) -> Floats:
    """Each predictor's exact Shapley share of R²; the shares sum to the full model's R²."""
    return shapley_from_subsets(subset_r2(corr_xx, r_xy=r_xy), p=r_xy.shape[-1])
