"""What the BPTT explorer page shows, computed from its settings (pure NumPy, no streamlit).

Each function takes the page's slider values and returns plain arrays, DataFrames and numbers,
so the page only lays them out and `st.cache_data` can cache them. Overflow warnings raised
inside are collected and returned as messages: a cached result must still be able to warn.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.messages import _
from core.rnn import gated, linear, tanh
from core.rnn.charts import series_label
from core.rnn.gradcheck import directional_check, finite_difference_check, tanh_forward_mode

SURFACE_RANGE = (-2.5, 2.5)
"""Both axes of the counting loss surface span this interval."""

SURFACE_POINTS = 100
DEEP_RADII = (0.5, 0.8, 1.0, 1.2, 1.5)
DEEP_BATCH = 8
EXPLODED = 1e6  # gradient entries past this are chaotic-regime noise for every method
DEEP_INPUTS = 4
MC_PROBABILITIES = (0.5, 0.7, 0.8, 0.9, 0.95)
GATE_BIASES = (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0)


def _collect_overflow(compute: Callable[[], object]) -> tuple[object, tuple[str, ...]]:
    """Run compute(); return (its result, the distinct OverflowWarning messages it issued)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", linear.OverflowWarning)
        result = compute()
    messages = tuple(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, linear.OverflowWarning)))
    return result, messages


def _norm(vector: np.ndarray) -> np.float64:
    """Euclidean norm of any array's entries, finite wherever they are (tanh.row_norms: gradients
    near 1e155 square past float64). A NumPy float, so a division by a zero norm gives inf or nan."""
    return tanh.row_norms(np.ravel(vector)[None])[0]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of the angle between two vectors (nan if either is zero or not finite); each is
    divided by its norm first, so the dot product cannot overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        norm_a, norm_b = _norm(a), _norm(b)
        if not (np.isfinite(norm_a) and np.isfinite(norm_b)) or norm_a == 0.0 or norm_b == 0.0:
            return math.nan
        return float(np.dot(a / norm_a, b / norm_b))


def _relative_error(estimate: np.ndarray, reference: np.ndarray) -> float:
    """||estimate - reference|| / ||reference|| (nan if not finite or the reference is zero)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        value = _norm(estimate - reference) / _norm(reference)
    return float(value) if np.isfinite(value) else math.nan


# --- Assignment tab: the counting RNN -------------------------------------------------------


@dataclass(frozen=True)
class AssignmentView:
    """Everything the assignment tab shows for one setting.

    grad_magnitude: (T+1,) batch mean of |dL/dS_k| for k = 0..T (full BPTT); full, truncated:
    (2,) gradients (dL/dw_x, dL/dw_rec), full BPTT and window K; loss: the MSE;
    mean_grad_last, mean_grad_first: batch means of dL/dS_T and dL/dS_0; rel_error, cosine:
    truncated against full;
    overflow: OverflowWarning messages (empty if everything stayed finite).
    """

    T: int
    K: int
    loss: float
    grad_magnitude: np.ndarray
    mean_grad_last: float
    mean_grad_first: float
    full: np.ndarray
    truncated: np.ndarray
    rel_error: float
    cosine: float
    overflow: tuple[str, ...] = ()


def assignment_view(w_x: float, w_rec: float, T: int, batch: int, seed: int, K: int) -> AssignmentView:
    """Forward, loss and full and truncated BPTT of the counting RNN on a random batch."""
    X, target = linear.counting_batch(batch, T, seed)
    K = min(K, T)

    def compute() -> tuple:
        S = linear.linear_forward(X, w_x, w_rec)
        loss, grad_out = linear.counting_loss(S, target)
        grad_w_x, grad_w_rec, grad_over_time = linear.linear_backward(X, S, grad_out, w_rec)
        trunc_w_x, trunc_w_rec, _ = linear.linear_backward(X, S, grad_out, w_rec, truncate=K)
        with np.errstate(over="ignore", invalid="ignore"):
            magnitude = np.mean(np.abs(grad_over_time), axis=0)
            first = float(np.mean(grad_over_time[:, 0]))
        return loss, grad_out, (grad_w_x, grad_w_rec), (trunc_w_x, trunc_w_rec), magnitude, first

    (loss, grad_out, full, truncated, magnitude, first), messages = _collect_overflow(compute)
    full, truncated = np.array(full), np.array(truncated)
    with np.errstate(over="ignore", invalid="ignore"):
        mean_last = float(np.mean(grad_out))
    return AssignmentView(
        T, K, loss, magnitude, mean_last, first, full, truncated,
        _relative_error(truncated, full), _cosine(truncated, full), messages,
    )


def latex_number(value: float) -> str:
    """A float as LaTeX: plain for 1e-3 <= |value| < 1e4, else 1.23 \\times 10^{-5}; inf as \\infty."""
    if math.isnan(value):
        return r"\text{undefined (inf - inf)}"
    if math.isinf(value):
        return r"-\infty" if value < 0 else r"\infty"
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.4g}"
    mantissa, exponent = f"{value:.3e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _bracketed(value: float) -> str:
    """latex_number, in parentheses when negative (it follows a times sign)."""
    return f"({latex_number(value)})" if value < 0 else latex_number(value)


def rules_latex(view: AssignmentView, w_rec: float) -> list[str]:
    """The assignment's three backward rules as LaTeX, each with the live batch-mean numbers.

    Each rule is an aligned block of two short lines (the rule, then its numbers), so it fits a
    phone's width instead of running off the screen.
    """
    T = view.T
    return [
        r"\begin{aligned}&\text{Rule 1: }\frac{\partial L}{\partial S_{k-1}} = w_{rec}\,\frac{\partial L}{\partial S_k}"
        rf"\\ &\Rightarrow\;\overline{{\frac{{\partial L}}{{\partial S_0}}}} = w_{{rec}}^{{{T}}}\,"
        rf"\overline{{\frac{{\partial L}}{{\partial S_{{{T}}}}}}}\\ &= ({w_rec:g})^{{{T}}}"
        rf" \times {_bracketed(view.mean_grad_last)} = {latex_number(view.mean_grad_first)}\end{{aligned}}",
        r"\begin{aligned}&\text{Rule 2: }\frac{\partial L}{\partial w_{rec}} = \frac{1}{N}\sum_{n}\sum_{k=1}^{T}"
        r"\frac{\partial L}{\partial S_k}\,S_{k-1}"
        rf"\\ &= {latex_number(float(view.full[1]))}\end{{aligned}}",
        r"\begin{aligned}&\text{Rule 3: }\frac{\partial L}{\partial w_{x}} = \frac{1}{N}\sum_{n}\sum_{k=1}^{T}"
        r"\frac{\partial L}{\partial S_k}\,X_k"
        rf"\\ &= {latex_number(float(view.full[0]))}\end{{aligned}}",
    ]


def truncation_bias(w_x: float, w_recs: tuple[float, ...], T: int, batch: int, seed: int) -> pd.DataFrame:
    """Relative error of the truncated gradient against full BPTT for every window K.

    Returns a long DataFrame with columns K (1..T), w_rec, rel_error (nan where the gradient
    overflowed; K = T is exact, so its error is 0).
    """
    X, target = linear.counting_batch(batch, T, seed)
    frames = []
    for w_rec in w_recs:

        def compute(w_rec: float = w_rec) -> np.ndarray:
            S = linear.linear_forward(X, w_x, w_rec)
            _, grad_out = linear.counting_loss(S, target)
            return linear.truncated_gradients_by_window(X, S, grad_out, w_rec)

        by_window, _ = _collect_overflow(compute)
        full = by_window[-1]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # row_norms: at w_rec = 1.5, T = 432 the gradients reach 1e155, finite, but their squares do not
            errors = tanh.row_norms(by_window - full) / tanh.row_norms(full[None])[0]
        errors = np.where(np.isfinite(errors), errors, np.nan)
        frames.append(pd.DataFrame({"K": np.arange(1, T + 1), "w_rec": w_rec, "rel_error": errors}))
    return pd.concat(frames, ignore_index=True)


def counting_surface(T: int, batch: int, seed: int) -> linear.LossSurface:
    """The log10 counting loss on a SURFACE_POINTS^2 grid over SURFACE_RANGE^2."""
    X, target = linear.counting_batch(batch, T, seed)
    axis = np.linspace(*SURFACE_RANGE, SURFACE_POINTS)
    return linear.loss_surface(X, target, axis, axis)


@dataclass(frozen=True)
class Verification:
    """A finite-difference check of gradients the page shows.

    max_error: the largest error among the checks; parts: {what was checked: error};
    detail: one sentence for the badge (what was compared, on which problem).
    """

    max_error: float
    parts: dict[str, float]
    detail: str


def _largest_finite_T(w_x: float, w_rec: float, T: int, batch: int, seed: int) -> int:
    """The longest prefix length T' <= T (halving from T) whose counting loss stays below 1e100
    and whose gradients stay finite, so finite differences still have digits to work with."""
    length = T
    while length > 1:
        X, target = linear.counting_batch(batch, length, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", linear.OverflowWarning)
            S = linear.linear_forward(X, w_x, w_rec)
            loss, grad_out = linear.counting_loss(S, target)
            grads = linear.linear_backward(X, S, grad_out, w_rec)
        if loss < 1e100 and np.all(np.isfinite(grads[2])) and np.all(np.isfinite(grads[:2])):
            return length
        length //= 2
    return 1


def verify_assignment(w_x: float, w_rec: float, T: int, batch: int, seed: int, K: int) -> Verification:
    """Check the full and window-K gradients against five-point central differences and the
    closed form against the assignment's loop.

    The truncated gradient is the exact gradient of a loss in which S_{T-K} is frozen:
    S_T = w_rec^K S_{T-K} + (the last K steps run from 0), so it can be checked numerically too.
    Near the minimum the exact gradient is 0; differences are then compared with 1e-3 T^2 (about
    the gradient a residual of 1e-3 per sequence gives) or, if larger, 1e-3 times the loss (the
    differences of a large loss carry rounding noise of ~1e-16 loss / eps). If the values overflow float64, the
    check runs on the longest prefix of the sequences that stays finite.
    """
    length = _largest_finite_T(w_x, w_rec, T, batch, seed)
    X, target = linear.counting_batch(batch, length, seed)
    K = min(K, length)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linear.OverflowWarning)
        S = linear.linear_forward(X, w_x, w_rec)
        _loss, grad_out = linear.counting_loss(S, target)
        closed_full = linear.linear_backward(X, S, grad_out, w_rec)
        closed_trunc = linear.linear_backward(X, S, grad_out, w_rec, truncate=K)
        loop_full = linear.linear_backward_loop(X, S, grad_out, w_rec)
        loop_trunc = linear.linear_backward_loop(X, S, grad_out, w_rec, truncate=K)
    frozen = S[:, length - K]

    def full_loss(p: dict) -> float:
        return linear.counting_loss(linear.linear_forward(X, float(p["w_x"]), float(p["w_rec"])), target)[0]

    def frozen_loss(p: dict) -> float:
        tail = linear.linear_forward(X[:, length - K :], float(p["w_x"]), float(p["w_rec"]))[:, -1]
        last = float(p["w_rec"]) ** K * frozen + tail
        return float(np.mean((last - target) ** 2))

    params = {"w_x": np.array(float(w_x)), "w_rec": np.array(float(w_rec))}
    loss = linear.counting_loss(S, target)[0]
    settings = dict(points=4, atol=1e-3 * max(length**2, loss))
    full_check = finite_difference_check(
        full_loss, params, _as_grads(closed_full), eps=_difference_steps(X, S[:, -1], target, w_x, w_rec), **settings
    )
    trunc_steps = _difference_steps(X[:, length - K :], S[:, -1], target, w_x, w_rec, frozen=frozen)
    trunc_check = finite_difference_check(frozen_loss, params, _as_grads(closed_trunc), eps=trunc_steps, **settings)
    parts = {
        "full BPTT vs finite differences": full_check.error,
        f"truncated (K={K}) vs finite differences": trunc_check.error,
        "closed form vs loop": max(_loop_error(closed_full, loop_full), _loop_error(closed_trunc, loop_trunc)),
    }
    detail = (_("dL/dw_x, dL/dw_rec (full and K={K}) vs five-point central differences, closed form vs the "
                "assignment's loop, on the current settings") if length == T else
              _("dL/dw_x, dL/dw_rec (full and K={K}) vs five-point central differences, closed form vs the "
                "assignment's loop, on the first {length} steps (the full sequence overflows)"))
    detail = detail.format(K=K, length=length)
    return Verification(max(parts.values()), parts, detail)


def _difference_steps(
    X: np.ndarray, S_T: np.ndarray, target: np.ndarray, w_x: float, w_rec: float, frozen: np.ndarray | None = None
) -> dict[str, float]:
    """A finite-difference step per weight that moves S_T by about 1e-3 of the residual.

    X (N, K) are the steps the loss differentiates through, S_T (N,) the final states, and
    `frozen` (N,) the state held constant before them (truncated BPTT), which adds
    K w_rec^(K-1) frozen to dS_T/dw_rec.

    S_T is a degree-T polynomial in w_rec and linear in w_x with a slope that can be 3^T, so a
    fixed step either drowns the derivative in rounding noise or leaves the region where the
    loss is smooth; the step is the smaller of 1e-4 max(1, |w|) / T and 1e-3 (residual) divided
    by an upper bound of |dS_T/dw| (the same model run with |w_x|, |w_rec| on inputs >= 0).
    """
    length = X.shape[1]
    residual = max(1.0, float(np.sqrt(np.mean((S_T - target) ** 2))))
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", linear.OverflowWarning)
        bound_S = linear.linear_forward(X, abs(w_x), abs(w_rec))
        slope_x = float(np.mean(linear.linear_forward(X, 1.0, abs(w_rec))[:, -1]))
        slope_rec = float(linear.linear_backward(X, bound_S, np.ones(X.shape[0]), abs(w_rec))[1])
        if frozen is not None:
            slope_rec += float(np.mean(np.abs(frozen))) * length * abs(w_rec) ** (length - 1)
    steps = {}
    for name, weight, slope in (("w_x", w_x, slope_x), ("w_rec", w_rec, slope_rec)):
        plain = 1e-4 * max(1.0, abs(weight)) / length
        steps[name] = min(plain, 1e-3 * residual / slope) if np.isfinite(slope) and slope > 0 else plain
    return steps


def _as_grads(result: tuple[float, float, np.ndarray]) -> dict[str, np.ndarray]:
    return {"w_x": np.array(result[0]), "w_rec": np.array(result[1])}


def _loop_error(closed: tuple, loop: tuple) -> float:
    """Largest relative difference between closed-form and loop results (weights and
    grad_over_time, the latter norm-wise)."""
    weights = _relative_error(np.array(closed[:2]), np.array(loop[:2])) if np.any(np.array(loop[:2])) else 0.0
    over_time = _relative_error(closed[2], loop[2]) if np.any(loop[2]) else 0.0
    return max(weights, over_time)


# --- Deep RNN tab: tanh -------------------------------------------------------------------


def deep_problem(radius: float, H: int, T: int, seed: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """Parameters (W_hh at spectral radius `radius`), inputs X (DEEP_BATCH, T, DEEP_INPUTS) and
    last-step targets Y (DEEP_BATCH, H) for the deep tab; the same seed gives the same
    direction of W_hh for every radius."""
    params = tanh.init_tanh_rnn(H, DEEP_INPUTS, radius, seed)
    X, Y = tanh.sequence_task(DEEP_BATCH, T, DEEP_INPUTS, H, seed + 1)
    return params, X, Y


def recurrent_stats(radius: float, H: int, seed: int) -> tuple[float, float]:
    """(spectral radius, largest singular value) of the deep tab's W_hh (H, H)."""
    W_hh = tanh.init_tanh_rnn(H, DEEP_INPUTS, radius, seed)["W_hh"]
    return tanh.spectral_radius(W_hh), tanh.largest_singular_value(W_hh)


def decay_curves(radii: tuple[float, ...], H: int, T: int, seed: int) -> pd.DataFrame:
    """||dL/dh_t|| of full BPTT for several spectral radii; long DataFrame with columns
    t (0..T), norm, series ("radius 0.8", ...), radius."""
    problems = [deep_problem(radius, H, T, seed) for radius in radii]
    norms = tanh.step_norms_for_each([params for params, _, _ in problems], *problems[0][1:])
    return pd.DataFrame({"t": np.tile(np.arange(T + 1), len(radii)), "norm": norms.ravel(),
                         "series": np.repeat([f"radius {radius:g}" for radius in radii], T + 1),
                         "radius": np.repeat(radii, T + 1)})


@dataclass(frozen=True)
class DeepView:
    """The deep tab's numbers for one setting.

    spectral_radius, largest_singular: of W_hh; estimates: DataFrame with one row per method
    (full, truncated, randomized mean) and columns method, norm, rel_error, cosine;
    step_norms: long DataFrame t, norm, series for full, truncated and one randomized draw;
    monte_carlo: DataFrame draws, running_error (||running mean - full|| / ||full||),
    expected_error (sqrt(mean per-draw squared error / draws)).
    """

    spectral_radius: float
    largest_singular: float
    estimates: pd.DataFrame
    step_norms: pd.DataFrame
    monte_carlo: pd.DataFrame


def _flat(grads: dict[str, np.ndarray], draws: bool = False) -> np.ndarray:
    """Concatenate all gradients into one vector ((P,), or (R, P) with draws)."""
    if draws:
        return np.concatenate([g.reshape(g.shape[0], -1) for g in grads.values()], axis=1)
    return np.concatenate([g.ravel() for g in grads.values()])


def deep_view(radius: float, H: int, T: int, seed: int, K: int, p: float, draws: int) -> DeepView:
    """Full, truncated (window K) and randomized (min window K, continuation p) BPTT of the tanh
    RNN, with a Monte Carlo of `draws` randomized estimates."""
    params, X, Y = deep_problem(radius, H, T, seed)
    cache = tanh.tanh_forward(params, X)
    full = tanh.tanh_bptt(params, cache, Y)
    truncated = tanh.tanh_bptt(params, cache, Y, truncate=K)
    randomized = tanh.tanh_bptt_randomized(params, cache, Y, K, p, draws, np.random.default_rng(seed + 2))
    full_vec, trunc_vec = _flat(full.grads), _flat(truncated.grads)
    samples = _flat(randomized.grads, draws=True)
    mean_vec = samples.mean(axis=0)
    estimates = pd.DataFrame({
        "method": ["full BPTT", f"truncated (K={K})", f"randomized, mean of {draws}"],
        "norm": [np.linalg.norm(v) for v in (full_vec, trunc_vec, mean_vec)],
        "rel_error": [0.0, _relative_error(trunc_vec, full_vec), _relative_error(mean_vec, full_vec)],
        "cosine": [1.0, _cosine(trunc_vec, full_vec), _cosine(mean_vec, full_vec)],
    })
    steps = np.arange(T + 1)
    step_norms = pd.concat([
        pd.DataFrame({"t": steps, "norm": full.step_norms, "series": "full BPTT"}),
        pd.DataFrame({"t": steps, "norm": truncated.step_norms, "series": f"truncated (K={K})"}),
        pd.DataFrame({"t": steps, "norm": randomized.step_norms[0], "series": "one randomized draw"}),
    ], ignore_index=True)
    so_far = np.arange(1, draws + 1)  # not `count`: pybabel would read `count = f(...)` as a messages.count() call
    running_mean = np.cumsum(samples, axis=0) / so_far[:, None]
    scale = max(np.linalg.norm(full_vec), 1e-300)
    per_draw_sq = np.sum((samples - full_vec) ** 2, axis=1) / scale**2
    monte_carlo = pd.DataFrame({
        "draws": so_far,
        "running_error": np.linalg.norm(running_mean - full_vec, axis=1) / scale,
        "expected_error": np.sqrt(np.cumsum(per_draw_sq) / so_far / so_far),
    })
    W_hh = params["W_hh"]
    return DeepView(tanh.spectral_radius(W_hh), tanh.largest_singular_value(W_hh),
                    estimates, step_norms, monte_carlo)


def estimates_markdown(estimates: pd.DataFrame) -> str:
    """DeepView.estimates as a markdown table (method, ||g||, error vs full, cosine), narrow enough
    for a phone."""
    rows = [_("| method | ‖g‖ | error vs full | cosine |"), "|---|---|---|---|"]
    for row in estimates.itertuples(index=False):
        rows.append(f"| {series_label(row.method)} | {row.norm:.3e} | {row.rel_error:.2e} | {row.cosine:.5f} |")
    return "\n".join(rows)


def randomized_spread(radius: float, H: int, T: int, seed: int, K: int, draws: int,
                      probabilities: tuple[float, ...] = MC_PROBABILITIES) -> pd.DataFrame:
    """Bias and spread of randomized truncation for several continuation probabilities p.

    Columns p, mean_length (expected number of contributing steps, K + p/(1-p) capped at T),
    bias (||mean of draws - full|| / ||full||), spread (root mean square of a single draw's
    relative error: the estimator's standard deviation), truncation_error (window K, for
    comparison; the same on every row).
    """
    params, X, Y = deep_problem(radius, H, T, seed)
    cache = tanh.tanh_forward(params, X)
    full_vec = _flat(tanh.tanh_bptt(params, cache, Y).grads)
    trunc_error = _relative_error(_flat(tanh.tanh_bptt(params, cache, Y, truncate=K).grads), full_vec)
    scale = max(np.linalg.norm(full_vec), 1e-300)
    rows = []
    for index, p in enumerate(probabilities):
        rng = np.random.default_rng(seed + 10 + index)
        samples = _flat(tanh.tanh_bptt_randomized(params, cache, Y, K, p, draws, rng).grads, draws=True)
        rows.append({
            "p": p,
            "mean_length": min(T, K + p / (1 - p)) if p < 1 else T,
            "bias": np.linalg.norm(samples.mean(axis=0) - full_vec) / scale,
            "spread": float(np.sqrt(np.mean(np.sum((samples - full_vec) ** 2, axis=1)))) / scale,
            "truncation_error": trunc_error,
        })
    return pd.DataFrame(rows)


def verify_deep(radius: float, H: int, T: int, seed: int, K: int) -> Verification:
    """Full BPTT of the tanh RNN against central differences (4 random entries of each
    weight), and truncated BPTT against the full gradient of the last K steps started from the
    frozen state h_{T-K}. Runs on the first min(T, 60) steps with H at most 16 to stay fast."""
    length, width = min(T, 60), min(H, 16)
    params, X, Y = deep_problem(radius, width, length, seed)
    cache = tanh.tanh_forward(params, X)
    full = tanh.tanh_bptt(params, cache, Y)
    check = finite_difference_check(lambda q: tanh.tanh_loss(q, X, Y), params, full.grads,
                                    eps=1e-8, points=4, entries_per_param=4, seed=seed)
    window = min(K, length)
    truncated = tanh.tanh_bptt(params, cache, Y, truncate=window)
    tail = _tail_gradient(params, cache, X, Y, window)
    parts = {
        "full BPTT vs central differences": check.error,
        f"truncated (K={window}) vs BPTT of the last K steps": _relative_error(_flat(truncated.grads), _flat(tail)),
    }
    first = (_("weight gradients vs central differences and truncation vs a fresh K-step run on the current "
               "settings") if (length, width) == (T, H) else
             _("weight gradients vs central differences and truncation vs a fresh K-step run on T={length}, H={width} "
               "(a smaller copy, for speed)")).format(length=length, width=width)
    complex_error, largest = _complex_step_error(radius, H, T, seed)
    if largest <= EXPLODED:
        parts["full BPTT vs complex-step derivatives, current settings"] = complex_error
        second = _("full BPTT vs complex-step directional derivatives on the current settings (T={T}, H={H})").format(
            T=T, H=H)
    else:
        second = _("at the current settings the gradient has exploded to {largest}, where rounding in any method "
                   "(BPTT or a numerical derivative) swamps the digits, so no full-size check is claimed").format(
            largest=f"{largest:.1e}")
    detail = _("{first}; {second}").format(first=first, second=second)
    return Verification(max(parts.values()), parts, detail)


def _complex_step_error(radius: float, H: int, T: int, seed: int, directions: int = 3) -> tuple[float, float]:
    """(largest relative error of <BPTT gradient, v> against the complex-step derivative along v
    over a few random directions v, largest |gradient entry|) on the deep tab's problem at its
    real size. The complex step is taken in its limit h -> 0, in real arithmetic, all directions in
    one pass (gradcheck.tanh_forward_mode): the same numbers to rounding, at a quarter of the cost."""
    params, X, Y = deep_problem(radius, H, T, seed)
    grads = tanh.tanh_bptt(params, tanh.tanh_forward(params, X), Y).grads
    rng = np.random.default_rng(seed + 99)
    along = [{name: rng.standard_normal(value.shape) for name, value in params.items()} for _ in range(directions)]
    numeric = tanh_forward_mode(params, X, Y, along)
    errors = []
    for direction, derivative in zip(along, numeric, strict=True):
        analytic = sum(float(np.sum(grads[name] * direction[name])) for name in params)
        errors.append(abs(analytic - derivative) / max(abs(analytic), abs(derivative), 1e-300))
    return max(errors), max(float(np.max(np.abs(value))) for value in grads.values())


def _tail_gradient(params: dict, cache: tanh.TanhCache, X: np.ndarray, Y: np.ndarray, K: int) -> dict:
    """Full BPTT of the last K steps run from the frozen state h_{T-K}: W_xh x + b is shifted
    by W_hh h_{T-K} on the first of those steps only, through an extra input channel."""
    T = X.shape[1]
    frozen = cache.hidden[T - K]
    carry_in = np.zeros((X.shape[0], K, frozen.shape[1]))
    carry_in[:, 0] = frozen
    extended = {"W_xh": np.concatenate([params["W_xh"], params["W_hh"]], axis=1),
                "W_hh": params["W_hh"], "b": params["b"]}
    tail_inputs = np.concatenate([X[:, T - K :], carry_in], axis=2)
    result = tanh.tanh_bptt(extended, tanh.tanh_forward(extended, tail_inputs), Y)
    D = X.shape[2]
    grad_carry = result.grads["W_xh"][:, D:]
    return {"W_xh": result.grads["W_xh"][:, :D], "W_hh": result.grads["W_hh"] + grad_carry, "b": result.grads["b"]}


# --- Gated tab ----------------------------------------------------------------------------


def gated_problem(cell: str, H: int, T: int, seed: int, gate_bias: float, scale: float) -> dict:
    """Parameters of the LSTM or GRU with gate bias `gate_bias` and recurrent scale `scale`."""
    if cell == "lstm":
        return gated.init_lstm(H, DEEP_INPUTS, seed, forget_bias=gate_bias, recurrent_scale=scale)
    return gated.init_gru(H, DEEP_INPUTS, seed, update_bias=gate_bias, recurrent_scale=scale)


def gated_curves(H: int, T: int, seed: int, gate_bias: float, radius: float) -> pd.DataFrame:
    """||dL/dh_t|| for the tanh RNN (W_hh at spectral radius `radius`), the LSTM and the GRU
    (recurrent weights at the same scale, gate bias `gate_bias`) on the same inputs and a
    last-step loss. Long DataFrame t, norm, series."""
    params, X, Y = deep_problem(radius, H, T, seed)
    tanh_norms = tanh.tanh_bptt(params, tanh.tanh_forward(params, X), Y).step_norms
    frames = [pd.DataFrame({"t": np.arange(T + 1), "norm": tanh_norms, "series": "tanh RNN"})]
    for cell, label in (("lstm", "LSTM"), ("gru", "GRU")):
        cell_params = gated_problem(cell, H, T, seed, gate_bias, radius)
        result = gated.gated_bptt(cell_params, gated.gated_forward(cell, cell_params, X), Y)
        frames.append(pd.DataFrame({"t": np.arange(T + 1), "norm": result.step_norms, "series": label}))
    return pd.concat(frames, ignore_index=True)


def gate_bias_sweep(H: int, T: int, seed: int, radius: float, biases: tuple[float, ...] = GATE_BIASES) -> pd.DataFrame:
    """How much gradient survives T steps, ||dL/dh_0|| / ||dL/dh_T||, against the gate bias.
    Columns bias, cell ("LSTM" or "GRU"), surviving."""
    X, Y = tanh.sequence_task(DEEP_BATCH, T, DEEP_INPUTS, H, seed + 1)
    # Both cells and every bias in one stacked run: 2 * len(biases) networks, one loop over the steps.
    swept = gated.sweep_step_norms({cell: gated_problem(cell, H, T, seed, 0.0, radius) for cell in ("lstm", "gru")},
                                   X, Y, biases)
    frames = [pd.DataFrame({"bias": biases, "cell": label,
                            "surviving": swept[cell][:, 0] / np.maximum(swept[cell][:, -1], 1e-300)})
              for cell, label in (("lstm", "LSTM"), ("gru", "GRU"))]
    return pd.concat(frames, ignore_index=True)


def verify_gated(H: int, T: int, seed: int, gate_bias: float, radius: float) -> Verification:
    """LSTM, GRU and tanh RNN gradients against 4-point central differences along two random
    directions of all their weights (every entry counts in each), on the first min(T, 40)
    steps with H at most 12 to stay fast."""
    length, width = min(T, 40), min(H, 12)
    X, Y = tanh.sequence_task(DEEP_BATCH, length, DEEP_INPUTS, width, seed + 1)
    parts: dict[str, float] = {}
    for cell, label in (("lstm", "LSTM"), ("gru", "GRU")):
        params = gated_problem(cell, width, length, seed, gate_bias, radius)
        result = gated.gated_bptt(params, gated.gated_forward(cell, params, X), Y)
        parts[label] = directional_check(lambda q, cell=cell: gated.gated_loss(cell, q, X, Y), params, result.grads,
                                         seed=seed).error
    tanh_params = tanh.init_tanh_rnn(width, DEEP_INPUTS, radius, seed)
    tanh_result = tanh.tanh_bptt(tanh_params, tanh.tanh_forward(tanh_params, X), Y)
    parts["tanh RNN"] = directional_check(lambda q: tanh.tanh_loss(q, X, Y), tanh_params, tanh_result.grads,
                                          seed=seed).error
    detail = (_("LSTM, GRU and tanh RNN weight gradients vs central differences along random directions, on "
                "current settings") if (length, width) == (T, H) else
              _("LSTM, GRU and tanh RNN weight gradients vs central differences along random directions, on "
                "T={length}, H={width} (a smaller copy, for speed)")).format(length=length, width=width)
    return Verification(max(parts.values()), parts, detail)
