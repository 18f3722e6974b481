"""The convolution lab's controls as URL parameters, so a copied link reopens the lab as it was.

The input decides the number of spatial axes, and the size slider and the kernel list belong to
that number (the page keeps one of each per 1D, 2D and 3D), so `params(ndim)` gives the
parameters for the input in use. The inspected output cell is a parameter too (`cell`).
"""

from __future__ import annotations

import re

from core.conv import inputs, lecture, view
from core.messages import N_
from core.urlparams import Param, encode

# The values (English) are the widgets' values in session state; the page shows them translated (`_(value)`).
VIEWS = {"output": N_("Output"), "channels": N_("Channels"), "field": N_("Receptive field"),
         "backward": N_("Backward pass"), "1d": N_("1D picture")}
INPUTS = {source: label for label, (_, source) in view.INPUTS.items()}
CUSTOM = N_("custom (edit below)")
UPSTREAM = {"ones": inputs.UPSTREAM_KINDS[0], "random": inputs.UPSTREAM_KINDS[1], "onehot": inputs.UPSTREAM_KINDS[2]}
KERNEL_LIMIT = 1e6  # larger weights only overflow float64 and teach nothing
CUSTOM_KEY = "conv_custom_values"
EXAMPLE_PARAMS = ("ex_x", "ex_w", "ex_d", "follow")
EXAMPLE_TEXT = 800  # characters of one example row in a link: 20 numbers at full precision
FOLLOW = {f"x{index}": f"X{index}" for index in range(1, 6)}
CELL_KEY = "conv_cell"


def kernel_code(name: str) -> str:
    """A kernel preset's name in a URL: 'Sobel x' -> 'sobel-x', '[1, -1] edge' -> '1-1-edge'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def kernel_codes(ndim: int) -> dict[str, str]:
    """URL code -> kernel option for an input with `ndim` spatial axes (the custom kernel too, in 1D and 2D)."""
    codes = {kernel_code(name): name for name in inputs.kernel_presets(ndim)}
    return codes | ({"custom": CUSTOM} if ndim < 3 else {})


def input_code(label: str) -> str:
    """The URL code of the input with this selectbox label ('digit', 'rgb', ...)."""
    return view.INPUTS[label][1]


def input_ndim(label: str) -> int:
    """Spatial axes of the input with this selectbox label."""
    return view.INPUTS[label][0]


def params_for(ndim: int) -> tuple[Param, ...]:
    """Every control of the lab for an input with `ndim` spatial axes."""
    low, high, default = view.SIZE_RANGES[ndim]
    return (
        Param("view", "conv_tab", "choice", VIEWS["output"], codes=VIEWS),
        Param("input", "conv_input", "choice", INPUTS["digit"], codes=INPUTS),
        Param("size", f"conv_size_{ndim}d", "int", default, low=low, high=high),
        Param("kernels", f"conv_kernels_{ndim}d", "choices", [view.DEFAULT_KERNELS[ndim]], codes=kernel_codes(ndim),
              size=(1, 12)),
        Param("custom", CUSTOM_KEY, "matrix", None, low=-KERNEL_LIMIT, high=KERNEL_LIMIT),
        Param("pad", "conv_padding", "int", 0, low=0, high=6),
        Param("stride", "conv_stride", "int", 1, low=1, high=4),
        Param("dil", "conv_dilation", "int", 1, low=1, high=4),
        Param("bias", "conv_bias", "float", 0.0, low=-KERNEL_LIMIT, high=KERNEL_LIMIT),
        Param("flip", "conv_flip", "bool", False),
        Param("colour", "conv_upload_colour", "bool", False),
        Param("upstream", "conv_upstream", "choice", UPSTREAM["onehot"], codes=UPSTREAM),
        Param("in_channel", "conv_in_channel", "int", 0, low=0, high=2),
        Param("cell", CELL_KEY, "ints", None, low=0, high=10_000, size=(2, 4)),
        # the 1D picture's worked example: its three rows of numbers and the input whose paths it follows
        Param("ex_x", "conv_ex_x", "text", lecture.values_text(lecture.EXAMPLE_INPUTS), size=(0, EXAMPLE_TEXT)),
        Param("ex_w", "conv_ex_w", "text", lecture.values_text(lecture.EXAMPLE_WEIGHTS), size=(0, EXAMPLE_TEXT)),
        Param("ex_d", "conv_ex_d", "text", lecture.values_text(lecture.EXAMPLE_GRADS), size=(0, EXAMPLE_TEXT)),
        Param("follow", "conv_ex_follow", "choice", FOLLOW["x3"], codes=FOLLOW),
    )


def ndim_of_query(query: dict[str, str]) -> int:
    """The spatial axes a link's `input` asks for (2 when it names none or an unknown one)."""
    label = INPUTS.get(str(query.get("input", "digit")), INPUTS["digit"])
    return input_ndim(label)


def record_query(values: dict, ndim: int, channels: int) -> dict[str, str]:
    """Every parameter that shapes the current picture, defaults included ({name: text}), from
    the controls' values {session key: value}: a record's settings and the link that reopens
    them (the upload's colour only for an upload, the input channel only for several channels,
    the custom kernel only when chosen)."""
    params = params_for(ndim)
    skip = set()
    if values.get("conv_input") != INPUTS["upload"]:
        skip.add("colour")
    if channels < 2:
        skip.add("in_channel")
    if CUSTOM not in (values.get(f"conv_kernels_{ndim}d") or []):
        skip.add("custom")
    if values.get("conv_tab") != VIEWS["1d"]:
        skip.update(EXAMPLE_PARAMS)
    chosen = [param for param in params if param.name not in skip]
    return encode({**{param.key: param.default for param in chosen}, **values}, chosen,
                  always=[param.name for param in chosen])
