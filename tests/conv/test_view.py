"""The convolution lab's view module: what the page shows, computed without a page."""

from __future__ import annotations

import numpy as np
import pytest

from core import conv
from core.conv import inputs, view
from core.conv.reference import conv_backward_reference, conv_reference


@pytest.mark.parametrize(("label", "shape"), [
    ("digit “2”", (1, 20, 20)), ("RGB shapes (3 channels)", (3, 20, 20)),
    ("1D signal (sine + step + noise)", (1, 20)), ("3D volume (ball and cube)", (1, 20, 20, 20)),
])
def test_every_builtin_input_has_the_documented_shape(label, shape):
    _, source = view.INPUTS[label]
    assert view.load_input(source, 20).shape == shape


def test_flipping_gives_the_mathematical_convolution():
    kernel = inputs.kernel_presets(2)["Sobel x"][None]
    flipped = view.weights(kernel, 1, flip=True)
    assert flipped.shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(flipped[0, 0], kernel[0, ::-1, ::-1])
    np.testing.assert_array_equal(view.weights(kernel, 3, flip=False)[0, 2], kernel[0])


def test_forward_and_backward_agree_with_the_loop_reference():
    rng = np.random.default_rng(4)
    x, w, b = rng.normal(size=(2, 9, 8)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=3)
    output, partials = view.forward(x, w, b, 2, 1, 1)
    np.testing.assert_allclose(output, conv_reference(x, w, b, stride=2, padding=1), atol=1e-12)
    np.testing.assert_allclose(partials.sum(axis=1) + b[:, None, None], output, atol=1e-12)
    grad_out = rng.normal(size=output.shape)
    grads = view.backward(x, w, grad_out, 2, 1, 1)
    grad_x, grad_w = conv_backward_reference(x, w, grad_out, stride=2, padding=1)
    np.testing.assert_allclose(grads.grad_x, grad_x, atol=1e-12)
    np.testing.assert_allclose(grads.grad_w, grad_w, atol=1e-12)
    np.testing.assert_allclose(grads.grad_b, grad_out.sum(axis=(1, 2)))
    assert grads.input_gap < 1e-12 and grads.weight_gap < 1e-12


def test_a_kernel_that_does_not_fit_raises_a_readable_error():
    with pytest.raises(ValueError, match="does not fit"):
        view.forward(np.zeros((1, 3, 3)), np.zeros((1, 1, 5, 5)), np.zeros(1), 1, 0, 1)


def test_dropped_messages_name_the_axis_and_whether_real_values_are_lost():
    assert view.dropped_messages((28, 28), (3, 3), stride=1, padding=0, dilation=1) == []
    messages = view.dropped_messages((8,), (3,), stride=2, padding=0, dilation=1)
    assert conv.dropped_positions(8, 3, stride=2) == 1
    assert len(messages) == 1 and "length" in messages[0] and "1 of them real input values" in messages[0]
    padded_only = view.dropped_messages((8, 8), (3, 3), stride=2, padding=1, dilation=1)
    assert len(padded_only) == 2 and "all of them padding zeros" in padded_only[0]


def test_the_check_crops_large_inputs_and_still_verifies():
    x = view.load_input("digit", 28)
    w = view.weights(inputs.kernel_presets(2)["Sobel x"][None], 1, flip=False)
    result = view.check(x, w, np.zeros(1), 1, 1, 1)
    assert result.cropped and result.max_reference_error < 1e-9 and result.finite_difference_error < 1e-6


def test_the_inspected_cell_is_clamped_not_reset_when_the_output_shrinks():
    assert view.clamp_cell((0, 25, 3), (1, 7, 7)) == (0, 6, 3)
    assert view.clamp_cell((2, 5, 5), (1, 26, 26)) == (0, 5, 5)
    assert view.clamp_cell((0, -4, 30), (3, 10, 12)) == (0, 0, 11)
    assert view.clamp_cell((1, 9), (2, 4)) == (1, 3)


@pytest.mark.parametrize(("selection", "shape", "expected"), [
    ({"cell": [{"channel": 0, "row": 3, "col": 20}]}, (1, 26, 26), (0, 3, 20)),
    ({"cell": [{"channel": 1, "row": 30, "col": 2}]}, (2, 26, 26), (1, 25, 2)),            # clamped into a smaller map
    ({"cell": [{"channel": 0, "depth": 4, "row": 1, "col": 2}]}, (1, 6, 6, 6), (0, 4, 1, 2)),
    ({"cell": [{"channel": 2, "index": 7}]}, (3, 38), (2, 7)),
    ({"cell": [{"channel": 0, "row": 1, "col": 1}, {"channel": 0, "row": 2, "col": 3}]}, (1, 5, 5), (0, 2, 3)),
    ({"cell": {}}, (1, 26, 26), None),                                                     # nothing clicked yet
    ({"cell": []}, (1, 26, 26), None),
    (None, (1, 26, 26), None),
    ({"cell": [{"channel": -1, "index": 3}]}, (1, 20), None),                              # an input point
    ({"cell": [{"row": "x", "col": 2, "channel": 0}]}, (1, 5, 5), None),
    ({"cell": [{"channel": 0, "index": 3}]}, (1, 5, 5), None),                             # wrong number of axes
])
def test_a_click_selects_the_cell_it_names(selection, shape, expected):
    assert view.picked_cell(selection, shape) == expected


def test_the_window_in_input_coordinates_and_the_padding_it_reaches():
    x, w = view.load_input("digit", 8), np.ones((1, 1, 3, 3))
    field = conv.window_products(x, w, None, 0, (0, 0), padding=1)
    inside, on_padding = view.window_in_input(field.cells, 1, (8, 8))
    assert on_padding == 5 and sorted(inside) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    field = conv.window_products(x, w, None, 0, (0, 1), stride=2, dilation=2)
    inside, on_padding = view.window_in_input(field.cells, 0, (8, 8))
    assert on_padding == 0 and sorted(inside) == [(r, c) for r in (0, 2, 4) for c in (2, 4, 6)]


def test_summaries_for_the_page():
    line = view.shape_summary((3, 96, 72), (2, 94, 70), (2, 3, 3, 3))
    assert "`(2, 94, 70)`" in line and "54 weights" in line and "2 bias" in line
    x = view.load_input("digit", 10)
    w = np.ones((1, 1, 3, 3))
    field = conv.window_products(x, w, np.array([0.5]), 0, (2, 2))
    latex = view.sum_latex(field, (0, 2, 2), field.value)
    assert f"{field.value:.4f}" in latex and "(0.5)" in latex and "[0, 2, 2]" in latex
