"""The assignment's linear RNN (core.rnn): forward, the BPTT contract, loop vs closed form vs
finite differences, truncation, overflow and the loss surface."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import rnn
from core.rnn.gradcheck import finite_difference_check

weights = st.floats(-1.6, 1.6, allow_nan=False).map(lambda w: round(w, 3))
small = settings(max_examples=40, deadline=None)


def recurrence(X: np.ndarray, w_x: float, w_rec: float) -> np.ndarray:
    """The contract's definition, one step at a time."""
    S = np.zeros((X.shape[0], X.shape[1] + 1))
    for k in range(1, X.shape[1] + 1):
        S[:, k] = S[:, k - 1] * w_rec + X[:, k - 1] * w_x
    return S


def setup(N: int, T: int, seed: int, w_x: float, w_rec: float):
    X, target = rnn.counting_batch(N, T, seed)
    S = rnn.linear_forward(X, w_x, w_rec)
    loss, grad_out = rnn.counting_loss(S, target)
    return X, target, S, loss, grad_out


def assert_close(a: float, b: float, rtol: float = 1e-9) -> None:
    assert abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300), (a, b)


@small
@given(N=st.integers(1, 4), T=st.integers(0, 40), w_x=weights, w_rec=weights, seed=st.integers(0, 100))
def test_forward_matches_the_recurrence(N, T, w_x, w_rec, seed):
    X = np.random.default_rng(seed).normal(size=(N, T))
    S = rnn.linear_forward(X, w_x, w_rec)
    assert S.shape == (N, T + 1)
    assert np.all(S[:, 0] == 0)
    np.testing.assert_allclose(S, recurrence(X, w_x, w_rec), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("w_rec", [0.0, 0.1, 0.5, 0.9, 0.999, 1.0, -0.9, 1.001, -1.002])
def test_chunked_forward_over_long_sequences(w_rec):
    X, _ = rnn.counting_batch(3, 3000, 1)
    np.testing.assert_allclose(rnn.linear_forward(X, 0.7, w_rec), recurrence(X, 0.7, w_rec), rtol=1e-9, atol=1e-12)


def test_weights_one_count_the_ones():
    X, target = rnn.counting_batch(16, 200, 3)
    S = rnn.linear_forward(X, 1.0, 1.0)
    np.testing.assert_array_equal(S[:, -1], target)
    loss, grad_out = rnn.counting_loss(S, target)
    assert loss == 0.0 and np.all(grad_out == 0.0)


def test_backward_contract_shapes_and_zeros_below_the_window():
    X, _, S, _, grad_out = setup(5, 12, 0, 0.8, 0.9)
    for backward in (rnn.linear_backward, rnn.linear_backward_loop, rnn.linear_backward_closed):
        grad_w_x, grad_w_rec, grad_over_time = backward(X, S, grad_out, 0.9, truncate=4)
        assert isinstance(grad_w_x, float) and isinstance(grad_w_rec, float)
        assert grad_over_time.shape == (5, 13)
        np.testing.assert_array_equal(grad_over_time[:, : 12 - 4], 0.0)
        assert np.all(grad_over_time[:, 12 - 4 :] != 0.0)
        np.testing.assert_array_equal(grad_over_time[:, 12], grad_out)


def test_closed_form_is_grad_out_times_powers():
    X, _, S, _, grad_out = setup(4, 20, 1, 1.1, -0.8)
    _, _, grad_over_time = rnn.linear_backward_closed(X, S, grad_out, -0.8)
    k = np.arange(21)
    np.testing.assert_allclose(grad_over_time, grad_out[:, None] * (-0.8) ** (20 - k), rtol=1e-12)


@small
@given(N=st.integers(1, 4), T=st.integers(1, 30), w_x=weights, w_rec=weights, seed=st.integers(0, 100),
       K=st.one_of(st.none(), st.integers(1, 35)))
def test_loop_and_closed_form_agree(N, T, w_x, w_rec, seed, K):
    X, _, S, _, grad_out = setup(N, T, seed, w_x, w_rec)
    loop = rnn.linear_backward_loop(X, S, grad_out, w_rec, truncate=K)
    closed = rnn.linear_backward_closed(X, S, grad_out, w_rec, truncate=K)
    scale = max(abs(loop[0]), abs(loop[1]), 1e-12)
    assert abs(loop[0] - closed[0]) <= 1e-9 * scale
    assert abs(loop[1] - closed[1]) <= 1e-9 * scale
    np.testing.assert_allclose(closed[2], loop[2], rtol=1e-9, atol=1e-12 * max(1.0, np.abs(loop[2]).max()))
    assert np.array_equal(closed[2] == 0.0, loop[2] == 0.0) or w_rec == 0.0


@pytest.mark.parametrize("K", [None, 1, 5, 9, 10, 50])
def test_window_at_least_T_is_full_and_truncation_matches_by_window(K):
    X, _, S, _, grad_out = setup(6, 10, 2, 0.9, 1.05)
    full = rnn.linear_backward(X, S, grad_out, 1.05)
    result = rnn.linear_backward(X, S, grad_out, 1.05, truncate=K)
    if K is None or K >= 10:
        assert result[:2] == full[:2]
    by_window = rnn.truncated_gradients_by_window(X, S, grad_out, 1.05)
    assert by_window.shape == (10, 2)
    if K:
        np.testing.assert_allclose(by_window[min(K, 10) - 1], result[:2], rtol=1e-12)


@pytest.mark.parametrize("K", [-1, 0])
def test_a_window_below_one_step_is_rejected(K):
    X, _, S, _, grad_out = setup(2, 5, 0, 1.0, 0.5)
    for backward in (rnn.linear_backward, rnn.linear_backward_loop):
        with pytest.raises(ValueError, match="at least 1 step"):
            backward(X, S, grad_out, 0.5, truncate=K)


def counting_loss_at(X, target):
    return lambda p: rnn.counting_loss(rnn.linear_forward(X, float(p["w_x"]), float(p["w_rec"])), target)[0]


def frozen_loss_at(X, target, S, K):
    """The loss with S_{T-K} held constant: its exact gradient is the truncated gradient."""
    T = X.shape[1]

    def loss(p):
        tail = rnn.linear_forward(X[:, T - K :], float(p["w_x"]), float(p["w_rec"]))[:, -1]
        return float(np.mean((float(p["w_rec"]) ** K * S[:, T - K] + tail - target) ** 2))

    return loss


@small
@given(N=st.integers(1, 4), T=st.integers(1, 25), w_x=weights, w_rec=weights, seed=st.integers(0, 100),
       K=st.integers(1, 25))
def test_gradients_match_finite_differences(N, T, w_x, w_rec, seed, K):
    X, target, S, loss, grad_out = setup(N, T, seed, w_x, w_rec)
    params = {"w_x": np.array(w_x), "w_rec": np.array(w_rec)}
    # a finite difference resolves derivatives only down to ~1e-16 loss / eps, and its O(eps^4)
    # error grows like T^2 at a minimum: gradients below this are compared in absolute terms
    atol = 1e-3 * max(T**2, loss)
    checks = [(counting_loss_at(X, target), rnn.linear_backward(X, S, grad_out, w_rec))]
    K = min(K, T)
    checks.append((frozen_loss_at(X, target, S, K), rnn.linear_backward(X, S, grad_out, w_rec, truncate=K)))
    for loss_fn, (grad_w_x, grad_w_rec, _) in checks:
        result = finite_difference_check(loss_fn, params, {"w_x": np.array(grad_w_x), "w_rec": np.array(grad_w_rec)},
                                         eps=1e-4 / T, points=4, atol=atol)
        assert result.passed(1e-6), result


def test_loop_backward_is_the_assignments_rules():
    """Rule 1: dL/dS_{k-1} = w_rec dL/dS_k; rules 2 and 3 sum dL/dS_k times S_{k-1} and X_k
    (X_k is column k-1 of the 0-based input array)."""
    X, _, S, _, grad_out = setup(3, 6, 4, 1.0, 0.5)
    grad_w_x, grad_w_rec, grad_over_time = rnn.linear_backward_loop(X, S, grad_out, 0.5)
    np.testing.assert_allclose(grad_over_time[:, :-1], 0.5 * grad_over_time[:, 1:])
    assert_close(grad_w_rec, float(np.mean(np.sum(grad_over_time[:, 1:] * S[:, :-1], axis=1))))
    assert_close(grad_w_x, float(np.mean(np.sum(grad_over_time[:, 1:] * X, axis=1))))


def test_overflow_gives_inf_and_a_warning_not_an_exception():
    X, target = rnn.counting_batch(8, 1000, 0)
    with pytest.warns(rnn.OverflowWarning, match="float64"):
        S = rnn.linear_forward(X, 1.0, 3.0)
    assert np.isinf(S[:, -1]).all()
    _, grad_out = rnn.counting_loss(S, target)
    for backward in (rnn.linear_backward, rnn.linear_backward_loop):
        with pytest.warns(rnn.OverflowWarning):
            grad_w_x, grad_w_rec, grad_over_time = backward(X, S, grad_out, 3.0)
        assert not np.isfinite(grad_over_time).all()
    assert math.isinf(grad_w_x) and math.isinf(grad_w_rec)
    assert not np.isnan(grad_over_time).any()


@pytest.mark.parametrize("w_rec", [-3.0, 2.0, 1e10])
def test_other_overflows_never_raise(w_rec):
    X, target = rnn.counting_batch(4, 700, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", rnn.OverflowWarning)
        S = rnn.linear_forward(X, 1.0, w_rec)
        _, grad_out = rnn.counting_loss(S, target)
        rnn.linear_backward(X, S, grad_out, w_rec, truncate=300)
        rnn.truncated_gradients_by_window(X, S, grad_out, w_rec)


def test_finite_results_do_not_warn():
    X, _, S, _, grad_out = setup(4, 100_000, 0, 1.0, 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grad_w_x, grad_w_rec, _ = rnn.linear_backward(X, S, grad_out, 0.9)
    assert math.isfinite(grad_w_x) and math.isfinite(grad_w_rec)


def test_loss_surface_matches_direct_losses():
    X, target = rnn.counting_batch(7, 50, 5)
    w_x = np.linspace(-2.5, 2.5, 13)
    w_rec = np.linspace(-2.5, 2.5, 11)
    surface = rnn.loss_surface(X, target, w_x, w_rec)
    assert surface.log10_loss.shape == (11, 13)
    for i in range(11):
        for j in range(13):
            loss, _ = rnn.counting_loss(rnn.linear_forward(X, w_x[j], w_rec[i]), target)
            expected = max(math.log10(loss), rnn.LOG10_LOSS_FLOOR) if loss > 0 else rnn.LOG10_LOSS_FLOOR
            assert surface.log10_loss[i, j] == pytest.approx(expected, abs=1e-9)
    assert not surface.overflowed.any()


def test_loss_surface_stays_finite_where_the_loss_overflows():
    X, target = rnn.counting_batch(5, 1000, 0)
    surface = rnn.loss_surface(X, target, np.array([0.5, 1.0]), np.array([0.5, 1.0, 3.0, -3.0]))
    assert np.isfinite(surface.log10_loss).all()
    assert surface.overflowed[2:].all() and not surface.overflowed[:2].any()
    # |S_T| ~ 3^999 * |sum_j X_j 3^-j|, so log10(loss) ~ 2 * 999 * log10(3)
    assert surface.log10_loss[2, 1] == pytest.approx(2 * 999 * math.log10(3), abs=1.0)
