"""The linear RNN's promises at their edges, written against mutants that survived the earlier
tests (docs/mutation.md): every function computes under its own np.errstate, so nothing raises and
NumPy never warns even when the caller turned floating-point errors into exceptions; an overflow is
one OverflowWarning naming the function, whichever result overflowed; the loss surface works in the
log domain for every |w_rec| > 1 and returns float grids."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from core import rnn


def strictly(call, *args, **kwargs):
    """`call(*args, **kwargs)` with every floating-point error raising outside and every warning
    recorded: (result, [(category, first word of the message)])."""
    with np.errstate(all="raise"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(*args, **kwargs)
    return result, [(w.category, str(w.message).split(":")[0]) for w in caught]


def test_the_backward_loop_overflows_and_underflows_quietly_under_a_strict_caller():
    X = np.array([[1.0, 0.0, 1.0]])
    S = rnn.linear_forward(X, 1.0, 1.0)
    (grad_w_x, grad_w_rec, grad_over_time), said = strictly(rnn.linear_backward_loop, X, S, np.array([1e300]), 1e200)
    assert said == [(rnn.OverflowWarning, "linear_backward")]
    assert math.isinf(grad_w_x) and math.isinf(grad_w_rec) and np.isinf(grad_over_time[0, 0])
    (_, _, grad_over_time), said = strictly(rnn.linear_backward_loop, X, S, np.array([1e-300]), 1e-200)
    assert said == [] and grad_over_time[0, 0] == 0.0


@pytest.mark.parametrize("which", ["grad_w_x", "grad_w_rec", "grad_over_time"])
def test_the_backward_loop_warns_whichever_result_overflowed(which):
    big = np.array([[1e308, 1e308, 1e308]])
    X = big if which == "grad_w_x" else np.zeros((1, 3))
    S = np.concatenate([big, [[0.0]]], axis=1) if which == "grad_w_rec" else np.zeros((1, 4))
    last = which == "grad_over_time"                        # dL/dS_T * 2 overflows, one step back only
    grad_out, w_rec, truncate = (np.array([1e308]), 2.0, 1) if last else (np.array([1.0]), 1.0, None)
    results, said = strictly(rnn.linear_backward_loop, X, S, grad_out, w_rec, truncate)
    overflowed = dict(zip(["grad_w_x", "grad_w_rec", "grad_over_time"], results, strict=True))
    assert [name for name, value in overflowed.items() if not np.all(np.isfinite(value))] == [which]
    assert said == [(rnn.OverflowWarning, "linear_backward")]


def test_the_loss_surface_is_quiet_under_a_strict_caller():
    X, target = rnn.counting_batch(3, 400, 2)
    X[0] = 0.0                                              # a sequence of zeros: S_T = 0 exactly
    w_x = np.array([0.0, 1.0, 1e200])                       # 1e200**2 overflows
    w_rec = np.array([0.0, 0.5, 1.0, -10.0, 1e-3])          # 0.1**399 and 1e-3**399 underflow
    surface, said = strictly(rnn.loss_surface, X[:1], target[:1], w_x, w_rec)   # loss 0 exactly: log10(0)
    assert said == [] and np.isfinite(surface.log10_loss).all()
    surface, said = strictly(rnn.loss_surface, X, target, w_x, w_rec)
    assert said == [] and np.isfinite(surface.log10_loss).all() and surface.overflowed[:, 2].all()


def test_the_loss_surface_takes_whole_numbers_and_returns_float_grids():
    X, target = rnn.counting_batch(4, 20, 3)
    surface = rnn.loss_surface(X.astype(int).tolist(), target, [0, 1, 2], [-1, 0, 1])
    assert surface.w_x.dtype == np.float64 and surface.w_rec.dtype == np.float64
    assert surface.w_x.tolist() == [0.0, 1.0, 2.0] and surface.w_rec.tolist() == [-1.0, 0.0, 1.0]
    assert surface.log10_loss[2, 1] == rnn.LOG10_LOSS_FLOOR, "w_x = w_rec = 1 counts exactly"


@pytest.mark.parametrize("w_rec", [1.5, -1.5, 1.01, 2.0])
def test_the_loss_surface_of_a_long_sequence_is_right_for_every_weight_above_one(w_rec):
    T = 2000
    X = np.ones((1, T))
    surface = rnn.loss_surface(X, np.array([0.0]), np.array([1.0]), np.array([w_rec]))
    # S_T = sum_j w^j for j < T, so log10(S_T^2) = 2 log10(|w^T - 1| / |w - 1|), and w^T - 1 ~ |w|^T (T even)
    expected = 2 * (T * math.log10(abs(w_rec)) - math.log10(abs(w_rec - 1)))
    assert surface.log10_loss[0, 0] == pytest.approx(expected, abs=1e-6)


EXTREMES = [  # (X, w_x, w_rec): overflow, underflow, inf - inf, a zero weight, |w_rec| = 1
    (np.array([[1.0, -1e10, 1.0]]), 1e300, 1e300),
    (np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]), 1.0, 3.0),
    (np.array([[1e-100, 1.0, 1e-200]]), 1e-200, 1e-300),
    (np.array([[1e300, 0.0, 1.0]]), 1e10, 0.0),
    (np.ones((2, 1000)), 1.0, -3.0),
    (np.ones((1, 5)), 1.0, -1.0),
]


@pytest.mark.parametrize("X, w_x, w_rec", EXTREMES)
def test_every_function_is_quiet_under_a_strict_caller_and_warns_once_by_name(X, w_x, w_rec):
    S, said = strictly(rnn.linear_forward, X, w_x, w_rec)
    assert said == ([] if np.isfinite(S).all() else [(rnn.OverflowWarning, "linear_forward")])
    target = X.sum(axis=1)
    (loss, grad_out), said = strictly(rnn.counting_loss, S, target)
    assert said == []
    (_, _, grad_over_time), said = strictly(rnn.linear_backward_closed, X, S, grad_out, w_rec, 2)
    assert said in ([], [(rnn.OverflowWarning, "linear_backward")])
    partial, said = strictly(rnn.truncated_gradients_by_window, X, S, grad_out, w_rec)
    assert said == ([] if np.isfinite(partial).all() else [(rnn.OverflowWarning, "truncated_gradients_by_window")])
    assert not np.isnan(partial).any()


def test_an_overflow_in_the_middle_of_the_states_warns_when_w_rec_is_zero():
    S, said = strictly(rnn.linear_forward, np.array([[1e300, 0.0]]), 1e10, 0.0)
    assert np.isinf(S[0, 1]) and S[0, 2] == 0.0 and said == [(rnn.OverflowWarning, "linear_forward")]
    S, said = strictly(rnn.linear_forward, np.array([[0.0, 1e300]]), 1e10, 1.0)
    assert np.isinf(S[0, 2]) and S[0, 1] == 0.0 and said == [(rnn.OverflowWarning, "linear_forward")]


def test_a_loss_of_an_overflowed_state_against_an_overflowed_target_is_quiet():
    (loss, grad_out), said = strictly(rnn.counting_loss, np.array([[0.0, np.inf]]), np.array([np.inf]))
    assert said == [] and math.isnan(loss)


def test_the_closed_form_warns_by_name_for_whichever_result_overflowed():
    X = np.array([[1e308, 1e308, 1e308]])
    results, said = strictly(rnn.linear_backward_closed, X, np.zeros((1, 4)), np.array([1.0]), 1.0)
    assert math.isinf(results[0]) and math.isfinite(results[1]) and said == [(rnn.OverflowWarning, "linear_backward")]
    S = np.array([[1e308, 1e308, 1e308, 0.0]])
    results, said = strictly(rnn.linear_backward_closed, np.zeros((1, 3)), S, np.array([1.0]), 1.0)
    assert math.isinf(results[1]) and math.isfinite(results[0]) and said == [(rnn.OverflowWarning, "linear_backward")]
    results, said = strictly(rnn.linear_backward_closed, np.zeros((1, 3)), np.zeros((1, 4)), np.array([1e308]), 2.0, 1)
    assert np.isinf(results[2]).any() and results[:2] == (0.0, 0.0)
    assert said == [(rnn.OverflowWarning, "linear_backward")]


@pytest.mark.parametrize("T", [4, 5, 6, 7])
def test_the_loss_surface_matches_direct_losses_for_negative_weights_at_every_parity(T):
    X, target = rnn.counting_batch(5, T, T)
    w_rec = np.array([-1.7, -1.2, 1.2])
    surface = rnn.loss_surface(X, target, np.array([0.7, 1.3]), w_rec)
    for i, w in enumerate(w_rec):
        for j, w_x in enumerate((0.7, 1.3)):
            loss, _ = rnn.counting_loss(rnn.linear_forward(X, w_x, w), target)
            assert surface.log10_loss[i, j] == pytest.approx(math.log10(loss), abs=1e-9)


def test_warn_if_overflow_says_whether_it_warned():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert rnn.warn_if_overflow("here", np.ones(3), 2.0) is False
        assert rnn.warn_if_overflow("here", np.array([1.0, np.inf])) is True
    assert [str(w.message) for w in caught] == [
        "here: values grew past float64's range (about 1.8e308) and are shown as inf."]


def test_a_sequence_with_a_zero_loss_gradient_stays_zero_when_the_powers_overflow():
    X = np.ones((3, 4))
    S = rnn.linear_forward(X, 1.0, 1.0)
    grad_out = np.array([0.0, 1.0, -1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rnn.OverflowWarning)
        _, _, grad_over_time = rnn.linear_backward_closed(X, S, grad_out, 1e200)
    assert (grad_over_time[0] == 0.0).all()
    assert np.isinf(grad_over_time[1:, :3]).all() and (grad_over_time[1:, 4] == grad_out[1:]).all()


def test_a_sequence_of_no_steps_has_zero_weight_gradients():
    grad_w_x, grad_w_rec, grad_over_time = rnn.linear_backward_closed(
        np.zeros((2, 0)), np.zeros((2, 1)), np.array([1.0, 2.0]), 0.5)
    assert (grad_w_x, grad_w_rec) == (0.0, 0.0) and grad_over_time.tolist() == [[1.0], [2.0]]


def test_an_empty_batch_gives_an_empty_gradient_over_time_not_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                     # the mean over no sequences is nan
        *_, grad_over_time = rnn.linear_backward_closed(np.zeros((0, 3)), np.zeros((0, 4)), np.zeros(0), 0.5)
    assert grad_over_time.shape == (0, 4)


def test_a_zero_gradient_times_an_overflowed_power_is_zero_not_inf():
    T = 1000
    X, S, grad_out = np.zeros((2, T)), np.zeros((2, T + 1)), np.ones(2)
    (grad_w_x, grad_w_rec, _), said = strictly(rnn.linear_backward_closed, X, S, grad_out, 3.0)
    assert (grad_w_x, grad_w_rec) == (0.0, 0.0) and said == [(rnn.OverflowWarning, "linear_backward")]
    partial, said = strictly(rnn.truncated_gradients_by_window, X, S, grad_out, 3.0)
    assert (partial == 0.0).all() and said == []


def test_overflowing_products_in_the_closed_form_are_quiet_under_a_strict_caller():
    X = np.ones((1, 1000))
    (grad_w_x, _, _), said = strictly(rnn.linear_backward_closed, X, np.zeros((1, 1001)), np.array([1e200]), 1.5)
    assert math.isinf(grad_w_x) and said == [(rnn.OverflowWarning, "linear_backward")]
    (_, _, grad_over_time), _said = strictly(rnn.linear_backward_closed, X, np.zeros((1, 1001)), np.zeros(1), 1e200)
    assert (grad_over_time == 0.0).all()                    # 0 * inf in the overflow check raised nothing
