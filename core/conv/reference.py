"""Plain nested-loop convolution: the reference the fast path in core.conv is checked against.

It follows the definition literally, one output position at a time,

    out[n, o, *p] = b[o] + sum(w[o] * x_pad[n, :, window(p)])

and shares no computation with core.conv (no strided views, no matrix products); only the
argument checks are the same, so both reject the same inputs with the same messages.
Shapes as in core.conv: x (C_in, *S) or (N, C_in, *S), w (C_out, C_in, *K), b (C_out,).

`verify` runs the fast path, this reference and a finite-difference check on one setting,
which is what the lab's "Verified" badge reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.conv import ops


def conv_reference(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *,
                   stride: ops.IntOrTuple = 1, padding: ops.IntOrTuple = 0,
                   dilation: ops.IntOrTuple = 1) -> np.ndarray:
    """Cross-correlation by loops over batch, output channel and output position.

    Any number of spatial axes (taken from w.ndim - 2). Returns (C_out, *O) or (N, C_out, *O).
    """
    geo = ops._prepare(x, w, b, stride, padding, dilation, ops._spatial_ndim(w))
    x_padded = np.pad(geo.x, [(0, 0), (0, 0)] + [(p, p) for p in geo.padding])
    n_batch, c_out = geo.x.shape[0], geo.w.shape[0]
    bias = geo.b if geo.b is not None else np.zeros(c_out)
    out = np.zeros((n_batch, c_out) + geo.out)
    for n in range(n_batch):
        for o in range(c_out):
            for position in np.ndindex(*geo.out):
                window = x_padded[(n, slice(None)) + _window(position, geo)]
                out[(n, o) + position] = np.sum(window * geo.w[o]) + bias[o]
    return out if geo.batched else out[0]


def conv_backward_reference(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray, *,
                            stride: ops.IntOrTuple = 1, padding: ops.IntOrTuple = 0,
                            dilation: ops.IntOrTuple = 1) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of sum(grad_out * conv(x, w)) by the chain rule, one output position at a time.

    Each output value is sum(w[o] * window), so it sends grad * w[o] back to its window of the
    input and grad * window to w[o]. Returns (grad_x shaped like x, grad_w shaped like w).
    """
    geo = ops._prepare(x, w, None, stride, padding, dilation, ops._spatial_ndim(w))
    grad = ops._as_batched(grad_out, geo)
    x_padded = np.pad(geo.x, [(0, 0), (0, 0)] + [(p, p) for p in geo.padding])
    grad_x_padded = np.zeros_like(x_padded)
    grad_w = np.zeros_like(geo.w)
    for n in range(geo.x.shape[0]):
        for o in range(geo.w.shape[0]):
            for position in np.ndindex(*geo.out):
                window = (n, slice(None)) + _window(position, geo)
                upstream = grad[(n, o) + position]
                grad_x_padded[window] += upstream * geo.w[o]
                grad_w[o] += upstream * x_padded[window]
    inside = tuple(slice(p, p + s) for p, s in zip(geo.padding, geo.spatial, strict=False))
    grad_x = grad_x_padded[(slice(None), slice(None)) + inside]
    return (grad_x if geo.batched else grad_x[0]), grad_w


def _window(position: tuple[int, ...], geo: ops._Geometry) -> tuple[slice, ...]:
    """Slices of the padded input that output `position` reads: start p*stride, step dilation."""
    return tuple(slice(p * s, p * s + d * (k - 1) + 1, d)
                 for p, s, d, k in zip(position, geo.stride, geo.dilation, geo.kernel, strict=False))


@dataclass(frozen=True)
class Verification:
    """How far the fast path is from the loop reference and from finite differences.

    forward_error, grad_x_error, grad_w_error: max |fast - loop reference|.
    finite_difference_error: largest relative gap between a central difference of
    L = sum(grad_out * conv(x, w)) along a random direction and the fast gradient's
    directional derivative, for x and for w.
    checked_input_shape: the input shape actually checked (a top-left crop of a big input).
    """

    forward_error: float
    grad_x_error: float
    grad_w_error: float
    finite_difference_error: float
    checked_input_shape: tuple[int, ...]
    cropped: bool

    @property
    def max_reference_error(self) -> float:
        return max(self.forward_error, self.grad_x_error, self.grad_w_error)


def verify(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *, stride: ops.IntOrTuple = 1,
           padding: ops.IntOrTuple = 0, dilation: ops.IntOrTuple = 1, max_side: int = 16,
           seed: int = 0) -> Verification:
    """Check conv and conv_backward for one setting against the loop reference and finite differences.

    x (C_in, *S) or (N, C_in, *S), w (C_out, C_in, *K). To keep the loop reference cheap,
    a batch is cut to its first sample and each spatial axis longer than
    max(max_side, the kernel's span) to its first entries; stride, padding and dilation stay.
    The upstream gradient is random (seeded), so every output position is exercised.
    """
    ndim = ops._spatial_ndim(w)
    geo = ops._prepare(x, w, b, stride, padding, dilation, ndim)
    spans = [d * (k - 1) + 1 for d, k in zip(geo.dilation, geo.kernel, strict=False)]
    keep = tuple(min(s, max(max_side, span)) for s, span in zip(geo.spatial, spans, strict=False))
    x_checked = geo.x[(0, slice(None)) + tuple(slice(0, k) for k in keep)]
    cropped = geo.x.shape[0] > 1 or keep != geo.spatial
    settings = dict(stride=geo.stride, padding=geo.padding, dilation=geo.dilation)

    fast = ops.conv(x_checked, geo.w, geo.b, **settings)
    forward_error = float(np.max(np.abs(fast - conv_reference(x_checked, geo.w, geo.b, **settings))))
    rng = np.random.default_rng(seed)
    grad_out = rng.standard_normal(fast.shape)
    grad_x, grad_w = ops.conv_backward(x_checked, geo.w, grad_out, **settings)
    ref_grad_x, ref_grad_w = conv_backward_reference(x_checked, geo.w, grad_out, **settings)

    def loss(x_value: np.ndarray, w_value: np.ndarray) -> float:
        return float(np.sum(grad_out * ops.conv(x_value, w_value, **settings)))

    step = 1e-6
    direction_x = rng.standard_normal(x_checked.shape)
    direction_w = rng.standard_normal(geo.w.shape)
    numeric_x = (loss(x_checked + step * direction_x, geo.w) - loss(x_checked - step * direction_x, geo.w)) / (2 * step)
    numeric_w = (loss(x_checked, geo.w + step * direction_w) - loss(x_checked, geo.w - step * direction_w)) / (2 * step)
    analytic_x, analytic_w = float(np.sum(grad_x * direction_x)), float(np.sum(grad_w * direction_w))
    fd_error = max(abs(numeric_x - analytic_x) / max(1.0, abs(analytic_x)),
                   abs(numeric_w - analytic_w) / max(1.0, abs(analytic_w)))
    return Verification(
        forward_error=forward_error,
        grad_x_error=float(np.max(np.abs(grad_x - ref_grad_x))),
        grad_w_error=float(np.max(np.abs(grad_w - ref_grad_w))),
        finite_difference_error=float(fd_error),
        checked_input_shape=tuple(x_checked.shape),
        cropped=bool(cropped),
    )
