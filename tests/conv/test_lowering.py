"""core.conv.lowering: each of the four layouts is chosen where it should be and agrees with the
loop reference, also when its work is split into many blocks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.conv import flatgrid, lowering, ops, rows
from core.conv.reference import conv_backward_reference, conv_reference


def geometry(x_shape, w_shape, stride=1, padding=0, dilation=1) -> lowering.Geometry:
    return ops._prepare(np.zeros(x_shape), np.zeros(w_shape), None, stride, padding, dilation, len(w_shape) - 2)


@pytest.mark.parametrize(("x_shape", "w_shape", "settings", "path"), [
    ((2, 8, 5, 5), (4, 8, 1, 1), {}, "pointwise"),
    ((8, 9), (3, 8, 1), {}, "pointwise"),
    ((1, 2, 6, 6, 6), (3, 2, 1, 1, 1), {}, "pointwise"),
    ((2, 8, 5, 5), (4, 8, 1, 1), {"padding": 1}, "flat"),
    ((2, 8, 5, 5), (4, 8, 1, 1), {"stride": 2}, "strided"),
    ((3, 9, 9), (2, 3, 3, 3), {"dilation": 2, "padding": 1}, "flat"),
    ((2, 3, 20), (2, 3, 3), {"dilation": 4}, "flat"),
    ((3, 9, 9), (2, 3, 3, 3), {"stride": (1, 2)}, "strided"),
    ((1, 6, 6, 6), (2, 1, 3, 3, 3), {}, "flat"),
    ((1, 4, 9, 9, 9), (2, 4, 3, 3, 3), {"dilation": (1, 1, 2)}, "rows"),    # 3D, stride 1, dilated
    ((1, 9, 9, 9), (2, 1, 3, 1, 3), {"dilation": (1, 2, 1), "padding": 1}, "flat"),  # no tap to spread on axis 1
    ((1, 6, 6, 6), (2, 1, 3, 3, 3), {"dilation": 2, "stride": (2, 1, 1)}, "strided"),
])
def test_each_shape_gets_its_path(x_shape, w_shape, settings, path):
    assert geometry(x_shape, w_shape, **settings).path == path


def check_against_reference(x, w, grad_out, **settings) -> None:
    out = ops.conv(x, w, **settings)
    np.testing.assert_allclose(out, conv_reference(x, w, **settings), rtol=1e-12, atol=1e-12)
    grad_x, grad_w = ops.conv_backward(x, w, grad_out, **settings)
    ref_x, ref_w = conv_backward_reference(x, w, grad_out, **settings)
    np.testing.assert_allclose(grad_x, ref_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_w, ref_w, rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize(("x_shape", "w_shape", "settings"), [
    ((3, 6, 7), (5, 6, 1), {}),                                    # pointwise 1D, batched
    ((2, 4, 5, 6), (3, 4, 1, 1), {}),                              # pointwise 2D, batched
    ((4, 5, 6), (3, 4, 1, 1), {}),                                 # pointwise 2D, one sample
    ((2, 2, 5, 6, 7), (3, 2, 3, 2, 3), {"padding": (1, 0, 2), "dilation": (2, 1, 1)}),   # flat 3D
    ((3, 2, 11), (2, 2, 4), {"padding": 3, "dilation": 3}),        # flat 1D with dilation
    ((2, 3, 9, 8), (4, 3, 3, 3), {"stride": (2, 1), "padding": 1}),  # strided along one axis
])
def test_every_path_matches_the_loop_reference_with_batches(x_shape, w_shape, settings):
    rng = np.random.default_rng(sum(x_shape))
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    grad_out = rng.standard_normal(ops.conv(x, w, **settings).shape)
    check_against_reference(x, w, grad_out, **settings)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(0, 2), st.integers(1, 2), st.integers(2, 9),
       st.integers(0, 2**32 - 1))
def test_tiny_blocks_give_the_same_numbers(batch, kernel, padding, dilation, extra, seed):
    """Blocks of 256 positions split each sample's lines anywhere; the sums must not change."""
    rng = np.random.default_rng(seed)
    size = dilation * (kernel - 1) + extra
    x = rng.standard_normal((batch, 2, size + 20, size + 25))
    w = rng.standard_normal((3, 2, kernel, kernel))
    grad_out = rng.standard_normal(ops.conv(x, w, padding=padding, dilation=dilation).shape)
    expected = (ops.conv(x, w, padding=padding, dilation=dilation),
                *ops.conv_backward(x, w, grad_out, padding=padding, dilation=dilation))
    original = flatgrid.CHUNK_BYTES
    try:
        flatgrid.CHUNK_BYTES = 1  # blocks of 256 positions (the floor): two or more per sample here
        small = (ops.conv(x, w, padding=padding, dilation=dilation),
                 *ops.conv_backward(x, w, grad_out, padding=padding, dilation=dilation))
    finally:
        flatgrid.CHUNK_BYTES = original
    for got, want in zip(small, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("chunk", [1, flatgrid.CHUNK_BYTES])
def test_blocks_cover_exactly_the_slabs_each_pass_needs(chunk, monkeypatch):
    monkeypatch.setattr(flatgrid, "CHUNK_BYTES", chunk)
    geo = geometry((3, 2, 30, 32), (4, 2, 3, 5), padding=(1, 2), dilation=(2, 1))
    per_sample, slab = 32 * 36, 36                                 # padded grid 32 x 36
    for inside, first, count in ((False, 0, geo.out[0] * slab), (True, slab, 30 * slab)):
        blocks = lowering._blocks(geo, lowering._slabs(geo, inside=inside))
        covered = [index for _, positions, _ in blocks for index in range(positions.start, positions.stop)]
        assert covered == [n * per_sample + first + i for n in range(3) for i in range(count)]
        relative = [index for n, _, piece in blocks if n == 1 for index in range(piece.start, piece.stop)]
        assert relative == list(range(count))
        assert len(blocks) == (3 if chunk > 1_000_000 else 3 * -(-count // 256))


@pytest.mark.parametrize(("c_out", "rows", "length"), [(8, 27, 16_900), (1, 25, 9_000), (64, 80, 9_000), (8, 27, 100)])
def test_weight_product_blocks_only_change_the_speed(c_out, rows, length):
    rng = np.random.default_rng(c_out)
    grad, columns = rng.standard_normal((c_out, length)), rng.standard_normal((rows, length))
    np.testing.assert_allclose(flatgrid.weight_product(grad, columns), grad @ columns.T, rtol=1e-12, atol=1e-10)


def test_a_big_single_image_through_the_flat_path():
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((3, 40, 37)), rng.standard_normal((8, 3, 3, 3))
    grad_out = rng.standard_normal((8, 40, 37))
    check_against_reference(x, w, grad_out, padding=1)


@st.composite
def stride_one_problems(draw):
    """A stride-1 convolution for every stride-1 path: odd sizes, padding, dilation 1 to 3 drawn
    per axis (so dilation 2 and 3 land on different axes), 1D to 3D, a batch or one sample."""
    ndim = draw(st.sampled_from([1, 2, 3]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    spatial = tuple(max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 4))
                    for k, p, d in zip(kernel, padding, dilation, strict=True))
    batch = draw(st.sampled_from([(), (1,), (3,)]))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, w = rng.standard_normal(batch + (c_in,) + spatial), rng.standard_normal((c_out, c_in) + kernel)
    return x, w, {"padding": padding, "dilation": dilation}, rng


@settings(max_examples=60, deadline=None)
@given(stride_one_problems(), st.sampled_from([1, flatgrid.CHUNK_BYTES]))
def test_every_path_that_applies_matches_the_loop_reference(problem, chunk):
    """Every lowering a shape allows (not only the chosen one) gives the reference's output and
    both gradients, also when cut into blocks of 256 positions."""
    x, w, options, rng = problem
    geo = ops._prepare(x, w, None, 1, options["padding"], options["dilation"], w.ndim - 2)
    grad = rng.standard_normal((geo.x.shape[0], w.shape[0]) + geo.out)
    expected_out = conv_reference(x, w, **options).reshape(grad.shape)
    ref_x, ref_w = conv_backward_reference(x, w, grad if geo.batched else grad[0], **options)
    original = flatgrid.CHUNK_BYTES
    try:
        flatgrid.CHUNK_BYTES = chunk
        for path in geo.paths:
            np.testing.assert_allclose(lowering.forward(geo, path), expected_out, rtol=1e-12, atol=1e-12,
                                       err_msg=path)
            grad_x, grad_w = lowering.backward(geo, grad, path)
            np.testing.assert_allclose(grad_x, ref_x.reshape(geo.x.shape), rtol=1e-12, atol=1e-12, err_msg=path)
            np.testing.assert_allclose(grad_w, ref_w, rtol=1e-12, atol=1e-11, err_msg=path)
    finally:
        flatgrid.CHUNK_BYTES = original


@pytest.mark.parametrize(("x_shape", "w_shape", "settings"), [
    ((2, 3, 9, 10), (4, 3, 3, 3), {"padding": 2, "dilation": 2}),                        # 2D, batch
    ((3, 9, 10), (4, 3, 3, 2), {"padding": (1, 2), "dilation": (3, 2)}),                   # 2D, one image
    ((2, 2, 11), (3, 2, 4), {"padding": 3, "dilation": 3}),                                # 1D, batch
    ((2, 7, 8, 9), (3, 2, 3, 2, 3), {"padding": (2, 0, 1), "dilation": (2, 1, 3)}),        # 3D, one sample
    ((2, 2, 7, 9, 5), (3, 2, 2, 3, 2), {"padding": 1, "dilation": (1, 3, 2)}),            # 3D, batch
    ((3, 2, 5, 6, 7), (2, 2, 3, 3, 3), {"padding": 1, "dilation": 1}),                    # 3D, undilated
])
def test_the_rows_path_matches_the_loop_reference(x_shape, w_shape, settings):
    """Through the public functions where the rows path is chosen (3D, dilated), straight through
    the lowering everywhere (1D, 2D, undilated 3D)."""
    rng = np.random.default_rng(sum(x_shape))
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    geo = ops._prepare(x, w, None, 1, settings["padding"], settings["dilation"], len(w_shape) - 2)
    grad = rng.standard_normal((geo.x.shape[0], w_shape[0]) + geo.out)
    if geo.path == "rows":
        check_against_reference(x, w, grad if geo.batched else grad[0], **settings)
    np.testing.assert_allclose(lowering.forward(geo, "rows"), conv_reference(x, w, **settings).reshape(grad.shape),
                               rtol=1e-12, atol=1e-12)
    ref_x, ref_w = conv_backward_reference(x, w, grad if geo.batched else grad[0], **settings)
    grad_x, grad_w = lowering.backward(geo, grad, "rows")
    np.testing.assert_allclose(grad_x, ref_x.reshape(geo.x.shape), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_w, ref_w, rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize("chunk", [1, flatgrid.CHUNK_BYTES])
@pytest.mark.parametrize(("x_shape", "w_shape", "settings", "grid"), [
    # 3D: planes along the first axis, runs of whole padded rows: (N, O_0, O_1 * S_pad_2)
    ((3, 2, 12, 14, 16), (4, 2, 3, 5, 3), {"padding": (1, 2, 0), "dilation": (2, 1, 3)}, (3, 10, 14 * 16)),
    ((2, 2, 40, 38), (4, 2, 3, 3), {"padding": 1, "dilation": 2}, (2, 38 * 40)),          # 2D: (N, O_0 * S_pad_1)
    ((2, 2, 900), (4, 2, 3), {"padding": 0, "dilation": 3}, (2, 894)),                    # 1D: (N, O_0)
])
def test_boxes_cover_the_rows_region_once_in_order(chunk, x_shape, w_shape, settings, grid, monkeypatch):
    monkeypatch.setattr(flatgrid, "CHUNK_BYTES", chunk)
    geo = geometry(x_shape, w_shape, **settings)
    region = rows.output_region(geo)
    assert region.shape == grid
    boxes = rows.boxes(region, rows=2 * int(np.prod(w_shape[2:])))
    compact = [index for box in boxes for index in range(box.start, box.start + int(np.prod(box.counts)))]
    assert compact == list(range(int(np.prod(grid))))
    # each box's flat positions are the region's: sample, plane and row offsets of the padded grid
    flat = {index for box in boxes for index in np.ravel(box.first + sum(
        np.arange(count).reshape((-1,) + (1,) * (len(box.counts) - axis - 1)) * stride
        for axis, (count, stride) in enumerate(zip(box.counts, region.strides, strict=True))))}
    expected = {region.first + sum(i * s for i, s in zip(np.unravel_index(index, grid), region.strides, strict=True))
                for index in range(int(np.prod(grid)))}
    assert flat == expected
    if chunk == 1:
        assert all(np.prod(box.counts) <= 256 for box in boxes)
        assert len(boxes) > x_shape[0]
