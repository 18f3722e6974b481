"""Step norms far below 1e-154, where squaring a float64 underflows, are the gradient's true size and
not 0: every BPTT path of the labs against an independent reference.

The reference knows the models' equations and the states the forward pass visited. Each step's
Jacobian d(state_t)/d(state_{t-1}) is taken there by complex step (exact to rounding, one complex
forward step per state unit), and dL/dh_T is carried back through them in long double, whose
exponent (x86-64's 80-bit format) reaches 1e-4951: nothing underflows on its side.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.rnn import gated, tanh
from tests.rnn.test_gated import sigmoid

STEP = 1e-30  # complex-step size: no subtraction, so it can be this small

needs_long_double = pytest.mark.skipif(
    np.finfo(np.longdouble).minexp > -16000,
    reason="long double is no wider than float64 here: the reference would underflow too")


def tanh_step(params, x):
    return lambda state: np.tanh(params["W_hh"] @ state + params["W_xh"] @ x + params["b"])


def lstm_step(params, x):
    H = params["W_h"].shape[1]

    def step(state):
        h, c = state[:H], state[H:]
        pre = params["W_h"] @ h + params["W_x"] @ x + params["b"]
        i, f, g, o = sigmoid(pre[:H]), sigmoid(pre[H:2 * H]), np.tanh(pre[2 * H:3 * H]), sigmoid(pre[3 * H:])
        c_next = f * c + i * g
        return np.concatenate([o * np.tanh(c_next), c_next])
    return step


def gru_step(params, x):
    H = params["W_h"].shape[1]

    def step(h):
        from_x, from_h = params["W_x"] @ x + params["b"], params["W_h"] @ h
        r = sigmoid(from_x[:H] + from_h[:H])
        z = sigmoid(from_x[H:2 * H] + from_h[H:2 * H])
        n = np.tanh(from_x[2 * H:] + r * from_h[2 * H:])
        return (1.0 - z) * n + z * h
    return step


def jacobian(step, state: np.ndarray) -> np.ndarray:
    """d step(state) / d state, (S, S), by complex step."""
    columns = []
    for j in range(state.size):
        probe = state.astype(complex)
        probe[j] += 1j * STEP
        columns.append(step(probe).imag / STEP)
    return np.array(columns).T


def reference_norms(make_step, params, X, states, Y, H) -> np.ndarray:
    """||dL/dh_t|| for t = 0..T (loss 0.5 ||h_T - y||^2 / N on the last step), in long double.
    states: (T+1, N, S) visited states, the hidden state first in each."""
    N, T, _ = X.shape
    grads = np.zeros((N, states.shape[2]), dtype=np.longdouble)
    grads[:, :H] = (states[T, :, :H] - Y) / N
    norms = np.empty(T + 1, dtype=np.longdouble)
    norms[T] = np.sqrt(np.sum(grads[:, :H] ** 2))
    for t in range(T, 0, -1):
        for n in range(N):
            grads[n] = jacobian(make_step(params, X[n, t - 1]), states[t - 1, n]).astype(np.longdouble).T @ grads[n]
        norms[t - 1] = np.sqrt(np.sum(grads[:, :H] ** 2))
    return norms


def assert_matches_far_below(ours: np.ndarray, reference: np.ndarray) -> None:
    """ours (T+1,) equals the reference to 1e-9 wherever the reference is a normal float64 (from
    1e-300), and the case reaches well into the range a plain sum of squares loses."""
    normal = reference >= 1e-300
    assert np.count_nonzero(normal & (reference < 1e-170)) >= 20, "the case never reaches the tiny range"
    np.testing.assert_allclose(ours[normal], reference[normal].astype(np.float64), rtol=1e-9, atol=0)


@pytest.fixture(scope="module")
def tanh_case():
    N, T, H, D = 2, 450, 4, 3
    params = tanh.init_tanh_rnn(H, D, 0.2, seed=4)
    params["b"] = np.random.default_rng(6).uniform(-0.5, 0.5, H)  # init_tanh_rnn's bias is 0
    X, Y = tanh.sequence_task(N, T, D, H, 5)
    cache = tanh.tanh_forward(params, X)
    return params, X, Y, cache, reference_norms(tanh_step, params, X, cache.hidden, Y, H)


@needs_long_double
def test_full_bptt_of_the_tanh_rnn_reports_norms_far_below_1e_154(tanh_case):
    params, X, Y, cache, reference = tanh_case
    assert_matches_far_below(tanh.tanh_bptt(params, cache, Y).step_norms, reference)


@needs_long_double
def test_the_deep_tabs_decay_curves_report_norms_far_below_1e_154(tanh_case):
    params, X, Y, cache, reference = tanh_case
    assert_matches_far_below(tanh.step_norms_for_each([params, params], X, Y)[1], reference)


@needs_long_double
def test_randomized_truncation_that_never_cuts_reports_norms_far_below_1e_154(tanh_case):
    """p = 1 never stops early and K = T keeps every step: each draw is full BPTT, through the
    randomized path's own way of adding up norms."""
    params, X, Y, cache, reference = tanh_case
    T = X.shape[1]
    draws = tanh.tanh_bptt_randomized(params, cache, Y, T, 1.0, 3, np.random.default_rng(0))
    for row in draws.step_norms:
        assert_matches_far_below(row, reference)


@needs_long_double
@pytest.mark.parametrize("cell, bias, scale", [("lstm", -3.0, 0.6), ("gru", -3.0, 0.6)])
def test_gated_bptt_and_the_gate_bias_sweep_report_norms_far_below_1e_154(cell, bias, scale):
    """gated_bptt (the Decay part) and the stacked sweep (held rescaled by powers of two), for a
    gate biased shut, where the gradient fades by orders of magnitude per step."""
    N, T, H, D = 2, 400, 4, 3
    X, Y = tanh.sequence_task(N, T, D, H, 7)
    init = gated.init_lstm if cell == "lstm" else gated.init_gru
    params = init(H, D, 3, bias, scale)
    cache = gated.gated_forward(cell, params, X)
    states = cache.hidden if cell == "gru" else np.concatenate([cache.hidden, cache.extra], axis=2)
    reference = reference_norms(lstm_step if cell == "lstm" else gru_step, params, X, states, Y, H)
    assert_matches_far_below(gated.gated_bptt(params, cache, Y).step_norms, reference)
    zero_bias = init(H, D, 3, 0.0, scale)
    swept = gated.sweep_step_norms({cell: zero_bias}, X, Y, (2.0, bias, 0.5))[cell]
    assert_matches_far_below(swept[1], reference)


def test_row_norms_scale_only_what_squaring_would_lose():
    rows = np.array([[3e-200, 4e-200], [3e200, 4e200], [3.0, 4.0], [0.0, 0.0], [np.inf, 1.0], [5e-324, 0.0]])
    norms = tanh.row_norms(rows)
    np.testing.assert_allclose(norms[:3], [5e-200, 5e200, 5.0], rtol=1e-15)
    assert norms[3] == 0.0 and norms[4] == np.inf and norms[5] == 5e-324


def test_the_truncation_bias_stays_finite_where_the_gradients_square_past_float64():
    """At w_rec = 1.5 and T = 432 the assignment's gradients reach about 1e155: finite, though their
    squares are not. Every window's relative error is a number, equal to math.hypot's (exact scaling)."""
    import math

    from core.rnn import linear, view

    T, batch, seed = 432, 8, 0
    frame = view.truncation_bias(1.0, (1.5,), T, batch, seed)
    X, target = linear.counting_batch(batch, T, seed)
    S = linear.linear_forward(X, 1.0, 1.5)
    by_window = linear.truncated_gradients_by_window(X, S, linear.counting_loss(S, target)[1], 1.5)
    assert np.abs(by_window).max() > 1e154 and np.isfinite(by_window).all()
    full = by_window[-1]
    expected = [math.hypot(*(row - full)) / math.hypot(*full) for row in by_window]
    np.testing.assert_allclose(frame["rel_error"].to_numpy(), expected, rtol=1e-12, atol=0)


def test_row_norms_of_no_rows_and_of_rows_holding_nan():
    assert tanh.row_norms(np.zeros((0, 3))).shape == (0,)
    norms = tanh.row_norms(np.array([[np.nan, 1e-200], [1e-200, 0.0]]))
    assert np.isnan(norms[0]) and norms[1] == 1e-200


def test_the_assignments_truncated_gradient_compares_where_the_gradients_square_past_float64():
    """The same gradients (about 1e155) in the Assignment tab's own comparison at K = 100: a relative
    error and a cosine, not "undefined", equal to plain Python's (math.hypot scales exactly)."""
    import math

    from core.rnn import view

    shown = view.assignment_view(1.0, 1.5, 432, 20, 0, 100)
    full, truncated = np.asarray(shown.full, dtype=float), np.asarray(shown.truncated, dtype=float)
    assert np.abs(full).max() > 1e154 and np.isfinite(full).all() and np.isfinite(truncated).all()
    expected_error = math.hypot(*(truncated - full)) / math.hypot(*full)
    unit_full, unit_truncated = full / math.hypot(*full), truncated / math.hypot(*truncated)
    assert shown.rel_error == pytest.approx(expected_error, rel=1e-12)
    assert shown.cosine == pytest.approx(float(unit_full @ unit_truncated), rel=1e-12)
