"""One truncation convention for both RNNs (core.rnn.linear and core.rnn.tanh), pinned against
plain per-sequence loops: a window of K steps differentiates steps T..T-K+1, the cut state
S_{T-K} / h_{T-K} reports the gradient that reaches it and passes nothing on, and K >= T is
full BPTT."""

from __future__ import annotations

import numpy as np
import pytest

from core import rnn
from core.rnn import tanh

T = 7
WINDOWS = [1, 2, T - 1, T, T + 3, None]


def linear_loop(X, S, grad_out, w_rec, K):
    """The assignment's rules, one sequence and one step at a time, stopping after K steps."""
    N, steps = X.shape
    window = steps if K is None else min(K, steps)
    grad_w_x = grad_w_rec = 0.0
    over_time = np.zeros((N, steps + 1))
    for n in range(N):
        over_time[n, steps] = grad_out[n]
        for k in range(steps, steps - window, -1):
            grad_w_x += over_time[n, k] * X[n, k - 1] / N
            grad_w_rec += over_time[n, k] * S[n, k - 1] / N
            over_time[n, k - 1] = over_time[n, k] * w_rec
    return grad_w_x, grad_w_rec, over_time


@pytest.mark.parametrize("K", WINDOWS)
@pytest.mark.parametrize("w_rec", [0.7, -1.3])
def test_linear_window_matches_the_loop_and_reports_the_cut_state(K, w_rec):
    X, target = rnn.counting_batch(4, T, 5)
    S = rnn.linear_forward(X, 0.8, w_rec)
    _, grad_out = rnn.counting_loss(S, target)
    expected = linear_loop(X, S, grad_out, w_rec, K)
    for backward in (rnn.linear_backward, rnn.linear_backward_loop):
        grad_w_x, grad_w_rec, over_time = backward(X, S, grad_out, w_rec, truncate=K)
        assert grad_w_x == pytest.approx(expected[0], rel=1e-12)
        assert grad_w_rec == pytest.approx(expected[1], rel=1e-12)
        np.testing.assert_allclose(over_time, expected[2], rtol=1e-12)
    window = T if K is None else min(K, T)
    cut = T - window
    np.testing.assert_allclose(over_time[:, cut], grad_out * w_rec**window, rtol=1e-12)
    np.testing.assert_array_equal(over_time[:, :cut], 0.0)
    if window == T:
        full = rnn.linear_backward(X, S, grad_out, w_rec)
        truncated = rnn.linear_backward(X, S, grad_out, w_rec, truncate=K)
        assert truncated[:2] == full[:2]
        np.testing.assert_array_equal(truncated[2], full[2])


def tanh_loop(params, X, Y, loss_on, K):
    """Per-sequence BPTT with column vectors: returns the weight gradients and ||dL/dh_t||.

    The state is cut every K steps counting back from T; a cut state records what reaches it
    plus its own loss term and passes on only its own loss term."""
    N, steps, _ = X.shape
    W_hh = params["W_hh"]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    reported = np.zeros((steps + 1, N, W_hh.shape[0]))
    for n in range(N):
        states = [np.zeros(W_hh.shape[0])]
        for t in range(steps):
            states.append(np.tanh(W_hh @ states[-1] + params["W_xh"] @ X[n, t] + params["b"]))

        def own(t, n=n, states=states):
            if loss_on == "last":
                return (states[t] - Y[n]) / N if t == steps else np.zeros_like(states[t])
            return (states[t] - Y[n, t - 1]) / N if t >= 1 else np.zeros_like(states[t])

        grad = own(steps)
        reported[steps, n] = grad
        for t in range(steps, 0, -1):
            delta = grad * (1 - states[t] ** 2)
            grads["W_xh"] += np.outer(delta, X[n, t - 1])
            grads["W_hh"] += np.outer(delta, states[t - 1])
            grads["b"] += delta
            arriving = W_hh.T @ delta
            cut = K is not None and (steps - t + 1) % K == 0
            reported[t - 1, n] = arriving + own(t - 1)
            grad = own(t - 1) if cut else arriving + own(t - 1)
    return grads, np.sqrt(np.sum(reported**2, axis=(1, 2)))


@pytest.mark.parametrize("K", WINDOWS)
@pytest.mark.parametrize("loss_on", ["last", "all"])
def test_tanh_window_matches_the_loop_and_reports_the_cut_state(K, loss_on):
    params = tanh.init_tanh_rnn(4, 3, 1.3, 2)
    X, Y = tanh.sequence_task(3, T, 3, 4, 3, loss_on)
    result = tanh.tanh_bptt(params, tanh.tanh_forward(params, X), Y, loss_on, truncate=K)
    grads, norms = tanh_loop(params, X, Y, loss_on, K)
    for name, expected in grads.items():
        np.testing.assert_allclose(result.grads[name], expected, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(result.step_norms, norms, rtol=1e-10, atol=1e-15)
    window = T if K is None else min(K, T)
    if loss_on == "last":
        assert result.step_norms[T - window] > 0
        np.testing.assert_array_equal(result.step_norms[: T - window], 0.0)


@pytest.mark.parametrize("loss_on", ["last", "all"])
def test_tanh_windows_of_T_or_more_are_exactly_full_bptt(loss_on):
    params = tanh.init_tanh_rnn(4, 3, 1.3, 2)
    X, Y = tanh.sequence_task(3, T, 3, 4, 3, loss_on)
    cache = tanh.tanh_forward(params, X)
    full = tanh.tanh_bptt(params, cache, Y, loss_on)
    for K in (T, T + 1, 10 * T):
        truncated = tanh.tanh_bptt(params, cache, Y, loss_on, truncate=K)
        np.testing.assert_array_equal(truncated.step_norms, full.step_norms)
        for name in full.grads:
            np.testing.assert_array_equal(truncated.grads[name], full.grads[name])
    # the cut at K = T falls on h_0: computed through the factors it changes nothing either
    factors = tanh.truncation_factors(T, T)[:, None, None]
    grads, norms, _ = tanh._tanh_backward(params, cache, Y, loss_on, factors)
    np.testing.assert_allclose(norms[0], full.step_norms, rtol=1e-13)
    for name in full.grads:
        np.testing.assert_allclose(grads[name][0], full.grads[name], rtol=1e-13)


def test_truncated_tanh_reports_at_the_cut_what_a_fresh_run_reports_at_its_start():
    """Window K = full BPTT of the last K steps started from the frozen h_{T-K}: the cut state's
    norm is that run's ||dL/dh_0||, and the later norms are that run's too."""
    params = tanh.init_tanh_rnn(4, 3, 1.3, 2)
    X, Y = tanh.sequence_task(3, T, 3, 4, 3, "last")
    cache = tanh.tanh_forward(params, X)
    for K in (1, 3, T - 1):
        truncated = tanh.tanh_bptt(params, cache, Y, truncate=K)
        frozen = cache.hidden[T - K]
        carry = np.zeros((3, K, 4))
        carry[:, 0] = frozen
        extended = {"W_xh": np.hstack([params["W_xh"], params["W_hh"]]), "W_hh": params["W_hh"], "b": params["b"]}
        tail_inputs = np.concatenate([X[:, T - K :], carry], axis=2)
        tail = tanh.tanh_bptt(extended, tanh.tanh_forward(extended, tail_inputs), Y)
        # the tail run's h_0 is 0 and the frozen state enters through the extra input, so its
        # dL/dh_0 is W_hh^T delta_1: the same vector that reaches h_{T-K} in the truncated run
        np.testing.assert_allclose(truncated.step_norms[T - K :], tail.step_norms, rtol=1e-10)


@pytest.mark.parametrize("K", [0, -2])
def test_both_models_reject_a_window_below_one_step(K):
    params = tanh.init_tanh_rnn(4, 3, 1.3, 2)
    X, Y = tanh.sequence_task(3, T, 3, 4, 3, "last")
    with pytest.raises(ValueError, match="at least 1 step"):
        tanh.tanh_bptt(params, tanh.tanh_forward(params, X), Y, truncate=K)
    Xl, target = rnn.counting_batch(2, T, 0)
    S = rnn.linear_forward(Xl, 1.0, 0.5)
    with pytest.raises(ValueError, match="at least 1 step"):
        rnn.linear_backward(Xl, S, rnn.counting_loss(S, target)[1], 0.5, truncate=K)


def artbp_by_loss_term(params, cache, Y, factors):
    """Randomized truncation with a loss on every step, written as its sum over loss terms: the
    loss at step s reaches h_t through the exact Jacobians of steps s..t+1, weighted by the product
    of that path's factors f_{t+1} .. f_s (factors (T, N), transition t joins h_{t-1} to h_t).
    Returns the weight gradients {"W_xh", "W_hh", "b"} of one draw."""
    hidden, inputs, W = cache.hidden, cache.inputs, params["W_hh"]
    T, N, D = inputs.shape
    _, direct = tanh.loss_and_direct_grads(hidden, Y, "all")          # (T+1, N, H), direct[0] = 0
    reaching = np.zeros_like(hidden)                                  # dL/dh_t as the draw sees it
    for s in range(1, T + 1):
        for n in range(N):
            v, weight = direct[s, n].copy(), 1.0
            for t in range(s, 0, -1):
                reaching[t, n] += weight * v
                v = (v * (1.0 - hidden[t, n] ** 2)) @ W
                weight *= factors[t - 1, n]
    local = reaching[1:] * (1.0 - hidden[1:] ** 2)                    # (T, N, H)
    return {"W_xh": np.einsum("tnh,tnd->hd", local, inputs), "W_hh": np.einsum("tnh,tnk->hk", local, hidden[:-1]),
            "b": local.sum(axis=(0, 1))}


@pytest.mark.parametrize("N, draws", [(1, 1), (2, 6), (1, 40)])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_randomized_truncation_on_every_step_matches_its_sum_over_loss_terms(N, draws, seed):
    """Each draw's weight gradient (p = 0.5: a continuing path counts twice, a cut one not at all)
    equals the sum over loss terms. With one sequence and one draw, steps whose only factor is 2
    (nothing cut, everything doubled) are common; those must double, too. The draws come 32 at a
    time from the generator (the default chunk), so a seed gives the same 40 draws every time."""
    T, D, H, K, p = 7, 2, 3, 2, 0.5
    params = tanh.init_tanh_rnn(H, D, 1.3, seed=seed)
    X, Y = tanh.sequence_task(N, T, D, H, seed + 10, loss_on="all")
    cache = tanh.tanh_forward(params, X)
    result = tanh.tanh_bptt_randomized(params, cache, Y, K, p, draws, np.random.default_rng(seed), loss_on="all")
    rng = np.random.default_rng(seed)                                   # the same draws, 32 at a time
    factors = np.concatenate([tanh.randomized_factors(T, N, K, p, min(32, draws - start), rng)
                              for start in range(0, draws, 32)], axis=1)
    for r in range(draws):
        expected = artbp_by_loss_term(params, cache, Y, factors[:, r, :])
        for name, value in expected.items():
            np.testing.assert_allclose(result.grads[name][r], value, rtol=1e-10, atol=1e-14)
