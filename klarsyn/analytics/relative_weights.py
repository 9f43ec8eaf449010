"""Johnson's relative weights: an O(p³) stand-in for the Shapley decomposition of R².

The correlated predictors ``X`` are replaced by their closest orthonormal counterparts
``Z = X R^(-1/2)``; the outcome's R² splits without ambiguity over the ``Z`` (they are
uncorrelated) and flows back to each ``X_j`` in proportion to the squared loadings
``Λ* = R^(1/2)`` (Johnson 2000, Multivariate Behavioral Research 35:1-19)::

    β = Λ*⁻¹ r_xy          ε_j = Σ_k Λ*_jk² β_k²          Σ_j ε_j = R²

On logistic models the same mapping runs on the logit scale (Tonidandel & LeBreton 2010, Journal
of Business and Psychology 25:767-781): the coefficients of ``Z`` are ``Λ* b`` for the
standardised logit coefficients ``b``, rescaled so their squares sum to the model's R²
(the squared correlation of the outcome with the fitted probability).
"""

from __future__ import annotations

import numpy as np

from klarsyn.analytics.intervals import Floats

# Eigenvalues are floored here so exactly collinear predictors split their share instead of
# dividing by zero; the floor matches the ridge of the exact Shapley solves.
_FLOOR = 1e-10


def _root(corr_xx: Floats) -> tuple[Floats, Floats, Floats]:
    """``Λ* = R^(1/2)`` with the eigen-decomposition it came from."""
    values, vectors = np.linalg.eigh(corr_xx)
    values = np.maximum(values, _FLOOR)
    root = vectors @ (np.sqrt(values)[..., :, None] * np.swapaxes(vectors, -1, -2))
    return root, values, vectors


def relative_weights(corr_xx: Floats, *, r_xy: Floats) -> Floats:
    """Each predictor's relative weight (``(..., p)``) from ``(..., p, p)`` and ``(..., p)``."""
    root, values, vectors = _root(corr_xx)
    # β = Λ*⁻¹ r = V diag(1/√λ) Vᵀ r, without forming the inverse.
    projected = np.einsum("...kj,...k->...j", vectors, r_xy) / np.sqrt(values)
    beta = np.einsum("...jk,...k->...j", vectors, projected)
    return np.asarray(np.einsum("...jk,...k->...j", root**2, beta**2), dtype=np.float64)


def logit_relative_weights(corr_xx: Floats, *, standardised: Floats, r2: Floats) -> Floats:
    """Relative weights on the logit scale, summing to ``r2``.

    ``standardised`` holds the logit coefficients times their predictor's standard deviation.
    """
    root, _, _ = _root(corr_xx)
    on_z = np.einsum("...jk,...k->...j", root, standardised)
    norm = np.sqrt((on_z**2).sum(axis=-1, keepdims=True))
    scaled = np.where(
        norm > 0,
        on_z * np.sqrt(np.maximum(r2, 0.0))[..., None] / np.where(norm > 0, norm, 1.0),
        0.0,
    )
    return np.asarray(np.einsum("...jk,...k->...j", root**2, scaled**2), dtype=np.float64)
