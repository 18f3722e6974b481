"""Gradient clipping and training the counting RNN (gradient descent, clipped GD, Rprop).

Clipping (Pascanu, Mikolov and Bengio 2013, Algorithm 1): if ||g|| > threshold then
g <- threshold * g / ||g||, which keeps the direction and bounds the step; element-wise clipping
bounds each entry to [-bound, bound] and changes the direction. Rprop ignores the gradient's
magnitude altogether and adapts a step size per weight from the sign alone, which is why it
walks over the exploding cliffs of the counting loss surface.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.rnn.linear import OverflowWarning, counting_loss, linear_backward, linear_forward
from core.rnn.tanh import row_norms

METHODS = ("gd", "clipped_gd", "rprop")


def global_norm(grads: Sequence[np.ndarray]) -> float:
    """sqrt of the sum of squares of all entries of all arrays (any shapes), computed with a
    rescaling so finite gradients near 1e200 do not overflow when squared. inf if any entry is
    infinite, nan if any is nan."""
    flat = np.concatenate([np.ravel(np.asarray(g, dtype=np.float64)) for g in grads])
    with np.errstate(invalid="ignore", over="ignore"):
        return float(row_norms(flat[None])[0])


def clip_by_global_norm(grads: Sequence[np.ndarray], threshold: float) -> tuple[list[np.ndarray], float]:
    """Pascanu et al. Algorithm 1 over a list of gradient arrays (any shapes).

    Returns (clipped, norm) where norm is the global norm before clipping. If the norm is
    infinite (overflowed entries), the finite entries are negligible beside the infinite ones, so
    the clipped gradient points along the signs of the infinite entries with norm `threshold`.
    nan entries become 0.
    """
    if threshold <= 0:
        raise ValueError(f"the clipping threshold must be positive, got {threshold}")
    arrays = [np.nan_to_num(np.asarray(g, dtype=np.float64), nan=0.0, posinf=np.inf, neginf=-np.inf) for g in grads]
    norm = global_norm(arrays)
    if math.isinf(norm):
        infinite = sum(int(np.sum(np.isinf(a))) for a in arrays)
        scale = threshold / math.sqrt(infinite)
        return [np.where(np.isinf(a), np.sign(a) * scale, 0.0) for a in arrays], norm
    if norm <= threshold:
        return arrays, norm
    return [a * (threshold / norm) for a in arrays], norm


def clip_elementwise(grads: Sequence[np.ndarray], bound: float) -> list[np.ndarray]:
    """Each entry clipped to [-bound, bound] (inf to +-bound, nan to 0); shapes unchanged."""
    if bound <= 0:
        raise ValueError(f"the clipping bound must be positive, got {bound}")
    return [np.clip(np.nan_to_num(np.asarray(g, dtype=np.float64), nan=0.0), -bound, bound) for g in grads]


def counting_gradient(X: np.ndarray, target: np.ndarray, weights: np.ndarray) -> tuple[float, np.ndarray]:
    """Loss and gradient (dL/dw_x, dL/dw_rec), shape (2,), of the counting RNN at weights (2,)."""
    S = linear_forward(X, weights[0], weights[1])
    loss, grad_out = counting_loss(S, target)
    grad_w_x, grad_w_rec, _ = linear_backward(X, S, grad_out, weights[1])
    return loss, np.array([grad_w_x, grad_w_rec])


@dataclass(frozen=True)
class TrainingRun:
    """One training run of the counting RNN.

    method: "gd", "clipped_gd" or "rprop"; path: (steps+1, 2) weights (w_x, w_rec) before each
    step and after the last (fewer rows if it diverged); losses: (len(path),) loss at each row;
    diverged: True if the weights or the loss stopped being finite (the run then ends there).
    """

    method: str
    path: np.ndarray
    losses: np.ndarray
    diverged: bool

    @property
    def final(self) -> np.ndarray:
        """Last finite weights (2,)."""
        return self.path[-1]


@dataclass(frozen=True)
class TrainingConfig:
    """Hyperparameters. learning_rate: GD and clipped GD step; clip_threshold: global-norm
    threshold of clipped GD; rprop_*: initial step, growth and shrink factors and step bounds."""

    steps: int = 500
    learning_rate: float = 1e-4
    clip_threshold: float = 1.0
    rprop_initial_step: float = 1e-3
    rprop_grow: float = 1.2
    rprop_shrink: float = 0.5
    rprop_min_step: float = 1e-8
    rprop_max_step: float = 1.0


def train_counting(
    X: np.ndarray,
    target: np.ndarray,
    start: tuple[float, float],
    method: str,
    config: TrainingConfig = TrainingConfig(),
    callback: Callable[[int, np.ndarray, float], None] | None = None,
) -> TrainingRun:
    """Train (w_x, w_rec) of the counting RNN on X (N, T), target (N,) from `start`.

    method: "gd" (w -= lr g), "clipped_gd" (w -= lr clip_by_global_norm(g)) or "rprop"
    (iRprop-, Igel and Huesken 2000: per weight, the step grows by rprop_grow while the gradient
    keeps its sign and w -= sign(g) * step; when the sign flips the step shrinks by
    rprop_shrink and that weight skips one update). callback(step, weights (2,), loss) is
    called after every step, e.g. for a progress bar. Stops early if it diverges; overflow on
    the way there is expected and reported through `diverged`, not as OverflowWarnings.
    """
    if method not in METHODS:
        raise ValueError(f"unknown training method {method!r}; use one of {METHODS}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OverflowWarning)
        return _train(X, target, start, method, config, callback)


def _train(
    X: np.ndarray,
    target: np.ndarray,
    start: tuple[float, float],
    method: str,
    config: TrainingConfig,
    callback: Callable[[int, np.ndarray, float], None] | None,
) -> TrainingRun:
    weights = np.array(start, dtype=np.float64)
    step_size = np.full(2, config.rprop_initial_step)
    previous_sign = np.zeros(2)
    path, losses = [weights.copy()], []
    diverged = False
    for step in range(config.steps):
        loss, grad = counting_gradient(X, target, weights)
        losses.append(loss)
        if not math.isfinite(loss):
            diverged = True
            break
        if method == "gd":
            update = config.learning_rate * grad
        elif method == "clipped_gd":
            update = config.learning_rate * clip_by_global_norm([grad], config.clip_threshold)[0][0]
        else:
            sign = np.sign(np.nan_to_num(grad, nan=0.0))
            agreement = sign * previous_sign
            step_size = np.where(agreement > 0, step_size * config.rprop_grow, step_size)
            step_size = np.where(agreement < 0, step_size * config.rprop_shrink, step_size)
            step_size = np.clip(step_size, config.rprop_min_step, config.rprop_max_step)
            sign = np.where(agreement < 0, 0.0, sign)
            update = sign * step_size
            previous_sign = sign
        with np.errstate(invalid="ignore", over="ignore"):
            weights = weights - update
        if not np.all(np.isfinite(weights)):
            diverged = True
            break
        path.append(weights.copy())
        if callback is not None:
            callback(step + 1, weights, loss)
    if len(losses) < len(path):
        losses.append(counting_gradient(X, target, weights)[0])
    return TrainingRun(method, np.array(path), np.array(losses[: len(path)]), diverged)
