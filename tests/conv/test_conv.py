"""core.conv against the loop reference, finite differences, np.convolve and the conv arithmetic
relations of Dumoulin & Visin ("A guide to convolution arithmetic for deep learning", 2016)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import conv
from core.conv import charts as conv_charts
from core.conv import inputs as conv_inputs
from core.conv import ops
from core.conv.reference import conv_backward_reference, conv_reference, verify
from tests.vega import assert_valid_vega_lite, layer_data
from ui import chartspec

FORWARD = {1: conv.conv1d, 2: conv.conv2d, 3: conv.conv3d}
BACKWARD = {1: conv.conv1d_backward, 2: conv.conv2d_backward, 3: conv.conv3d_backward}
FAST = settings(max_examples=50, deadline=None)


@st.composite
def problems(draw, ndim: int | None = None):
    """A random convolution that fits: arrays, settings (ints or tuples) and a seeded generator."""
    ndim = ndim or draw(st.sampled_from([1, 2, 3]))
    max_kernel, max_extra = (4, 5) if ndim < 3 else (3, 3)
    kernel = tuple(draw(st.integers(1, max_kernel)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    spatial = tuple(
        max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, max_extra))
        for k, p, d in zip(kernel, padding, dilation, strict=False)
    )
    batch = draw(st.sampled_from([None, 1, 2]))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(((batch,) if batch else ()) + (c_in,) + spatial)
    w = rng.standard_normal((c_out, c_in) + kernel)
    b = rng.standard_normal(c_out) if draw(st.booleans()) else None

    def as_given(values: tuple[int, ...]):
        # Exercise both spellings: a plain int when every axis agrees (sometimes), else the tuple.
        return values[0] if len(set(values)) == 1 and draw(st.booleans()) else values

    options = dict(stride=as_given(stride), padding=as_given(padding), dilation=as_given(dilation))
    return ndim, x, w, b, options, rng


def numeric_gradient(loss, array: np.ndarray, entries, step: float = 1e-6) -> np.ndarray:
    """Central differences of loss() with respect to the chosen entries of `array` (changed in place)."""
    values = []
    for index in entries:
        original = array[index]
        array[index] = original + step
        plus = loss()
        array[index] = original - step
        minus = loss()
        array[index] = original
        values.append((plus - minus) / (2 * step))
    return np.array(values)


def some_entries(rng: np.random.Generator, shape: tuple[int, ...], count: int = 12) -> list[tuple[int, ...]]:
    flat = rng.choice(int(np.prod(shape)), size=min(count, int(np.prod(shape))), replace=False)
    return [np.unravel_index(i, shape) for i in flat]


@FAST
@given(problems())
def test_forward_matches_loop_reference(problem):
    ndim, x, w, b, options, _ = problem
    fast = FORWARD[ndim](x, w, b, **options)
    np.testing.assert_allclose(fast, conv_reference(x, w, b, **options), rtol=1e-12, atol=1e-12)


@FAST
@given(problems())
def test_output_shape_follows_output_size(problem):
    ndim, x, w, b, options, _ = problem
    out = FORWARD[ndim](x, w, b, **options)
    per_axis = {name: (value,) * ndim if isinstance(value, int) else value for name, value in options.items()}
    expected = tuple(
        conv.output_size(n, k, padding=p, stride=s, dilation=d)
        for n, k, p, s, d in zip(x.shape[-ndim:], w.shape[2:], per_axis["padding"], per_axis["stride"],
                                 per_axis["dilation"], strict=False)
    )
    assert out.shape == x.shape[:-ndim - 1] + (w.shape[0],) + expected


@FAST
@given(problems())
def test_backward_matches_loop_reference(problem):
    ndim, x, w, _, options, rng = problem
    grad_out = rng.standard_normal(FORWARD[ndim](x, w, **options).shape)
    grad_x, grad_w = BACKWARD[ndim](x, w, grad_out, **options)
    ref_grad_x, ref_grad_w = conv_backward_reference(x, w, grad_out, **options)
    assert grad_x.shape == x.shape and grad_w.shape == w.shape
    np.testing.assert_allclose(grad_x, ref_grad_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_w, ref_grad_w, rtol=1e-12, atol=1e-11)


@FAST
@given(problems())
def test_backward_matches_finite_differences(problem):
    ndim, x, w, b, options, rng = problem
    b = rng.standard_normal(w.shape[0])
    grad_out = rng.standard_normal(FORWARD[ndim](x, w, b, **options).shape)

    def loss() -> float:
        return float(np.sum(grad_out * FORWARD[ndim](x, w, b, **options)))

    grad_x, grad_w = BACKWARD[ndim](x, w, grad_out, **options)
    x_entries, w_entries = some_entries(rng, x.shape), some_entries(rng, w.shape)
    np.testing.assert_allclose(numeric_gradient(loss, x, x_entries), [grad_x[i] for i in x_entries], atol=1e-6)
    np.testing.assert_allclose(numeric_gradient(loss, w, w_entries), [grad_w[i] for i in w_entries], atol=1e-6)
    # The contract's bias gradient: grad_out summed over everything but the channel axis.
    channel_axis = grad_out.ndim - ndim - 1
    grad_b = grad_out.sum(axis=tuple(i for i in range(grad_out.ndim) if i != channel_axis))
    np.testing.assert_allclose(numeric_gradient(loss, b, [(o,) for o in range(b.size)]), grad_b, atol=1e-6)


@FAST
@given(problems())
def test_textbook_gradient_formulas_agree_with_backward(problem):
    ndim, x, w, _, options, rng = problem
    grad_out = rng.standard_normal(FORWARD[ndim](x, w, **options).shape)
    grad_x, grad_w = BACKWARD[ndim](x, w, grad_out, **options)
    np.testing.assert_allclose(conv.input_grad_as_full_convolution(grad_out, w, x.shape, **options), grad_x,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.weight_grad_as_correlation(x, grad_out, w.shape, **options), grad_w,
                               rtol=1e-12, atol=1e-11)


@FAST
@given(st.integers(1, 12), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_flipped_kernel_gives_numpy_convolve(n, k, seed):
    rng = np.random.default_rng(seed)
    signal, kernel = rng.standard_normal(n), rng.standard_normal(k)
    full = conv.conv1d(signal[None], conv.flip_kernel(kernel[None, None]), padding=k - 1)[0]
    np.testing.assert_allclose(full, np.convolve(signal, kernel, mode="full"), atol=1e-12)


def test_flip_kernel_flips_only_spatial_axes():
    w = np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2)
    flipped = conv.flip_kernel(w)
    assert flipped.shape == w.shape
    assert flipped[1, 2, 0, 0] == w[1, 2, 1, 1] and flipped[0, 1, 0, 1] == w[0, 1, 1, 0]


def test_a_worked_example_by_hand():
    x = np.array([[[1.0, 2, 0], [0, 1, 3], [2, 1, 1]]])          # (1, 3, 3)
    w = np.array([[[[1.0, 0], [0, -1]]]])                         # (1, 1, 2, 2)
    out = conv.conv2d(x, w, np.array([0.5]))
    np.testing.assert_array_equal(out, [[[1 - 1 + 0.5, 2 - 3 + 0.5], [0 - 1 + 0.5, 1 - 1 + 0.5]]])


def test_non_contiguous_input_is_handled():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 20, 20))[:, :, ::2, 1::2]
    w = rng.standard_normal((4, 3, 3, 3))
    np.testing.assert_allclose(conv.conv2d(x, w, padding=1), conv_reference(x, w, padding=1), atol=1e-12)


def test_large_batches_split_into_chunks_give_the_same_result():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((40, 4, 24, 24))
    w = rng.standard_normal((5, 4, 3, 3))
    grad_out = rng.standard_normal((40, 5, 24, 24))
    out = conv.conv2d(x, w, padding=1)
    grad_x, grad_w = conv.conv2d_backward(x, w, grad_out, padding=1)
    for n in (0, 17, 39):
        np.testing.assert_allclose(out[n], conv.conv2d(x[n], w, padding=1), atol=1e-12)
        np.testing.assert_allclose(grad_x[n], conv.conv2d_backward(x[n], w, grad_out[n], padding=1)[0], atol=1e-12)
    per_sample = sum(conv.conv2d_backward(x[n], w, grad_out[n], padding=1)[1] for n in range(40))
    np.testing.assert_allclose(grad_w, per_sample, atol=1e-10)


# --- output size: the conv arithmetic relations --------------------------------------------------

sizes = st.integers(1, 40)


@given(sizes, sizes)
def test_no_padding_unit_stride(i, k):
    if k <= i:
        assert conv.output_size(i, k) == i - k + 1


@given(sizes, st.integers(0, 10))
def test_half_padding_keeps_the_size_for_odd_kernels(i, half):
    k = 2 * half + 1
    assert conv.output_size(i, k, padding=half) == i


@given(sizes, sizes)
def test_full_padding_grows_by_kernel_minus_one(i, k):
    assert conv.output_size(i, k, padding=k - 1) == i + k - 1


@given(sizes, sizes, st.integers(1, 6))
def test_strided_no_padding(i, k, s):
    if k <= i:
        assert conv.output_size(i, k, stride=s) == (i - k) // s + 1


@given(sizes, sizes, st.integers(0, 5), st.integers(1, 6))
def test_strided_with_padding(i, k, p, s):
    if k <= i + 2 * p:
        assert conv.output_size(i, k, padding=p, stride=s) == (i + 2 * p - k) // s + 1


@given(sizes, st.integers(1, 6), st.integers(0, 5), st.integers(1, 6), st.integers(1, 4))
def test_dilation_is_a_bigger_kernel(i, k, p, s, d):
    effective = k + (k - 1) * (d - 1)
    if effective <= i + 2 * p:
        assert conv.output_size(i, k, padding=p, stride=s, dilation=d) == (i + 2 * p - effective) // s + 1
        assert conv.output_size(i, k, padding=p, stride=s, dilation=d) == conv.output_size(
            i, effective, padding=p, stride=s)


@given(sizes, st.integers(1, 6), st.integers(0, 5), st.integers(1, 6), st.integers(1, 4))
def test_dropped_positions_are_the_floor_remainder(i, k, p, s, d):
    if d * (k - 1) + 1 <= i + 2 * p:
        dropped = conv.dropped_positions(i, k, padding=p, stride=s, dilation=d)
        assert dropped == (i + 2 * p - d * (k - 1) - 1) % s
        assert 0 <= dropped < s


def test_output_size_examples_from_the_lecture():
    assert conv.output_size(28, 3) == 26
    assert conv.output_size(28, 5) == 24
    assert conv.output_size(5, 3) == 3


def test_connections_draw_the_lecture_picture():
    # O1 = W1 X1 + W2 X2 + W3 X3, O2 = W1 X2 + ..., O3 = ... + W3 X5 (0-based here).
    assert [(c.output, c.weight, c.source) for c in conv.connections(5, 3)] == [
        (0, 0, 0), (0, 1, 1), (0, 2, 2), (1, 0, 1), (1, 1, 2), (1, 2, 3), (2, 0, 2), (2, 1, 3), (2, 2, 4)]


@given(st.integers(1, 9), st.integers(1, 4), st.integers(0, 2), st.integers(1, 3), st.integers(1, 3),
       st.integers(0, 2**32 - 1))
def test_connections_reproduce_conv1d(n, k, p, s, d, seed):
    if d * (k - 1) + 1 > n + 2 * p:
        return
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    out = np.zeros(conv.output_size(n, k, padding=p, stride=s, dilation=d))
    for link in conv.connections(n, k, padding=p, stride=s, dilation=d):
        if 0 <= link.source < n:
            out[link.output] += w[link.weight] * x[link.source]
    np.testing.assert_allclose(out, conv.conv1d(x[None], w[None, None], padding=p, stride=s, dilation=d)[0],
                               atol=1e-12)


# --- the Verified badge's check -------------------------------------------------------------------

def test_verify_reports_tiny_errors_and_crops_big_inputs():
    rng = np.random.default_rng(5)
    result = verify(rng.standard_normal((1, 40, 30)), rng.standard_normal((2, 1, 3, 3)), np.ones(2),
                    stride=2, padding=1, max_side=12)
    assert result.cropped and result.checked_input_shape == (1, 12, 12)
    assert result.max_reference_error < 1e-12 and result.finite_difference_error < 1e-6
    small = verify(rng.standard_normal((3, 9)), rng.standard_normal((2, 3, 4)), dilation=2)
    assert not small.cropped and small.checked_input_shape == (3, 9)


def test_verify_keeps_a_crop_big_enough_for_a_dilated_kernel():
    rng = np.random.default_rng(6)
    result = verify(rng.standard_normal((1, 40, 40)), rng.standard_normal((1, 1, 5, 5)), dilation=6, max_side=8)
    assert result.checked_input_shape == (1, 25, 25) and result.max_reference_error < 1e-12


# --- every bad argument gets a ValueError a student understands -----------------------------------

def test_the_kernel_does_not_fit_message():
    with pytest.raises(ValueError) as error:
        conv.conv2d(np.ones((1, 3, 3)), np.ones((1, 1, 5, 5)))
    assert str(error.value) == "a 5x5 kernel does not fit a 3x3 input with padding 0: the output would be -1 wide"


def test_a_dilated_kernel_that_does_not_fit_says_how_wide_it_spans():
    with pytest.raises(ValueError, match=r"a 3x3 kernel with dilation 4 \(it spans 9x9\) does not fit a 7x7 input"):
        conv.conv2d(np.ones((1, 7, 7)), np.ones((1, 1, 3, 3)), dilation=4)


IMAGE, KERNEL = np.ones((1, 5, 5)), np.ones((1, 1, 3, 3))


def conv2d_with(**settings):
    return conv.conv2d(IMAGE, KERNEL, **settings)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.conv1d(np.ones((1, 4)), np.ones((1, 1, 6))),
         "a kernel of size 6 does not fit an input of size 4 with padding 0: the output would be -1 long"),
        (lambda: conv.conv3d(np.ones((1, 4, 4, 2)), np.ones((1, 1, 3, 3, 3))),
         r"3x3x3 kernel .* 4x4x2 input .* 0 wide"),
        (lambda: conv.conv2d(np.ones((1, 2, 9)), KERNEL, padding=(0, 1)),
         r"with padding \(0, 1\): the output would be 0 tall"),
        (lambda: conv2d_with(stride=0), "stride must be at least 1; got 0"),
        (lambda: conv2d_with(stride=(1, -2)), "stride must be at least 1"),
        (lambda: conv2d_with(dilation=0), "dilation must be at least 1"),
        (lambda: conv2d_with(padding=-1), "padding cannot be negative"),
        (lambda: conv2d_with(stride=1.5), "stride must be an int or a tuple of 2 ints"),
        (lambda: conv2d_with(stride=True), "stride must be an int or a tuple of 2 ints"),
        (lambda: conv2d_with(padding=(1, 1, 1)), r"padding must be an int or a tuple of 2 ints"),
        (lambda: conv.conv2d(np.ones((3, 5, 5)), KERNEL), r"the input has 3 channel\(s\) but each kernel expects 1"),
        (lambda: conv.conv2d(IMAGE, np.ones((2, 1, 3, 3)), np.ones(3)), "one value per kernel"),
        (lambda: conv.conv2d(np.full((1, 5, 5), np.nan), KERNEL), "x contains NaN or infinity"),
        (lambda: conv.conv2d(IMAGE, np.full((1, 1, 3, 3), np.inf)), "w contains NaN or infinity"),
        (lambda: conv.conv2d(IMAGE, KERNEL, np.array([np.nan])), "b contains NaN"),
        (lambda: conv.conv2d(np.ones((5, 5)), KERNEL), r"needs x shaped \(C_in, H, W\)"),
        (lambda: conv.conv2d(IMAGE, np.ones((3, 3))), r"needs w shaped \(C_out, C_in, kH, kW\)"),
        (lambda: conv.conv2d(np.ones((1, 0, 5)), KERNEL), "x has an empty axis"),
        (lambda: conv.conv2d(np.array([["a"]]), np.ones((1, 1, 1, 1))), "x must be an array of real numbers"),
        (lambda: conv.conv2d_backward(IMAGE, KERNEL, np.ones((1, 4, 4))),
         r"grad_out must have the shape of the forward output, \(1, 3, 3\)"),
        (lambda: conv.conv2d_backward(IMAGE, KERNEL, np.full((1, 3, 3), np.inf)), "grad_out contains NaN or infinity"),
        (lambda: conv.conv(np.ones((1, 5)), np.ones((1, 1, 1, 1, 1, 1))), "1, 2 or 3 kernel axes"),
        (lambda: conv.output_size(3, 5),
         "a kernel of size 5 does not fit an input of size 3 with padding 0: the output would be -1 long"),
        (lambda: conv.output_size(0, 1), "input size must be at least 1"),
        (lambda: conv.output_size(5, 0), "kernel size must be at least 1"),
        (lambda: conv.output_size(5, 3, stride=0), "stride must be at least 1"),
        (lambda: conv.output_size(5, 3, dilation=0), "dilation must be at least 1"),
        (lambda: conv.output_size(5, 3, padding=-1), "padding cannot be negative"),
    ],
)
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- the lab's helpers: partial sums, receptive fields, inputs, charts ----------------------------

@FAST
@given(problems(ndim=2))
def test_channel_partials_sum_to_the_output(problem):
    _, x, w, b, options, _ = problem
    x = x if x.ndim == 3 else x[0]
    b = np.zeros(w.shape[0]) if b is None else b
    partials = conv.channel_partials(x, w, **options)
    assert partials.shape == (w.shape[0], x.shape[0]) + conv.conv2d(x, w, **options).shape[1:]
    np.testing.assert_allclose(partials.sum(axis=1) + b[:, None, None], conv.conv2d(x, w, b, **options), atol=1e-12)


@FAST
@given(problems(), st.data())
def test_window_products_sum_to_the_output_value(problem, data):
    ndim, x, w, b, options, _ = problem
    x = x if x.ndim == ndim + 1 else x[0]
    out = FORWARD[ndim](x, w, b, **options)
    channel = data.draw(st.integers(0, out.shape[0] - 1))
    position = tuple(data.draw(st.integers(0, size - 1)) for size in out.shape[1:])
    field = conv.window_products(x, w, b, channel, position, **options)
    assert field.products.shape == w.shape[1:]
    np.testing.assert_allclose(field.products, field.window * w[channel])
    assert field.value == pytest.approx(out[(channel,) + position], abs=1e-12)
    padded = np.pad(x, [(0, 0)] + [(p, p) for p in ops._per_axis("padding", options["padding"], ndim, 0)])
    np.testing.assert_array_equal(field.window.reshape(x.shape[0], -1),
                                  padded[(slice(None),) + tuple(field.cells.T)])


def test_window_products_rejects_a_cell_outside_the_output():
    with pytest.raises(ValueError, match=r"output cell \(0, 3, 0\) is outside the output of shape \(1, 3, 3\)"):
        conv.window_products(np.ones((1, 5, 5)), np.ones((1, 1, 3, 3)), None, 0, (3, 0))


def test_stride_dilate_puts_zeros_between_entries():
    spread = conv.stride_dilate(np.array([[1.0, 2.0], [3.0, 4.0]]), (2, 3), 2)
    np.testing.assert_array_equal(spread, [[1, 0, 0, 2], [0, 0, 0, 0], [3, 0, 0, 4]])


@pytest.mark.parametrize("name", conv_inputs.IMAGE_NAMES)
def test_builtin_images_are_in_range(name):
    image = conv_inputs.builtin_image(name, 20)
    assert image.shape == (20, 20) and 0 <= image.min() and image.max() <= 1 and image.std() > 0.1


def test_the_other_inputs_have_their_shapes():
    assert conv_inputs.rgb_image(16).shape == (3, 16, 16)
    assert conv_inputs.signal_1d(50).shape == (50,)
    assert conv_inputs.volume_3d(7).shape == (7, 7, 7)
    with pytest.raises(ValueError, match="unknown image"):
        conv_inputs.builtin_image("cat")


def test_uploads_are_read_and_shrunk_and_junk_is_refused():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (600, 300), (255, 0, 0)).save(buffer, format="PNG")
    gray = conv_inputs.image_from_upload(buffer.getvalue())
    colour = conv_inputs.image_from_upload(buffer.getvalue(), colour=True)
    assert gray.shape == (1, 32, 64) and colour.shape == (3, 32, 64)
    np.testing.assert_allclose(colour[:, 0, 0], [1, 0, 0])
    with pytest.raises(ValueError, match="This file is not a PNG or JPEG image"):
        conv_inputs.image_from_upload(b"not an image")


def png_bytes(width: int, height: int) -> bytes:
    """A PNG of noise (so that its compressed data fills the file)."""
    from PIL import Image

    noise = np.random.default_rng(0).integers(0, 256, (height, width), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A valid 1x1 PNG whose header (IHDR, CRC fixed) claims width x height pixels."""
    import struct
    import zlib

    data = bytearray(png_bytes(1, 1))
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


@pytest.mark.parametrize(("payload", "sentence"), [
    (b"", "The file is empty"),
    (None, "The file is empty"),
    (b"GIF89a" + bytes(100), "not a PNG or JPEG image"),
    (b"%PDF-1.4 hello", "not a PNG or JPEG image"),
    (png_claiming(50_000, 50_000), "too many pixels to open safely"),          # Pillow's own limit
    (png_claiming(8_000, 6_000), "48 million\\), too many to open safely"),   # the lab's limit
    (png_claiming(0, 10), "not a PNG or JPEG image|no pixels|damaged"),
    (png_bytes(40, 40)[:800], "damaged or cut short"),
], ids=["empty", "none", "gif", "pdf", "bomb", "big", "zero-width", "truncated"])
def test_bad_uploads_get_a_sentence_a_student_understands(payload, sentence):
    with pytest.raises(ValueError, match=sentence) as caught:
        conv_inputs.image_from_upload(payload)
    message = str(caught.value)
    assert "<" not in message and "object at 0x" not in message and "Error" not in message, message


def test_a_large_jpeg_is_shrunk_to_the_lab_size():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1024, 768), (10, 200, 30)).save(buffer, format="JPEG")
    assert conv_inputs.image_from_upload(buffer.getvalue(), colour=True).shape == (3, 48, 64)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_kernel_presets(ndim):
    presets = conv_inputs.kernel_presets(ndim)
    assert all(kernel.ndim == ndim for kernel in presets.values())
    assert presets["box blur"].sum() == pytest.approx(1) and presets["Laplacian"].sum() == pytest.approx(0)
    assert "[1, -1] edge" in presets


def test_the_2d_presets_the_issue_asks_for():
    assert {"identity", "box blur", "Gaussian", "sharpen", "Sobel x", "Sobel y", "Laplacian", "emboss",
            "[1, -1] edge"} <= set(conv_inputs.kernel_presets(2))


def test_stack_kernels_centres_small_ones():
    stacked, resized = conv_inputs.stack_kernels([np.ones((3, 3)), np.array([[1.0, -1.0]])])
    assert resized and stacked.shape == (2, 3, 3)
    np.testing.assert_array_equal(stacked[1], [[0, 0, 0], [1, -1, 0], [0, 0, 0]])  # odd extra column after
    assert conv_inputs.weights_for(stacked, 3).shape == (2, 3, 3, 3)
    with pytest.raises(ValueError, match="at least one kernel"):
        conv_inputs.stack_kernels([])


def test_upstream_gradients():
    assert conv_inputs.upstream_gradient("all ones", (2, 3)).sum() == 6
    one_hot = conv_inputs.upstream_gradient("one-hot at the inspected cell", (2, 3, 3), (1, 2, 0))
    assert one_hot.sum() == 1 and one_hot[1, 2, 0] == 1
    assert conv_inputs.upstream_gradient("random", (4,)).std() > 0
    with pytest.raises(ValueError, match="unknown upstream gradient"):
        conv_inputs.upstream_gradient("zeros", (2,))


def test_heatmap_is_valid_vega_lite_with_a_value_per_cell():
    values = np.arange(12.0).reshape(3, 4) - 5
    spec = conv_charts.heatmap(values, highlight=[(2, 1)], selected=(0, 3), pick={"channel": 1})
    assert_valid_vega_lite(spec)
    frame = layer_data(spec, "map")
    assert len(frame) == 12 and frame.loc[(frame.row == 1) & (frame.col == 3), "value"].item() == 2.0
    assert (frame["channel"] == 1).all()
    cells = spec["layer"][0]
    assert [t["field"] for t in cells["encoding"]["tooltip"]] == ["row", "col", "value"]
    assert cells["params"][0]["select"]["fields"] == ["channel", "row", "col"]
    assert layer_data(spec, "map-marks").values.tolist() == [[2, 1, "window"], [0, 3, "inspected"]]
    assert "map-ink" in spec["datasets"], "a 3x4 array gets its numbers written in"
    assert "map-ink" not in conv_charts.heatmap(np.zeros((20, 20)))["datasets"]


def test_heatmap_colour_bars_print_tiny_and_zero_values_sensibly():
    zeros = conv_charts.heatmap(np.zeros((5, 5)), kind="signed")
    scale = zeros["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"scheme": "redblue", "domainMid": 0}, "no 1e-12 bound invented in the spec"
    assert zeros["layer"][0]["encoding"]["color"]["legend"]["format"] == ".3~g"
    assert conv_charts.colour_scale("auto", np.array([1e-9, 2e-9]))["scheme"] == "viridis"
    assert conv_charts.colour_scale("image", np.ones(3))["domain"] == {"unionWith": [0, 1]}
    assert conv_charts.colour_scale("auto", np.array([-1.0, 2.0]))["scheme"] == "redblue"


def test_a_new_size_or_new_numbers_change_the_data_and_not_the_spec():
    def without_data(spec):
        return json.dumps({key: value for key, value in spec.items() if key != "datasets"}, sort_keys=True)

    rng = np.random.default_rng(0)
    first = conv_charts.heatmap(rng.normal(size=(26, 26)), selected=(3, 4), pick={"channel": 0}, max_width=320)
    second = conv_charts.heatmap(rng.normal(size=(28, 28)), selected=(9, 1), pick={"channel": 0}, max_width=320)
    assert without_data(first) == without_data(second)
    assert first["width"] == 320 and first["height"] == 320


def test_signal_chart_lets_outputs_be_picked():
    spec = conv_charts.signal_chart({"input": np.arange(10.0), "out 0": np.arange(8.0)}, highlight=(1, 3),
                                    pick={"out 0": 0}, selected=("out 0", 2))
    assert_valid_vega_lite(spec)
    points = layer_data(spec, "signal")
    assert set(points.loc[points.series == "out 0", "channel"]) == {0}
    assert set(points.loc[points.series == "input", "channel"]) == {-1}
    picked = [layer for layer in spec["layer"] if "params" in layer]
    assert len(picked) == 1 and picked[0]["params"][0]["select"]["fields"] == ["channel", "index"]
    assert layer_data(spec, "ring")[["series", "index"]].values.tolist() == [["out 0", 2]]
    assert layer_data(spec, "band")[["start", "end"]].values.tolist() == [[0.5, 3.5]]


def test_spec_with_frames_keeps_data_frames_under_content_names():
    chart = conv_charts.connection_chart(conv.connections(5, 3, padding=1), 5, 3)
    spec = chartspec.spec_with_frames(chart)
    names = [layer["data"]["name"] for layer in spec["layer"]]
    assert set(names) == set(spec["datasets"]) and all(isinstance(f, pd.DataFrame) for f in spec["datasets"].values())
    assert isinstance(chart.layer[0].data, pd.DataFrame)            # the chart itself is left as it was
    other = chartspec.spec_with_frames(conv_charts.connection_chart(conv.connections(5, 3), 5, 3))
    assert set(other["datasets"]) != set(spec["datasets"])         # different data, different names


def test_the_lecture_table_and_equations():
    links = conv.connections(5, 3)
    table = conv_charts.connection_table(links, 5)
    assert table.loc["X3"].tolist() == ["W3", "W2", "W1"] and table.loc["X1"].tolist() == ["W1", "–", "–"]
    conv_charts.connection_chart(links, 5, 3).to_dict()
    assert_valid_vega_lite(conv_charts.signal_chart({"x": np.arange(5.0)}, highlight=(1, 3),
                                                    positions={"x": np.arange(5) + 0.5}))


def test_the_size_formula_text():
    assert conv_charts.size_formula_latex(5, 3, padding=0, stride=2, dilation=1, axis="width").endswith(
        "= 2\\end{aligned}")
    assert conv_charts.size_formula_latex(3, 5, padding=0, stride=1, dilation=1).endswith(
        "\\left\\lfloor \\frac{-2}{1} \\right\\rfloor + 1 = -1\\end{aligned}")
