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

import math
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.messages import N_, _
from core.rnn import linear, tanh
from core.rnn.view import latex_number

MAX_TYPED_LENGTH = 60
"""Longest sequence `parse_sequence` accepts: the loop table gets one row per step."""

LOOP_CODE = """\
grad_over_time[:, T] = 2 * (S[:, T] - target)
# k = T, T-1, ..., T-K+1; K = T: full BPTT
for k in range(T, T - K, -1):
    g = grad_over_time[:, k]   # dL/dS_k
    # rule 3 (X_k is X[:, k-1]) and rule 2
    grad_w_x += np.mean(g * X[:, k - 1])
    grad_w_rec += np.mean(g * S[:, k - 1])
    # rule 1: dL/dS_{k-1} for the next step
    grad_over_time[:, k - 1] = g * w_rec
"""
"""The backward loop the table traces, in the arrays' indexing (X 0-based, S with S_0 first), at most
45 characters a line so it sits beside the rules without scrolling."""

LOOP_COLUMNS = ("k", "X_k", "S_k-1", "S_k", "dL/dS_k", "dL/dS_k · X_k", "dL/dS_k · S_k-1",
                "dL/dw_x so far", "dL/dw_rec so far")


SEQUENCE_HELP = N_(
    "Numbers separated by spaces or commas, e.g. 1 0 1 1 or 1, 0.5, -2. A group of two or more 0s and 1s "
    "with nothing between them is always a run of steps, one per digit, wherever it appears: 10110 is five "
    "steps, 10 is the two steps 1, 0, and 1 10 is three steps 1, 1, 0. To type the number ten, write 10.0."
)
"""The sequence box's rule for the student (the help text beside the box; shown as `_(SEQUENCE_HELP)`)."""


def parse_sequence(text: str, max_length: int = MAX_TYPED_LENGTH) -> np.ndarray:
    """A typed sequence as floats (T,), by one rule (SEQUENCE_HELP): numbers separated by spaces,
    commas or semicolons ("1 0 1", "1, 0.5"), where any group of two or more 0/1 digits with no
    separator is a run of steps, one per digit, whether it stands alone or among other numbers
    ("10" and "1 10" both read 10 as the steps 1, 0; "10.0" is ten). Raises ValueError with a
    sentence for the student."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError(_("type at least one number, e.g. 1 0 1 1 0"))
    tokens = []
    for token in re.split(r"[\s,;]+", cleaned):
        if re.fullmatch(r"[01]{2,}", token):
            tokens.extend(token)
        elif token:
            tokens.append(token)
    try:
        values = np.array([float(token) for token in tokens])
    except ValueError:
        bad = next(token for token in tokens if not _is_number(token))
        raise ValueError(_("'{text}' is not a number; separate the numbers with spaces or commas").format(
            text=bad[:20])) from None
    if not np.isfinite(values).all():
        raise ValueError(_("every value must be a finite number (no inf or nan)"))
    if len(values) > max_length:
        raise ValueError(_("at most {max_length} steps fit the table; got {count}").format(
            max_length=max_length, count=len(values)))
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
class StepByStep:
    """The loop's trace on one sequence beside the closed form it must end at.

    trace: `assignment_loop`'s (full BPTT); closed: (dL/dw_x, dL/dw_rec) from
    `linear.linear_backward` (no loop over time); gap: the largest relative difference between
    the trace's last row and `closed` (equal infinities agree; 0 when both are 0);
    overflow: whether a value passed float64 (shown as inf).
    """

    trace: LoopTrace
    closed: tuple[float, float]
    gap: float
    overflow: bool


def step_by_step(X: np.ndarray, w_x: float, w_rec: float) -> StepByStep:
    """Run the assignment's loop on X (T,) and the closed form, for the page: slider values in,
    cacheable, no warnings escape (an overflow is reported in the result)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", linear.OverflowWarning)
        trace = assignment_loop(X, w_x, w_rec)
        grad_out = np.array([2.0 * (trace.S[-1] - trace.target)])
        closed_w_x, closed_w_rec, _ = linear.linear_backward(trace.X[None], trace.S[None], grad_out, w_rec)
    overflow = any(issubclass(w.category, linear.OverflowWarning) for w in caught)
    gaps = [_relative_gap(shown, closed) for shown, closed in
            ((trace.grad_w_x, closed_w_x), (trace.grad_w_rec, closed_w_rec))]
    return StepByStep(trace, (closed_w_x, closed_w_rec), max(gaps), overflow)


def loop_step_latex(trace: LoopTrace, k: int, w_rec: float) -> list[str]:
    """Iteration k of the loop (k = T runs first) with its numbers, three aligned LaTeX blocks of
    short rows (a name, the rule, its numbers, the result): where dL/dS_k comes from (the loss at
    k = T, rule 1 from step k+1 otherwise), then rules 3 and 2 adding this step's terms to the
    running sums."""
    T = len(trace.X)
    row = T - k
    if not 0 <= row < len(trace.table):
        raise ValueError(f"the loop runs k = {T} down to {T - len(trace.table) + 1}; got k = {k}")
    step = trace.table.iloc[row]
    earlier = trace.table.iloc[row - 1] if row else None
    grad = r"\frac{\partial L}{\partial S_{%s}}"
    if earlier is None:
        source = (rf"\text{{the loss at }}k = T\\ &{grad % T} = 2\,(S_{{{T}}} - \text{{count}})"
                  rf"\\ &= 2\,({_n(step['S_k'])} - {_n(trace.target, brackets=True)}) = {_n(step['dL/dS_k'])}")
    else:
        source = (rf"\text{{Rule 1, from step {k + 1}}}\\ &{grad % k} = w_{{rec}}\,{grad % (k + 1)}"
                  rf"\\ &= ({_n(w_rec)})\,({_n(earlier['dL/dS_k'])})\\ &= {_n(step['dL/dS_k'])}")
    before_x = 0.0 if earlier is None else earlier["dL/dw_x so far"]
    before_rec = 0.0 if earlier is None else earlier["dL/dw_rec so far"]
    return [
        rf"\begin{{aligned}}&{source}\end{{aligned}}",
        rf"\begin{{aligned}}&\text{{Rule 3}}\\ &\frac{{\partial L}}{{\partial w_x}} \mathrel{{+}}= "
        rf"{grad % k}\,X_{{{k}}}"
        rf"\\ &= {_n(before_x)} + ({_n(step['dL/dS_k'])})\,({_n(step['X_k'])})\\ &= {_n(step['dL/dw_x so far'])}"
        r"\end{aligned}",
        rf"\begin{{aligned}}&\text{{Rule 2}}\\ &\frac{{\partial L}}{{\partial w_{{rec}}}} \mathrel{{+}}= "
        rf"{grad % k}\,S_{{{k - 1}}}"
        rf"\\ &= {_n(before_rec)} + ({_n(step['dL/dS_k'])})\,({_n(step['S_k-1'])})\\ &= "
        rf"{_n(step['dL/dw_rec so far'])}\end{{aligned}}",
    ]


def _n(value: float, brackets: bool = False) -> str:
    """latex_number, -0 written 0, in parentheses when negative and `brackets` (after a minus)."""
    text = latex_number(float(value) + 0.0)  # + 0.0 turns -0.0 into 0.0
    return f"({text})" if brackets and value < 0 else text


def _relative_gap(shown: float, closed: float) -> float:
    """|shown - closed| / max(|closed|, 1); equal values (infinities too) agree, nan disagrees."""
    if shown == closed:
        return 0.0
    if math.isnan(shown) or math.isnan(closed) or math.isinf(shown) or math.isinf(closed):
        return math.inf
    return abs(shown - closed) / max(abs(closed), 1.0)


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
    own, through_next, total = _paths(params, tanh.tanh_forward(params, X), Y)
    _check_step(t, sequence, own.shape)
    return TwoPaths(t, sequence, own[t], through_next[t], total[t], _norms_by_step(own, through_next, total),
                    _units(own[t, sequence], through_next[t, sequence], total[t, sequence]))


def two_paths_view(radius: float, H: int, T: int, seed: int, t: int, sequence: int = 0) -> TwoPaths:
    """`two_paths` on `two_paths_problem(radius, H, T, seed)`: slider values in, cacheable."""
    params, X, Y = two_paths_problem(radius, H, T, seed)
    return two_paths(params, X, Y, t, sequence)


@dataclass(frozen=True)
class TwoPathsTrace:
    """The two paths at every step at once, so a page moving t only reads a row.

    by_step: as TwoPaths.by_step (T rows); own, through_next, total: (T+1, H), the paths of one
    batch row `sequence` at every step (row 0, the constant h_0, is zero); bptt_gap: the largest
    relative difference between the norms of `total` and the step norms of `tanh.tanh_bptt`
    (an independent backward pass), 0 when they agree to the last digit.
    """

    sequence: int
    by_step: pd.DataFrame
    own: np.ndarray
    through_next: np.ndarray
    total: np.ndarray
    bptt_gap: float

    @property
    def T(self) -> int:
        return len(self.by_step)

    def units(self, t: int, count: int | None = None) -> pd.DataFrame:
        """Step t's paths per unit for the first `count` units (all by default), as TwoPaths.units."""
        _check_step(t, self.sequence, (self.T + 1, self.sequence + 1, self.own.shape[1]))
        shown = slice(0, count)
        return _units(self.own[t, shown], self.through_next[t, shown], self.total[t, shown])


def two_paths_trace(radius: float, H: int, T: int, seed: int, sequence: int = 0) -> TwoPathsTrace:
    """Both paths at every step of `two_paths_problem(radius, H, T, seed)` for one batch row,
    checked against tanh_bptt with a loss on every step: slider values in, cacheable."""
    params, X, Y = two_paths_problem(radius, H, T, seed)
    cache = tanh.tanh_forward(params, X)
    own, through_next, total = _paths(params, cache, Y)
    _check_step(1, sequence, own.shape)
    by_step = _norms_by_step(own, through_next, total)
    reference = tanh.tanh_bptt(params, cache, Y, "all").step_norms[1:]
    with np.errstate(over="ignore", invalid="ignore"):
        gap = np.abs(by_step["total"].to_numpy() - reference) / np.maximum(np.abs(reference), 1e-300)
    gap = np.where(by_step["total"].to_numpy() == reference, 0.0, gap)   # equal infinities agree
    return TwoPathsTrace(sequence, by_step, own[:, sequence], through_next[:, sequence], total[:, sequence],
                         float(np.max(gap)))


def _paths(params: dict, cache: tanh.TanhCache, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(own, through_next, total), each (T+1, N, H) with row 0 zero: the loss term at t, the
    path through h_{t+1} and their sum dL/dh_t, by the recursion backwards from t = T."""
    hidden = cache.hidden                                             # (T+1, N, H)
    T = hidden.shape[0] - 1
    _, own = tanh.loss_and_direct_grads(hidden, Y, "all")             # (T+1, N, H), own[0] = 0
    through_next = np.zeros_like(own)
    total = np.zeros_like(own)
    total[T] = own[T]
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(T - 1, 0, -1):
            through_next[step] = (total[step + 1] * (1.0 - hidden[step + 1] ** 2)) @ params["W_hh"]
            total[step] = own[step] + through_next[step]
    return own, through_next, total


def _check_step(t: int, sequence: int, shape: tuple[int, ...]) -> None:
    """ValueError unless 1 <= t <= T and 0 <= sequence < N, for paths shaped (T+1, N, H)."""
    T, N = shape[0] - 1, shape[1]
    if not 1 <= t <= T:
        raise ValueError(f"the step t must be between 1 and T = {T}; got {t}")
    if not 0 <= sequence < N:
        raise ValueError(f"the sequence must be between 0 and {N - 1}; got {sequence}")


def _norms_by_step(own: np.ndarray, through_next: np.ndarray, total: np.ndarray) -> pd.DataFrame:
    """t = 1..T and the Frobenius norm over batch and units of each path, (T+1, N, H) in."""
    T = own.shape[0] - 1
    with np.errstate(over="ignore", invalid="ignore"):
        return pd.DataFrame({"t": np.arange(1, T + 1)} | {
            name: tanh.row_norms(values[1:].reshape(T, -1))
            for name, values in (("own", own), ("through_next", through_next), ("total", total))})


def _units(own: np.ndarray, through_next: np.ndarray, total: np.ndarray) -> pd.DataFrame:
    """One row per hidden unit: unit, own, through_next, total (each (H,) in)."""
    return pd.DataFrame({"unit": np.arange(len(own)), "own": own, "through_next": through_next, "total": total})


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
