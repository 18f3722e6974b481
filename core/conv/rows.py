"""The rows lowering of core.conv.lowering: stride 1, chosen for 3D kernels with a dilated axis.

It computes what the flat path computes, the same way (the flattened padded grid of
core.conv.flatgrid; a block's window entries copied as prod(K) runs per channel; the input
gradient as w^T times the upstream gradient, then one strided sum of the taps' shares), and
differs in what a block holds, which matters in 3D, more so with dilation:

- Whole rows, not whole slabs. A pass computes every output position along the first two axes
  and the whole padded last axis S_pad[-1]. The flat path computes whole slabs, so it also
  multiplies the (K_1 - 1) * dilation_1 padding rows of every slab: for (4,16,24,24) x
  (8,4,3,3,3), dilation 2, pad 2 that is 16 x 28 x 28 = 12544 positions per product against
  16 x 24 x 28 = 10752 here (9216 outputs).
- Sums that span a row run, not a block. The flat path's tap sum spans its block plus the
  reach of every tap; a 3D tap along the first axis reaches whole slabs ((K_0 - 1) * dilation_0
  of them: 3252 positions above, against blocks of about 2000), so most of that sum is over
  zeros. Here each run of rows gets its taps' shares between zeros, the sum covers the taps of
  the last two axes only (reach 116 above), and the K_0 partial sums are added a slab apart.
- Blocks of several samples when they fit (the flat path's blocks never cross a sample).

Any stride-1 shape works (the tests run this path on 1D to 3D); in 1D and 2D a run is a whole
sample and the positions are the flat path's, so there is nothing to gain. The measurements
behind the choice are in core.conv.lowering's docstring.

Shapes: the positions a pass computes form a nested grid (N, *planes, run): for outputs in 3D
(N, O_0, O_1 * S_pad_2) (in 2D (N, O_0 * S_pad_1), in 1D (N, O_0)). A Box is a box of that grid
(whole samples, whole planes of one sample, or part of one run) whose columns take about
flatgrid.CHUNK_BYTES. forward returns (N, C_out, *O) and backward (grad_x (N, C_in, *S),
grad_w (C_out, C_in, *K)); outputs and grad_x are strided views of (C, N, ...) arrays (cropping
copies nothing). Positions, offsets and reaches count float64 entries along a flattened line.
"""

from __future__ import annotations

import math
from typing import Iterator, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from core.conv import flatgrid
from core.conv.flatgrid import Geometry


class Region(NamedTuple):
    """The positions a pass computes in every sample's flattened padded grid."""

    shape: tuple[int, ...]    # nested grid (N, *planes, run)
    first: int                # flat index of the region's first position
    strides: tuple[int, ...]  # flat distance between neighbours along each axis of `shape`


class Box(NamedTuple):
    """One block: a box of a region's grid (in row-major order, a range of its positions)."""

    first: int                # flat index (in the padded grid) of its first position
    start: int                # index of its first position in the region's row-major numbering
    starts: tuple[int, ...]   # its first index along each axis of the region's grid
    counts: tuple[int, ...]   # its extent along each axis


class TapSplit(NamedTuple):
    """The kernel taps inside a run (summed by one strided view) and across planes (added apart)."""

    plane_axes: int             # leading kernel axes whose taps move whole planes (1 in 3D, else 0)
    plane_offsets: list[int]    # flat offset of each plane tap; [0] when there is none
    reach: int                  # the largest flat offset of a tap inside a run


def forward(geo: Geometry) -> np.ndarray:
    """The cross-correlation without bias, (N, C_out, *O): a strided view."""
    c_out = geo.w.shape[0]
    layout = flatgrid.layout(geo)
    kernel_matrix = geo.w.reshape(c_out, -1)                               # (C_out, C_in*prod(K))
    flat = flatgrid.flat_input(geo.x, geo, layout.slack)
    region = output_region(geo)
    wide = np.empty((c_out, math.prod(region.shape)))
    for box, columns in _columns(flat, region, layout, geo.kernel):
        np.matmul(kernel_matrix, columns, out=wide[:, box.start:box.start + columns.shape[1]])
    return _cropped(wide, geo)


def backward(geo: Geometry, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(grad_x (N, C_in, *S), a strided view; grad_w (C_out, C_in, *K)) for grad (N, C_out, *O)."""
    layout = flatgrid.layout(geo)
    compact = _compact_gradient(geo, grad)
    grad_w = _weight_gradient(geo, compact, layout)
    return _input_gradient(geo, compact, layout), grad_w.reshape(geo.w.shape)


def output_region(geo: Geometry) -> Region:
    """Whole rows holding the outputs: (O_0, .., O_{d-2}) from each sample's grid corner, the last
    axis whole (in 1D just the O_0 outputs)."""
    n_batch, per_sample = geo.x.shape[0], math.prod(geo.padded)
    if len(geo.out) == 1:
        return Region((n_batch, geo.out[0]), 0, (per_sample, 1))
    axis_strides = flatgrid.grid_strides(geo.padded)
    return Region((n_batch,) + geo.out[:-2] + (geo.out[-2] * geo.padded[-1],), 0,
                  (per_sample,) + axis_strides[:-2] + (1,))


def boxes(region: Region, rows: int) -> list[Box]:
    """The region cut into boxes whose columns (`rows` of them) take about CHUNK_BYTES (at least
    256 positions), in the region's order."""
    limit = max(256, flatgrid.CHUNK_BYTES // (8 * rows))
    numbering = flatgrid.grid_strides(region.shape)
    return [Box(region.first + sum(s * t for s, t in zip(starts, region.strides, strict=True)),
                sum(s * t for s, t in zip(starts, numbering, strict=True)), starts, counts)
            for starts, counts in _cut(region.shape, limit)]


def _cut(shape: tuple[int, ...], limit: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(starts, counts) of boxes covering a row-major grid of `shape` in order, each of at most
    `limit` entries: groups of whole slices along the first axis when one slice fits (as even as
    the count allows), else each slice cut the same way."""
    inner = math.prod(shape[1:])
    if inner > limit and len(shape) > 1:
        return [((index,) + starts, (1,) + counts)
                for index in range(shape[0]) for starts, counts in _cut(shape[1:], limit)]
    parts = -(-shape[0] // max(1, limit // inner))
    edges = [shape[0] * part // parts for part in range(parts + 1)]
    return [((low,) + (0,) * (len(shape) - 1), (high - low,) + shape[1:])
            for low, high in zip(edges[:-1], edges[1:], strict=True)]


def _columns(flat: np.ndarray, region: Region, layout: flatgrid.Layout,
             kernel: tuple[int, ...]) -> Iterator[tuple[Box, np.ndarray]]:
    """For each box of the region: (box, columns (R * prod(K), positions)), row (r, k) of the
    columns holding flat[r, p + offset[k]] for the box's positions p. The columns live in this
    thread's workspace, overwritten by the next box."""
    rows = flat.shape[0] * math.prod(kernel)
    cut = boxes(region, rows)
    scratch = flatgrid.workspace("columns", (rows, max(math.prod(box.counts) for box in cut)))
    item = flat.strides[1]
    strides = ((flat.strides[0],) + tuple(item * s for s in layout.tap_strides)
               + tuple(item * s for s in region.strides))
    for box in cut:
        windows = as_strided(flat[:, box.first:], shape=(flat.shape[0],) + kernel + box.counts, strides=strides,
                             writeable=False)
        columns = scratch[:, :math.prod(box.counts)]
        np.copyto(columns.reshape(windows.shape), windows)
        yield box, columns


def _cropped(wide: np.ndarray, geo: Geometry) -> np.ndarray:
    """Values on the output region (R, prod(region.shape)) -> (N, R, *O), a view."""
    channels, n_batch = wide.shape[0], geo.x.shape[0]
    if len(geo.out) == 1:
        return wide.reshape(channels, n_batch, geo.out[0]).swapaxes(0, 1)
    rows = wide.reshape((channels, n_batch) + geo.out[:-1] + geo.padded[-1:])
    return rows[..., :geo.out[-1]].swapaxes(0, 1)


def _compact_gradient(geo: Geometry, grad: np.ndarray) -> np.ndarray:
    """The upstream gradient (N, C_out, *O) on the output region, (C_out, prod(region.shape)), zero
    on the padding columns of each row (in this thread's workspace)."""
    c_out = geo.w.shape[0]
    compact = flatgrid.workspace("compact gradient", (c_out, math.prod(output_region(geo).shape)))
    if len(geo.out) > 1:
        rows = compact.reshape((c_out, geo.x.shape[0]) + geo.out[:-1] + geo.padded[-1:])
        rows[..., geo.out[-1]:] = 0.0
    _cropped(compact, geo)[...] = grad
    return compact


def _weight_gradient(geo: Geometry, compact: np.ndarray, layout: flatgrid.Layout) -> np.ndarray:
    """dL/dw (C_out, C_in * prod(K)): the compact upstream gradient times the input's columns,
    block by block."""
    flat = flatgrid.flat_input(geo.x, geo, layout.slack)
    grad_w = np.zeros((geo.w.shape[0], geo.w[0].size))
    for box, columns in _columns(flat, output_region(geo), layout, geo.kernel):
        grad_w += flatgrid.weight_product(compact[:, box.start:box.start + columns.shape[1]], columns)
    return grad_w


def tap_split(geo: Geometry, layout: flatgrid.Layout) -> TapSplit:
    plane_axes = max(0, len(geo.kernel) - 2)
    plane_offsets = [sum(k * t for k, t in zip(tap, layout.tap_strides, strict=False))
                     for tap in np.ndindex(*geo.kernel[:plane_axes])]
    return TapSplit(plane_axes, plane_offsets, layout.slack - plane_offsets[-1])


def _input_gradient(geo: Geometry, compact: np.ndarray, layout: flatgrid.Layout) -> np.ndarray:
    """dL/dx (N, C_in, *S), a strided view, from the compact upstream gradient.

    dL/dx[c, j] = sum_k (w^T dL/dout)[(c, k), j - offset[k]]: per box, one product per run gives
    every tap's share of the run's outputs; the shares of the taps inside a run are lined up by
    input position and summed (one strided sum), and each plane tap's partial sums are added at
    its offset.
    """
    c_in, taps = geo.x.shape[1], len(layout.offsets)
    region, split = output_region(geo), tap_split(geo, layout)
    kernel_matrix_t = geo.w.reshape(geo.w.shape[0], -1).T                 # (C_in*prod(K), C_out)
    grad_padded = np.zeros((c_in, geo.x.shape[0] * math.prod(geo.padded) + layout.slack))
    targets = _plane_tap_targets(grad_padded, region, split)
    cut = boxes(region, c_in * taps)
    widest, most = max(box.counts[-1] for box in cut), max(math.prod(box.counts[:-1]) for box in cut)
    # Each run's shares sit between `reach` zeros, zeroed once: a box writes only its runs' width.
    shares = flatgrid.workspace("shares", (c_in * taps, most, split.reach + widest + split.reach))
    shares[...] = 0.0
    for box in cut:
        width, planes = box.counts[-1], math.prod(box.counts[:-1])
        if width < widest:  # a piece of a run: clear what a wider box left past it
            shares[:, :planes, split.reach + width:] = 0.0
        runs = compact[:, box.start:box.start + planes * width].reshape(-1, planes, width)
        np.matmul(kernel_matrix_t, runs.transpose(1, 0, 2),                # one product per run
                  out=shares[:, :planes, split.reach:split.reach + width].transpose(1, 0, 2))
        # A plane's sums past its own padded grid come only from padding columns (zero gradient):
        # cut there, so that the planes' targets below do not overlap.
        length = width + split.reach if planes == 1 else min(width + split.reach, min(region.strides[:-1]))
        partial = flatgrid.workspace("partial", (c_in, len(split.plane_offsets), planes, length))
        np.sum(_lined_up(shares[:, :planes], geo, layout, split, length),
               axis=tuple(range(4, 4 + len(geo.kernel) - split.plane_axes)), out=partial)
        place = (slice(None),) + tuple(slice(a, a + c) for a, c in zip(box.starts[:-1], box.counts[:-1], strict=True)) \
            + (slice(box.starts[-1], box.starts[-1] + length),)
        for tap, target in enumerate(targets):
            target[place] += partial[:, tap].reshape((c_in,) + box.counts[:-1] + (length,))
    body = grad_padded[:, :geo.x.shape[0] * math.prod(geo.padded)].reshape((c_in, geo.x.shape[0]) + geo.padded)
    return body[(slice(None), slice(None)) + flatgrid.inside(geo.padding, geo.spatial)].swapaxes(0, 1)


def _plane_tap_targets(grad_padded: np.ndarray, region: Region, split: TapSplit) -> list[np.ndarray]:
    """Per plane tap, a view of the padded input gradient (C_in, N * prod(S_pad) + slack) shaped
    like the region's grid with each run widened by `reach`, moved by the tap's offset: where the
    sums of each run land. Neighbouring runs overlap in it; a box's part does not (see the cut)."""
    row, item = grad_padded.strides
    return [as_strided(grad_padded[:, region.first + offset:],
                       shape=(grad_padded.shape[0],) + region.shape[:-1] + (region.shape[-1] + split.reach,),
                       strides=(row,) + tuple(item * s for s in region.strides[:-1]) + (item,))
            for offset in split.plane_offsets]


def _lined_up(shares: np.ndarray, geo: Geometry, layout: flatgrid.Layout, split: TapSplit,
              length: int) -> np.ndarray:
    """A view (C_in, L, planes, length, *K[plane_axes:]) of per-run shares (C_in * prod(K), planes,
    reach + width + reach, zeros around each run's width): [c, t, p, j, *k] is the share of tap
    (t, *k) (t: the plane tap, L = K_0 in 3D; else L = 1) for position j + offset(t) of run p:
    shares[(c, t, k), p, reach + j - offset(k)]."""
    taps = len(layout.offsets)
    row, plane, item = shares.strides
    tap_rows = flatgrid.grid_strides(geo.kernel)
    run_axes = range(split.plane_axes, len(geo.kernel))
    return as_strided(shares[:, :, split.reach:],
                      shape=(shares.shape[0] // taps, len(split.plane_offsets), shares.shape[1], length)
                      + geo.kernel[split.plane_axes:],
                      strides=(row * taps, row * tap_rows[0] if split.plane_axes else 0, plane, item)
                      + tuple(row * tap_rows[axis] - item * layout.tap_strides[axis] for axis in run_axes),
                      writeable=False)
