"""The tanh RNN (core.rnn.tanh): W_hh construction, forward, BPTT against finite differences,
per-step norms, truncation and randomized truncation."""

from __future__ import annotations

import numpy as np
import pytest

from core.rnn import tanh
from core.rnn.gradcheck import finite_difference_check


def problem(seed: int, loss_on: str, N: int = 3, T: int = 9, D: int = 3, H: int = 5, radius: float = 1.2):
    params = tanh.init_tanh_rnn(H, D, radius, seed)
    X, Y = tanh.sequence_task(N, T, D, H, seed + 1, loss_on)
    return params, X, Y


def naive_states(params, X, h0=None, start=0):
    """h_t = tanh(W_hh h_{t-1} + W_xh x_t + b) per sequence, column vectors, from step `start`."""
    N, T, _ = X.shape
    H = params["W_hh"].shape[0]
    states = np.zeros((N, T - start + 1, H))
    for n in range(N):
        h = np.zeros(H) if h0 is None else h0[n]
        states[n, 0] = h
        for t in range(start, T):
            h = np.tanh(params["W_hh"] @ h + params["W_xh"] @ X[n, t] + params["b"])
            states[n, t - start + 1] = h
    return states


@pytest.mark.parametrize("radius", [0.3, 0.9, 1.0, 1.5, 3.0])
@pytest.mark.parametrize("H", [2, 16, 64])
def test_recurrent_matrix_has_the_requested_spectral_radius(radius, H):
    W = tanh.recurrent_matrix(H, radius, np.random.default_rng(H))
    assert tanh.spectral_radius(W) == pytest.approx(radius, rel=1e-10)
    sigma = tanh.largest_singular_value(W)
    assert sigma >= radius * (1 - 1e-10)
    assert sigma == pytest.approx(np.linalg.svd(W, compute_uv=False)[0], rel=1e-12)


def test_forward_matches_the_textbook_recurrence():
    params, X, _ = problem(0, "last")
    cache = tanh.tanh_forward(params, X)
    assert cache.hidden.shape == (10, 3, 5)
    np.testing.assert_allclose(cache.hidden.transpose(1, 0, 2), naive_states(params, X), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("loss_on", ["last", "all"])
def test_bptt_matches_finite_differences(seed, loss_on):
    params, X, Y = problem(seed, loss_on, radius=0.6 + 0.5 * seed)
    result = tanh.tanh_bptt(params, tanh.tanh_forward(params, X), Y, loss_on)
    assert {name: g.shape for name, g in result.grads.items()} == {name: p.shape for name, p in params.items()}
    check = finite_difference_check(lambda p: tanh.tanh_loss(p, X, Y, loss_on), params, result.grads, eps=1e-6)
    assert check.passed(1e-7), check
    assert result.loss == pytest.approx(tanh.tanh_loss(params, X, Y, loss_on))


def test_step_norms_are_norms_of_dL_dh_t_by_finite_differences():
    """Perturb h_t directly (run the rest of the sequence from it) and compare ||dL/dh_t||."""
    params, X, Y = problem(7, "last", T=6)
    cache = tanh.tanh_forward(params, X)
    result = tanh.tanh_bptt(params, cache, Y)
    N, H, eps = X.shape[0], params["W_hh"].shape[0], 1e-6

    def loss_from(t, h_t):
        last = naive_states(params, X, h0=h_t, start=t)[:, -1]
        return 0.5 * np.sum((last - Y) ** 2) / N

    for t in range(7):
        h_t = cache.hidden[t]
        numeric = np.zeros_like(h_t)
        for n in range(N):
            for i in range(H):
                up, down = h_t.copy(), h_t.copy()
                up[n, i] += eps
                down[n, i] -= eps
                numeric[n, i] = (loss_from(t, up) - loss_from(t, down)) / (2 * eps)
        assert result.step_norms[t] == pytest.approx(np.linalg.norm(numeric), rel=1e-6)


def tail_gradient(params, cache, X, Y, K):
    """Full BPTT of a fresh run over the last K steps from the frozen state h_{T-K}: the frozen
    state enters as the first step's extra input through a copy of W_hh."""
    N, T, D = X.shape
    frozen = cache.hidden[T - K]
    extra = np.zeros((N, K, frozen.shape[1]))
    extra[:, 0] = frozen
    extended = {"W_xh": np.hstack([params["W_xh"], params["W_hh"]]), "W_hh": params["W_hh"], "b": params["b"]}
    inputs = np.concatenate([X[:, T - K :], extra], axis=2)
    grads = tanh.tanh_bptt(extended, tanh.tanh_forward(extended, inputs), Y).grads
    return {"W_xh": grads["W_xh"][:, :D], "W_hh": grads["W_hh"] + grads["W_xh"][:, D:], "b": grads["b"]}


@pytest.mark.parametrize("K", [1, 2, 5, 8])
def test_truncated_bptt_is_the_gradient_of_the_last_K_steps(K):
    params, X, Y = problem(3, "last")
    cache = tanh.tanh_forward(params, X)
    result = tanh.tanh_bptt(params, cache, Y, truncate=K)
    for name, expected in tail_gradient(params, cache, X, Y, K).items():
        np.testing.assert_allclose(result.grads[name], expected, rtol=1e-10, atol=1e-14)
    assert np.all(result.step_norms[: 9 - K] == 0) and np.all(result.step_norms[9 - K + 1 :] > 0)


def test_window_at_least_T_is_full_bptt():
    params, X, Y = problem(1, "all")
    cache = tanh.tanh_forward(params, X)
    full = tanh.tanh_bptt(params, cache, Y, "all")
    for K in (9, 20):
        truncated = tanh.tanh_bptt(params, cache, Y, "all", truncate=K)
        for name in full.grads:
            np.testing.assert_array_equal(truncated.grads[name], full.grads[name])


def test_truncation_factors_cut_every_K_th_transition():
    # entry t-1 is the transition h_t -> h_{t-1}, at distance 8 - t from the end: cut at 3 and 6
    np.testing.assert_array_equal(tanh.truncation_factors(7, 3), [1, 0, 1, 1, 0, 1, 1])
    with pytest.raises(ValueError):
        tanh.truncation_factors(5, 0)


def test_randomized_factors_keep_the_window_and_compensate():
    factors = tanh.randomized_factors(12, 4, 3, 0.25, 50, np.random.default_rng(0))
    assert factors.shape == (12, 50, 4)
    distance = 12 - np.arange(12)
    np.testing.assert_array_equal(factors[distance < 3], 1.0)
    assert set(np.unique(factors[distance >= 3])) == {0.0, 4.0}
    with pytest.raises(ValueError):
        tanh.randomized_factors(5, 1, 1, 0.0, 1, np.random.default_rng(0))


@pytest.mark.parametrize("loss_on", ["last", "all"])
def test_randomized_truncation_is_unbiased(loss_on):
    params, X, Y = problem(2, loss_on, T=12, H=4, radius=1.1)
    cache = tanh.tanh_forward(params, X)
    full = tanh.tanh_bptt(params, cache, Y, loss_on)
    draws = 4000
    result = tanh.tanh_bptt_randomized(params, cache, Y, K=2, p=0.7, draws=draws,
                                           rng=np.random.default_rng(11), loss_on=loss_on)
    for name, exact in full.grads.items():
        samples = result.grads[name]
        assert samples.shape == (draws, *exact.shape)
        standard_error = samples.std(axis=0) / np.sqrt(draws)
        assert np.all(np.abs(samples.mean(axis=0) - exact) <= 5 * standard_error + 1e-12), name
    truncated = tanh.tanh_bptt(params, cache, Y, loss_on, truncate=2).grads["W_hh"]
    bias_of_truncation = np.linalg.norm(truncated - full.grads["W_hh"])
    bias_of_mean = np.linalg.norm(result.grads["W_hh"].mean(axis=0) - full.grads["W_hh"])
    assert bias_of_mean < bias_of_truncation


def test_randomized_with_certain_continuation_is_full_bptt():
    params, X, Y = problem(4, "last")
    cache = tanh.tanh_forward(params, X)
    full = tanh.tanh_bptt(params, cache, Y)
    result = tanh.tanh_bptt_randomized(params, cache, Y, K=1, p=1.0, draws=3, rng=np.random.default_rng(0))
    for name in full.grads:
        np.testing.assert_allclose(result.grads[name], np.broadcast_to(full.grads[name], result.grads[name].shape),
                                   rtol=1e-12, atol=1e-15)
    assert result.step_norms.shape == (3, 10)


def test_complex_step_reference_matches_finite_differences_and_bptt():
    from core.rnn import view
    from core.rnn.gradcheck import tanh_complex_step

    params, X, Y = view.deep_problem(1.2, 6, 12, 3)
    rng = np.random.default_rng(0)
    direction = {name: rng.standard_normal(value.shape) for name, value in params.items()}
    eps = 1e-6
    plus = {name: params[name] + eps * direction[name] for name in params}
    minus = {name: params[name] - eps * direction[name] for name in params}
    central = (tanh.tanh_loss(plus, X, Y) - tanh.tanh_loss(minus, X, Y)) / (2 * eps)
    assert tanh_complex_step(params, X, Y, direction) == pytest.approx(central, rel=1e-7)
    grads = tanh.tanh_bptt(params, tanh.tanh_forward(params, X), Y).grads
    assert sum(np.sum(grads[name] * direction[name]) for name in params) == pytest.approx(central, rel=1e-7)


@pytest.mark.parametrize(("radius", "H", "T"), [(1.2, 6, 12), (0.9, 16, 80), (1.5, 8, 40)])
def test_the_complex_steps_limit_in_real_arithmetic_equals_the_complex_step(radius, H, T):
    """gradcheck.tanh_forward_mode (every direction in one real pass) gives the complex step's numbers."""
    from core.rnn import view
    from core.rnn.gradcheck import tanh_complex_step, tanh_forward_mode

    params, X, Y = view.deep_problem(radius, H, T, 3)
    rng = np.random.default_rng(1)
    directions = [{name: rng.standard_normal(value.shape) for name, value in params.items()} for _ in range(3)]
    stacked = tanh_forward_mode(params, X, Y, directions)
    for direction, derivative in zip(directions, stacked, strict=True):
        assert derivative == pytest.approx(tanh_complex_step(params, X, Y, direction, h=1e-20), rel=1e-12)


@pytest.mark.parametrize("radius, H, T", [(0.5, 64, 500), (1.0, 32, 100), (2.0, 64, 500), (3.0, 4, 10), (3.0, 64, 500)])
def test_deep_badge_checks_the_current_settings_unless_the_gradient_exploded(radius, H, T):
    from core.rnn import view

    check = view.verify_deep(radius, H, T, 0, 10)
    assert check.max_error <= 1e-6, check
    full_size = any("complex-step" in name for name in check.parts)
    assert full_size == ("complex-step directional derivatives on the current settings" in check.detail)
    assert full_size or "exploded" in check.detail


@pytest.mark.parametrize(("K", "p", "T"), [(1, 0.5, 9), (3, 0.8, 9), (2, 0.95, 30), (40, 0.7, 30)])
def test_last_step_draws_from_one_backward_pass_equal_the_stacked_backward_passes(K, p, T):
    params, X, Y = problem(5, "last", T=T, H=6, radius=1.3)
    cache = tanh.tanh_forward(params, X)
    factors = tanh.randomized_factors(T, X.shape[0], K, p, 40, np.random.default_rng(K))
    fast = tanh._randomized_last_step(params, cache, Y, factors)
    grads, step_norms, loss = tanh._tanh_backward(params, cache, Y, "last", factors)
    assert list(fast.grads) == list(grads) == list(params), "callers concatenate the gradients in this order"
    for name in params:
        np.testing.assert_allclose(fast.grads[name], grads[name], rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(fast.step_norms, step_norms, rtol=1e-11, atol=1e-300)
    assert fast.loss == loss


def test_randomized_last_step_uses_the_fast_path_with_the_same_draws():
    params, X, Y = problem(6, "last", T=15)
    cache = tanh.tanh_forward(params, X)
    result = tanh.tanh_bptt_randomized(params, cache, Y, K=2, p=0.6, draws=7, rng=np.random.default_rng(3))
    factors = tanh.randomized_factors(15, X.shape[0], 2, 0.6, 7, np.random.default_rng(3))
    stacked = tanh._tanh_backward(params, cache, Y, "last", factors)[0]
    np.testing.assert_allclose(result.grads["W_xh"], stacked["W_xh"], rtol=1e-11, atol=1e-14)


def test_step_norms_for_each_parameter_set_equal_separate_runs():
    from core.rnn import view

    problems = [view.deep_problem(radius, 7, 25, 4) for radius in (0.5, 1.0, 1.2)]
    X, Y = problems[0][1:]
    together = tanh.step_norms_for_each([params for params, _, _ in problems], X, Y)
    for row, (params, _, _) in zip(together, problems, strict=True):
        alone = tanh.tanh_bptt(params, tanh.tanh_forward(params, X), Y).step_norms
        np.testing.assert_allclose(row, alone, rtol=1e-12)
