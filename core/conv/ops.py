"""Convolution layers in 1, 2 and 3 spatial dimensions: forward pass, backward pass, output sizes.

What deep-learning libraries call convolution is cross-correlation, and so is everything here:

    out[n, o, *p] = b[o] + sum_{c, *k} w[o, c, *k] * x_pad[n, c, *(p * stride + k * dilation)]

with padding zeros added on both sides of every spatial axis. The mathematical convolution is
the same sum with the kernel flipped along its spatial axes (`flip_kernel`).

Shapes (d = number of spatial axes, 1, 2 or 3):
    x        (C_in, *S) or batched (N, C_in, *S)           input, S = d spatial sizes
    w        (C_out, C_in, *K)                              kernels, K = d kernel sizes
    b        (C_out,)                                       bias, optional
    out      (C_out, *O) or (N, C_out, *O)                  O_i = output_size(S_i, K_i, ...)
    grad_out same shape as out                              upstream gradient dL/d(out)

stride, padding and dilation are an int (same value on every axis) or a tuple of d ints.

Everything is computed in float64. Bad arguments raise ValueError with a message meant for a
student ("a 5x5 kernel does not fit a 3x3 input with padding 0: the output would be -1 wide").

One N-d implementation serves all three dimensions, with no Python loop over output positions:
the forward pass lays the input windows out as columns and multiplies them by the kernel
matrix in one BLAS product per chunk of samples; the weight gradient is one more product with
the same columns, and the input gradient scatters the column gradient back with one slice-add
per kernel tap. core.conv.lowering holds the four layouts (pointwise, flat and rows for stride 1,
strided im2col) and picks one by shape.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from core.conv import lowering
from core.messages import N_, _

IntOrTuple = int | Sequence[int]

_AXIS_WORDS = {1: (N_("long"),), 2: (N_("tall"), N_("wide")), 3: (N_("deep"), N_("tall"), N_("wide"))}
# The sentences when a kernel does not fit (in the interface language); {spans} is empty or SPANS.
NO_FIT_1D = N_("a kernel of size {k}{spans} does not fit an input of size {n} with padding {padding}: "
               "the output would be {size} {word}")
NO_FIT = N_("a {kernel} kernel{spans} does not fit a {input} input with padding {padding}: "
            "the output would be {size} {word}")
SPANS = N_(" with dilation {dilation} (it spans {span})")
_LAYOUTS = {1: "L", 2: "H, W", 3: "D, H, W"}
_KERNEL_LAYOUTS = {1: "kL", 2: "kH, kW", 3: "kD, kH, kW"}


def output_size(n: int, k: int, *, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Output length along one axis: floor((n + 2*padding - dilation*(k-1) - 1) / stride) + 1.

    n: input length, k: kernel length, padding: zeros added on EACH side.
    Raises ValueError when an argument is out of range or the kernel does not fit.
    """
    for name, value, low in (("input size", n, 1), ("kernel size", k, 1), ("padding", padding, 0),
                             ("stride", stride, 1), ("dilation", dilation, 1)):
        _check_whole_number(name, value, low)
    size = _raw_output_size(n, k, padding, stride, dilation)
    if size < 1:
        span = dilation * (k - 1) + 1
        spans = _(SPANS).format(dilation=dilation, span=span) if dilation > 1 else ""
        raise ValueError(_(NO_FIT_1D).format(k=k, spans=spans, n=n, padding=padding, size=size, word=_("long")))
    return size


def dropped_positions(n: int, k: int, *, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """How many positions at the end of the padded axis no window reaches (the floor's remainder).

    The last window ends at (out - 1) * stride + dilation * (k - 1); the padded axis has
    n + 2 * padding positions, so the rest is skipped. Some of these may be padding zeros,
    the others are real input rows/columns that never affect the output.
    """
    size = output_size(n, k, padding=padding, stride=stride, dilation=dilation)
    return n + 2 * padding - ((size - 1) * stride + dilation * (k - 1) + 1)


def flip_kernel(w: np.ndarray) -> np.ndarray:
    """Kernels flipped along their spatial axes: w (C_out, C_in, *K) -> same shape.

    conv(x, flip_kernel(w)) is the mathematical convolution of x with w.
    """
    w = np.asarray(w)
    return w[(slice(None), slice(None)) + (slice(None, None, -1),) * (w.ndim - 2)]


def conv1d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *,
           stride: IntOrTuple = 1, padding: IntOrTuple = 0, dilation: IntOrTuple = 1) -> np.ndarray:
    """1D cross-correlation. x (C_in, L) or (N, C_in, L), w (C_out, C_in, kL), b (C_out,).

    Returns (C_out, L_out) or (N, C_out, L_out), float64.
    """
    return _conv(x, w, b, stride, padding, dilation, ndim=1)


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *,
           stride: IntOrTuple = 1, padding: IntOrTuple = 0, dilation: IntOrTuple = 1) -> np.ndarray:
    """2D cross-correlation. x (C_in, H, W) or (N, C_in, H, W), w (C_out, C_in, kH, kW), b (C_out,).

    Returns (C_out, H_out, W_out) or (N, C_out, H_out, W_out), float64.
    """
    return _conv(x, w, b, stride, padding, dilation, ndim=2)


def conv3d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *,
           stride: IntOrTuple = 1, padding: IntOrTuple = 0, dilation: IntOrTuple = 1) -> np.ndarray:
    """3D cross-correlation. x (C_in, D, H, W) or (N, C_in, D, H, W), w (C_out, C_in, kD, kH, kW).

    Returns (C_out, D_out, H_out, W_out) or (N, C_out, D_out, H_out, W_out), float64.
    """
    return _conv(x, w, b, stride, padding, dilation, ndim=3)


def conv1d_backward(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray, *, stride: IntOrTuple = 1,
                    padding: IntOrTuple = 0, dilation: IntOrTuple = 1) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of sum(grad_out * conv1d(x, w)): (grad_x shaped like x, grad_w shaped like w).

    The bias gradient is grad_out summed over every axis except the channel axis.
    """
    return _conv_backward(x, w, grad_out, stride, padding, dilation, ndim=1)


def conv2d_backward(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray, *, stride: IntOrTuple = 1,
                    padding: IntOrTuple = 0, dilation: IntOrTuple = 1) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of sum(grad_out * conv2d(x, w)): (grad_x shaped like x, grad_w shaped like w).

    The bias gradient is grad_out summed over every axis except the channel axis.
    """
    return _conv_backward(x, w, grad_out, stride, padding, dilation, ndim=2)


def conv3d_backward(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray, *, stride: IntOrTuple = 1,
                    padding: IntOrTuple = 0, dilation: IntOrTuple = 1) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of sum(grad_out * conv3d(x, w)): (grad_x shaped like x, grad_w shaped like w).

    The bias gradient is grad_out summed over every axis except the channel axis.
    """
    return _conv_backward(x, w, grad_out, stride, padding, dilation, ndim=3)


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *, stride: IntOrTuple = 1,
         padding: IntOrTuple = 0, dilation: IntOrTuple = 1) -> np.ndarray:
    """conv1d/conv2d/conv3d chosen by the kernel's number of spatial axes (w.ndim - 2)."""
    return _conv(x, w, b, stride, padding, dilation, ndim=_spatial_ndim(w))


def conv_backward(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray, *, stride: IntOrTuple = 1,
                  padding: IntOrTuple = 0, dilation: IntOrTuple = 1) -> tuple[np.ndarray, np.ndarray]:
    """conv1d/2d/3d_backward chosen by the kernel's number of spatial axes (w.ndim - 2)."""
    return _conv_backward(x, w, grad_out, stride, padding, dilation, ndim=_spatial_ndim(w))


def input_grad_as_full_convolution(grad_out: np.ndarray, w: np.ndarray, input_shape: Sequence[int], *,
                                   stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                                   dilation: IntOrTuple = 1) -> np.ndarray:
    """dL/dx written as a full convolution, the textbook form of the input gradient.

    The upstream gradient is dilated by the stride (stride - 1 zeros between entries), padded
    by dilation * (k - 1) on each side ("full" padding) and cross-correlated with the kernel
    flipped and with input and output channels swapped. Rows the forward pass never reached
    (the floor in output_size) get zero gradient, and the padding is cropped away.

    grad_out (C_out, *O) or (N, C_out, *O), w (C_out, C_in, *K), input_shape = x.shape.
    Returns an array shaped input_shape. Same numbers as conv*_backward's grad_x, computed
    a different way, so the page can show both agree.
    """
    ndim = _spatial_ndim(w)
    geo = _prepare(np.zeros(input_shape), w, None, stride, padding, dilation, ndim)
    grad = _as_batched(grad_out, geo)
    dilated_grad = stride_dilate(grad, geo.stride, ndim)                  # (N, C_out, *((O-1)*stride+1))
    full_padding = tuple(d * (k - 1) for d, k in zip(geo.dilation, geo.kernel, strict=False))
    swapped_flipped = flip_kernel(geo.w).swapaxes(0, 1)
    reached = _conv(dilated_grad, swapped_flipped, None, 1, full_padding, geo.dilation, ndim)
    padded = np.zeros(reached.shape[:2] + geo.padded)
    padded[(slice(None), slice(None)) + tuple(slice(0, r) for r in reached.shape[2:])] = reached
    grad_x = padded[(slice(None), slice(None))
                    + tuple(slice(p, p + s) for p, s in zip(geo.padding, geo.spatial, strict=False))]
    return grad_x if geo.batched else grad_x[0]


def weight_grad_as_correlation(x: np.ndarray, grad_out: np.ndarray, kernel_shape: Sequence[int], *,
                               stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                               dilation: IntOrTuple = 1) -> np.ndarray:
    """dL/dw written as the cross-correlation of the padded input with the upstream gradient.

    dL/dw[o, c, *k] = sum_{n, *p} grad_out[n, o, *p] * x_pad[n, c, *(k * dilation + p * stride)],
    which is a correlation whose "kernel" is the upstream gradient spread out by the stride
    (its dilation) and whose step is the forward dilation (its stride). The batch axis plays
    the channel role and is summed over.

    x (C_in, *S) or (N, C_in, *S), grad_out (C_out, *O) or (N, C_out, *O),
    kernel_shape = w.shape = (C_out, C_in, *K). Returns an array shaped kernel_shape.
    """
    ndim = len(kernel_shape) - 2
    geo = _prepare(x, np.zeros(kernel_shape), None, stride, padding, dilation, ndim)
    grad = _as_batched(grad_out, geo)
    x_padded_by_channel = _pad(geo.x, geo.padding).swapaxes(0, 1)      # (C_in, N, *S_pad)
    grad_by_channel = grad.swapaxes(0, 1)                               # (C_out, N, *O)
    correlation = _conv(x_padded_by_channel, grad_by_channel, None, geo.dilation, 0, geo.stride, ndim)
    keep = (slice(None), slice(None)) + tuple(slice(0, k) for k in geo.kernel)
    return np.ascontiguousarray(correlation[keep].swapaxes(0, 1))


def stride_dilate(grad_out: np.ndarray, stride: IntOrTuple, ndim: int) -> np.ndarray:
    """Spread the last ndim axes by the stride: stride - 1 zeros between neighbouring entries.

    (..., *O) -> (..., *((O - 1) * stride + 1)). This is the upstream gradient as the input
    gradient's full convolution sees it when the forward pass skipped positions.
    """
    grad_out = np.asarray(grad_out, dtype=np.float64)
    stride_t = _per_axis("stride", stride, ndim, low=1)
    lead = grad_out.shape[: grad_out.ndim - ndim]
    out = grad_out.shape[grad_out.ndim - ndim:]
    spread = np.zeros(lead + tuple((o - 1) * s + 1 for o, s in zip(out, stride_t, strict=False)))
    spread[(Ellipsis,) + tuple(slice(None, None, s) for s in stride_t)] = grad_out
    return spread


def channel_partials(x: np.ndarray, w: np.ndarray, *, stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     dilation: IntOrTuple = 1) -> np.ndarray:
    """What each input channel contributes to each output channel, before the sum and the bias.

    x (C_in, *S), w (C_out, C_in, *K) -> (C_out, C_in, *O) with
    partials[o, c] = conv(x[c], w[o, c]), so conv(x, w, b)[o] = partials[o].sum(axis=0) + b[o].
    """
    ndim = _spatial_ndim(w)
    geo = _prepare(x, w, None, stride, padding, dilation, ndim)
    if geo.batched:
        raise ValueError("channel_partials takes one sample, x shaped (C_in, *S)")
    per_channel = [_conv(geo.x[0, c:c + 1], geo.w[:, c:c + 1], None, geo.stride, geo.padding, geo.dilation, ndim)
                   for c in range(geo.x.shape[1])]  # one conv per input channel, not per position
    return np.stack(per_channel, axis=1)


class WindowProducts(NamedTuple):
    """The sum behind one output value. Arrays are (C_in, *K)."""

    window: np.ndarray    # the input values the kernel meets (padding zeros included)
    kernel: np.ndarray    # w[channel]
    products: np.ndarray  # window * kernel, element by element
    bias: float
    value: float          # products.sum() + bias, equal to conv(x, w, b)[channel, *position]
    corner: tuple[int, ...]  # where the window starts in the padded input: position * stride
    cells: np.ndarray     # (prod(K), ndim) padded-input index of each window entry, row-major over K


def window_products(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, channel: int,
                    position: Sequence[int], *, stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                    dilation: IntOrTuple = 1) -> WindowProducts:
    """The receptive field of output[channel, *position]: its input window and the products.

    x (C_in, *S), w (C_out, C_in, *K), b (C_out,) or None. The window's entry k sits at
    padded-input index corner + k * dilation along each axis.
    """
    ndim = _spatial_ndim(w)
    geo = _prepare(x, w, b, stride, padding, dilation, ndim)
    if geo.batched:
        raise ValueError("window_products takes one sample, x shaped (C_in, *S)")
    if not _is_whole_number(channel) or not all(_is_whole_number(p) for p in position):
        raise ValueError(f"the output channel and position must be whole numbers; got {channel!r}, {tuple(position)!r}")
    channel, position = int(channel), tuple(int(p) for p in position)
    if not 0 <= channel < geo.w.shape[0] or len(position) != ndim or not all(
            0 <= p < o for p, o in zip(position, geo.out, strict=False)):
        raise ValueError(f"output cell {(channel,) + position} is outside the output of shape "
                         f"{(geo.w.shape[0],) + geo.out}")
    corner = tuple(p * s for p, s in zip(position, geo.stride, strict=False))
    window = _pad(geo.x, geo.padding)[(0, slice(None)) + tuple(
        slice(c, c + d * (k - 1) + 1, d) for c, d, k in zip(corner, geo.dilation, geo.kernel, strict=False))]
    products = window * geo.w[channel]
    bias = float(geo.b[channel]) if geo.b is not None else 0.0
    taps = np.indices(geo.kernel).reshape(ndim, -1).T                   # (prod(K), ndim) kernel offsets
    cells = np.array(corner) + taps * np.array(geo.dilation)
    return WindowProducts(window, geo.w[channel], products, bias, float(products.sum() + bias), corner, cells)


class Connection(NamedTuple):
    """One term of the 1D picture: input position `source` (0-based, in the padded input;
    negative or >= n for a padding zero) times weight `weight` reaches output `output`."""

    output: int
    weight: int
    source: int


def connections(n: int, k: int, *, padding: int = 0, stride: int = 1, dilation: int = 1) -> list[Connection]:
    """Which input and which weight reach which output in a 1D single-channel convolution.

    O[i] = sum_j W[j] * X[i * stride + j * dilation - padding]; positions outside 0..n-1 are
    padding zeros. The lecture's picture is n=5, k=3: O1 = W1 X1 + W2 X2 + W3 X3, ...
    """
    size = output_size(n, k, padding=padding, stride=stride, dilation=dilation)
    return [Connection(i, j, i * stride + j * dilation - padding) for i in range(size) for j in range(k)]


_Geometry = lowering.Geometry


def _conv(x, w, b, stride, padding, dilation, ndim: int) -> np.ndarray:
    geo = _prepare(x, w, b, stride, padding, dilation, ndim)
    out = lowering.forward(geo)                                         # (N, C_out, *O)
    if geo.b is not None:
        out += geo.b.reshape((-1,) + (1,) * ndim)
    return out if geo.batched else out[0]


def _conv_backward(x, w, grad_out, stride, padding, dilation, ndim: int) -> tuple[np.ndarray, np.ndarray]:
    geo = _prepare(x, w, None, stride, padding, dilation, ndim)
    grad_x, grad_w = lowering.backward(geo, _as_batched(grad_out, geo))
    return (grad_x if geo.batched else grad_x[0]), grad_w


_pad = lowering.pad


def _spatial_ndim(w) -> int:
    ndim = np.ndim(w) - 2
    if ndim not in (1, 2, 3):
        raise ValueError(
            f"w must have shape (C_out, C_in, *kernel) with 1, 2 or 3 kernel axes; got shape {np.shape(w)}"
        )
    return ndim


def _prepare(x, w, b, stride, padding, dilation, ndim: int) -> _Geometry:
    """Check every argument and return them in one batched float64 form, or raise ValueError."""
    x = _as_float_array("x", x)
    w = _as_float_array("w", w)
    layout, kernel_layout = _LAYOUTS[ndim], _KERNEL_LAYOUTS[ndim]
    if x.ndim not in (ndim + 1, ndim + 2):
        raise ValueError(
            f"a {ndim}D convolution needs x shaped (C_in, {layout}) or (N, C_in, {layout}); "
            f"got shape {x.shape}"
        )
    if w.ndim != ndim + 2:
        raise ValueError(f"a {ndim}D convolution needs w shaped (C_out, C_in, {kernel_layout}); got shape {w.shape}")
    for name, array in (("x", x), ("w", w)):
        if 0 in array.shape:
            raise ValueError(f"{name} has an empty axis: shape {array.shape}")
    batched = x.ndim == ndim + 2
    if not batched:
        x = x[None]
    if x.shape[1] != w.shape[1]:
        raise ValueError(
            f"the input has {x.shape[1]} channel(s) but each kernel expects {w.shape[1]} "
            f"(x has shape {x.shape if batched else x.shape[1:]}, w has shape {w.shape})"
        )
    if b is not None:
        b = _as_float_array("b", b)
        if b.shape != (w.shape[0],):
            raise ValueError(f"the bias needs one value per kernel, shape ({w.shape[0]},); got shape {b.shape}")
    stride_t = _per_axis("stride", stride, ndim, low=1)
    padding_t = _per_axis("padding", padding, ndim, low=0)
    dilation_t = _per_axis("dilation", dilation, ndim, low=1)
    spatial, kernel = tuple(x.shape[2:]), tuple(w.shape[2:])
    out = tuple(_raw_output_size(n, k, p, s, d)
                for n, k, p, s, d in zip(spatial, kernel, padding_t, stride_t, dilation_t, strict=False))
    too_small = [axis for axis, size in enumerate(out) if size < 1]
    if too_small:
        # Name the last failing axis, so a square misfit reads "... would be -1 wide".
        axis = too_small[-1]
        raise ValueError(_does_not_fit(spatial, kernel, padding_t, dilation_t, out[axis], axis))
    return _Geometry(x, w, b, batched, stride_t, padding_t, dilation_t, spatial, kernel, out)


def _as_batched(grad_out, geo: _Geometry) -> np.ndarray:
    """Check the upstream gradient against the forward output shape; return it as (N, C_out, *O)."""
    grad = _as_float_array("grad_out", grad_out)
    expected = (geo.x.shape[0], geo.w.shape[0]) + geo.out
    if grad.shape != (expected if geo.batched else expected[1:]):
        raise ValueError(
            f"grad_out must have the shape of the forward output, "
            f"{expected if geo.batched else expected[1:]}; got shape {grad.shape}"
        )
    return grad if geo.batched else grad[None]


def _as_float_array(name: str, value) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of real numbers ({error})") from None
    # A finite sum proves every entry finite; only an overflowing sum needs the entry-wise check.
    if not np.isfinite(array.sum()) and not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinity; every entry must be a finite number")
    return array


def _per_axis(name: str, value, ndim: int, low: int) -> tuple[int, ...]:
    """An int or a tuple of ndim ints -> tuple of ndim ints, each >= low."""
    values = (value,) * ndim if _is_whole_number(value) else value
    if isinstance(values, np.ndarray):
        values = tuple(values.tolist())
    if not isinstance(values, (tuple, list)) or len(values) != ndim:
        raise ValueError(f"{name} must be an int or a tuple of {ndim} ints (one per spatial axis); got {value!r}")
    for item in values:
        _check_whole_number(name, item, low)
    return tuple(int(item) for item in values)


def _is_whole_number(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_whole_number(name: str, value, low: int) -> None:
    if not _is_whole_number(value):
        raise ValueError(f"{name} must be a whole number; got {value!r}")
    if value < low:
        rule = {0: "cannot be negative", 1: "must be at least 1"}[low]
        raise ValueError(f"{name} {rule}; got {value}")


def _raw_output_size(n: int, k: int, padding: int, stride: int, dilation: int) -> int:
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def _does_not_fit(spatial, kernel, padding, dilation, size: int, axis: int) -> str:
    def shape(values) -> str:
        return "x".join(str(v) for v in values)

    def setting(values) -> str:
        return str(values[0]) if len(set(values)) == 1 else f"({', '.join(str(v) for v in values)})"

    spans = ""
    if any(d > 1 for d in dilation):
        span = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=False))
        spans = _(SPANS).format(dilation=setting(dilation), span=shape(span))
    word = _(_AXIS_WORDS[len(spatial)][axis])
    if len(spatial) == 1:
        return _(NO_FIT_1D).format(k=kernel[0], spans=spans, n=spatial[0], padding=padding[0], size=size, word=word)
    return _(NO_FIT).format(kernel=shape(kernel), spans=spans, input=shape(spatial), padding=setting(padding),
                            size=size, word=word)
