"""LSTM and GRU (core.rnn.gated): forward equations, BPTT against finite differences, gate biases."""

from __future__ import annotations

import numpy as np
import pytest

from core.rnn import gated, tanh
from core.rnn.gradcheck import finite_difference_check

CELLS = {"lstm": gated.init_lstm, "gru": gated.init_gru}


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def problem(cell: str, seed: int, loss_on: str, bias: float = 1.0, scale: float = 1.3, N=3, T=7, D=3, H=4):
    params = CELLS[cell](H, D, seed, bias, scale)
    X, Y = tanh.sequence_task(N, T, D, H, seed + 1, loss_on)
    return params, X, Y


def test_lstm_forward_matches_the_equations():
    params, X, _ = problem("lstm", 0, "last")
    H = 4
    cache = gated.lstm_forward(params, X)
    for n in range(X.shape[0]):
        h, c = np.zeros(H), np.zeros(H)
        for t in range(X.shape[1]):
            a = params["W_x"] @ X[n, t] + params["W_h"] @ h + params["b"]
            i, f, g, o = sigmoid(a[:H]), sigmoid(a[H : 2 * H]), np.tanh(a[2 * H : 3 * H]), sigmoid(a[3 * H :])
            c = f * c + i * g
            h = o * np.tanh(c)
            np.testing.assert_allclose(cache.hidden[t + 1, n], h, rtol=1e-12, atol=1e-14)


def test_gru_forward_matches_the_equations():
    params, X, _ = problem("gru", 0, "last")
    H = 4
    cache = gated.gru_forward(params, X)
    for n in range(X.shape[0]):
        h = np.zeros(H)
        for t in range(X.shape[1]):
            from_x, from_h = params["W_x"] @ X[n, t] + params["b"], params["W_h"] @ h
            r = sigmoid(from_x[:H] + from_h[:H])
            z = sigmoid(from_x[H : 2 * H] + from_h[H : 2 * H])
            candidate = np.tanh(from_x[2 * H :] + r * from_h[2 * H :])
            h = (1 - z) * candidate + z * h
            np.testing.assert_allclose(cache.hidden[t + 1, n], h, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("loss_on", ["last", "all"])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_bptt_matches_finite_differences(cell, loss_on, seed):
    params, X, Y = problem(cell, seed, loss_on, bias=-1.0 + 1.5 * seed)
    result = gated.gated_bptt(params, gated.gated_forward(cell, params, X), Y, loss_on)
    assert {name: g.shape for name, g in result.grads.items()} == {name: p.shape for name, p in params.items()}
    check = finite_difference_check(lambda p: gated.gated_loss(cell, p, X, Y, loss_on), params, result.grads, eps=1e-6)
    assert check.passed(1e-7), check
    assert result.step_norms.shape == (8,)
    assert result.step_norms[-1] == pytest.approx(np.linalg.norm(result_direct(params, cell, X, Y, loss_on)))


def result_direct(params, cell, X, Y, loss_on):
    """dL/dh_T is the last step's loss term alone: nothing comes back from later steps."""
    hidden = gated.gated_forward(cell, params, X).hidden
    target = Y if loss_on == "last" else Y[:, -1]
    return (hidden[-1] - target) / X.shape[0]


@pytest.mark.parametrize("cell, block", [("lstm", slice(4, 8)), ("gru", slice(4, 8))])
def test_gate_bias_sets_its_block_only(cell, block):
    params = CELLS[cell](4, 3, 0, 2.5, 1.0)
    np.testing.assert_array_equal(params["b"][block], 2.5)
    mask = np.ones_like(params["b"], dtype=bool)
    mask[block] = False
    np.testing.assert_array_equal(params["b"][mask], 0.0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gates_biased_open_keep_the_gradient_alive(cell):
    X, Y = tanh.sequence_task(4, 60, 3, 8, 5, "last")
    surviving = {}
    for bias in (-2.0, 5.0):
        params = CELLS[cell](8, 3, 5, bias, 1.0)
        norms = gated.gated_bptt(params, gated.gated_forward(cell, params, X), Y).step_norms
        surviving[bias] = norms[0] / norms[-1]
    assert surviving[5.0] > 1e6 * surviving[-2.0]


def test_unknown_cell_is_rejected():
    with pytest.raises(ValueError, match="lstm"):
        gated.gated_forward("rnn", {}, np.zeros((1, 1, 1)))


def run_from(cell, params, X, Y, t, h, c=None):
    """The last-step loss of the rest of the sequence started at step t from state h (and c),
    written out from the equations."""
    H = h.shape[1]
    for s in range(t, X.shape[1]):
        if cell == "lstm":
            a = X[:, s] @ params["W_x"].T + h @ params["W_h"].T + params["b"]
            i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), sigmoid(a[:, 3 * H :])
            c = f * c + i * np.tanh(a[:, 2 * H : 3 * H])
            h = o * np.tanh(c)
        else:
            from_x, from_h = X[:, s] @ params["W_x"].T + params["b"], h @ params["W_h"].T
            r = sigmoid(from_x[:, :H] + from_h[:, :H])
            z = sigmoid(from_x[:, H : 2 * H] + from_h[:, H : 2 * H])
            h = (1 - z) * np.tanh(from_x[:, 2 * H :] + r * from_h[:, 2 * H :]) + z * h
    return 0.5 * np.sum((h - Y) ** 2) / X.shape[0]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_step_norms_are_norms_of_dL_dh_t_by_finite_differences(cell):
    params, X, Y = problem(cell, 4, "last", bias=0.5, T=5)
    cache = gated.gated_forward(cell, params, X)
    norms = gated.gated_bptt(params, cache, Y).step_norms
    eps = 1e-6
    for t in range(6):
        h_t = cache.hidden[t]
        c_t = cache.extra[t] if cell == "lstm" else None
        numeric = np.zeros_like(h_t)
        for index in np.ndindex(h_t.shape):
            up, down = h_t.copy(), h_t.copy()
            up[index] += eps
            down[index] -= eps
            numeric[index] = (
                run_from(cell, params, X, Y, t, up, c_t) - run_from(cell, params, X, Y, t, down, c_t)
            ) / (2 * eps)
        assert norms[t] == pytest.approx(np.linalg.norm(numeric), rel=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_bias_sweep_side_by_side_equals_separate_runs(cell):
    from core.rnn import view

    X, Y = tanh.sequence_task(3, 20, 4, 5, 8)
    biases = (-1.0, 0.5, 3.0)
    swept = gated.step_norms_by_gate_bias(cell, view.gated_problem(cell, 5, 20, 2, 0.0, 1.1), X, Y, biases)
    for row, bias in zip(swept, biases, strict=True):
        params = view.gated_problem(cell, 5, 20, 2, bias, 1.1)
        alone = gated.gated_bptt(params, gated.gated_forward(cell, params, X), Y).step_norms
        np.testing.assert_allclose(row, alone, rtol=1e-12)


def test_one_stacked_sweep_equals_each_network_on_its_own():
    """The gate-bias sweep's 16 networks (LSTM and GRU, eight biases) run as one stacked batch give,
    to 1e-12, the step norms each network's own forward and BPTT give."""
    from core.rnn import view

    H, T, seed, scale = 12, 120, 3, 1.2
    X, Y = tanh.sequence_task(view.DEEP_BATCH, T, view.DEEP_INPUTS, H, seed + 1)
    cells = ("lstm", "gru")
    swept = gated.sweep_step_norms({cell: view.gated_problem(cell, H, T, seed, 0.0, scale) for cell in cells},
                                   X, Y, view.GATE_BIASES)
    for cell in cells:
        assert swept[cell].shape == (len(view.GATE_BIASES), T + 1)
        for row, bias in zip(swept[cell], view.GATE_BIASES, strict=True):
            params = view.gated_problem(cell, H, T, seed, bias, scale)
            alone = gated.gated_bptt(params, gated.gated_forward(cell, params, X), Y).step_norms
            np.testing.assert_allclose(row, alone, rtol=1e-12, atol=0)


@pytest.mark.parametrize("block", [1, 7, 40, 41, 500])
def test_the_sweep_holds_any_number_of_steps_at_once_with_the_same_norms(block):
    """Running the sweep's backward block by block (the forward again from each block's start)
    changes nothing: a block of one step, blocks that do not divide T, one block of all T steps
    and a block longer than T give the norms of the whole run held at once (block = T)."""
    from core.rnn import view

    H, T, seed = 6, 40, 5
    X, Y = tanh.sequence_task(3, T, view.DEEP_INPUTS, H, seed + 1)
    cells = {cell: view.gated_problem(cell, H, T, seed, 0.0, 1.3) for cell in ("lstm", "gru")}
    whole = gated.sweep_step_norms(cells, X, Y, (-1.0, 2.0), block=T)
    blocked = gated.sweep_step_norms(cells, X, Y, (-1.0, 2.0), block=block)
    for cell in cells:
        assert blocked[cell].shape == (2, T + 1)
        np.testing.assert_allclose(blocked[cell], whole[cell], rtol=1e-13, atol=0)


def test_the_sweep_names_a_cell_it_does_not_know():
    from core.rnn import view

    X, Y = tanh.sequence_task(2, 5, view.DEEP_INPUTS, 4, 1)
    with pytest.raises(ValueError, match="unknown gated cell 'rnn'; use 'lstm' or 'gru'"):
        gated.sweep_step_norms({"rnn": view.gated_problem("lstm", 4, 5, 0, 0.0, 1.0)}, X, Y, (0.0,))


@pytest.mark.parametrize("rescale_beyond", [0, 1, 3])
def test_holding_the_sweeps_gradient_rescaled_changes_no_norm(rescale_beyond):
    """Rescaling a network's held gradient by powers of two (up when it fades, back down when it
    grows) is exact: thresholds that rescale nearly every step give the norms of the default one,
    which never rescales on this case, for both cells and gates biased shut, neutral and open."""
    from core.rnn import view

    H, T, seed = 5, 60, 2
    X, Y = tanh.sequence_task(3, T, view.DEEP_INPUTS, H, seed + 1)
    cells = {cell: view.gated_problem(cell, H, T, seed, 0.0, 1.6) for cell in ("lstm", "gru")}
    usual = gated.sweep_step_norms(cells, X, Y, (-2.0, 0.0, 3.0))
    often = gated.sweep_step_norms(cells, X, Y, (-2.0, 0.0, 3.0), rescale_beyond=rescale_beyond)
    for cell in cells:
        assert usual[cell].min() > 2.0**-300
        np.testing.assert_array_equal(often[cell], usual[cell])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("loss_on", ["last", "all"])
def test_bptt_returns_the_loss_it_differentiated(cell, loss_on):
    params, X, Y = problem(cell, 4, loss_on)
    result = gated.gated_bptt(params, gated.gated_forward(cell, params, X), Y, loss_on)
    assert result.loss == pytest.approx(gated.gated_loss(cell, params, X, Y, loss_on), rel=1e-15)
