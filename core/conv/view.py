"""What the convolution lab page shows, computed from its settings (pure NumPy, no streamlit).

The page owns the widgets and caches these functions with `st.cache_data`; everything here takes
plain values and arrays and returns arrays or sentences, so it is tested without a page.

Shapes: x is (C_in, *S), w is (C_out, C_in, *K), b is (C_out,), outputs are (C_out, *O), with
S, K and O holding 1, 2 or 3 spatial sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.conv import inputs, ops
from core.conv.reference import Verification, verify
from core.messages import N_, _

# label -> (spatial axes, source name). The English labels are the select box's values (session
# state, URL codes, records); the page shows them translated (`_(label)`).
INPUTS = {
    N_("digit “2”"): (2, "digit"),
    N_("checkerboard"): (2, "checkerboard"),
    N_("circle"): (2, "circle"),
    N_("gradient"): (2, "gradient"),
    N_("stripes"): (2, "stripes"),
    N_("RGB shapes (3 channels)"): (2, "rgb"),
    N_("your image (upload)"): (2, "upload"),
    N_("1D signal (sine + step + noise)"): (1, "signal"),
    N_("3D volume (ball and cube)"): (3, "volume"),
}
# The spatial axes' names: keys of session state (conv_cell_height); shown translated (`_(axis)`).
AXES = {1: (N_("length"),), 2: (N_("height"), N_("width")), 3: (N_("depth"), N_("height"), N_("width"))}
SIZE_RANGES = {1: (8, 256, 64), 2: (5, 64, 28), 3: (4, 16, 10)}  # (lowest, highest, default) input size
DEFAULT_KERNELS = {1: "derivative", 2: "Sobel x", 3: "Sobel x"}
CHECK_SIDE = {1: 128, 2: 16, 3: 6}  # the loop reference checks at most this many entries per axis


def load_input(source: str, size: int, upload: bytes | None = None, colour: bool = False) -> np.ndarray:
    """The lab's input as (C_in, *S): a built-in image, signal or volume of `size`, or the upload."""
    if source == "rgb":
        return inputs.rgb_image(size)
    if source == "upload":
        return inputs.image_from_upload(upload, colour=colour)
    if source == "signal":
        return inputs.signal_1d(size)[None]
    if source == "volume":
        return inputs.volume_3d(size)[None]
    return inputs.builtin_image(source, size)[None]


def weights(kernels: np.ndarray, c_in: int, *, flip: bool) -> np.ndarray:
    """(C_out, C_in, *K) weights from stacked kernels (C_out, *K), flipped for true convolution."""
    chosen = ops.flip_kernel(kernels[:, None])[:, 0] if flip else kernels
    return inputs.weights_for(chosen, c_in)


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, padding: int,
            dilation: int) -> tuple[np.ndarray, np.ndarray]:
    """(output (C_out, *O), per-channel partials (C_out, C_in, *O)); ValueError when nothing fits."""
    settings = dict(stride=stride, padding=padding, dilation=dilation)
    return ops.conv(x, w, b, **settings), ops.channel_partials(x, w, **settings)


@dataclass(frozen=True)
class Backward:
    """The backward pass for one upstream gradient, computed twice.

    grad_x (C_in, *S) and grad_w (C_out, C_in, *K) come from the fast path; grad_x_full and
    grad_w_corr from the textbook formulas (a full convolution with the flipped kernel, a
    correlation of the padded input with the upstream gradient); grad_b is (C_out,).
    """

    grad_x: np.ndarray
    grad_w: np.ndarray
    grad_b: np.ndarray
    grad_x_full: np.ndarray
    grad_w_corr: np.ndarray

    @property
    def input_gap(self) -> float:
        """Largest |difference| between the two ways of computing dL/dX."""
        return float(np.max(np.abs(self.grad_x_full - self.grad_x)))

    @property
    def weight_gap(self) -> float:
        """Largest |difference| between the two ways of computing dL/dW."""
        return float(np.max(np.abs(self.grad_w_corr - self.grad_w)))


def backward(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray, stride: int, padding: int,
             dilation: int) -> Backward:
    """dL/dX, dL/dW and dL/db for the upstream gradient grad_out (C_out, *O), computed two ways."""
    settings = dict(stride=stride, padding=padding, dilation=dilation)
    grad_x, grad_w = ops.conv_backward(x, w, grad_out, **settings)
    return Backward(
        grad_x=grad_x,
        grad_w=grad_w,
        grad_b=grad_out.reshape(len(grad_out), -1).sum(axis=1),
        grad_x_full=ops.input_grad_as_full_convolution(grad_out, w, x.shape, **settings),
        grad_w_corr=ops.weight_grad_as_correlation(x, grad_out, w.shape, **settings),
    )


def check(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, padding: int, dilation: int) -> Verification:
    """Fast path against the loop reference and finite differences, on a crop the loops can afford."""
    return verify(x, w, b, stride=stride, padding=padding, dilation=dilation, max_side=CHECK_SIDE[w.ndim - 2])


def dropped_messages(input_sizes: tuple[int, ...], kernel_sizes: tuple[int, ...], *, stride: int, padding: int,
                     dilation: int) -> list[str]:
    """One sentence per axis where the floor in the size formula drops positions of the padded input
    (in the interface language)."""
    ndim = len(input_sizes)
    messages = []
    for axis, n, k in zip(AXES[ndim], input_sizes, kernel_sizes, strict=False):
        dropped = ops.dropped_positions(n, k, stride=stride, padding=padding, dilation=dilation)
        if dropped:
            real = max(0, dropped - padding)
            lost = (_("{real} of them real input values, which never affect the output").format(real=real) if real
                    else _("all of them padding zeros, so no input value is lost"))
            messages.append(_("Along the {axis}, the floor drops the last {dropped} position(s) of the padded input: "
                              "the last window ends before them ({lost}).").format(axis=_(axis), dropped=dropped,
                                                                                    lost=lost))
    return messages


def clamp_cell(cell: tuple[int, ...], output_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The inspected cell (channel, *position) moved inside an output of shape (C_out, *O): each
    index clamped to 0..size-1, so a cell near the edge stays near the edge when the output
    shrinks (it is never sent back to the corner)."""
    return tuple(min(max(int(index), 0), size - 1) for index, size in zip(cell, output_shape, strict=True))


def picked_cell(selection: dict | None, output_shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The output cell a click selected, clamped into output_shape (C_out, *O); None when the
    selection holds no usable point.

    selection: a pickable chart's selection state, {"cell": [point]}, where a point from a heatmap
    of output channel o is {"channel": o, "row": r, "col": c} (plus "depth": d for a slice of a
    3D output) and one from the 1D signal chart is {"channel": o, "index": i}.
    """
    points = (selection or {}).get("cell") or []
    if not isinstance(points, list) or not points or not isinstance(points[-1], dict):
        return None
    point = points[-1]
    axes = ("index",) if "index" in point else (("depth",) if "depth" in point else ()) + ("row", "col")
    try:
        cell = tuple(int(point[name]) for name in ("channel", *axes))
    except (KeyError, TypeError, ValueError):
        return None
    return clamp_cell(cell, output_shape) if len(cell) == len(output_shape) and cell[0] >= 0 else None


def window_in_input(cells: np.ndarray, padding: int, spatial: tuple[int, ...]) -> tuple[list[tuple[int, ...]], int]:
    """The window of the inspected cell in unpadded input coordinates.

    cells (prod(K), ndim): padded-input indices (WindowProducts.cells). Returns (the cells
    that lie inside the input, how many fall on padding zeros).
    """
    shifted = np.asarray(cells) - padding
    inside = np.all((shifted >= 0) & (shifted < np.array(spatial)), axis=1)
    return [tuple(int(i) for i in cell) for cell in shifted[inside]], int((~inside).sum())


def shape_summary(x_shape: tuple[int, ...], output_shape: tuple[int, ...], w_shape: tuple[int, ...]) -> str:
    """One line of markdown with the input, output and parameter shapes (never truncated)."""
    kernel = "×".join(map(str, w_shape[2:]))
    return _("**Input** `{input}` → **output** `{output}` · **parameters** {weights} weights ({kernels} kernel(s) "
             "of {channels}×{kernel}) + {kernels} bias").format(
        input=tuple(x_shape), output=tuple(output_shape), weights=int(np.prod(w_shape)), kernels=w_shape[0],
        channels=w_shape[1], kernel=kernel)


def sum_latex(field: ops.WindowProducts, cell: tuple[int, ...], output_value: float) -> str:
    """The inspected sum as LaTeX, in three short lines (so it fits a phone): Σ window × kernel + b,
    its value, and the output's value it equals."""
    name = ", ".join(str(index) for index in cell)
    return (f"\\begin{{aligned}}&\\textstyle\\sum \\text{{window}} \\times \\text{{kernel}} + b\\\\ "
            f"&= {field.products.sum():.4f} + ({field.bias:g}) = {field.value:.4f}\\\\ "
            f"&\\text{{output}}[{name}] = {output_value:.4f}\\end{{aligned}}")
