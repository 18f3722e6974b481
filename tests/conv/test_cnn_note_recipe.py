"""The CNN note's recipe for the backward pass with stride, padding and dilation, done literally
as its words say (1D, one channel), against the loop reference (review finding 3: the recipe
once gave 5 gradient values for 6 inputs when the stride does not divide the span)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.conv import ops
from core.conv.reference import conv_backward_reference


def note_recipe(x: np.ndarray, w: np.ndarray, delta: np.ndarray, s: int, p: int, d: int,
                ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(dL/dX, dL/dW, input values before the extra zeros, weight values before cropping) for
    x (H,), w (K,), delta (O,), following the note sentence by sentence."""
    length, kernel = len(x), len(w)
    a = (length + 2 * p - d * (kernel - 1) - 1) % s
    spread = np.zeros(s * (len(delta) - 1) + 1)
    spread[::s] = delta                                   # s - 1 zeros between entries
    taps = np.zeros(d * (kernel - 1) + 1)
    taps[::d] = w[::-1]                                   # the flipped kernel, taps d apart

    def input_values(extra: int) -> np.ndarray:
        padded = np.pad(spread, (d * (kernel - 1), d * (kernel - 1) + extra))
        full = np.correlate(padded, taps, mode="valid")
        return full[p:len(full) - p]                     # crop the p padding positions on each side

    weight_values = np.correlate(np.pad(x, p), spread, mode="valid")
    grad_w = weight_values[:len(weight_values) - a][::d]  # crop the last a, keep every d-th
    return input_values(a), grad_w, len(input_values(0)), len(weight_values)


def test_the_notes_example_needs_the_extra_zero_and_the_crop():
    rng = np.random.default_rng(0)
    x, w, delta = rng.standard_normal(6), rng.standard_normal(3), rng.standard_normal(2)
    grad_x, grad_w, without_zeros, correlated = note_recipe(x, w, delta, 2, 0, 1)
    assert (without_zeros, len(grad_x), grad_x[-1]) == (5, 6, 0.0), "5 values without the extra zero, X_6 gets 0"
    assert (correlated, len(grad_w)) == (4, 3)
    ref_x, ref_w = conv_backward_reference(x[None], w[None, None], delta[None], stride=2)
    np.testing.assert_allclose(grad_x, ref_x[0], atol=1e-12)
    np.testing.assert_allclose(grad_w, ref_w[0, 0], atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4), st.integers(0, 3), st.integers(1, 3), st.integers(1, 5), st.integers(0, 7),
       st.integers(0, 2**32 - 1))
def test_the_notes_recipe_is_the_chain_rule_for_any_setting(s, p, d, kernel, extra, seed):
    length = max(1, d * (kernel - 1) + 1 - 2 * p) + extra
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(length), rng.standard_normal(kernel)
    out = ops.output_size(length, kernel, padding=p, stride=s, dilation=d)
    delta = rng.standard_normal(out)
    grad_x, grad_w, _, _ = note_recipe(x, w, delta, s, p, d)
    ref_x, ref_w = conv_backward_reference(x[None], w[None, None], delta[None], stride=s, padding=p, dilation=d)
    np.testing.assert_allclose(grad_x, ref_x[0], atol=1e-10)
    np.testing.assert_allclose(grad_w, ref_w[0, 0], atol=1e-10)
