"""Finite-difference gradient check (central differences) for any model with dict parameters.

Two stencils, h = eps along one entry e_i:

    points=2:  numeric_i = (L(+h) - L(-h)) / (2h)                           error O(h^2)
    points=4:  numeric_i = (L(-2h) - 8 L(-h) + 8 L(+h) - L(+2h)) / (12h)    error O(h^4)

The error is norm-wise over all checked entries of all parameters together,
||analytic - numeric|| / max(||analytic||, ||numeric||, atol). Norm-wise (not entry-wise) so
that entries that have vanished to ~1e-20 — the point of the BPTT lab — do not turn rounding
noise into a huge relative error: a finite difference resolves a derivative only down to about
1e-16 |L| / eps, so a component far below the gradient's norm is noise. `atol` is the gradient
size below which differences count in absolute terms (at a minimum the exact gradient is 0 and
any numeric noise would be a relative error of 1). Per-parameter errors are reported too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class GradCheck:
    """Result of `finite_difference_check`.

    error: norm-wise relative error over every checked entry (nan if a loss or gradient was
    not finite); errors: {name: the same measure over that parameter's entries alone};
    checked: total number of entries checked.
    """

    error: float
    errors: dict[str, float]
    checked: int

    def passed(self, tolerance: float) -> bool:
        """True if the error is finite and at most `tolerance`."""
        return bool(np.isfinite(self.error) and self.error <= tolerance)


def _norm(values: np.ndarray) -> float:
    """Euclidean norm that does not overflow for entries near 1e200 (rescaled by the largest).
    Written out here rather than taken from core.rnn.tanh.row_norms: the checks share no code with
    what they check."""
    largest = float(np.max(np.abs(values))) if values.size else 0.0
    if largest == 0.0 or not np.isfinite(largest):
        return largest
    return largest * float(np.sqrt(np.sum((values / largest) ** 2)))


def _relative_error(analytic: np.ndarray, numeric: np.ndarray, atol: float) -> float:
    if not (np.all(np.isfinite(analytic)) and np.all(np.isfinite(numeric))):
        return float("nan")
    scale = max(_norm(analytic), _norm(numeric), atol)
    return _norm(analytic - numeric) / scale


def finite_difference_check(
    loss_fn: Callable[[Params], float],
    params: Params,
    analytic: Params,
    eps: float | dict[str, float] = 1e-6,
    entries_per_param: int | None = None,
    seed: int = 0,
    points: int = 2,
    atol: float = 1e-300,
) -> GradCheck:
    """Compare analytic gradients with central differences of `loss_fn`.

    loss_fn: maps a parameter dict (same names and shapes as `params`) to a float loss.
    params: {name: array of any shape, 0-d for scalars}; analytic: gradients, same shapes.
    eps: the step, in the parameters' units (one for all, or {name: step}). entries_per_param: check
    only this many entries of each parameter, drawn at random with `seed` (None checks all).
    points: 2 or 4, the stencil
    (that many loss calls per entry). atol: see the module docstring.
    The parameters passed to loss_fn are copies; `params` is never modified.
    """
    rng = np.random.default_rng(seed)
    errors: dict[str, float] = {}
    all_analytic, all_numeric = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for name, value in params.items():
            value = np.asarray(value, dtype=np.float64)
            size = value.size
            count = size if entries_per_param is None else min(size, entries_per_param)
            flat_indices = rng.choice(size, size=count, replace=False) if count < size else np.arange(size)
            numeric = np.empty(count)
            for slot, flat in enumerate(flat_indices):
                step = eps[name] if isinstance(eps, dict) else eps
                numeric[slot] = _central_difference(loss_fn, params, name, value, int(flat), step, points)
            analytic_values = np.asarray(analytic[name], dtype=np.float64).reshape(-1)[flat_indices]
            errors[name] = _relative_error(analytic_values, numeric, atol)
            all_analytic.append(analytic_values)
            all_numeric.append(numeric)
        analytic_flat, numeric_flat = np.concatenate(all_analytic), np.concatenate(all_numeric)
        error = _relative_error(analytic_flat, numeric_flat, atol)
    return GradCheck(error, errors, int(analytic_flat.size))


def directional_check(
    loss_fn: Callable[[Params], float],
    params: Params,
    analytic: Params,
    directions: int = 2,
    eps: float = 1e-6,
    seed: int = 0,
    atol: float = 1e-300,
) -> GradCheck:
    """Compare analytic gradients with 4-point central differences along random directions.

    For each of `directions` unit vectors v over all parameters together (Gaussian, normalised),
    the directional derivative sum_i <analytic_i, v_i> is compared with the stencil of
    loss_fn(params + s v) for s = -2eps..2eps. One direction checks every entry at once (a wrong
    entry changes the projection for almost every v), for 4 loss calls instead of 4 per entry.
    error: as finite_difference_check's, over the directional derivatives; errors: {"direction
    k": that direction's error}.
    """
    rng = np.random.default_rng(seed)
    names = list(params)
    analytic_values, numeric_values, errors = [], [], {}
    with np.errstate(over="ignore", invalid="ignore"):
        for index in range(directions):
            direction = {name: rng.standard_normal(np.shape(params[name])) for name in names}
            scale = np.sqrt(sum(float(np.sum(v**2)) for v in direction.values()))
            direction = {name: v / scale for name, v in direction.items()}
            along = sum(float(np.sum(np.asarray(analytic[name]) * direction[name])) for name in names)
            total = 0.0
            for offset, weight in _STENCILS[4]:
                moved = {name: np.asarray(params[name], dtype=np.float64) + offset * eps * direction[name]
                         for name in names}
                total += weight * loss_fn(moved)
            numeric = total / (12.0 * eps)
            errors[f"direction {index + 1}"] = _relative_error(np.array([along]), np.array([numeric]), atol)
            analytic_values.append(along)
            numeric_values.append(numeric)
        error = _relative_error(np.array(analytic_values), np.array(numeric_values), atol)
    return GradCheck(error, errors, directions)


_STENCILS = {2: ((1.0, 0.5), (-1.0, -0.5)), 4: ((-2.0, 1.0), (-1.0, -8.0), (1.0, 8.0), (2.0, -1.0))}
"""points -> ((offset in units of eps, weight), ...); the sum of weight * L is divided by
(12 eps) for 4 points, by eps for 2 points (weights +-0.5)."""


def _central_difference(
    loss_fn: Callable[[Params], float], params: Params, name: str, value: np.ndarray, flat: int, eps: float, points: int
) -> float:
    if points not in _STENCILS:
        raise ValueError(f"points must be 2 or 4, got {points}")
    shifted = dict(params)
    total = 0.0
    for offset, weight in _STENCILS[points]:
        moved = value.copy()
        moved.reshape(-1)[flat] += offset * eps
        shifted[name] = moved
        total += weight * loss_fn(shifted)
    return total / (eps if points == 2 else 12.0 * eps)


def tanh_complex_step(params: Params, X: np.ndarray, Y: np.ndarray, direction: Params, h: float = 1e-30) -> float:
    """Directional derivative of the tanh RNN's last-step loss along `direction`, by the complex step.

    dL(params + e * direction)/de at e = 0 equals Im L(params + i h direction) / h up to O(h^2):
    no difference of two nearby losses is taken, so nothing cancels and the result is exact to
    rounding even where the loss is too rough for finite differences (large spectral radius,
    long T). The forward pass here is written separately, in complex arithmetic:
    h_t = tanh(W_hh h_{t-1} + W_xh x_t + b), L = 0.5 sum((h_T - Y)^2) / N.

    params/direction: {"W_xh": (H, D), "W_hh": (H, H), "b": (H,)}; X: (N, T, D); Y: (N, H).
    """
    W_xh, W_hh, b = (params[name] + 1j * h * direction[name] for name in ("W_xh", "W_hh", "b"))
    N, T, _ = X.shape
    drive = X @ W_xh.T + b                                              # (N, T, H), complex
    state = np.zeros((N, W_hh.shape[0]), dtype=complex)
    for t in range(T):
        state = np.tanh(drive[:, t] + state @ W_hh.T)
    residual = state - Y
    return float((0.5 * np.sum(residual * residual) / N).imag / h)


def tanh_forward_mode(params: Params, X: np.ndarray, Y: np.ndarray, directions: list[Params]) -> np.ndarray:
    """Directional derivatives of the tanh RNN's last-step loss along each of `directions`, by
    forward-mode differentiation: (len(directions),).

    This is the complex step's limit computed in real arithmetic: for h -> 0,
    tanh(a + i h a') = tanh(a) + i h (1 - tanh(a)^2) a' + O(h^2), so carrying the tangent a' beside
    each value gives Im L(params + i h direction) / h with the O(h^2) term gone. Like the complex
    step it takes no difference of nearby losses and is exact to rounding; unlike it, one real
    forward pass serves every direction (the tangents are stacked), with no complex tanh.
    Independent of BPTT (no backward pass), so it checks it.

    params/directions: {"W_xh": (H, D), "W_hh": (H, H), "b": (H,)}; X: (N, T, D); Y: (N, H).
    """
    X = np.asarray(X, dtype=np.float64)
    N, T, _ = X.shape
    H, K = params["W_hh"].shape[0], len(directions)
    W_hh_T = params["W_hh"].T
    stacked = {name: np.stack([direction[name] for direction in directions]) for name in ("W_xh", "W_hh", "b")}
    drive = X.transpose(1, 0, 2) @ params["W_xh"].T + params["b"]        # (T, N, H)
    states = np.zeros((T + 1, N, H))
    for t in range(T):
        np.tanh(drive[t] + states[t] @ W_hh_T, out=states[t + 1])
    # The tangent of the pre-activation at step t is (what the directions add to W_xh x_t + b and
    # to W_hh h_{t-1}) + W_hh h'_{t-1}; everything but the last term is known once the states are,
    # for all steps in two products.
    pushed = (X.transpose(1, 0, 2).reshape(T * N, -1) @ stacked["W_xh"].transpose(2, 0, 1).reshape(-1, K * H)
              + states[:-1].reshape(T * N, H) @ stacked["W_hh"].transpose(2, 0, 1).reshape(H, K * H))
    pushed = pushed.reshape(T, N, K, H) + stacked["b"]                   # (T, N, K, H)
    slopes = 1.0 - states[1:] * states[1:]                               # tanh' at each step, (T, N, H)
    tangent = np.zeros((N, K, H))
    for t in range(T):
        tangent = slopes[t][:, None, :] * (pushed[t] + tangent @ W_hh_T)
    return np.einsum("nh,nkh->k", states[-1] - Y, tangent) / N
