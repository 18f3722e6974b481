"""Convolution lab: slide kernels over images, a 1D signal or a 3D volume; see output sizes,
channels, one output's receptive field and the backward pass, every number verified.

Layout: the controls sit in a column beside the pictures, both in one fragment: a control's
change reruns just that fragment, in one run (a callback that asks for a fragment's rerun costs
a second run), and the app's navigation is not drawn again. A segmented control picks one view;
only that view is computed. Each view is one function in ui.conv_lab.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import conv
from core.conv import inputs as conv_inputs
from core.conv import state as conv_state
from core.conv import view as conv_view
from core.messages import N_, _
from ui import conv_lab, frame, lab_state, widgets

frame.app_frame()

CUSTOM = conv_state.CUSTOM
KERNEL_LIMIT = conv_state.KERNEL_LIMIT
DEFAULT_CUSTOM = np.array([[-1.0, -1, -1], [-1, 8, -1], [-1, -1, -1]])
VIEWS = list(conv_state.VIEWS.values())
INPUTS = conv_view.INPUTS
LAB = "conv_lab"  # the fragment of the controls and the pictures


def custom_kernel(ndim: int) -> np.ndarray:
    """The user's kernel from a data editor, (K,) or (kH, kW); NaN where a cell was cleared. It
    starts from the kernel a link carried (conv_custom_start), else from a Laplacian-like one."""
    linked = st.session_state.get("conv_custom_start")
    st.session_state.setdefault("conv_custom_rows", 3 if linked is None else len(linked))
    st.session_state.setdefault("conv_custom_cols", 3 if linked is None else len(linked[0]))
    left, right = st.columns(2)
    rows = 1 if ndim == 1 else left.number_input(_("Rows"), 1, 7, key="conv_custom_rows", persist_state="session")
    cols = right.number_input(_("Columns"), 1, 7, key="conv_custom_cols", persist_state="session")
    start = np.zeros((rows, cols))
    shared = DEFAULT_CUSTOM[: min(rows, 3), : min(cols, 3)] if ndim == 2 else np.array([[1.0, 0, -1]])[:, :cols]
    if linked is not None:
        shared = np.asarray(linked, dtype=float)[:rows, :cols]
    start[: shared.shape[0], : shared.shape[1]] = shared
    start_frame = pd.DataFrame(start, columns=[str(col + 1) for col in range(cols)])
    bounded = st.column_config.NumberColumn(min_value=-KERNEL_LIMIT, max_value=KERNEL_LIMIT, required=True)
    frame = st.data_editor(
        start_frame, key=f"conv_custom_kernel_{rows}x{cols}_{st.session_state.get('conv_custom_round', 0)}",
        hide_index=True, column_config={column: bounded for column in start_frame.columns},
    )
    values = frame.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        st.warning(_("The custom kernel has an empty cell; it counts as 0 until you fill it in."))
        values = np.nan_to_num(values, nan=0.0)
    return values[0] if ndim == 1 else values


def apply_link() -> None:
    """A link (or Back and Forward) sets the controls before they are drawn; then every control
    without a value gets its default (the widgets take theirs from the session, not as arguments)."""
    query = st.query_params.to_dict()
    ndim = conv_state.ndim_of_query(query) if "input" in query else conv_lab.current_ndim()
    if lab_state.apply_url("conv", conv_state.params_for(ndim)):
        cell = st.session_state.pop(conv_state.CELL_KEY, None)
        if cell is not None and len(cell) == ndim + 1:
            conv_lab.set_cell(tuple(cell))
        elif cell is not None:
            lab_state.add_url_notices("conv", [_("The link's cell names {count} numbers; a cell of this input has "
                                                 "{wanted} (the output channel, then one index per axis).").format(
                count=len(cell), wanted=ndim + 1)])
        st.session_state["conv_custom_start"] = st.session_state.get(conv_state.CUSTOM_KEY)
        for key in ("conv_custom_rows", "conv_custom_cols"):
            st.session_state.pop(key, None)
        st.session_state["conv_custom_round"] = st.session_state.get("conv_custom_round", 0) + 1
    for param in conv_state.params_for(conv_lab.current_ndim()):
        if param.default is not None:
            st.session_state.setdefault(param.key, param.default)


def address(lab: conv_lab.Lab | None) -> None:
    """The lab's state in the address bar: every control off its default, the view, the
    inspected cell and a custom kernel's numbers."""
    lab_state.write_url("conv", conv_state.params_for(conv_lab.current_ndim()), conv_lab.address_values(lab),
                        always=("view",))


def input_controls() -> int:
    """Input picker: a built-in input and its size, or an upload. Returns the spatial axes."""
    choice = st.selectbox(_("Input"), list(INPUTS), format_func=_, key="conv_input", persist_state="session")
    ndim, source = INPUTS[choice]
    if source == "upload":
        uploaded = st.file_uploader(_("PNG or JPEG (shrunk to at most {side} px a side)").format(
                                        side=conv_inputs.UPLOAD_SIDE),
                                    type=["png", "jpg", "jpeg"], key="conv_upload")
        st.checkbox(_("Keep colour (3 channels)"), key="conv_upload_colour", persist_state="session")
        if uploaded is None:
            st.info(_("No file yet: showing the digit until you upload one."))
    else:
        low, high, default = conv_view.SIZE_RANGES[ndim]
        st.session_state.setdefault(f"conv_size_{ndim}d", default)
        st.slider(_("Input size"), low, high, key=f"conv_size_{ndim}d", persist_state="session")
    return ndim


def kernel_controls(ndim: int) -> None:
    """Kernel presets (one output channel each) and, when chosen, the custom kernel's editor."""
    presets = conv_inputs.kernel_presets(ndim)
    options = list(presets) + ([CUSTOM] if ndim < 3 else [])
    key = f"conv_kernels_{ndim}d"
    st.session_state.setdefault(key, [conv_view.DEFAULT_KERNELS[ndim]])
    chosen = st.multiselect(_("Kernels (one output channel each)"), options, format_func=_, key=key,
                            persist_state="session")
    if CUSTOM in chosen:
        st.session_state["conv_custom_values"] = custom_kernel(ndim)


def controls() -> None:
    """The controls column: input, kernels, padding, stride, dilation, bias, flip."""
    ndim = input_controls()
    kernel_controls(ndim)
    kept = dict(persist_state="session")
    st.slider(_("Padding"), 0, 6, key="conv_padding", help=_("zeros added on each side"), **kept)
    st.slider(_("Stride"), 1, 4, key="conv_stride", help=_("step between windows"), **kept)
    st.slider(_("Dilation"), 1, 4, key="conv_dilation", help=_("gap between kernel taps"), **kept)
    st.number_input(_("Bias (every channel)"), min_value=-KERNEL_LIMIT, max_value=KERNEL_LIMIT, step=0.1,
                    key="conv_bias", **kept)
    st.toggle(_("Flip kernel (convolution)"), key="conv_flip", **kept,
              help=_("Deep-learning libraries compute cross-correlation, out[p] = Σₖ w[k]·x[p·s + k·d] on the "
                     "zero-padded input (stride s, dilation d; x[p+k] for the lecture's s = d = 1, no padding); the "
                     "convolution of the lecture turns the kernel 180° first, w[k] → w[K−1−k].") + " "
              + _("Symmetric kernels (box, Gaussian, Laplacian) give the same output either way."))


def chosen_input() -> np.ndarray | None:
    """The input the controls chose, (C_in, *S), or None after showing why it cannot be read."""
    ndim, source = INPUTS[st.session_state["conv_input"]]
    upload, colour, size = None, False, 28
    if source == "upload":
        uploaded = st.session_state.get("conv_upload")
        colour = bool(st.session_state.get("conv_upload_colour"))
        if uploaded is None:
            source = "digit"
        else:
            upload = uploaded.getvalue()
    else:
        size = st.session_state.get(f"conv_size_{ndim}d", conv_view.SIZE_RANGES[ndim][2])
    try:
        return conv_lab.load_input(source, size, upload, colour)
    except ValueError as error:
        st.error(str(error), icon=":material/broken_image:")
        return None


def chosen_kernels(ndim: int) -> tuple[np.ndarray, tuple[str, ...]] | None:
    """The kernels the controls chose, stacked (C_out, *K), and their names; None if there are none."""
    presets = conv_inputs.kernel_presets(ndim)
    chosen = st.session_state.get(f"conv_kernels_{ndim}d", [conv_view.DEFAULT_KERNELS[ndim]])
    kernels = [presets[name] for name in chosen if name in presets]
    names = [name for name in chosen if name in presets]
    if CUSTOM in chosen and "conv_custom_values" in st.session_state:
        kernels.append(st.session_state["conv_custom_values"])
        names.append(N_("custom"))
    if not kernels:
        st.warning(_("Choose at least one kernel."))
        return None
    stacked, resized = conv_inputs.stack_kernels(kernels)
    if resized:
        common = "×".join(map(str, stacked.shape[1:]))
        st.caption(_("Kernels of different sizes are centred in zeros to a common {common}, "
                     "so every output channel has the same size.").format(common=common))
    return stacked, tuple(names)


def computed_lab() -> conv_lab.Lab | None:
    """Everything the pictures show, from the controls' values; None after showing why not."""
    x = chosen_input()
    if x is None:
        return None
    picked = chosen_kernels(x.ndim - 1)
    if picked is None:
        return None
    stacked, names = picked
    state = st.session_state
    padding, stride, dilation = state["conv_padding"], state["conv_stride"], state["conv_dilation"]
    flip = bool(state.get("conv_flip"))
    w = conv_view.weights(stacked, x.shape[0], flip=flip)
    b = np.full(w.shape[0], float(state.get("conv_bias", 0.0)))
    try:
        output, partials = conv_lab.forward(x, w, b, stride, padding, dilation)
    except ValueError as error:
        st.error(_("No output for these settings: {reason}.").format(reason=error), icon=":material/block:")
        return None
    if flip:
        st.caption(_("Convolution: the kernel is turned 180° before it slides."))
    conv_lab.apply_pick(output.shape)
    cell = conv_lab.current_cell(output.shape)
    field = conv.window_products(x, w, b, cell[0], cell[1:], stride=stride, padding=padding, dilation=dilation)
    return conv_lab.Lab(x, w, b, names, stride, padding, dilation, output, partials, cell, field)


def one_d_settings() -> dict[str, int]:
    """Padding, stride and dilation from the controls: all the 1D picture takes from them."""
    state = st.session_state
    return dict(stride=state["conv_stride"], padding=state["conv_padding"], dilation=state["conv_dilation"])


SECTIONS = {"Output": conv_lab.output_view, "Channels": conv_lab.channels_view,
            "Receptive field": conv_lab.receptive_field_view, "Backward pass": conv_lab.backward_view}


def pictures() -> None:
    view = st.segmented_control(_("View"), VIEWS, format_func=_, key="conv_tab", required=True,
                                label_visibility="collapsed")
    if view == conv_state.VIEWS["1d"]:
        address(None)
        conv_lab.one_d_picture_view(one_d_settings())
        return
    lab = computed_lab()
    address(lab)
    if lab is None:
        st.caption(_("The pictures come back when the settings on the left give an output."))
        return
    SECTIONS[view or "Output"](lab)
    conv_lab.output_size(lab)
    conv_lab.checks(lab)
    conv_lab.record(lab, view or "Output")


apply_link()
st.title(_("Convolution lab"), anchor=False)
widgets.show_flash()
st.caption(
    _("Kernels slide over an input; each output value is the sum of a window times the kernel, plus a bias.") + " "
    + _("Every number is computed by `core.conv` (strided windows + one matrix product) and checked below "
        "against a plain loop and finite differences.")
)
lab_state.url_notices("conv")
with st.sidebar:
    widgets.tables_toggle(conv_lab.TABLES_KEY)
    lab_state.paired_notes(tags={"cnn", "convolution"}, labs={"conv"}, heading=_("Notes for this lab"))
    lab_state.lab_runs("conv")


@st.fragment(key=LAB)
def lab() -> None:
    """The controls and the pictures: a control's change reruns this fragment alone."""
    lab_state.controls_beside_pictures(controls, pictures)


lab_state.lab_layout()
lab()
