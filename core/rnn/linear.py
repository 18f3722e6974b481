"""The assignment's one-weight linear RNN: forward, BPTT (loop and closed form), loss surface.

The model counts the ones in a binary sequence. In the math the steps are k = 1..T, X_k is the
input read at step k and S_0 = 0:

    S_k  = w_rec * S_{k-1} + w_x * X_k                  k = 1..T
    loss = mean over the batch of (S_T - target)^2

so with w_x = w_rec = 1 the last state is exactly the count. In the arrays (N sequences, T
steps) the inputs are 0-based and the states carry S_0 in front: X_k is X[:, k-1] and S_k is
S[:, k], so the code reads S[:, k] = S[:, k-1] * w_rec + X[:, k-1] * w_x.

Backward (the assignment's three rules, k = T..1):

1. dL/dS_{k-1} = dL/dS_k * w_rec                   (so dL/dS_k = dL/dS_T * w_rec^(T-k))
2. dL/dw_rec  += dL/dS_k * S_{k-1}                  (S[:, k-1])
3. dL/dw_x    += dL/dS_k * X_k                      (X[:, k-1])

Truncation follows one convention, shared with the tanh RNN (core.rnn.tanh). A window of K >= 1
steps backpropagates through the last K steps only: steps T, T-1, ..., T-K+1 contribute to the
weight gradients (step k reads S_{k-1} as a value), and S_{T-K} is held constant. The cut state
S_{T-K} still reports the gradient that reaches it, dL/dS_{T-K} = dL/dS_T * w_rec^K (just as
full BPTT reports dL/dS_0 for the constant S_0), but passes nothing further back: every earlier
state reports 0. K >= T (or None) is full BPTT: the cut falls on S_0, a constant anyway.

Products of T factors of w_rec overflow float64 quickly (3^1000 ~ 1e477). Every function here
computes under ``np.errstate`` so nothing raises; results that overflow become inf and an
:class:`OverflowWarning` is issued once per call.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

LOG10_LOSS_FLOOR = -12.0
"""Loss values below 1e-12 are reported as 1e-12 on the (log10) loss surface."""

_LOG10_MAX_POWER = 150.0
"""Largest |log10| of a power of w_rec used inside one chunk of the fast forward pass."""


class OverflowWarning(RuntimeWarning):
    """A value exceeded float64 (about 1.8e308) and was reported as inf."""


def warn_if_overflow(where: str, *values: np.ndarray | float) -> bool:
    """Issue an OverflowWarning naming `where` if any of `values` is not finite.

    Returns True when it warned. `values` may be arrays of any shape or floats.
    """
    if all(np.all(np.isfinite(v)) for v in values):
        return False
    warnings.warn(
        f"{where}: values grew past float64's range (about 1.8e308) and are shown as inf.",
        OverflowWarning,
        stacklevel=3,
    )
    return True


def counting_batch(batch: int, T: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random binary sequences and their counts of ones.

    Returns X, shape (batch, T), entries 0.0 or 1.0, and target, shape (batch,), the row sums.
    """
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(batch, T)).astype(np.float64)
    return X, X.sum(axis=1)


def linear_forward(X: np.ndarray, w_x: float, w_rec: float) -> np.ndarray:
    """States of the linear RNN for every step.

    X: (N, T) inputs. Returns S: (N, T+1) with S[:, 0] = 0 and
    S[:, k] = S[:, k-1] * w_rec + X[:, k-1] * w_x.

    Instead of one Python step per time step it works on chunks of B steps, written in place
    into S: inside a chunk starting at state S_a,
    S_{a+m+1} = w_rec^(m+1) S_a + w_x w_rec^m sum_{i<=m} w_rec^(-i) X[:, a+i],
    a scaled cumulative sum. B is chosen so that w_rec^(+-B) stays within 1e+-150, so the scaling
    cannot overflow; only the carried state S_a goes through a Python loop, T / B times
    (once for |w_rec| = 1, 31 times for w_rec = 0.9 and T = 100,000).
    """
    X = np.asarray(X, dtype=np.float64)
    N, T = X.shape
    S = np.empty((N, T + 1))
    S[:, 0] = 0.0
    if T == 0:
        return S
    w_x, w_rec = float(w_x), float(w_rec)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        if w_rec == 0.0:
            S[:, 1:] = X * w_x
        else:
            _chunked_forward(X, w_x, w_rec, S)
    # with w_rec != 0 an inf state stays inf (inf * w_rec + finite), so the last column tells
    warn_if_overflow("linear_forward", S[:, -1] if w_rec != 0.0 else S)
    return S


def _powers(w: float, exponents: np.ndarray) -> np.ndarray:
    """w ** exponents for integer exponents (any shape), via exp(e log|w|): one vectorised exp
    instead of a generic pow per element (about 5x faster); relative error ~ |e log w| * 1e-16.
    Overflow gives inf, underflow 0; 0 ** 0 = 1."""
    exponents = np.asarray(exponents)
    if w == 0.0:
        return (exponents == 0).astype(np.float64)
    result = np.exp(exponents * math.log(abs(w)))
    if w < 0.0:
        result[exponents % 2 == 1] *= -1.0
    return result


def _chunked_forward(X: np.ndarray, w_x: float, w_rec: float, S: np.ndarray) -> None:
    """Fill S[:, 1:] (N, T) in place for w_rec != 0; X (N, T). See `linear_forward`."""
    N, T = X.shape
    log10_w = abs(math.log10(abs(w_rec)))
    B = T if log10_w == 0.0 else max(1, min(T, int(_LOG10_MAX_POWER / log10_w)))
    m = np.arange(B)
    shrink, grow, decay = _powers(w_rec, -m), w_x * _powers(w_rec, m), _powers(w_rec, m + 1)
    carry = np.zeros(N)
    for start in range(0, T, B):
        stop = min(start + B, T)
        width = stop - start
        chunk = S[:, 1 + start : 1 + stop]
        np.multiply(X[:, start:stop], shrink[:width], out=chunk)
        np.cumsum(chunk, axis=1, out=chunk)
        chunk *= grow[:width]
        if start:
            chunk += np.multiply.outer(carry, decay[:width])
        carry = chunk[:, -1]


def counting_loss(S: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """MSE of the last state against the count.

    S: (N, T+1) states, target: (N,). Returns (loss, grad_out) where loss = mean((S_T - target)^2)
    and grad_out = 2 (S_T - target), shape (N,), is the per-sequence dLoss/dS_T of the contract.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        error = S[:, -1] - target
        loss = float(np.mean(error**2))
        grad_out = 2.0 * error
    return loss, grad_out


def _window(T: int, truncate: int | None) -> int:
    """Number of backward steps K: T for full BPTT, min(truncate, T) otherwise (truncate >= 1)."""
    if truncate is None:
        return T
    if truncate < 1:
        raise ValueError(f"the truncation window K must be at least 1 step, got {truncate}")
    return min(int(truncate), T)


def _safe_mul(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """a * b where 0 * inf counts as 0 (an exact zero factor wins over an overflowed one)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where((np.asarray(a) == 0) | (np.asarray(b) == 0), 0.0, np.multiply(a, b))


def _nan_to_inf(value: float) -> float:
    """Sums of overflowed terms can be inf - inf; report them as inf (magnitude overflowed)."""
    return math.inf if math.isnan(value) else value


def linear_backward_loop(
    X: np.ndarray, S: np.ndarray, grad_out: np.ndarray, w_rec: float, truncate: int | None = None
) -> tuple[float, float, np.ndarray]:
    """Reference BPTT: the assignment's backward loop, one step at a time (rules 1-3 of the
    module docstring). Same arguments and results as `linear_backward`; the tests and the page's
    Verified badge compare the closed form against it.
    """
    N, T = X.shape
    K = _window(T, truncate)
    grad_over_time = np.zeros((N, T + 1))
    grad_over_time[:, T] = grad_out
    grad_w_x = grad_w_rec = 0.0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for k in range(T, T - K, -1):
            grad_w_x += grad_over_time[:, k] @ X[:, k - 1] / N
            grad_w_rec += grad_over_time[:, k] @ S[:, k - 1] / N
            grad_over_time[:, k - 1] = grad_over_time[:, k] * w_rec
    grad_w_x, grad_w_rec = _nan_to_inf(float(grad_w_x)), _nan_to_inf(float(grad_w_rec))
    warn_if_overflow("linear_backward", grad_w_x, grad_w_rec, grad_over_time)
    return grad_w_x, grad_w_rec, grad_over_time


def linear_backward_closed(
    X: np.ndarray, S: np.ndarray, grad_out: np.ndarray, w_rec: float, truncate: int | None = None
) -> tuple[float, float, np.ndarray]:
    """Closed-form BPTT without a loop over time. Same arguments and results as `linear_backward`.

    grad_over_time[:, k] = grad_out * w_rec^(T-k) for k >= T-K. The weight gradients are
    batch means of sum_k grad_over_time[:, k] * (X or S)[:, k-1], i.e. polynomials in w_rec
    evaluated with one matrix-vector product each. For |w_rec| > 1 they are evaluated as
    w_rec^(K-1) * sum_c (X or S)[:, T-K+c] w_rec^(-c), so every power in the sum is <= 1 and only
    the final scale factor can overflow (to inf, with a warning).
    """
    N, T = X.shape
    K = _window(T, truncate)
    w_rec = np.float64(w_rec)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    grad_over_time = np.empty((N, T + 1))
    grad_over_time[:, : T - K] = 0.0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        decay = _powers(w_rec, np.arange(K, -1, -1))
        np.multiply.outer(grad_out, decay, out=grad_over_time[:, T - K :])
        if not np.all(np.isfinite(decay)):
            grad_over_time[grad_out == 0.0, T - K :] = 0.0
        if K == 0:
            grad_w_x = grad_w_rec = 0.0
        else:
            c = np.arange(K)
            if abs(w_rec) <= 1.0:
                powers, scale = decay[1:], 1.0
            else:
                powers, scale = _powers(1.0 / w_rec, c), w_rec ** (K - 1)
            x_sums = X[:, T - K : T] @ powers
            s_sums = S[:, T - K : T] @ powers
            grad_w_x = float(_safe_mul(scale, np.mean(_safe_mul(grad_out, x_sums))))
            grad_w_rec = float(_safe_mul(scale, np.mean(_safe_mul(grad_out, s_sums))))
    grad_w_x, grad_w_rec = _nan_to_inf(grad_w_x), _nan_to_inf(grad_w_rec)
    with np.errstate(over="ignore", invalid="ignore"):
        # grad_over_time is an outer product: finite exactly when max|grad_out| * max|decay| is,
        # which costs two small reductions instead of a pass over all N*(T+1) entries
        largest = np.max(np.abs(grad_out), initial=0.0) * np.max(np.abs(decay))
    warn_if_overflow("linear_backward", grad_w_x, grad_w_rec, largest)
    return grad_w_x, grad_w_rec, grad_over_time


def linear_backward(
    X: np.ndarray, S: np.ndarray, grad_out: np.ndarray, w_rec: float, truncate: int | None = None
) -> tuple[float, float, np.ndarray]:
    """BPTT for the linear RNN.

    X: (N, T) inputs; S: (N, T+1) states from `linear_forward`; grad_out: (N,) per-sequence
    dLoss/dS[:, T] (for the counting MSE, 2 (S_T - target)).
    truncate=K (>= 1) runs the recursion over the last K steps only (the module docstring's
    convention): S[:, T-K] is held constant, only steps T..T-K+1 contribute to the weight
    gradients; K >= T (or None) is full BPTT.

    Returns (grad_w_x, grad_w_rec, grad_over_time): the batch means of the per-sequence
    weight gradients (floats) and grad_over_time (N, T+1), the per-sequence dLoss/dS, holding
    dL/dS_k for k >= T-K (k = T-K is the cut state: what reaches it) and zeros below.

    Computed by the closed form (`linear_backward_closed`, no loop over time, so T = 100,000 is
    fine); `linear_backward_loop` is the step-by-step reference it is tested against.
    """
    return linear_backward_closed(X, S, grad_out, w_rec, truncate)


def truncated_gradients_by_window(
    X: np.ndarray, S: np.ndarray, grad_out: np.ndarray, w_rec: float
) -> np.ndarray:
    """Truncated weight gradients for every window K = 1..T at once.

    Returns (T, 2): row K-1 holds (grad_w_x, grad_w_rec) of `linear_backward(..., truncate=K)`.
    The truncated gradient is a partial sum over steps back j = 0..K-1 of
    mean(grad_out * X[:, T-1-j]) w_rec^j, so all windows come from one cumulative sum.
    """
    N, T = X.shape
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        powers = _powers(float(w_rec), np.arange(T))
        x_terms = _safe_mul(np.mean(_safe_mul(grad_out[:, None], X[:, ::-1]), axis=0), powers)
        s_terms = _safe_mul(np.mean(_safe_mul(grad_out[:, None], S[:, T - 1 :: -1]), axis=0), powers)
        partial = np.stack([np.cumsum(x_terms), np.cumsum(s_terms)], axis=1)
    partial = np.where(np.isnan(partial), np.inf, partial)
    warn_if_overflow("truncated_gradients_by_window", partial)
    return partial


@dataclass(frozen=True)
class LossSurface:
    """Counting loss over a (w_x, w_rec) grid.

    w_x: (Gx,), w_rec: (Gr,), log10_loss: (Gr, Gx) with row i for w_rec[i] and column j for
    w_x[j]; finite everywhere (floored at LOG10_LOSS_FLOOR) even where the loss itself
    overflows. overflowed: (Gr, Gx) bool, True where the loss itself is above float64's range.
    """

    w_x: np.ndarray
    w_rec: np.ndarray
    log10_loss: np.ndarray
    overflowed: np.ndarray


def loss_surface(
    X: np.ndarray, target: np.ndarray, w_x_grid: np.ndarray, w_rec_grid: np.ndarray
) -> LossSurface:
    """Counting loss on every grid point, vectorised over the grid, in the log domain.

    X: (N, T), target: (N,), w_x_grid: (Gx,), w_rec_grid: (Gr,).
    S_T = w_x p(w_rec) with p(w) = sum_j X[:, j] w^(T-1-j). For |w| > 1 we write
    p = w^(T-1) q with q = sum_j X[:, j] w^(-j) (bounded), so
    loss = |w|^(2(T-1)) mean((w_x sign q - target |w|^(-(T-1)))^2) and log10(loss) never overflows.
    The mean square is expanded as w_x^2 A - 2 w_x B + C to cost O(N Gr + Gx Gr).
    """
    X = np.asarray(X, dtype=np.float64)
    T = X.shape[1]
    w_x_grid = np.asarray(w_x_grid, dtype=np.float64)
    w_rec_grid = np.asarray(w_rec_grid, dtype=np.float64)
    j = np.arange(T)[:, None]
    big = np.abs(w_rec_grid) > 1.0
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        safe_w = np.where(big, w_rec_grid, 2.0)
        powers = np.where(big, (1.0 / safe_w) ** j, w_rec_grid ** (T - 1 - j))
        log_scale = np.where(big, (T - 1) * np.log(np.abs(safe_w)), 0.0)
        sign = np.where(big & (w_rec_grid < 0) & ((T - 1) % 2 == 1), -1.0, 1.0)
        q = (X @ powers) * sign
        shrunk_target = target[:, None] * np.exp(-log_scale)
        A = np.mean(q * q, axis=0)
        B = np.mean(q * shrunk_target, axis=0)
        C = np.mean(shrunk_target * shrunk_target, axis=0)
        wx = w_x_grid[None, :]
        mean_square = np.maximum(wx**2 * A[:, None] - 2 * wx * B[:, None] + C[:, None], 0.0)
        log10_loss = 2 * log_scale[:, None] / math.log(10) + np.log10(mean_square)
    log10_loss = np.maximum(np.nan_to_num(log10_loss, nan=LOG10_LOSS_FLOOR), LOG10_LOSS_FLOOR)
    overflowed = log10_loss > math.log10(np.finfo(np.float64).max)
    return LossSurface(w_x_grid, w_rec_grid, log10_loss, overflowed)
