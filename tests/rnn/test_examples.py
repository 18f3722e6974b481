"""core.rnn.examples: the assignment's loop step by step (its last row is linear_backward, its
code runs) and the two-paths split of the tanh RNN's dL/dh_t (against BPTT and finite
differences); plus the X_k convention of the assignment tab's rules."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import rnn
from core.rnn import examples, tanh
from core.rnn import view as rnn_view


@settings(max_examples=60, deadline=None)
@given(T=st.integers(1, 25), w_x=st.floats(-1.5, 1.5), w_rec=st.floats(-1.5, 1.5), seed=st.integers(0, 50),
       K=st.one_of(st.none(), st.integers(1, 30)), binary=st.booleans())
def test_the_last_row_is_linear_backward(T, w_x, w_rec, seed, K, binary):
    rng = np.random.default_rng(seed)
    X = examples.random_sequence(T, seed) if binary else rng.normal(size=T)
    trace = examples.assignment_loop(X, w_x, w_rec, truncate=K)
    S = rnn.linear_forward(X[None], w_x, w_rec)
    _, grad_out = rnn.counting_loss(S, np.array([X.sum()]))
    grad_w_x, grad_w_rec, over_time = rnn.linear_backward(X[None], S, grad_out, w_rec, truncate=K)
    window = T if K is None else min(K, T)
    assert len(trace.table) == window and trace.K == window
    assert list(trace.table["k"]) == list(range(T, T - window, -1))
    last = trace.table.iloc[-1]
    scale = max(1.0, abs(grad_w_x), abs(grad_w_rec))
    assert last["dL/dw_x so far"] == pytest.approx(grad_w_x, abs=1e-9 * scale)
    assert last["dL/dw_rec so far"] == pytest.approx(grad_w_rec, abs=1e-9 * scale)
    assert (trace.grad_w_x, trace.grad_w_rec) == (last["dL/dw_x so far"], last["dL/dw_rec so far"])
    np.testing.assert_allclose(trace.table["dL/dS_k"], over_time[0, T : T - window : -1], rtol=1e-9, atol=1e-12)
    assert trace.grad_at_cut == pytest.approx(over_time[0, T - window], rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(trace.table["S_k"], S[0, T : T - window : -1])
    np.testing.assert_allclose(trace.table["X_k"], X[T - 1 :: -1][:window])


def test_the_table_reads_like_the_rules():
    trace = examples.assignment_loop(np.array([1.0, 0.0, 1.0]), 1.0, 0.5)
    rows = trace.table
    assert list(rows.columns) == list(examples.LOOP_COLUMNS)
    np.testing.assert_allclose(rows["dL/dS_k"].iloc[1:].to_numpy(), 0.5 * rows["dL/dS_k"].iloc[:-1].to_numpy())
    np.testing.assert_allclose(rows["dL/dS_k · X_k"], rows["dL/dS_k"] * rows["X_k"])
    np.testing.assert_allclose(rows["dL/dS_k · S_k-1"], rows["dL/dS_k"] * rows["S_k-1"])
    np.testing.assert_allclose(rows["dL/dw_x so far"], np.cumsum(rows["dL/dS_k · X_k"]))
    # S = 0, 1, 0.5, 1.25 and the count is 2: dL/dS_3 = 2 (1.25 - 2) = -1.5
    assert trace.loss == pytest.approx(0.5625) and rows["dL/dS_k"].iloc[0] == pytest.approx(-1.5)


@pytest.mark.parametrize("K", [None, 1, 4])
def test_the_shown_loop_code_runs_and_gives_linear_backward(K):
    X, target = rnn.counting_batch(5, 9, 3)
    S = rnn.linear_forward(X, 0.8, 1.1)
    T = X.shape[1]
    namespace = {"np": np, "X": X, "S": S, "target": target, "T": T, "K": T if K is None else K, "w_rec": 1.1,
                 "grad_over_time": np.zeros((5, T + 1)), "grad_w_x": 0.0, "grad_w_rec": 0.0}
    exec(examples.LOOP_CODE, namespace)
    expected = rnn.linear_backward(X, S, rnn.counting_loss(S, target)[1], 1.1, truncate=K)
    assert namespace["grad_w_x"] == pytest.approx(expected[0], rel=1e-12)
    assert namespace["grad_w_rec"] == pytest.approx(expected[1], rel=1e-12)
    np.testing.assert_allclose(namespace["grad_over_time"], expected[2], rtol=1e-12)


@pytest.mark.parametrize("text, expected", [
    ("1 0 1 1", [1, 0, 1, 1]), ("1,0, 1", [1, 0, 1]), ("10110", [1, 0, 1, 1, 0]), ("0.5; -2", [0.5, -2]),
    (" 7 ", [7]), ("10", [1, 0]), ("1 10", [1, 1, 0]), ("10 1", [1, 0, 1]), ("1,10", [1, 1, 0]),
    ("10.0", [10]), ("1 10.0", [1, 10]), ("2 10", [2, 1, 0]), ("12", [12]), ("-10", [-10]),
])
def test_typed_sequences(text, expected):
    np.testing.assert_array_equal(examples.parse_sequence(text), expected)


def test_a_run_of_0s_and_1s_means_the_same_alone_or_among_numbers():
    """One rule: the token 10 is two steps wherever it is typed, and the help text says so."""
    assert list(examples.parse_sequence("10")) == list(examples.parse_sequence("1 10"))[1:]
    assert "1 10 is three steps" in examples.SEQUENCE_HELP and "10.0" in examples.SEQUENCE_HELP


@pytest.mark.parametrize("text, message", [
    ("", "at least one"), ("1 x 0", "'x' is not a number"), ("1 inf", "finite"), ("1 " * 61, "at most 60"),
])
def test_bad_sequences_get_a_sentence(text, message):
    with pytest.raises(ValueError, match=message):
        examples.parse_sequence(text)


def test_bad_windows_and_empty_sequences_are_refused():
    with pytest.raises(ValueError, match="at least 1 step"):
        examples.assignment_loop(np.ones(3), 1.0, 1.0, truncate=0)
    with pytest.raises(ValueError, match="at least one step"):
        examples.assignment_loop(np.array([]), 1.0, 1.0)


def test_overflow_shows_inf_instead_of_raising():
    with pytest.warns(rnn.OverflowWarning):
        trace = examples.assignment_loop(np.ones(60), 1.0, 1e6)
    assert np.isinf(trace.table["dL/dS_k"]).any() or np.isinf(trace.S).any()


def naive_loss_from(params, X, Y, t, h_t):
    """The loss terms at steps t..T when h_t is replaced by h_t (N, H); the earlier terms do not
    depend on h_t. Plain loops, column vectors."""
    N, T, _ = X.shape
    total = 0.0
    for n in range(N):
        h = h_t[n]
        total += 0.5 * np.sum((h - Y[n, t - 1]) ** 2)
        for step in range(t, T):
            h = np.tanh(params["W_hh"] @ h + params["W_xh"] @ X[n, step] + params["b"])
            total += 0.5 * np.sum((h - Y[n, step]) ** 2)
    return total / N


@pytest.mark.parametrize("radius", [0.6, 1.4])
def test_two_paths_add_up_to_bptt_and_finite_differences(radius):
    params, X, Y = examples.two_paths_problem(radius, 5, 8, 3, batch=3)
    full = tanh.tanh_bptt(params, tanh.tanh_forward(params, X), Y, "all")
    hidden = tanh.tanh_forward(params, X).hidden
    for t in (1, 4, 8):
        paths = examples.two_paths(params, X, Y, t, sequence=1)
        np.testing.assert_allclose(paths.own + paths.through_next, paths.total, rtol=1e-14)
        np.testing.assert_allclose(paths.by_step["total"], full.step_norms[1:], rtol=1e-10)
        numeric = np.zeros_like(paths.total)
        for n in range(3):
            for unit in range(5):
                up, down = hidden[t].copy(), hidden[t].copy()
                up[n, unit] += 1e-6
                down[n, unit] -= 1e-6
                difference = naive_loss_from(params, X, Y, t, up) - naive_loss_from(params, X, Y, t, down)
                numeric[n, unit] = difference / 2e-6
        np.testing.assert_allclose(paths.total, numeric, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(paths.units["total"], paths.total[1])
        assert list(paths.units.columns) == ["unit", "own", "through_next", "total"]
    last = examples.two_paths(params, X, Y, 8)
    assert not last.through_next.any() and last.by_step["through_next"].iloc[-1] == 0


def test_two_paths_view_takes_slider_values():
    shown = examples.two_paths_view(1.5, 32, 100, 0, 60)
    params, X, Y = examples.two_paths_problem(1.5, 32, 100, 0)
    np.testing.assert_array_equal(shown.total, examples.two_paths(params, X, Y, 60).total)
    assert len(shown.by_step) == 100 and len(shown.units) == 32


def test_two_paths_own_term_is_the_loss_at_t():
    params, X, Y = examples.two_paths_problem(1.0, 4, 6, 0, batch=2)
    hidden = tanh.tanh_forward(params, X).hidden
    paths = examples.two_paths(params, X, Y, 3)
    np.testing.assert_allclose(paths.own, (hidden[3] - Y[:, 2]) / 2)


@pytest.mark.parametrize("t, sequence", [(0, 0), (7, 0), (3, 5)])
def test_two_paths_refuses_steps_and_rows_outside_the_problem(t, sequence):
    params, X, Y = examples.two_paths_problem(1.0, 4, 6, 0, batch=2)
    with pytest.raises(ValueError):
        examples.two_paths(params, X, Y, t, sequence)


def test_the_assignment_rules_use_the_X_k_convention():
    view = rnn_view.assignment_view(1.0, 0.9, 20, 4, 0, 5)
    rule_3 = rnn_view.rules_latex(view, 0.9)[2]
    assert r"S_k}\,X_k" in rule_3 and "X_{k-1}" not in rule_3


def loss_of(X: np.ndarray, w_x: float, w_rec: float) -> float:
    """(S_T - count)^2 by a plain loop over the steps."""
    state = 0.0
    for x in X:
        state = w_rec * state + w_x * x
    return (state - X.sum()) ** 2


@settings(max_examples=40, deadline=None)
@given(X=st.lists(st.floats(-3, 3), min_size=1, max_size=20).map(np.array), w_x=st.floats(-1.5, 1.5),
       w_rec=st.floats(-1.2, 1.2))
def test_step_by_step_ends_at_the_closed_form_and_at_finite_differences(X, w_x, w_rec):
    run = examples.step_by_step(X, w_x, w_rec)
    assert run.trace.K == len(X) and not run.overflow and run.gap < 1e-9
    last = run.trace.table.iloc[-1]
    assert (last["dL/dw_x so far"], last["dL/dw_rec so far"]) == (run.trace.grad_w_x, run.trace.grad_w_rec)
    step = 1e-6
    numeric = ((loss_of(X, w_x + step, w_rec) - loss_of(X, w_x - step, w_rec)) / (2 * step),
               (loss_of(X, w_x, w_rec + step) - loss_of(X, w_x, w_rec - step)) / (2 * step))
    scale = max(1.0, *map(abs, numeric))
    assert run.trace.grad_w_x == pytest.approx(numeric[0], abs=1e-5 * scale)
    assert run.trace.grad_w_rec == pytest.approx(numeric[1], abs=1e-5 * scale)


def test_step_by_step_reports_an_overflow_instead_of_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = examples.step_by_step(np.full(60, 1e300), 1.0, 3.0)
    assert run.overflow and np.isinf(run.trace.S).any()
    calm = examples.step_by_step(np.array([1.0, 0.0, 1.0]), 1.0, 0.5)
    assert not calm.overflow and calm.gap == 0.0


def test_the_loop_step_formulas_carry_the_table_numbers():
    trace = examples.assignment_loop(np.array([1.0, 0.0, 1.0]), 1.0, 0.5)
    # S = 0, 1, 0.5, 1.25, count 2: dL/dS_3 = -1.5, dL/dS_2 = -0.75, dL/dS_1 = -0.375
    first = examples.loop_step_latex(trace, 3, 0.5)
    assert len(first) == 3 and "the loss at }k = T" in first[0]
    assert r"2\,(1.25 - 2) = -1.5" in first[0]
    assert r"X_{3}" in first[1] and r"&= 0 + (-1.5)\,(1)\\ &= -1.5" in first[1]
    assert r"S_{2}" in first[2] and r"&= 0 + (-1.5)\,(0.5)\\ &= -0.75" in first[2]
    middle = examples.loop_step_latex(trace, 2, 0.5)
    assert r"Rule 1, from step 3" in middle[0] and r"&= (0.5)\,(-1.5)\\ &= -0.75" in middle[0]
    assert r"&= -1.5 + (-0.75)\,(0)\\ &= -1.5" in middle[1]
    last = examples.loop_step_latex(trace, 1, 0.5)
    assert r"&= -1.5 + (-0.375)\,(0)\\ &= -1.5" in last[2], "S_0 = 0 adds nothing to dL/dw_rec"
    for k in (0, 4):
        with pytest.raises(ValueError, match="the loop runs k = 3 down to 1"):
            examples.loop_step_latex(trace, k, 0.5)


@pytest.mark.parametrize("radius", [0.8, 1.5])
def test_the_two_paths_trace_is_two_paths_at_every_step(radius):
    trace = examples.two_paths_trace(radius, 6, 12, 2, sequence=3)
    assert trace.T == 12 and trace.bptt_gap < 1e-12
    params, X, Y = examples.two_paths_problem(radius, 6, 12, 2)
    for t in (1, 7, 12):
        paths = examples.two_paths(params, X, Y, t, sequence=3)
        pd.testing.assert_frame_equal(trace.by_step, paths.by_step)
        pd.testing.assert_frame_equal(trace.units(t), paths.units)
        pd.testing.assert_frame_equal(trace.units(t, 4), paths.units.iloc[:4])
    with pytest.raises(ValueError):
        trace.units(13)


def test_the_two_paths_trace_survives_an_exploding_network():
    trace = examples.two_paths_trace(3.0, 64, 500, 0)
    assert trace.bptt_gap < 1e-9
    assert np.isfinite(trace.by_step[["own", "total"]].to_numpy()).all()
