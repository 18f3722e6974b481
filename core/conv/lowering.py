"""How core.conv turns a checked convolution into matrix products: four paths, chosen by shape.

Every path computes the same cross-correlation (see core.conv.ops) and its two gradients with
three BLAS products of the same size (forward, weight gradient, input gradient); they differ in
how the input windows are laid out for those products:

- pointwise (1x1 kernels, stride 1, no padding): the input already is the column matrix, so
  no copy is made at all.
- flat (stride 1, any kernel, padding and dilation): the padded input is flattened
  (core.conv.flatgrid), and the window entry for kernel tap k of output position q sits at flat
  index q + offset[k]. The column matrix is then prod(K) contiguous copies of the flattened
  input. The input gradient is the same kind of product read backwards (position j collects
  the upstream gradient at j - offset[k] times tap k), written straight into place with no
  scatter. Outputs are computed on the padded grid and cropped: along the first axis only the
  slabs that hold outputs are computed, along the others (K - 1) * dilation positions per line
  are wasted, a few percent on all but tiny inputs; long contiguous copies beat short strided
  ones by more.
- rows (stride 1; chosen for 3D kernels with a dilated axis): the flat path's products on
  whole rows instead of whole slabs, with the input gradient's tap sum per row run and the
  first axis's taps added plane by plane (core.conv.rows says why that matters in 3D).
- strided (stride > 1): im2col through a strided window view, the input gradient through
  one strided slice-add per kernel tap.

Choosing between flat and rows (Geometry.paths lists every path a shape allows; the benchmark's
--paths times them all). With dilation the flat path's waste grows in 3D: on (4,16,24,24) x
(8,4,3,3,3), dilation 2, pad 2 it multiplies 12544 positions per product for 9216 outputs, and
its tap sum spans 3252 positions past each block of about 2000. The rows path multiplies 10752
and sums 116 past each run; forward + backward took 0.76 to 0.79 of the flat path's time there
(median over 10 pairs of processes on a busy 2-core machine), 0.95 on (1,16,32,32) x (4,1,3,3,3)
dilation 2. Undilated 3D came out mixed ((4,4,16,32,32) x (8,4,3,3,3): 0.92; (1,16,32,32) x
(4,1,3,3,3): 1.12), and in 1D and 2D the two paths compute the same positions (within a few
percent of each other, either way): those stay flat. Tried and not taken: splitting a dilated
convolution into its dilation phases (each an undilated convolution on x[..., p::d]) keeps the
waste, as each of the d phase lines still carries K - 1 padding positions ((K - 1) * d per line,
as before); a prototype was about even with the flat path in 3D and twice as slow in 1D and 2D
(its copies into and out of the phase layout). The input gradient as one product of the flipped
kernel (C_in, C_out * prod(K)) with the upstream gradient's columns was 0.85 of the flat path's
time on 1D dilation 4 (16 -> 16 channels) but 1.2 to 1.3 times it with more output than input
channels (3 -> 8, 1 -> 4).

Shapes: Geometry holds x (N, C_in, *S) and w (C_out, C_in, *K) in float64; every path returns
outputs (N, C_out, *O) and gradients (grad_x (N, C_in, *S), grad_w (C_out, C_in, *K)). The flat
and rows paths return outputs and grad_x as strided views of their padded grids (cropping
copies nothing). Work is done in blocks (of positions, or of samples on the strided path) whose
column matrix takes about flatgrid.CHUNK_BYTES, which bounds the memory and keeps each block's
columns in cache between their copy and their product.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from core.conv import flatgrid, rows
from core.conv.flatgrid import Layout, flat_input, weight_product, workspace


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
        """Which lowering computes it (see the module docstring): the first of `paths`."""
        return self.paths[0]

    @property
    def paths(self) -> tuple[str, ...]:
        """Every lowering that can compute it, the chosen one first."""
        if any(s > 1 for s in self.stride):
            return ("strided",)
        if all(k == 1 for k in self.kernel) and not any(self.padding):
            return ("pointwise", "flat", "rows", "strided")
        if len(self.kernel) == 3 and any(d > 1 and k > 1 for d, k in zip(self.dilation, self.kernel, strict=True)):
            return ("rows", "flat", "strided")
        return ("flat", "rows", "strided")


def forward(geo: Geometry, path: str | None = None) -> np.ndarray:
    """The cross-correlation without bias, (N, C_out, *O), by `path` (default: geo.path)."""
    return _FORWARD[path or geo.path](geo)


def backward(geo: Geometry, grad: np.ndarray, path: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(grad_x (N, C_in, *S), grad_w (C_out, C_in, *K)) for the upstream gradient grad (N, C_out, *O),
    by `path` (default: geo.path)."""
    return _BACKWARD[path or geo.path](geo, grad)


def pad(x: np.ndarray, padding: tuple[int, ...]) -> np.ndarray:
    """(N, C, *S) -> (N, C, *(S + 2 * padding)) with zeros around (x itself without padding)."""
    if not any(padding):
        return x
    padded = np.zeros(x.shape[:2] + tuple(s + 2 * p for s, p in zip(x.shape[2:], padding, strict=False)))
    padded[(slice(None), slice(None)) + flatgrid.inside(padding, x.shape[2:])] = x
    return padded


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


def _flat_columns(flat: np.ndarray, positions: slice, geo: Geometry, layout: Layout,
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
    step = max(256, flatgrid.CHUNK_BYTES // (8 * rows * math.prod(geo.kernel)))
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


def _lined_up(shares: np.ndarray, geo: Geometry, layout: Layout, size: int) -> np.ndarray:
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
    layout = flatgrid.layout(geo)
    kernel_matrix = geo.w.reshape(c_out, -1)                              # (C_out, C_in*prod(K))
    flat = flat_input(geo.x, geo, layout.slack)
    slabs = _slabs(geo, inside=False)
    # Each sample's outputs are contiguous, so a block that is a whole sample is written by BLAS
    # in place (a strided destination would go through a temporary).
    wide = np.empty((n_batch, c_out, slabs.count))
    scratch = workspace("columns", (kernel_matrix.shape[1], max(piece.stop - piece.start for piece in slabs.pieces)))
    for n, positions, piece in _blocks(geo, slabs):
        np.matmul(kernel_matrix, _flat_columns(flat, positions, geo, layout, scratch), out=wide[n, :, piece])
    # A view: the outputs are cropped out of the padded lines, no copy (numpy's way with a transpose).
    return _cropped(wide, geo, tuple(slice(0, o) for o in geo.out[1:]))


def _flat_backward(geo: Geometry, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_batch, c_in = geo.x.shape[:2]
    c_out = geo.w.shape[0]
    layout = flatgrid.layout(geo)
    flat = flat_input(geo.x, geo, layout.slack)
    wide_grad = flatgrid.flat_gradient(grad, geo, layout.slack)        # (C_out, slack + N * prod(S_pad))
    kernel_matrix = geo.w.reshape(c_out, -1)                              # (C_out, C_in*prod(K))
    grad_w = np.zeros(kernel_matrix.shape)
    slabs, inside = _slabs(geo, inside=False), _slabs(geo, inside=True)
    scratch = workspace("columns", (grad_w.shape[1], max(piece.stop - piece.start for piece in slabs.pieces)))
    for _, positions, _ in _blocks(geo, slabs):
        outputs = wide_grad[:, layout.slack + positions.start:layout.slack + positions.stop]
        grad_w += weight_product(outputs, _flat_columns(flat, positions, geo, layout, scratch))
    # dL/dx[c, j] = sum_k (w^T dL/dout)[(c, k), j - offset[k]]: one product per block gives every
    # tap's share at the output positions; a strided view lines the shares up by input position
    # and one sum adds them (no per-tap pass over memory).
    grad_lines = np.zeros((n_batch, c_in, inside.count))
    taps = len(layout.offsets)
    longest = max(piece.stop - piece.start for piece in slabs.pieces)
    shares = workspace("shares", (c_in * taps, longest + 2 * layout.slack))
    shares[:, :layout.slack] = 0.0
    summed = workspace("summed", (c_in, longest + layout.slack))
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
    grad_x = _cropped(grad_lines, geo, flatgrid.inside(geo.padding[1:], geo.spatial[1:]))  # a view
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
    grad_x = np.ascontiguousarray(grad_x_padded[(slice(None), slice(None)) + flatgrid.inside(geo.padding, geo.spatial)])
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
    step = max(1, flatgrid.CHUNK_BYTES // per_sample)
    n_batch = geo.x.shape[0]
    return [slice(start, min(n_batch, start + step)) for start in range(0, n_batch, step)]


_FORWARD = {"pointwise": _pointwise_forward, "flat": _flat_forward, "rows": rows.forward, "strided": _strided_forward}
_BACKWARD = {"pointwise": _pointwise_backward, "flat": _flat_backward, "rows": rows.backward,
             "strided": _strided_backward}
