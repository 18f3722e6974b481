"""Gradient clipping, the finite-difference checker and training the counting RNN."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import rnn
from core.rnn import train
from core.rnn.gradcheck import finite_difference_check

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
gradient_lists = st.lists(arrays(np.float64, st.integers(1, 6), elements=finite), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(grads=gradient_lists, threshold=st.floats(1e-3, 1e3))
def test_global_norm_clipping_bounds_the_norm_and_keeps_the_direction(grads, threshold):
    clipped, norm = train.clip_by_global_norm(grads, threshold)
    assert norm == pytest.approx(math.hypot(*np.concatenate(grads)), rel=1e-12)
    assert train.global_norm(clipped) <= threshold * (1 + 1e-12) or norm <= threshold
    before, after = np.concatenate(grads), np.concatenate(clipped)
    assert [g.shape for g in clipped] == [g.shape for g in grads]
    if norm <= threshold:
        np.testing.assert_array_equal(after, before)
    else:
        assert train.global_norm(clipped) == pytest.approx(threshold, rel=1e-12)
        np.testing.assert_allclose(after * norm / threshold, before, rtol=1e-12, atol=1e-300)


@settings(max_examples=60, deadline=None)
@given(grads=gradient_lists, bound=st.floats(1e-3, 1e3))
def test_elementwise_clipping_keeps_entries_in_bounds(grads, bound):
    clipped = train.clip_elementwise(grads, bound)
    for before, after in zip(grads, clipped, strict=False):
        assert np.all(np.abs(after) <= bound)
        np.testing.assert_array_equal(np.sign(after), np.sign(before))
        np.testing.assert_array_equal(after[np.abs(before) <= bound], before[np.abs(before) <= bound])


def test_clipping_handles_overflowed_and_undefined_entries():
    clipped, norm = train.clip_by_global_norm([np.array([np.inf, 1.0]), np.array([-np.inf, np.nan])], 2.0)
    assert math.isinf(norm)
    np.testing.assert_allclose(np.concatenate(clipped), [np.sqrt(2), 0.0, -np.sqrt(2), 0.0])
    np.testing.assert_array_equal(train.clip_elementwise([np.array([np.inf, -np.inf, np.nan])], 3.0)[0], [3, -3, 0])
    with pytest.raises(ValueError):
        train.clip_by_global_norm([np.ones(2)], 0.0)


def test_global_norm_does_not_overflow_for_huge_finite_gradients():
    assert train.global_norm([np.array([3e200, 4e200])]) == pytest.approx(5e200)


def test_finite_difference_check_catches_a_wrong_gradient_and_leaves_params_alone():
    params = {"a": np.array([1.0, -2.0, 0.5]), "b": np.array(3.0)}
    original = {name: value.copy() for name, value in params.items()}

    def loss(p):
        return float(np.sum(p["a"] ** 3) * p["b"])

    right = {"a": 3 * params["a"] ** 2 * 3.0, "b": np.array(np.sum(params["a"] ** 3))}
    wrong = {"a": right["a"] * np.array([1.0, 1.0, 1.01]), "b": right["b"]}
    assert finite_difference_check(loss, params, right).passed(1e-8)
    assert not finite_difference_check(loss, params, wrong).passed(1e-4)
    for name in params:
        np.testing.assert_array_equal(params[name], original[name])
    two = finite_difference_check(loss, params, right, eps=1e-2).error
    four = finite_difference_check(loss, params, right, eps=1e-2, points=4).error
    assert four < 1e-3 * two
    assert finite_difference_check(loss, params, right, entries_per_param=2).checked == 3


def test_training_methods_on_the_counting_rnn():
    X, target = rnn.counting_batch(20, 10, 0)
    config = train.TrainingConfig(steps=500, learning_rate=0.01, clip_threshold=1.0)
    progress = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runs = {method: train.train_counting(X, target, (-1.5, 2.0), method, config,
                                                 callback=lambda step, w, loss: progress.append(step))
                for method in train.METHODS}
    rprop = runs["rprop"]
    assert not rprop.diverged and rprop.path.shape == (501, 2) and rprop.losses.shape == (501,)
    np.testing.assert_allclose(rprop.final, [1.0, 1.0], atol=1e-3)
    assert rprop.losses[-1] < 1e-6 * rprop.losses[0]
    assert runs["gd"].diverged and len(runs["gd"].path) < 5
    clipped = runs["clipped_gd"]
    assert not clipped.diverged and np.isfinite(clipped.path).all()
    assert clipped.losses[-1] < 1e-3 * clipped.losses[0]
    assert np.all(np.linalg.norm(np.diff(clipped.path, axis=0), axis=1) <= 0.01 * (1 + 1e-9))
    assert progress.count(500) == 2


def test_rprop_reaches_one_one_on_a_longer_sequence():
    X, target = rnn.counting_batch(20, 50, 0)
    run = train.train_counting(X, target, (-1.5, 2.0), "rprop", train.TrainingConfig(steps=2000))
    np.testing.assert_allclose(run.final, [1.0, 1.0], atol=1e-3)


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="rprop"):
        train.train_counting(np.ones((1, 2)), np.ones(1), (0.0, 0.0), "adam")
