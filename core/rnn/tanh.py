"""A tanh RNN with BPTT: full, truncated (window K) and randomized truncation.

Model (math convention, column vectors; the code uses row-vector batches)::

    h_0 = 0,   h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)          t = 1..T

Parameters are a dict {"W_xh": (H, D), "W_hh": (H, H), "b": (H,)}.
Inputs X are batch-first (N, T, D); internally everything is time-major, transposed once.

Loss (a regression of the hidden state onto a target), either on the last step only::

    L = 1/(2N) sum_n ||h_T[n] - y[n]||^2                       Y: (N, H)

or on every step::

    L = 1/(2N) sum_t sum_n ||h_t[n] - y_t[n]||^2               Y: (N, T, H)

The backward pass returns the weight gradients and the per-step norms ||dL/dh_t||
(Frobenius norm over batch and hidden units), the quantity whose decay or growth with T - t
shows vanishing or exploding gradients. By Pascanu, Mikolov and Bengio (2013), with
gamma = max |tanh'| = 1, a largest singular value of W_hh below 1/gamma is sufficient for the
gradient to vanish; above it, it may explode.

Truncation follows one convention, shared with the linear RNN (core.rnn.linear). A window of
K >= 1 steps backpropagates through the last K steps only: steps T, T-1, ..., T-K+1 contribute to
the weight gradients (step t reads h_{t-1} as a value), and h_{T-K} is held constant. The cut
state h_{T-K} still reports the gradient that reaches it from step T-K+1 (just as full BPTT
reports dL/dh_0 for the constant h_0), but passes nothing further back, so every earlier state
reports 0 for a last-step loss. K >= T is full BPTT: the cut falls on h_0, a constant anyway,
and every number equals full BPTT's. With a loss on every step the state is cut every K steps
counting back from T (h_{T-K}, h_{T-2K}, ...): each loss term reaches back to the cut below it,
and a cut state reports its own loss term plus what arrives from above, passing on only its own.

In code, truncation is a factor xi_t on each backward transition dL/dh_{t-1} += xi_t W_hh^T
delta_t, counted by its distance d = T - t + 1 from the end (d = 1 is h_T -> h_{T-1}):

- full BPTT: xi = 1 everywhere;
- truncated, window K: xi = 0 at every d that is a multiple of K, else 1;
- randomized (Tallec and Ollivier 2017, ARTBP): xi = 1 for d < K, and for d >= K the signal
  continues with probability p, independently per transition and sequence, and is then
  multiplied by the compensation 1/p; a path through m such transitions survives with
  probability p^m and is weighted p^(-m), so the estimate is unbiased in expectation.

Where xi = 0 the state reports what arrives (uncompensated) and passes nothing on, as above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Params = dict[str, np.ndarray]

SQUARES_EXACT_FROM = 2.0**-960
"""A sum of squares at or above this (and finite) lost nothing to underflow: an entry squared below
float64's normal range (2^-1022) is off by at most 2^-1074, far below the sum's last digit."""
_LARGEST = np.finfo(np.float64).max


def row_norms(rows: np.ndarray) -> np.ndarray:
    """Euclidean norm of each row of `rows` (B, K) -> (B,), also where squaring leaves float64.

    A gradient of 1e-200 is a normal float64, but its square (1e-400) is not: sqrt of a plain sum
    of squares reports 0 below about 1e-162 and loses digits from 1e-154, and reports inf above
    about 1e154. Rows whose sum of squares is outside [SQUARES_EXACT_FROM, max float] are divided
    by their largest |entry| first and multiplied back after the square root.
    """
    if rows.size == 0:
        return np.zeros(rows.shape[0])
    squared = np.einsum("bk,bk->b", rows, rows)
    norms = np.sqrt(squared)
    # Two reductions decide for every row at once (the common case); a nan fails both tests.
    if squared.min() >= SQUARES_EXACT_FROM and squared.max() <= _LARGEST or not rows.any():
        return norms
    # Only rows that lost digits and are not all zero (a cut draw's rows are) are worked again;
    # a row holding inf or nan keeps the inf or nan it has.
    lost = np.flatnonzero((squared < SQUARES_EXACT_FROM) | (squared > _LARGEST))
    lost = lost[rows[lost].any(axis=1)]
    largest = np.abs(rows[lost]).max(axis=1)
    redo, largest = lost[largest < np.inf], largest[largest < np.inf]
    if redo.size:
        scaled = rows[redo] / largest[:, None]
        norms[redo] = largest * np.sqrt(np.einsum("bk,bk->b", scaled, scaled))
    return norms


def recurrent_matrix(H: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """Random Gaussian (H, H) matrix rescaled to spectral radius `radius` (max |eigenvalue|)."""
    W = rng.standard_normal((H, H))
    current = np.max(np.abs(np.linalg.eigvals(W)))
    return W * (radius / current)


def spectral_radius(W: np.ndarray) -> float:
    """max |eigenvalue| of a square matrix W (H, H)."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def largest_singular_value(W: np.ndarray) -> float:
    """Spectral norm ||W||_2 of W (H, H): the largest factor by which W can stretch a vector."""
    return float(np.linalg.norm(W, 2))


def init_tanh_rnn(H: int, D: int, radius: float, seed: int, input_scale: float = 1.0) -> Params:
    """Parameters {"W_xh": (H, D), "W_hh": (H, H), "b": (H,)} with W_hh at spectral radius
    `radius`, W_xh Gaussian with std input_scale / sqrt(D), b = 0."""
    rng = np.random.default_rng(seed)
    return {
        "W_xh": rng.standard_normal((H, D)) * (input_scale / np.sqrt(D)),
        "W_hh": recurrent_matrix(H, radius, rng),
        "b": np.zeros(H),
    }


def sequence_task(
    N: int, T: int, D: int, H: int, seed: int, loss_on: str = "last"
) -> tuple[np.ndarray, np.ndarray]:
    """Random inputs X (N, T, D), standard normal, and targets Y: (N, H) for loss_on="last" or
    (N, T, H) for loss_on="all", uniform in [-0.5, 0.5] (inside tanh's range)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, T, D))
    shape = (N, H) if loss_on == "last" else (N, T, H)
    return X, rng.uniform(-0.5, 0.5, size=shape)


@dataclass(frozen=True)
class TanhCache:
    """What the backward pass needs from the forward pass.

    hidden: (T+1, N, H) time-major states, hidden[0] = h_0 = 0; inputs: (T, N, D) time-major X.
    """

    hidden: np.ndarray
    inputs: np.ndarray


def tanh_forward(params: Params, X: np.ndarray) -> TanhCache:
    """Run the RNN over X (N, T, D). Returns a TanhCache with hidden states (T+1, N, H).

    W_xh x_t + b for all t is one matmul written straight into the state array; each step then
    adds one matmul W_hh h_{t-1} and applies tanh in place (no per-step allocations).
    """
    X = np.asarray(X, dtype=np.float64)
    N, T, D = X.shape
    H = params["W_hh"].shape[0]
    inputs = np.ascontiguousarray(X.transpose(1, 0, 2))
    hidden = np.empty((T + 1, N, H))
    hidden[0] = 0.0
    np.matmul(inputs.reshape(T * N, D), params["W_xh"].T, out=hidden[1:].reshape(T * N, H))
    hidden[1:] += params["b"]
    W_hh_T = np.ascontiguousarray(params["W_hh"].T)
    recurrent = np.empty((N, H))
    for t in range(T):
        np.matmul(hidden[t], W_hh_T, out=recurrent)
        hidden[t + 1] += recurrent
        np.tanh(hidden[t + 1], out=hidden[t + 1])
    return TanhCache(hidden, inputs)


def loss_and_direct_grads(hidden: np.ndarray, Y: np.ndarray, loss_on: str = "last") -> tuple[float, np.ndarray]:
    """The module's loss and dL/dh_t from the loss term at step t alone, from one residual.

    hidden: (T+1, N, H) time-major states; Y: (N, H) for "last", (N, T, H) for "all".
    The direct gradients are (T+1, N, H) for "all" (zero at t = 0); for "last", where only
    t = T has a term, a broadcastable (1, N, H) holding it (every other step's term is zero).
    Shared by the tanh RNN and the gated cells.
    """
    N = hidden.shape[1]
    if loss_on == "last":
        residual = hidden[-1] - Y
        return float(0.5 * np.vdot(residual, residual) / N), (residual / N)[None]
    direct = np.empty_like(hidden)
    direct[0] = 0.0
    np.subtract(hidden[1:], Y.transpose(1, 0, 2), out=direct[1:])
    loss = float(0.5 * np.vdot(direct[1:], direct[1:]) / N)
    direct[1:] /= N
    return loss, direct


def rnn_loss(hidden: np.ndarray, Y: np.ndarray, loss_on: str = "last") -> float:
    """The loss from time-major states hidden (T+1, N, H) and targets Y (see module docstring)."""
    return loss_and_direct_grads(hidden, Y, loss_on)[0]


def tanh_loss(params: Params, X: np.ndarray, Y: np.ndarray, loss_on: str = "last") -> float:
    """Loss of the tanh RNN on inputs X (N, T, D), targets Y (see module docstring)."""
    return rnn_loss(tanh_forward(params, X).hidden, Y, loss_on)


def step_norms_for_each(params: list[Params], X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """||dL/dh_t|| of full BPTT with a loss on the last step for several parameter sets on the
    same inputs X (N, T, D) and targets Y (N, H): (len(params), T+1).

    The sets run side by side, (R, N, H) states with one stacked matmul per step, so R curves
    cost about one curve's Python steps; each set's numbers are those of tanh_bptt on its own.
    """
    X = np.asarray(X, dtype=np.float64)
    N, T, D = X.shape
    W_hh = np.stack([p["W_hh"] for p in params])                         # (R, H, H)
    R, H = W_hh.shape[:2]
    drive = np.einsum("ntd,rhd->trnh", X, np.stack([p["W_xh"] for p in params]))
    drive += np.stack([p["b"] for p in params])[None, :, None, :]
    hidden = np.zeros((T + 1, R, N, H))
    W_hh_T = W_hh.transpose(0, 2, 1)
    for t in range(T):
        np.tanh(np.matmul(hidden[t], W_hh_T) + drive[t], out=hidden[t + 1])
    grad = (hidden[-1] - Y) / N                                         # dL/dh_T, (R, N, H)
    norms = np.empty((R, T + 1))
    for t in range(T, 0, -1):
        norms[:, t] = row_norms(grad.reshape(R, -1))
        grad = np.matmul(grad * (1.0 - hidden[t] ** 2), W_hh)
    norms[:, 0] = row_norms(grad.reshape(R, -1))
    return norms


@dataclass(frozen=True)
class BPTTResult:
    """Gradients from one backward pass.

    grads: {"W_xh": (H, D), "W_hh": (H, H), "b": (H,)} (with a leading (R,) axis for R draws of
    randomized truncation); step_norms: (T+1,) ||dL/dh_t|| for t = 0..T ((R, T+1) for draws),
    zero where the backward pass was cut; loss: the loss value.
    """

    grads: Params
    step_norms: np.ndarray
    loss: float


def truncation_factors(T: int, K: int) -> np.ndarray:
    """Backward factors xi for truncation with window K >= 1: (T,), entry t-1 for the
    transition h_t -> h_{t-1}; 0 where the distance T - t + 1 is a multiple of K, else 1."""
    if K < 1:
        raise ValueError(f"the truncation window K must be at least 1 step, got {K}")
    distance = T - np.arange(1, T + 1) + 1
    return (distance % K != 0).astype(np.float64)


def randomized_factors(
    T: int, N: int, K: int, p: float, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """ARTBP backward factors (T, draws, N): 1 for transitions at distance d < K; for d >= K,
    1/p with probability p and 0 otherwise, drawn independently (see module docstring)."""
    if not 0.0 < p <= 1.0:
        raise ValueError(f"the continuation probability must be in (0, 1], got {p}")
    distance = (T - np.arange(1, T + 1) + 1)[:, None, None]
    survive = rng.random((T, draws, N)) < p
    return np.where(distance < K, 1.0, survive / p)


def tanh_bptt(
    params: Params,
    cache: TanhCache,
    Y: np.ndarray,
    loss_on: str = "last",
    truncate: int | None = None,
) -> BPTTResult:
    """Full (truncate=None) or truncated (window K >= 1, see the module docstring) BPTT.

    step_norms[T-K] is the norm of the gradient that reaches the cut state h_{T-K}; earlier
    steps report 0 for a last-step loss; K >= T gives exactly full BPTT.

    Per step: delta_t = dL/dh_t * (1 - h_t^2), dL/dh_{t-1} = direct term + xi_t delta_t W_hh
    (one matmul). The weight gradients are single large matmuls over all steps at the end,
    e.g. dW_hh = sum_t delta_t^T h_{t-1} = deltas (T*N, H)^T @ h_prev (T*N, H).
    """
    T = cache.inputs.shape[0]
    if truncate is not None and truncate < 1:
        raise ValueError(f"the truncation window K must be at least 1 step, got {truncate}")
    factors = None if truncate is None or truncate >= T else truncation_factors(T, truncate)
    if factors is not None:
        factors = factors[:, None, None]
    grads, step_norms, loss = _tanh_backward(params, cache, Y, loss_on, factors)
    return BPTTResult({name: g[0] for name, g in grads.items()}, step_norms[0], loss)


def tanh_bptt_randomized(
    params: Params,
    cache: TanhCache,
    Y: np.ndarray,
    K: int,
    p: float,
    draws: int,
    rng: np.random.Generator,
    loss_on: str = "last",
    chunk: int = 32,
) -> BPTTResult:
    """`draws` independent ARTBP gradient estimates (minimum window K, continuation
    probability p). grads have a leading (draws,) axis; step_norms are (draws, T+1).

    With a loss on the last step the draws need no backward pass of their own (see
    `_randomized_last_step`); with a loss on every step they run `chunk` at a time, stacked
    into one backward pass each, which bounds the memory to (T, chunk*N, H) deltas.
    """
    T, N = cache.inputs.shape[:2]
    if loss_on == "last":
        return _randomized_last_step(params, cache, Y, randomized_factors(T, N, K, p, draws, rng))
    parts = []
    for start in range(0, draws, chunk):
        factors = randomized_factors(T, N, K, p, min(chunk, draws - start), rng)
        parts.append(_tanh_backward(params, cache, Y, loss_on, factors))
    grads = {name: np.concatenate([part[0][name] for part in parts]) for name in parts[0][0]}
    return BPTTResult(grads, np.concatenate([part[1] for part in parts]), parts[0][2])


def _randomized_last_step(params: Params, cache: TanhCache, Y: np.ndarray, factors: np.ndarray) -> BPTTResult:
    """Randomized truncation for a loss on the last step, from one full backward pass.

    factors (T, R, N) as from `randomized_factors`. With no loss term before T, a draw's
    dL/dh_t for sequence n is the full one times c_t = product of the factors of the
    transitions T..t+1, so its weight gradient is sum over t >= cut of c_t delta_t (x) a_t,
    where a_t = (h_{t-1}, x_t, 1) and the cut is the last transition that failed. c_t is the
    same for every draw that still reaches t, so per sequence the sums from each distinct cut
    to T (one product per stretch between neighbouring cuts, then a running sum) serve all
    draws: R*N gathered rows instead of R backward passes.
    Returns grads with a leading (R,) axis and step norms (R, T+1), as the stacked path does.
    """
    hidden, inputs = cache.hidden, cache.inputs
    T, N, D = inputs.shape
    H = hidden.shape[2]
    R = factors.shape[1]
    deltas, sequence_norms, loss = _full_deltas(params, cache, Y)       # (T, N, H), (T+1, N)
    reach = np.ones((T + 1, R, N))                                       # c_t per draw and sequence
    reach[:T] = np.cumprod(factors[::-1], axis=0)[::-1]
    reported = np.ones((T + 1, R, N))                                    # a cut state reports what arrives
    reported[:T] = reach[1:] * np.where(factors == 0.0, 1.0, factors)
    reported *= sequence_norms[:, None, :]                               # each sequence's share, (T+1, R, N)
    step_norms = row_norms(reported.reshape((T + 1) * R, N)).reshape(T + 1, R).T
    first = np.maximum(T + 1 - np.count_nonzero(reach, axis=0), 1)      # (R, N) first step t with c_t != 0
    weight = reach.max(axis=(1, 2))                                      # (T+1,) c_t of every draw reaching t
    grads = np.zeros((R, H, H + D + 1))
    for n in range(N):
        cuts, which = np.unique(first[:, n], return_inverse=True)       # distinct first steps, ascending
        edges = np.append(cuts, T + 1)
        weighted = deltas[cuts[0] - 1 :, n] * weight[cuts[0] :, None]    # (S, H) for steps cuts[0]..T
        context = np.concatenate([hidden[cuts[0] - 1 : T, n], inputs[cuts[0] - 1 :, n],
                                  np.ones((T + 1 - cuts[0], 1))], axis=1)  # (S, H+D+1): h_{t-1}, x_t, 1
        pieces = np.stack([weighted[a - cuts[0] : b - cuts[0]].T @ context[a - cuts[0] : b - cuts[0]]
                           for a, b in zip(edges[:-1], edges[1:], strict=True)])  # steps between two cuts
        suffix = np.cumsum(pieces[::-1], axis=0)[::-1]                   # everything from each cut to T
        grads += suffix[which]
    # the parameters' order, as every other result has it (callers concatenate them in order)
    return BPTTResult({"W_xh": grads[:, :, H:H + D], "W_hh": grads[:, :, :H], "b": grads[:, :, H + D]},
                      step_norms, loss)


def _full_deltas(params: Params, cache: TanhCache, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Full BPTT for a loss on the last step, kept per sequence: deltas (T, N, H) with
    delta_t = dL/dh_t * (1 - h_t^2) at index t-1, the norms ||dL/dh_t|| (T+1, N), the loss."""
    hidden, W_hh = cache.hidden, params["W_hh"]
    T, N = cache.inputs.shape[:2]
    loss, direct = loss_and_direct_grads(hidden, Y, "last")
    deltas = 1.0 - hidden[1:] ** 2
    grad = direct[-1].copy()
    norms = np.empty((T + 1, N))
    for t in range(T, 0, -1):
        norms[t] = row_norms(grad)
        deltas[t - 1] *= grad
        grad = deltas[t - 1] @ W_hh
    norms[0] = row_norms(grad)
    return deltas, norms, loss


def _tanh_backward(
    params: Params, cache: TanhCache, Y: np.ndarray, loss_on: str, factors: np.ndarray | None
) -> tuple[Params, np.ndarray, float]:
    """Backward pass; factors None (full) or per transition, (T, R, N) or broadcastable.

    The R draws are stacked as R*N rows, so they share one matmul per step. Only the current
    dL/dh_t is kept (its norm is recorded as it goes); the deltas are stored, (T, R*N, H), and
    start out holding the local slopes 1 - h_t^2, multiplied in place. Returns grads with a
    leading (R,) axis, step norms (R, T+1) and the loss.
    """
    hidden, inputs = cache.hidden, cache.inputs
    T, N, D = inputs.shape
    H = hidden.shape[2]
    R = 1 if factors is None else factors.shape[1]
    rows = R * N
    if factors is not None:
        factors = np.broadcast_to(factors, (T, R, N)).reshape(T, rows, 1)
        cut = factors == 0.0
        has_cut = cut.any(axis=(1, 2))                      # (T,): steps where some row is cut
        scaled = (factors != 1.0).any(axis=(1, 2))          # (T,): steps that change anything
        reporting = np.where(cut, 1.0, factors)             # a cut row reports what arrives
    W_hh = params["W_hh"]
    deltas = np.empty((T, R, N, H))
    np.square(hidden[1:, None], out=deltas)
    np.subtract(1.0, deltas, out=deltas)
    deltas = deltas.reshape(T, rows, H)
    loss, direct = loss_and_direct_grads(hidden, Y, loss_on)
    grad = np.empty((R, N, H))
    grad[:] = direct[-1]
    grad = grad.reshape(rows, H)
    every_step = direct.shape[0] > 1
    norms = np.empty((T + 1, R))
    norms[T] = row_norms(grad.reshape(R, -1))
    for t in range(T, 0, -1):
        delta = deltas[t - 1]
        delta *= grad
        np.matmul(delta, W_hh, out=grad)  # what reaches h_{t-1} from step t, before any cut
        reported = grad
        if factors is not None and scaled[t - 1]:
            factor = factors[t - 1]
            if has_cut[t - 1]:  # a cut state reports what arrives at it, then passes nothing on
                reported = grad * reporting[t - 1]
            grad *= factor
        if every_step:
            grad.reshape(R, N, H)[:] += direct[t - 1]
            if reported is not grad:
                reported.reshape(R, N, H)[:] += direct[t - 1]
        norms[t - 1] = row_norms(reported.reshape(R, -1))
    by_draw = deltas.reshape(T, R, N, H).transpose(1, 0, 2, 3).reshape(R, T * N, H)
    grads = {
        "W_xh": by_draw.transpose(0, 2, 1) @ inputs.reshape(T * N, D),
        "W_hh": by_draw.transpose(0, 2, 1) @ hidden[:-1].reshape(T * N, H),
        "b": by_draw.sum(axis=1),
    }
    return grads, norms.T, loss
