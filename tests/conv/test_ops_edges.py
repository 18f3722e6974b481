"""The edges of core.conv.ops: a bad output channel is a ValueError with a message, NumPy integers
are whole numbers wherever a setting takes one."""

from __future__ import annotations

import numpy as np
import pytest

from core import conv
from core.conv import ops

X = np.arange(25, dtype=float).reshape(1, 5, 5)
W = np.ones((2, 1, 3, 3))


@pytest.mark.parametrize("channel", [-1, 2, 1.5, True, "0", None, np.float64(0)])
def test_window_products_refuses_a_bad_channel(channel):
    with pytest.raises(ValueError, match="output"):
        conv.window_products(X, W, None, channel, (0, 0))


@pytest.mark.parametrize("position", [(0.5, 0), (0, -1), (3, 0), (0,), (0, 0, 0), (np.float64(1), 0)])
def test_window_products_refuses_a_bad_position(position):
    with pytest.raises(ValueError, match="output"):
        conv.window_products(X, W, None, 0, position)


def test_window_products_takes_numpy_integers_for_channel_and_position():
    field = conv.window_products(X, W, np.array([0.0, 1.0]), np.int64(1), (np.int32(2), np.int64(2)))
    assert field.value == conv.conv2d(X, W, np.array([0.0, 1.0]))[1, 2, 2] == X[0, 2:, 2:].sum() + 1
    assert field.bias == 1.0 and field.corner == (2, 2) and isinstance(field.corner[0], int)


@pytest.mark.parametrize("value", [np.int64(2), np.int32(2), (np.int64(2), np.int8(2)), np.array([2, 2]), [2, 2]])
def test_per_axis_accepts_numpy_integers(value):
    assert ops._per_axis("stride", value, 2, 1) == (2, 2)
    assert all(type(item) is int for item in ops._per_axis("stride", value, 2, 1))


@pytest.mark.parametrize(("value", "message"), [
    (np.bool_(True), "stride must be an int or a tuple of 2 ints"),
    (True, "stride must be an int or a tuple of 2 ints"),
    (2.0, "stride must be an int or a tuple of 2 ints"),
    ((2, 2, 2), "stride must be an int or a tuple of 2 ints"),
    ((2, 2.0), "stride must be a whole number; got 2.0"),
    ((1, np.int64(0)), "stride must be at least 1; got 0"),
])
def test_per_axis_refuses_what_is_not_a_whole_number_per_axis(value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ops._per_axis("stride", value, 2, 1)


def test_padding_may_be_zero_but_not_negative():
    assert ops._per_axis("padding", np.int64(0), 2, 0) == (0, 0)
    with pytest.raises(ValueError, match="padding cannot be negative; got -1"):
        ops._per_axis("padding", -1, 2, 0)


def test_numpy_integer_settings_give_the_same_convolution():
    plain = conv.conv2d(X, W, stride=2, padding=1, dilation=1)
    numpy = conv.conv2d(X, W, stride=np.int64(2), padding=np.array([1, 1]), dilation=(np.int16(1), 1))
    assert np.array_equal(plain, numpy)
