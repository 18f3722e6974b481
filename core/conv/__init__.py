"""The convolution lab: 1D/2D/3D convolution with its backward pass, checked against loops.

Modules: ``ops`` (the vectorised operations, re-exported here), ``reference`` (the nested-loop
reference and the verification), ``inputs`` (built-in images, signal, volume, uploads, kernel
presets), ``view`` (what the lab page shows, computed from its settings) and ``charts``; for
the day's worked examples, ``formulas`` (the backward pass as LaTeX for any stride, padding and
dilation) and ``lecture`` (the lecture's 1D example with the student's numbers).

May import: the standard library, numpy, pandas, altair.
Never imports ``core.rnn``, ``core.journal`` or streamlit.
"""

from core.conv.ops import (
    Connection,
    IntOrTuple,
    WindowProducts,
    channel_partials,
    connections,
    conv,
    conv1d,
    conv1d_backward,
    conv2d,
    conv2d_backward,
    conv3d,
    conv3d_backward,
    conv_backward,
    dropped_positions,
    flip_kernel,
    input_grad_as_full_convolution,
    output_size,
    stride_dilate,
    weight_grad_as_correlation,
    window_products,
)

__all__ = [
    "Connection",
    "IntOrTuple",
    "WindowProducts",
    "channel_partials",
    "connections",
    "conv",
    "conv1d",
    "conv1d_backward",
    "conv2d",
    "conv2d_backward",
    "conv3d",
    "conv3d_backward",
    "conv_backward",
    "dropped_positions",
    "flip_kernel",
    "input_grad_as_full_convolution",
    "output_size",
    "stride_dilate",
    "weight_grad_as_correlation",
    "window_products",
]
