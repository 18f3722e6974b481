"""The day's BPTT examples with the student's own numbers (pure NumPy and pandas, no streamlit).

- `assignment_loop`: the assignment's backward loop run on one sequence the student types (or a
  random one), one row per step in the loop's order k = T, T-1, ..., with the running sums of
  both weight gradients; its last row is `linear.linear_backward`.
- `two_paths`: the lecture's unrolled graph, where each hidden state h_t of the tanh RNN sends
  its gradient back along two edges: dL/dh_t = (through o_t: the loss at step t) + (through
  h_{t+1}), for a loss on every step.

Convention as in core.rnn.linear: X_k is the input of step k (k = 1..T), stored in X[k-1].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.rnn import linear, tanh

MAX_TYPED_LENGTH = 60
"""Longest sequence `parse_sequence` accepts: the loop table gets one row per step."""

LOOP_CODE = """\
grad_over_time[:, T] = 2 * (S[:, T] - target)      # dL/dS_T per sequence
for k in range(T, T - K, -1):                      # k = T, T-1, ..., T-K+1 (K = T: full BPTT)
    grad_w_x += np.mean(grad_over_time[:, k] * X[:, k - 1])     # rule 3: X_k is column k-1
    grad_w_rec += np.mean(grad_over_time[:, k] * S[:, k - 1])   # rule 2
    grad_over_time[:, k - 1] = grad_over_time[:, k] * w_rec      # rule 1
"""
"""The backward loop the table traces, in the arrays' 0-based indexing (shown beside the rules)."""

LOOP_COLUMNS = ("k", "X_k", "S_k-1", "S_k", "dL/dS_k", "dL/dS_k · X_k", "dL/dS_k · S_k-1",
                "dL/dw_x so far", "dL/dw_rec so far")


def parse_sequence(text: str, max_length: int = MAX_TYPED_LENGTH) -> np.ndarray:
    """A typed sequence as floats (T,): numbers separated by spaces or commas ("1 0 1", "1, 0.5")
    or a run of 0/1 digits ("10110"). Raises ValueError with a sentence for the student."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("type at least one number, e.g. 1 0 1 1 0")
    tokens = [token for token in re.split(r"[\s,;]+", cleaned) if token]
    if len(tokens) == 1 and re.fullmatch(r"[01]{2,}", tokens[0]):
        tokens = list(tokens[0])
    try:
        values = np.array([float(token) for token in tokens])
    except ValueError:
        bad = next(token for token in tokens if not _is_number(token))
        raise ValueError(f"'{bad[:20]}' is not a number; separate the numbers with spaces or commas") from None
    if not np.isfinite(values).all():
        raise ValueError("every value must be a finite number (no inf or nan)")
    if len(values) > max_length:
        raise ValueError(f"at most {max_length} steps fit the table; got {len(values)}")
    return values


def random_sequence(T: int, seed: int) -> np.ndarray:
    """A random binary sequence (T,) of 0.0 and 1.0, the same as `linear.counting_batch(1, T, seed)`."""
    return linear.counting_batch(1, T, seed)[0][0]


@dataclass(frozen=True)
class LoopTrace:
    """The assignment's backward loop on one sequence, step by step.

    X: (T,) inputs; S: (T+1,) states S_0..S_T; target: the count the loss compares S_T with;
    loss: (S_T - target)^2; K: the window (T for full BPTT); table: DataFrame with LOOP_COLUMNS,
    one row per step in the loop's order (k = T first, k = T-K+1 last); grad_w_x, grad_w_rec:
    the last row's running sums; grad_at_cut: dL/dS_{T-K}, what the loop writes last
    (dL/dS_0 for full BPTT).
    """

    X: np.ndarray
    S: np.ndarray
    target: float
    loss: float
    K: int
    table: pd.DataFrame
    grad_w_x: float
    grad_w_rec: float
    grad_at_cut: float


def assignment_loop(X: np.ndarray, w_x: float, w_rec: float, target: float | None = None,
                    truncate: int | None = None) -> LoopTrace:
    """Forward, loss and the backward loop on one sequence X (T,), one row per step.

    target defaults to the count X.sum(). truncate=K (>= 1) stops after K steps, as
    `linear.linear_backward(..., truncate=K)` does. Values that overflow float64 show as inf.
    """
    X = np.asarray(X, dtype=np.float64).reshape(-1)
    T = len(X)
    if T == 0:
        raise ValueError("the sequence needs at least one step")
    K = T if truncate is None else min(int(truncate), T)
    if K < 1:
        raise ValueError(f"the truncation window K must be at least 1 step, got {truncate}")
    target = float(X.sum()) if target is None else float(target)
    with np.errstate(over="ignore", invalid="ignore"):
        S = linear.linear_forward(X[None], w_x, w_rec)[0]
        grad = 2.0 * (S[T] - target)
        loss = (S[T] - target) ** 2
        rows = []
        grad_w_x = grad_w_rec = 0.0
        for k in range(T, T - K, -1):
            term_x, term_rec = grad * X[k - 1], grad * S[k - 1]
            grad_w_x += term_x
            grad_w_rec += term_rec
            rows.append((k, X[k - 1], S[k - 1], S[k], grad, term_x, term_rec, grad_w_x, grad_w_rec))
            grad = grad * w_rec
    table = pd.DataFrame(rows, columns=list(LOOP_COLUMNS))
    table["k"] = table["k"].astype(int)
    return LoopTrace(X, S, target, float(loss), K, table, float(grad_w_x), float(grad_w_rec), float(grad))


@dataclass(frozen=True)
class TwoPaths:
    """dL/dh_t of the tanh RNN split into its two paths, loss on every step.

    t: the chosen step (1..T); sequence: the batch row shown per unit.
    own: (N, H) the path through o_t, the loss term at step t itself ((h_t - y_t) / N here,
    since o_t = h_t); through_next: (N, H) the path through h_{t+1},
    W_hh^T ((1 - h_{t+1}^2) * dL/dh_{t+1}) (zero for t = T); total: (N, H) their sum, dL/dh_t.
    by_step: DataFrame for every step t = 1..T with columns t, own, through_next, total (the
    Frobenius norms over batch and units; norms do not add, the vectors do).
    units: DataFrame for the chosen t and sequence, one row per hidden unit: unit, own,
    through_next, total.
    """

    t: int
    sequence: int
    own: np.ndarray
    through_next: np.ndarray
    total: np.ndarray
    by_step: pd.DataFrame
    units: pd.DataFrame


def two_paths_problem(radius: float, H: int, T: int, seed: int, batch: int = 8,
                      inputs: int = 4) -> tuple[dict, np.ndarray, np.ndarray]:
    """Parameters (W_hh at spectral radius `radius`), inputs X (batch, T, inputs) and targets on
    every step Y (batch, T, H), seeded as the Deep RNN tab seeds its problem."""
    params = tanh.init_tanh_rnn(H, inputs, radius, seed)
    X, Y = tanh.sequence_task(batch, T, inputs, H, seed + 1, loss_on="all")
    return params, X, Y


def two_paths(params: dict, X: np.ndarray, Y: np.ndarray, t: int, sequence: int = 0) -> TwoPaths:
    """Both paths of dL/dh_t for the tanh RNN on X (N, T, D) with targets Y (N, T, H)."""
    cache = tanh.tanh_forward(params, X)
    hidden = cache.hidden                                             # (T+1, N, H)
    T = hidden.shape[0] - 1
    if not 1 <= t <= T:
        raise ValueError(f"the step t must be between 1 and T = {T}; got {t}")
    if not 0 <= sequence < hidden.shape[1]:
        raise ValueError(f"the sequence must be between 0 and {hidden.shape[1] - 1}; got {sequence}")
    _, own = tanh.loss_and_direct_grads(hidden, Y, "all")             # (T+1, N, H), own[0] = 0
    through_next = np.zeros_like(own)
    total = np.zeros_like(own)
    total[T] = own[T]
    for step in range(T - 1, 0, -1):
        through_next[step] = (total[step + 1] * (1.0 - hidden[step + 1] ** 2)) @ params["W_hh"]
        total[step] = own[step] + through_next[step]
    steps = np.arange(1, T + 1)
    by_step = pd.DataFrame({
        "t": steps,
        "own": np.linalg.norm(own[1:].reshape(T, -1), axis=1),
        "through_next": np.linalg.norm(through_next[1:].reshape(T, -1), axis=1),
        "total": np.linalg.norm(total[1:].reshape(T, -1), axis=1),
    })
    units = pd.DataFrame({
        "unit": np.arange(hidden.shape[2]),
        "own": own[t, sequence],
        "through_next": through_next[t, sequence],
        "total": total[t, sequence],
    })
    return TwoPaths(t, sequence, own[t], through_next[t], total[t], by_step, units)


def two_paths_view(radius: float, H: int, T: int, seed: int, t: int, sequence: int = 0) -> TwoPaths:
    """`two_paths` on `two_paths_problem(radius, H, T, seed)`: slider values in, cacheable."""
    params, X, Y = two_paths_problem(radius, H, T, seed)
    return two_paths(params, X, Y, t, sequence)


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
