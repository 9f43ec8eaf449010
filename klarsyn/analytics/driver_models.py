"""The two driver models: least squares on a score, logistic regression on a 0/1 outcome.

Both return each predictor's importance (a share of R² that sums to the model's R²) and its
uplift: the change in the mean outcome, over all customers, if the predictor were switched off
wherever it is on ("negative mentions became neutral"). Bootstrap replicates of both come from
group sums (see `klarsyn.analytics.driver_bootstrap`).

* **linear**: everything follows from one weighted covariance matrix. The importance is the exact
  Shapley share of R² (`klarsyn.analytics.shapley`) or, for many predictors, Johnson's relative
  weights; the uplift of predictor ``j`` is ``-b_j * mean(x_j)``.
* **logistic**: fitted by iteratively reweighted least squares on the rows. The importance is the
  relative weight on the logit scale, and the uplift the mean of
  ``sigmoid(eta - b_j) - sigmoid(eta)`` over the responses that have the predictor. Replicates
  take one Newton step from the full fit with the replicate's score and information (a one-step
  bootstrap, asymptotically equal to refitting), and the uplift's replicates use its first-order
  expansion around the full fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from klarsyn.analytics.driver_bootstrap import Groups, resample
from klarsyn.analytics.driver_data import DriverData
from klarsyn.analytics.intervals import Floats
from klarsyn.analytics.relative_weights import logit_relative_weights, relative_weights
from klarsyn.analytics.shapley import RIDGE, correlation, shapley_r2

# A light ridge keeps logistic coefficients finite when a flag separates the outcome perfectly
# (every customer who mentions it churned); relative to the data's weight it is negligible.
_PENALTY = 1e-6


@dataclass(frozen=True, slots=True)
class Fit:
    """Point estimates (``(p,)``) and bootstrap replicates (``(replicates, p)``) of a model."""

    model: str
    method: str
    r2: float
    importance: Floats
    uplift: Floats
    importance_replicates: Floats
    uplift_replicates: Floats
    value_at_stake: Floats | None


def _moments(sums: Floats) -> tuple[Floats, Floats, Floats]:
    """Weights, means and covariances of a stack of ``Σ w zzᵀ`` with ``z[0] = 1``."""
    total = sums[:, 0, 0]
    safe = np.where(total > 0, total, 1.0)
    mean = sums[:, 0, 1:] / safe[:, None]
    cov = sums[:, 1:, 1:] / safe[:, None, None] - mean[:, :, None] * mean[:, None, :]
    return total, mean, cov


def _totals(data: DriverData, z: Floats, counts: Floats) -> tuple[Floats, Groups | None]:
    """The full-data sums followed by one replicate per row of ``counts``."""
    if counts.shape[0] == 0:
        return ((z * data.weight[:, None]).T @ z)[None], None
    groups = Groups.of(data.group, groups=data.groups)
    sums = groups.sums(z, right=z, weight=data.weight)
    return np.concatenate([sums.sum(axis=0)[None], resample(sums, counts=counts)]), groups


def linear_fit(data: DriverData, *, counts: Floats, method: str) -> Fit:
    """Least squares of the outcome on the predictors, with ``method`` for the importance."""
    p = data.x.shape[1]
    z = np.empty((data.rows, p + 2))
    z[:, 0], z[:, 1 : p + 1], z[:, p + 1] = 1.0, data.x, data.y
    stack, _ = _totals(data, z, counts)
    _, mean, cov = _moments(stack)
    corr, sd = correlation(cov)
    rxx, rxy = corr[:, :p, :p], corr[:, :p, p]
    if method == "shapley":
        importance = shapley_r2(rxx, r_xy=rxy)
    else:
        importance = relative_weights(rxx, r_xy=rxy)
    standard = np.linalg.solve(rxx + RIDGE * np.eye(p), rxy[..., None])[..., 0]
    alive = sd[:, :p] > 0
    slope = np.where(alive, standard * sd[:, p : p + 1] / np.where(alive, sd[:, :p], 1.0), 0.0)
    uplift = -slope * mean[:, :p]
    r2 = float((standard[0] * rxy[0]).sum())
    return Fit(
        model="linear",
        method=method,
        r2=r2,
        importance=importance[0],
        uplift=uplift[0],
        importance_replicates=importance[1:],
        uplift_replicates=uplift[1:],
        value_at_stake=churn_value(data),
    )


def churn_value(data: DriverData) -> Floats | None:
    """Value at stake from a linear probability model of churn on the same predictors."""
    if data.value is None or data.churn is None:
        return None
    z = np.column_stack([np.ones(data.rows), data.x, data.churn])
    _, _, cov = _moments(((z * data.weight[:, None]).T @ z)[None])
    p = data.x.shape[1]
    slope = np.linalg.solve(cov[0, :p, :p] + RIDGE * np.eye(p), cov[0, :p, p])
    exposed = (data.weight * data.value) @ data.x
    return np.asarray(np.maximum(slope, 0.0) * exposed, dtype=np.float64)


def _sigmoid(eta: Floats) -> Floats:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * eta)), dtype=np.float64)


def _slope_of_sigmoid(eta: Floats) -> Floats:
    fitted = _sigmoid(eta)
    return fitted * (1.0 - fitted)


def fit_logit(design: Floats, *, y: Floats, weight: Floats, iterations: int = 50) -> Floats:
    """Weighted logistic regression coefficients by Newton-Raphson (IRLS)."""
    q = design.shape[1]
    penalty = _PENALTY * weight.sum() * np.eye(q)
    penalty[0, 0] = 0.0
    beta = np.zeros(q)
    rate = float(np.clip((weight @ y) / weight.sum(), 1e-6, 1 - 1e-6))
    beta[0] = np.log(rate / (1.0 - rate))
    for _ in range(iterations):
        eta = design @ beta
        fitted = _sigmoid(eta)
        gradient = design.T @ (weight * (y - fitted)) - penalty @ beta
        information = (design * (weight * fitted * (1.0 - fitted))[:, None]).T @ design
        step = np.linalg.solve(information + penalty, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def logistic_fit(data: DriverData, *, counts: Floats, outcome_is_churn: bool) -> Fit:
    """Logistic regression of a 0/1 outcome, with relative weights on the logit scale.

    The value at stake uses this model when the outcome is the churn flag, else `churn_value`.
    """
    n, p = data.x.shape
    design = np.column_stack([np.ones(n), data.x])
    beta = fit_logit(design, y=data.y, weight=data.weight)
    eta = design @ beta
    fitted = _sigmoid(eta)
    shifted = eta[:, None] - beta[None, 1:]
    change = data.x * (_sigmoid(shifted) - fitted[:, None])
    z = np.column_stack([design, data.y, fitted])
    stack, groups = _totals(data, z, counts)
    betas = np.repeat(beta[None], stack.shape[0], axis=0)
    weight_total = stack[:, 0, 0]
    uplift = np.repeat((data.weight @ change)[None], stack.shape[0], axis=0)
    if groups is not None:
        betas[1:], uplift[1:] = _one_step(
            data,
            groups=groups,
            counts=counts,
            beta=beta,
            eta=eta,
            change=change,
            replicated=stack[1:],
        )
    uplift = uplift / np.where(weight_total > 0, weight_total, 1.0)[:, None]
    _, _, cov = _moments(stack)
    corr, sd = correlation(cov)
    r2 = np.where(sd[:, p] * sd[:, p + 1] > 0, corr[:, p, p + 1] ** 2, 0.0)
    importance = logit_relative_weights(
        corr[:, :p, :p], standardised=betas[:, 1:] * sd[:, :p], r2=r2
    )
    value = churn_value(data)
    if value is not None and data.value is not None and outcome_is_churn:
        value = np.maximum(-(data.weight * data.value) @ change, 0.0)
    return Fit(
        model="logistic",
        method="logit_relative_weights",
        r2=float(r2[0]),
        importance=importance[0],
        uplift=uplift[0],
        importance_replicates=importance[1:],
        uplift_replicates=uplift[1:],
        value_at_stake=value,
    )


def _one_step(
    data: DriverData,
    *,
    groups: Groups,
    counts: Floats,
    beta: Floats,
    eta: Floats,
    change: Floats,
    replicated: Floats,
) -> tuple[Floats, Floats]:
    """Replicate coefficients (one Newton step) and unnormalised uplift sums (linearised).

    ``change`` holds each row's ``sigmoid(eta - b_j) - sigmoid(eta)`` where the predictor is on;
    ``replicated`` the replicates' sums of ``[1, x, y, p̂]``.
    """
    p = data.x.shape[1]
    q = p + 1
    design = np.column_stack([np.ones(data.rows), data.x])
    curvature = _slope_of_sigmoid(eta)

    def summed(left: Floats, right: Floats) -> Floats:
        return resample(groups.sums(left, right=right, weight=data.weight), counts=counts)

    information = summed(design * curvature[:, None], design)
    penalty = _PENALTY * replicated[:, 0, 0, None, None] * np.eye(q)
    penalty[:, 0, 0] = 0.0
    # The replicate's score, Σ w (y - p̂) x̃, read off its sums of x̃ y and x̃ p̂.
    score = replicated[:, :q, q] - replicated[:, :q, q + 1]
    score = score - np.einsum("bij,j->bi", penalty, beta)
    steps = np.linalg.solve(information + penalty, score[..., None])[..., 0]
    # d/dβ of sigmoid(x̃β - b_j) - sigmoid(x̃β) on rows with x_j = 1:
    # (s'(η - b_j) - s'(η)) x̃ - s'(η - b_j) e_j, with s' the sigmoid's slope.
    ones = np.ones((data.rows, 1))
    shifted = _slope_of_sigmoid(eta[:, None] - beta[None, 1:]) * data.x
    level = summed(ones, change)[:, 0, :]
    slope = summed(design, shifted - data.x * curvature[:, None])
    slope[:, 1:, :] -= np.eye(p)[None] * summed(ones, shifted)
    uplift = level + np.einsum("bqp,bq->bp", slope, steps)
    return beta[None] + steps, uplift
