"""What core.conv's lowerings share: the padded grid flattened to one line per channel, block
sizes, per-thread scratch memory and the weight-gradient product.

The two stride-1 paths (flat in core.conv.lowering, rows in core.conv.rows) lay each sample's
zero-padded grid S_pad = S + 2 * padding out in row-major order, samples one after another, one
line per channel: (R, N * prod(S_pad) + slack). Kernel tap k of the output at flat position q
then reads flat position q + offset[k], the same offset for every output, so the window entries
of a block of outputs are prod(K) contiguous runs per channel. `slack` zeros after the last
sample (the largest offset) keep every run inside the line.

Units: positions and offsets count float64 entries along a flattened line; CHUNK_BYTES bytes.
"""

from __future__ import annotations

import math
import threading
from typing import NamedTuple, Protocol

import numpy as np

CHUNK_BYTES = 2 * 1024 * 1024
"""A block's column matrix takes about this much: it bounds the memory and keeps the columns of
one block close (in cache) between their copy and their product."""
SMALL_PRODUCT = 64 * 64
"""A weight-gradient product with fewer output entries than this runs in blocks of the long
axis: OpenBLAS is about twice as fast on (8 x 4096) @ (4096 x 27) pieces as on one long one."""
PRODUCT_BLOCK = 4096
_WORKSPACES = threading.local()


class Geometry(Protocol):
    """What this module and core.conv.rows read of core.conv.lowering.Geometry (a protocol, so
    that they need not import lowering, which imports them)."""

    x: np.ndarray               # (N, C_in, *S) float64
    w: np.ndarray               # (C_out, C_in, *K) float64
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    spatial: tuple[int, ...]    # S
    kernel: tuple[int, ...]     # K
    out: tuple[int, ...]        # O

    @property
    def padded(self) -> tuple[int, ...]: ...  # S + 2 * padding


class Layout(NamedTuple):
    """Where kernel taps land in a flattened padded grid."""

    offsets: tuple[int, ...]      # (prod(K),) flat offset of each tap, row-major over K
    tap_strides: tuple[int, ...]  # flat distance between neighbouring taps along each axis
    slack: int                    # the largest offset: zeros needed past the last sample


def layout(geo: Geometry) -> Layout:
    axis_strides = grid_strides(geo.padded)
    tap_strides = tuple(d * s for d, s in zip(geo.dilation, axis_strides, strict=True))
    offsets = tuple(sum(k * s for k, s in zip(tap, tap_strides, strict=True)) for tap in np.ndindex(*geo.kernel))
    return Layout(offsets, tap_strides, offsets[-1])


def grid_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Row-major distances (in entries) between neighbours along each axis of a grid of `shape`."""
    return tuple(math.prod(shape[axis + 1:]) for axis in range(len(shape)))


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


def workspace(role: str, shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialised float64 array of `shape` for scratch work inside one call, reused by the
    next call in the same thread (by role). Fresh memory is handed over by the system page by
    page, which on a large convolution costs as much as a BLAS product; reused memory is not.
    Never returned to a caller: the next call overwrites it."""
    size = math.prod(shape)
    buffers = _WORKSPACES.__dict__.setdefault("buffers", {})
    if buffers.get(role) is None or buffers[role].size < size:
        buffers[role] = np.empty(size)
    return buffers[role][:size].reshape(shape)


def flat_input(x: np.ndarray, geo: Geometry, slack: int) -> np.ndarray:
    """Samples x (N, C_in, *S) -> (C_in, N * prod(S_pad) + slack): padded, channel-major, flattened
    (in this thread's workspace)."""
    n, c_in = x.shape[:2]
    length = n * math.prod(geo.padded)
    flat = workspace("input", (c_in, length + slack))
    flat[:, length:] = 0.0
    body = flat[:, :length].reshape((c_in, n) + geo.padded)
    body[(slice(None), slice(None)) + inside(geo.padding, geo.spatial)] = x.swapaxes(0, 1)
    zero_outside(body, list(inside(geo.padding, geo.spatial)))
    return flat


def flat_gradient(grad: np.ndarray, geo: Geometry, slack: int) -> np.ndarray:
    """The upstream gradient (N, C_out, *O) -> (C_out, slack + N * prod(S_pad)): each output at its
    place in the padded grid (output p at grid index p), zero where no output sits, and `slack`
    zeros in front, so that a tap's window reaching back from any input position stays inside
    (in this thread's workspace)."""
    n, c_out = grad.shape[:2]
    wide = workspace("gradient", (c_out, slack + n * math.prod(geo.padded)))
    wide[:, :slack] = 0.0
    grid = wide[:, slack:].reshape((c_out, n) + geo.padded)
    grid[(slice(None), slice(None)) + tuple(slice(0, o) for o in geo.out)] = grad.swapaxes(0, 1)
    zero_outside(grid, [slice(0, o) for o in geo.out])
    return wide


def zero_outside(grid: np.ndarray, kept: list[slice]) -> None:
    """Zero every entry of grid (R, N, *G) outside the box `kept` (one slice per grid axis): a
    reused workspace holds the last call's numbers there."""
    for axis, keep in enumerate(kept):
        before = (slice(None),) * (2 + axis)
        grid[before + (slice(0, keep.start),)] = 0.0
        grid[before + (slice(keep.stop, None),)] = 0.0


def inside(padding: tuple[int, ...], spatial: tuple[int, ...]) -> tuple[slice, ...]:
    """Slices of a padded grid that hold the real input."""
    return tuple(slice(p, p + s) for p, s in zip(padding, spatial, strict=True))
