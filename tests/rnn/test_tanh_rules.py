"""The tanh RNN's documented defaults, ranges and refusals, written against mutants that survived
the earlier tests (docs/mutation.md): the loss is on the last step unless asked, inputs are scaled
by 1/sqrt(D) unless asked, targets lie in [-0.5, 0.5], windows and probabilities out of range are
refused with a sentence, and randomized truncation on every step returns one result per draw."""

from __future__ import annotations

import numpy as np
import pytest

from core.rnn import tanh


def test_the_defaults_are_a_loss_on_the_last_step_and_an_input_scale_of_one():
    params = tanh.init_tanh_rnn(4, 3, 0.9, seed=1)
    assert all(np.array_equal(params[k], v) for k, v in tanh.init_tanh_rnn(4, 3, 0.9, 1, input_scale=1.0).items())
    X, Y = tanh.sequence_task(2, 5, 3, 4, seed=2)
    hidden = tanh.tanh_forward(params, X).hidden
    assert tanh.rnn_loss(hidden, Y) == tanh.rnn_loss(hidden, Y, "last")
    loss, direct = tanh.loss_and_direct_grads(hidden, Y)
    assert loss == tanh.loss_and_direct_grads(hidden, Y, "last")[0] and direct.shape == (1, 2, 4)


def test_targets_fill_the_range_from_minus_a_half_to_a_half():
    _, Y = tanh.sequence_task(50, 3, 2, 8, seed=0)
    assert -0.5 <= Y.min() < -0.45 and 0.45 < Y.max() <= 0.5


def test_out_of_range_windows_and_probabilities_are_refused_with_a_sentence():
    with pytest.raises(ValueError) as refused:
        tanh.truncation_factors(5, 0)
    assert str(refused.value) == "the truncation window K must be at least 1 step, got 0"
    rng = np.random.default_rng(0)
    for p in (0.0, 1.5):
        with pytest.raises(ValueError) as refused:
            tanh.randomized_factors(5, 2, 2, p, 3, rng)
        assert str(refused.value) == f"the continuation probability must be in (0, 1], got {p}"


@pytest.mark.parametrize("draws, chunk", [(5, 2), (2, 32), (1, 1)])
def test_randomized_truncation_on_every_step_gives_one_result_per_draw(draws, chunk):
    params = tanh.init_tanh_rnn(3, 2, 0.9, seed=3)
    X, Y = tanh.sequence_task(2, 6, 2, 3, seed=4, loss_on="all")
    cache = tanh.tanh_forward(params, X)
    full = tanh.tanh_bptt(params, cache, Y, "all")
    result = tanh.tanh_bptt_randomized(params, cache, Y, 2, 0.5, draws, np.random.default_rng(5), "all", chunk=chunk)
    assert result.step_norms.shape == (draws, 7) and result.grads["W_hh"].shape == (draws, 3, 3)
    assert result.loss == full.loss
