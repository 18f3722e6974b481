"""How core.conv turns a checked convolution into matrix products: three paths, one per shape.

Every path computes the same cross-correlation (see core.conv.ops) and its two gradients with
three BLAS products of the same size (forward, weight gradient, input gradient); they differ in
how the input windows are laid out for those products:

- pointwise (1x1 kernels, stride 1, no padding): the input already is the column matrix, so
  no copy is made at all.
- flat (stride 1, any kernel, padding and dilation): the padded input is flattened, and the
  window entry for kernel tap k of output position q sits at flat index q + offset[k]. The
  column matrix is then prod(K) contiguous copies of the flattened input. The input gradient
  is the same kind of product read backwards (position j collects the upstream gradient at
  j - offset[k] times tap k), written straight into place with no scatter. Outputs are
  computed on the padded grid and cropped: along the first axis only the slabs that hold
  outputs are computed, along the others (K - 1) * dilation positions per line are wasted, a
  few percent on all but tiny inputs; long contiguous copies beat short strided ones by more.
- strided (stride > 1): im2col through a strided window view, the input gradient through
  one strided slice-add per kernel tap.

Shapes: Geometry holds x (N, C_in, *S) and w (C_out, C_in, *K) in float64; every path returns
outputs (N, C_out, *O) and gradients (grad_x (N, C_in, *S), grad_w (C_out, C_in, *K)). The flat
path returns outputs and grad_x as strided views of its padded grids (cropping copies nothing).
Work is done in blocks (of positions, or of samples on the strided path) whose column matrix
takes about CHUNK_BYTES, which bounds the memory and keeps each block's columns in cache
between their copy and their product.
"""

from __future__ import annotations

import math
import threading
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

CHUNK_BYTES = 2 * 1024 * 1024
SMALL_PRODUCT = 64 * 64
"""A weight-gradient product with fewer output entries than this runs in blocks of the long
axis: OpenBLAS is about twice as fast on (8 x 4096) @ (4096 x 27) pieces as on one long one."""
PRODUCT_BLOCK = 4096
_WORKSPACES = threading.local()


class Geometry(NamedTuple):
    """A checked convolution: arrays in batched float64 form and one int per spatial axis."""

    x: np.ndarray            # (N, C_in, *S) float64
    w: np.ndarray            # (C_out, C_in, *K) float64
    b: np.ndarray | None     # (C_out,) float64
    batched: bool            # whether the caller's x had a batch axis
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    spatial: tuple[int, ...]  # S
    kernel: tuple[int, ...]   # K
    out: tuple[int, ...]      # O

    @property
    def padded(self) -> tuple[int, ...]:
        return tuple(s + 2 * p for s, p in zip(self.spatial, self.padding, strict=False))

    @property
    def path(self) -> str:
        """"pointwise", "flat" or "strided": which of this module's paths computes it."""
        if any(s > 1 for s in self.stride):
            return "strided"
        if all(k == 1 for k in self.kernel) and not any(self.padding):
            return "pointwise"
        return "flat"


def forward(geo: Geometry) -> np.ndarray:
    """The cross-correlation without bias, (N, C_out, *O)."""
    return {"pointwise": _pointwise_forward, "flat": _flat_forward, "strided": _strided_forward}[geo.path](geo)


def backward(geo: Geometry, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(grad_x (N, C_in, *S), grad_w (C_out, C_in, *K)) for the upstream gradient grad (N, C_out, *O)."""
    path = {"pointwise": _pointwise_backward, "flat": _flat_backward, "strided": _strided_backward}[geo.path]
    return path(geo, grad)


def pad(x: np.ndarray, padding: tuple[int, ...]) -> np.ndarray:
    """(N, C, *S) -> (N, C, *(S + 2 * padding)) with zeros around (x itself without padding)."""
    if not any(padding):
        return x
    padded = np.zeros(x.shape[:2] + tuple(s + 2 * p for s, p in zip(x.shape[2:], padding, strict=False)))
    padded[(slice(None), slice(None)) + _inside(padding, x.shape[2:])] = x
    return padded


def weight_product(grad: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """grad (C_out, L) @ columns.T (L, R) -> (C_out, R), blocked along L when the result is small."""
    c_out, length = grad.shape
    if c_out * columns.shape[0] >= SMALL_PRODUCT or length < 2 * PRODUCT_BLOCK:
        return grad @ columns.T
    blocks = length // PRODUCT_BLOCK
    whole = blocks * PRODUCT_BLOCK
    stacked_grad = grad[:, :whole].reshape(c_out, blocks, PRODUCT_BLOCK).transpose(1, 0, 2)
    stacked_columns = columns[:, :whole].reshape(-1, blocks, PRODUCT_BLOCK).transpose(1, 2, 0)
    return np.matmul(stacked_grad, stacked_columns).sum(axis=0) + grad[:, whole:] @ columns[:, whole:].T




def _pointwise_forward(geo: Geometry) -> np.ndarray:
    # One product: (C_out, C_in) @ (N, C_in, P), each sample's channels already a contiguous matrix.
    n_batch, c_in = geo.x.shape[:2]
    kernel_matrix = geo.w.reshape(geo.w.shape[0], c_in)                  # (C_out, C_in)
    out = np.matmul(kernel_matrix, geo.x.reshape(n_batch, c_in, -1))      # (N, C_out, prod(S))
    return out.reshape((n_batch, geo.w.shape[0]) + geo.out)


def _pointwise_backward(geo: Geometry, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Two more products on the same contiguous matrices: (C_in, C_out) @ (N, C_out, P) for the
    # input gradient, and (N, C_out, P) @ (N, P, C_in) for the weight gradient (the second
    # operand is each sample's input read column-major, which BLAS takes as it is, no copy),
    # summed over the samples.
    n_batch, c_in = geo.x.shape[:2]
    c_out = geo.w.shape[0]
    kernel_matrix_t = np.ascontiguousarray(geo.w.reshape(c_out, c_in).T)   # (C_in, C_out), small
    grad_flat = grad.reshape(n_batch, c_out, -1)                          # (N, C_out, P)
    grad_x = np.matmul(kernel_matrix_t, grad_flat).reshape(geo.x.shape)   # (N, C_in, *S)
    inputs = geo.x.reshape(n_batch, c_in, -1)
    if n_batch == 1:
        grad_w = grad_flat[0] @ inputs[0].T
    else:
        grad_w = np.matmul(grad_flat, inputs.transpose(0, 2, 1)).sum(axis=0)
    return grad_x, grad_w.reshape(geo.w.shape)




class _FlatLayout(NamedTuple):
    """Where kernel taps land in the flattened padded input of one chunk of samples."""

    offsets: tuple[int, ...]   # (prod(K),) flat offset of each tap, row-major over K
    tap_strides: tuple[int, ...]  # flat distance between neighbouring taps along each axis
    slack: int                 # zeros after the last sample, so every tap's slice stays inside


def _flat_layout(geo: Geometry) -> _FlatLayout:
    padded = geo.padded
    axis_strides = [math.prod(padded[axis + 1:]) for axis in range(len(padded))]
    tap_strides = tuple(d * s for d, s in zip(geo.dilation, axis_strides, strict=False))
    offsets = tuple(sum(k * s for k, s in zip(tap, tap_strides, strict=False)) for tap in np.ndindex(*geo.kernel))
    return _FlatLayout(offsets, tap_strides, offsets[-1])


def _workspace(role: str, shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialised float64 array of `shape` for scratch work inside one call, reused by the
    next call in the same thread (by role). Fresh memory is handed over by the system page by
    page, which on a large convolution costs as much as a BLAS product; reused memory is not.
    Never returned to a caller: the next call overwrites it."""
    size = math.prod(shape)
    buffers = _WORKSPACES.__dict__.setdefault("buffers", {})
    if buffers.get(role) is None or buffers[role].size < size:
        buffers[role] = np.empty(size)
    return buffers[role][:size].reshape(shape)


def _flat_input(x: np.ndarray, geo: Geometry, slack: int) -> np.ndarray:
    """Samples x (N, C_in, *S) -> (C_in, N * prod(S_pad) + slack): padded, channel-major, flattened
    (in this thread's workspace)."""
    n, c_in = x.shape[:2]
    length = n * math.prod(geo.padded)
    flat = _workspace("input", (c_in, length + slack))
    flat[:, length:] = 0.0
    body = flat[:, :length].reshape((c_in, n) + geo.padded)
    body[(slice(None), slice(None)) + _inside(geo.padding, geo.spatial)] = x.swapaxes(0, 1)
    _zero_outside(body, [slice(p, p + s) for p, s in zip(geo.padding, geo.spatial, strict=False)])
    return flat


def _zero_outside(grid: np.ndarray, kept: list[slice]) -> None:
    """Zero every entry of grid (R, N, *G) outside the box `kept` (one slice per grid axis): a
    reused workspace holds the last call's numbers there."""
    for axis, keep in enumerate(kept):
        before = (slice(None),) * (2 + axis)
        grid[before + (slice(0, keep.start),)] = 0.0
        grid[before + (slice(keep.stop, None),)] = 0.0


def _flat_columns(flat: np.ndarray, positions: slice, geo: Geometry, layout: _FlatLayout,
                  scratch: np.ndarray) -> np.ndarray:
    """(R, length) -> (R * prod(K), len(positions)): row (r, k) is flat[r, positions + offset[k]].

    Written into the first columns of `scratch` (R * prod(K), at least len(positions)), which
    every block reuses (see _workspace).
    """
    item = flat.strides[1]
    size = positions.stop - positions.start
    view = as_strided(flat[:, positions.start:], shape=(flat.shape[0],) + geo.kernel + (size,),
                      strides=(flat.strides[0],) + tuple(item * s for s in layout.tap_strides) + (item,),
                      writeable=False)
    columns = scratch[:, :size]
    np.copyto(columns.reshape(view.shape), view)
    return columns


class _Slabs(NamedTuple):
    """The part of each sample's padded grid a pass computes: `count` flat positions from `first`
    (whole slabs along the first axis), split into `pieces` (relative ranges, 0..count)."""

    first: int
    count: int
    pieces: list[slice]


def _slabs(geo: Geometry, *, inside: bool) -> _Slabs:
    """Outputs (inside=False) sit in the first O_0 slabs along the first axis of each sample's
    padded grid; the input gradient (inside=True) is needed in the S_0 slabs past the padding.
    The other slabs are never computed. Pieces have columns of about CHUNK_BYTES."""
    rows = geo.x.shape[1] if not inside else geo.w.shape[0]
    step = max(256, CHUNK_BYTES // (8 * rows * math.prod(geo.kernel)))
    slab = math.prod(geo.padded[1:])
    first, count = (geo.padding[0] * slab, geo.spatial[0] * slab) if inside else (0, geo.out[0] * slab)
    parts = -(-count // step)
    edges = [count * part // parts for part in range(parts + 1)]
    return _Slabs(first, count, [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)])


def _blocks(geo: Geometry, slabs: _Slabs) -> list[tuple[int, slice, slice]]:
    """(sample, absolute flat positions, positions relative to the sample's slabs) per block."""
    per_sample = math.prod(geo.padded)
    return [(n, slice(n * per_sample + slabs.first + piece.start, n * per_sample + slabs.first + piece.stop), piece)
            for n in range(geo.x.shape[0]) for piece in slabs.pieces]


def _lined_up(shares: np.ndarray, geo: Geometry, layout: _FlatLayout, size: int) -> np.ndarray:
    """A view (C_in, size + slack, *K) of the per-tap shares (C_in * prod(K), slack + size + slack,
    the shares at columns slack..slack+size, zeros around) where [c, j, *k] is tap k's share for
    position j: shares[(c, k), slack + j - offset[k]]."""
    c_in = shares.shape[0] // len(layout.offsets)
    row, item = shares.strides
    tap_rows = [math.prod(geo.kernel[axis + 1:]) for axis in range(len(geo.kernel))]
    return as_strided(shares[:, layout.slack:], shape=(c_in, size + layout.slack) + geo.kernel,
                      strides=(row * len(layout.offsets), item)
                      + tuple(row * r - item * t for r, t in zip(tap_rows, layout.tap_strides, strict=True)),
                      writeable=False)


def _cropped(grid: np.ndarray, geo: Geometry, lines: tuple[slice, ...]) -> np.ndarray:
    """Per-sample slabs (N, R, count) -> (N, R, *sizes): the slabs reshaped to the padded grid's
    lines, cropped along the other axes to `lines` (a view)."""
    shaped = grid.reshape(grid.shape[:2] + (-1,) + geo.padded[1:])
    return shaped[(slice(None), slice(None), slice(None)) + lines]


def _flat_forward(geo: Geometry) -> np.ndarray:
    n_batch, c_out = geo.x.shape[0], geo.w.shape[0]
    layout = _flat_layout(geo)
    kernel_matrix = geo.w.reshape(c_out, -1)                              # (C_out, C_in*prod(K))
    flat = _flat_input(geo.x, geo, layout.slack)
    slabs = _slabs(geo, inside=False)
    # Each sample's outputs are contiguous, so a block that is a whole sample is written by BLAS
    # in place (a strided destination would go through a temporary).
    wide = np.empty((n_batch, c_out, slabs.count))
    scratch = _workspace("columns", (kernel_matrix.shape[1], max(piece.stop - piece.start for piece in slabs.pieces)))
    for n, positions, piece in _blocks(geo, slabs):
        np.matmul(kernel_matrix, _flat_columns(flat, positions, geo, layout, scratch), out=wide[n, :, piece])
    # A view: the outputs are cropped out of the padded lines, no copy (numpy's way with a transpose).
    return _cropped(wide, geo, tuple(slice(0, o) for o in geo.out[1:]))


def _flat_backward(geo: Geometry, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_batch, c_in = geo.x.shape[:2]
    c_out = geo.w.shape[0]
    layout = _flat_layout(geo)
    length = n_batch * math.prod(geo.padded)
    flat = _flat_input(geo.x, geo, layout.slack)
    # The upstream gradient on the padded grid, zero where no output sits, with `slack` zeros in
    # front so that a tap's window reaching back from any input position stays inside.
    wide_grad = _workspace("gradient", (c_out, layout.slack + length))
    wide_grad[:, :layout.slack] = 0.0
    grid = wide_grad[:, layout.slack:].reshape((c_out, n_batch) + geo.padded)
    grid[(slice(None), slice(None)) + tuple(slice(0, o) for o in geo.out)] = grad.swapaxes(0, 1)
    _zero_outside(grid, [slice(0, o) for o in geo.out])
    kernel_matrix = geo.w.reshape(c_out, -1)                              # (C_out, C_in*prod(K))
    grad_w = np.zeros(kernel_matrix.shape)
    slabs, inside = _slabs(geo, inside=False), _slabs(geo, inside=True)
    scratch = _workspace("columns", (grad_w.shape[1], max(piece.stop - piece.start for piece in slabs.pieces)))
    for _, positions, _ in _blocks(geo, slabs):
        outputs = wide_grad[:, layout.slack + positions.start:layout.slack + positions.stop]
        grad_w += weight_product(outputs, _flat_columns(flat, positions, geo, layout, scratch))
    # dL/dx[c, j] = sum_k (w^T dL/dout)[(c, k), j - offset[k]]: one product per block gives every
    # tap's share at the output positions; a strided view lines the shares up by input position
    # and one sum adds them (no per-tap pass over memory).
    grad_lines = np.zeros((n_batch, c_in, inside.count))
    taps = len(layout.offsets)
    longest = max(piece.stop - piece.start for piece in slabs.pieces)
    shares = _workspace("shares", (c_in * taps, longest + 2 * layout.slack))
    shares[:, :layout.slack] = 0.0
    summed = _workspace("summed", (c_in, longest + layout.slack))
    for n, positions, piece in _blocks(geo, slabs):
        size = positions.stop - positions.start
        shares[:, layout.slack + size:2 * layout.slack + size] = 0.0
        outputs = wide_grad[:, layout.slack + positions.start:layout.slack + positions.stop]
        np.matmul(kernel_matrix.T, outputs, out=shares[:, layout.slack:layout.slack + size])
        reach = summed[:, :size + layout.slack]
        np.sum(_lined_up(shares, geo, layout, size), axis=tuple(range(2, 2 + len(geo.kernel))), out=reach)
        # this block's reach in the sample's grid, clipped to the input (the rest is padding)
        low = max(piece.start, inside.first)
        high = min(piece.stop + layout.slack, inside.first + inside.count)
        grad_lines[n, :, low - inside.first:high - inside.first] += reach[:, low - piece.start:high - piece.start]
    grad_x = _cropped(grad_lines, geo, _inside(geo.padding[1:], geo.spatial[1:]))  # a view
    return grad_x, grad_w.reshape(geo.w.shape)


def _strided_forward(geo: Geometry) -> np.ndarray:
    n_batch, c_out = geo.x.shape[0], geo.w.shape[0]
    x_padded = pad(geo.x, geo.padding)
    kernel_matrix = geo.w.reshape(c_out, -1)                              # (C_out, C_in*prod(K))
    out = np.empty((n_batch, c_out, math.prod(geo.out)))                  # (N, C_out, prod(O))
    for batch in _chunks(geo, math.prod(geo.out)):
        np.matmul(kernel_matrix, _strided_columns(x_padded[batch], geo), out=out[batch])
    return out.reshape((n_batch, c_out) + geo.out)


def _strided_backward(geo: Geometry, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_batch, c_in = geo.x.shape[:2]
    c_out = geo.w.shape[0]
    x_padded = pad(geo.x, geo.padding)
    grad_flat = grad.reshape(n_batch, c_out, -1)                          # (N, C_out, prod(O))
    kernel_matrix_t = geo.w.reshape(c_out, -1).T                          # (C_in*prod(K), C_out)
    grad_w = np.zeros(kernel_matrix_t.shape[::-1])                        # (C_out, C_in*prod(K))
    grad_x_padded = np.zeros((n_batch, c_in) + geo.padded)
    for batch in _chunks(geo, math.prod(geo.out)):
        grad_chunk = grad_flat[batch]
        columns = _strided_columns(x_padded[batch], geo)
        grad_w += sum(weight_product(grad_chunk[n], columns[n]) for n in range(len(grad_chunk)))
        if c_out == 1:  # BLAS is slow on an outer product (inner size 1); broadcasting is not
            grad_columns = kernel_matrix_t[None] * grad_chunk
        else:
            grad_columns = np.matmul(kernel_matrix_t, grad_chunk)         # (n, C_in*prod(K), prod(O))
        grad_windows = grad_columns.reshape((-1, c_in) + geo.kernel + geo.out)
        # col2im: one strided slice-add per kernel tap covers every output position at once.
        for tap in np.ndindex(*geo.kernel):
            target = tuple(slice(k * d, k * d + (o - 1) * s + 1, s)
                           for k, d, o, s in zip(tap, geo.dilation, geo.out, geo.stride, strict=False))
            grad_x_padded[(batch, slice(None)) + target] += grad_windows[(slice(None), slice(None)) + tap]
    grad_x = np.ascontiguousarray(grad_x_padded[(slice(None), slice(None)) + _inside(geo.padding, geo.spatial)])
    return grad_x, grad_w.reshape(geo.w.shape)


def _strided_columns(x_padded: np.ndarray, geo: Geometry) -> np.ndarray:
    """im2col of padded samples (n, C_in, *S_pad) -> (n, C_in * prod(K), prod(O)), a copy.

    columns[i, (c, *k), *p] = x_padded[i, c, *(p * stride + k * dilation)].
    """
    item_strides = x_padded.strides[2:]
    windows = as_strided(                                                 # (n, C_in, *K, *O), no copy
        x_padded,
        shape=x_padded.shape[:2] + geo.kernel + geo.out,
        strides=x_padded.strides[:2] + tuple(s * d for s, d in zip(item_strides, geo.dilation, strict=False))
        + tuple(s * st for s, st in zip(item_strides, geo.stride, strict=False)),
        writeable=False,
    )
    n_samples, c_in = x_padded.shape[:2]
    return windows.reshape(n_samples, c_in * math.prod(geo.kernel), math.prod(geo.out))


def _chunks(geo: Geometry, positions: int) -> list[slice]:
    """Consecutive groups of samples whose columns (C_in * prod(K) rows, `positions` per sample)
    take about CHUNK_BYTES; at least one sample per group."""
    per_sample = 8 * geo.x.shape[1] * math.prod(geo.kernel) * positions
    step = max(1, CHUNK_BYTES // per_sample)
    n_batch = geo.x.shape[0]
    return [slice(start, min(n_batch, start + step)) for start in range(0, n_batch, step)]


def _inside(padding: tuple[int, ...], spatial: tuple[int, ...]) -> tuple[slice, ...]:
    """Slices of a padded grid that hold the real input."""
    return tuple(slice(p, p + s) for p, s in zip(padding, spatial, strict=False))
