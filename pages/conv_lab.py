"""Convolution lab: slide kernels over images, a 1D signal or a 3D volume; see output sizes,
channels, one output's receptive field and the backward pass, every number verified."""

import numpy as np
import pandas as pd
import streamlit as st

import ui
from core import conv
from core.conv import charts as conv_charts
from core.conv import inputs as conv_inputs
from core.conv import view as conv_view

ui.app_frame()

CUSTOM = "custom (edit below)"
KERNEL_LIMIT = 1e6  # larger weights only overflow float64 and teach nothing
DEFAULT_CUSTOM = np.array([[-1.0, -1, -1], [-1, 8, -1], [-1, -1, -1]])
TABS = ["Output", "Channels", "Receptive field", "Backward pass", "1D picture"]
INPUTS, AXES = conv_view.INPUTS, conv_view.AXES

load_input = st.cache_data(show_spinner=False, max_entries=16)(conv_view.load_input)
forward = st.cache_data(show_spinner=False, max_entries=16)(conv_view.forward)
backward = st.cache_data(show_spinner=False, max_entries=16)(conv_view.backward)
check = st.cache_data(show_spinner=False, max_entries=16)(conv_view.check)


def draw(builder: str, *args, width: str = "content", **kwargs) -> None:
    ui.chart(getattr(conv_charts, builder), *args, width=width, **kwargs)


def show_map(values: np.ndarray, title: str, *, kind: str = "auto", highlight=(), max_width: int = 300) -> None:
    """A 2D array: an Altair heatmap with tooltips when small, an image when large."""
    highlight = tuple(tuple(int(i) for i in cell) for cell in highlight)
    if conv_charts.fits_heatmap(values):
        draw("heatmap", values, title=title, kind=kind, highlight=highlight, max_width=max_width)
    else:
        st.image(conv_charts.to_image(values, highlight=highlight),
                 caption=f"{title} · {values.shape[0]}×{values.shape[1]}", width=min(max_width, 2 * values.shape[1]))


def show_spatial(values: np.ndarray, title: str, *, kind: str = "auto", depth: int = 0, highlight=(),
                 max_width: int = 300) -> None:
    """Any single-channel spatial array (*S): a 1-row map for 1D, a map for 2D, slice `depth` of 3D."""
    if values.ndim == 1 and values.size > 12:
        cells = [cell[0] for cell in highlight]
        draw("signal_chart", {title: values}, highlight=(min(cells), max(cells)) if cells else None, height=140,
             width="stretch")
    elif values.ndim == 1:
        show_map(values[None], title, kind=kind, highlight=[(0, cell[0]) for cell in highlight], max_width=max_width)
    elif values.ndim == 2:
        show_map(values, title, kind=kind, highlight=highlight, max_width=max_width)
    else:
        show_map(values[depth], f"{title}, depth slice {depth}", kind=kind, highlight=highlight, max_width=max_width)


def fitting_width(columns: int) -> int:
    """Pixels a heatmap may take in one of `columns` side-by-side columns (room left for its legend)."""
    return max(100, 640 // columns - 70)


def cell_slider(label: str, size: int, key: str) -> int:
    """Pick an index in 0..size-1; back to the middle when the output shrank below the last choice."""
    if st.session_state.get(key, size // 2) >= size:
        st.session_state[key] = size // 2
    st.session_state.setdefault(key, size // 2)
    if size == 1:
        st.caption(f"{label}: 0 (the only position)")
        return 0
    return st.slider(label, 0, size - 1, key=key)


def custom_kernel(ndim: int) -> np.ndarray:
    """The user's kernel from a data editor, (K,) or (kH, kW); NaN where a cell was cleared."""
    left, right = st.columns(2)
    rows = 1 if ndim == 1 else left.number_input("Rows", 1, 7, 3, key="conv_custom_rows")
    cols = right.number_input("Columns", 1, 7, 3, key="conv_custom_cols")
    start = np.zeros((rows, cols))
    shared = DEFAULT_CUSTOM[: min(rows, 3), : min(cols, 3)] if ndim == 2 else np.array([[1.0, 0, -1]])[:, :cols]
    start[: shared.shape[0], : shared.shape[1]] = shared
    start_frame = pd.DataFrame(start, columns=[str(col + 1) for col in range(cols)])
    bounded = st.column_config.NumberColumn(min_value=-KERNEL_LIMIT, max_value=KERNEL_LIMIT, required=True)
    frame = st.data_editor(
        start_frame, key=f"conv_custom_kernel_{rows}x{cols}", hide_index=True,
        column_config={column: bounded for column in start_frame.columns},
    )
    values = frame.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        st.warning("The custom kernel has an empty cell; it counts as 0 until you fill it in.")
        values = np.nan_to_num(values, nan=0.0)
    return values[0] if ndim == 1 else values


st.title("Convolution lab", anchor=False)
st.caption(
    "Kernels slide over an input; each output value is the sum of a window times the kernel, plus a bias. "
    "Every number is computed by `core.conv` (strided windows + one matrix product) and checked below "
    "against a plain loop and finite differences."
)
lab, notes_column = st.columns([5, 1], gap="medium")
with notes_column:
    ui.paired_notes(tags={"cnn", "convolution"}, labs={"conv"}, heading="Notes for this lab")

with lab:
    # --- 1. input and kernels -----------------------------------------------------------------
    input_column, kernel_column = st.columns(2, gap="medium")
    with input_column:
        choice = st.selectbox("Input", list(INPUTS), key="conv_input")
        ndim, source = INPUTS[choice]
        upload, colour, size = None, False, 28
        if source == "upload":
            uploaded = st.file_uploader("PNG or JPEG (shrunk to at most 256 px per side)", type=["png", "jpg", "jpeg"],
                                        key="conv_upload")
            colour = st.checkbox("Keep colour (3 channels)", key="conv_upload_colour")
            if uploaded is None:
                st.info("No file yet: showing the digit until you upload one.")
                source = "digit"
            else:
                upload = uploaded.getvalue()
        else:
            low, high, default = conv_view.SIZE_RANGES[ndim]
            size = st.slider("Input size", low, high, default, key=f"conv_size_{ndim}d")
        try:
            x = load_input(source, size, upload, colour)
        except ValueError as error:
            st.error(str(error))
            st.stop()
    with kernel_column:
        presets = conv_inputs.kernel_presets(ndim)
        options = list(presets) + ([CUSTOM] if ndim < 3 else [])
        chosen = st.multiselect("Kernels (one output channel each)", options, default=[conv_view.DEFAULT_KERNELS[ndim]],
                                key=f"conv_kernels_{ndim}d")
        kernels = [presets[name] for name in chosen if name != CUSTOM]
        if CUSTOM in chosen:
            kernels.append(custom_kernel(ndim))
        if ndim == 3:
            st.caption("3D kernels come from the presets; the custom editor is for 1D and 2D.")
    if not kernels:
        st.warning("Choose at least one kernel.")
        st.stop()
    stacked, resized = conv_inputs.stack_kernels(kernels)
    if resized:
        common = "×".join(map(str, stacked.shape[1:]))
        st.caption(f"Kernels of different sizes are centred in zeros to a common {common} "
                   "so every output channel has the same size.")

    # --- 2. hyper-parameters ------------------------------------------------------------------
    pad_column, stride_column, dilation_column, bias_column = st.columns(4)
    padding = pad_column.slider("Padding", 0, 6, 0, key="conv_padding", help="zeros added on each side")
    stride = stride_column.slider("Stride", 1, 4, 1, key="conv_stride", help="step between windows")
    dilation = dilation_column.slider("Dilation", 1, 4, 1, key="conv_dilation", help="gap between kernel taps")
    bias_value = bias_column.number_input(
        "Bias (every channel)", min_value=-KERNEL_LIMIT, max_value=KERNEL_LIMIT, value=0.0, step=0.1, key="conv_bias"
    )
    flip = st.toggle("Flip the kernel: mathematical convolution instead of cross-correlation", key="conv_flip")
    st.caption(
        "Deep-learning libraries compute cross-correlation, out[p] = Σ w[k]·x[p+k]; the convolution of the "
        "lecture turns the kernel 180° first, out[p] = Σ w[−k]·x[p+k]. Symmetric kernels (box, Gaussian, "
        "Laplacian) give the same output either way."
        if flip else
        "Now: cross-correlation, as PyTorch's Conv2d computes it. Flip the kernel to get the textbook convolution."
    )
    w = conv_view.weights(stacked, x.shape[0], flip=flip)
    b = np.full(w.shape[0], float(bias_value))
    settings = dict(stride=stride, padding=padding, dilation=dilation)

    # --- 3. output size -----------------------------------------------------------------------
    st.subheader("Output size", anchor=False)
    formula_column, metrics_column = st.columns([3, 1], gap="medium")
    with formula_column:
        st.latex(conv_charts.SIZE_FORMULA)
        st.caption("n input size, k kernel size, p padding on each side, s stride, d dilation; per axis:")
        for axis, n, k in zip(AXES[ndim], x.shape[1:], w.shape[2:], strict=False):
            st.latex(conv_charts.size_formula_latex(n, k, padding=padding, stride=stride, dilation=dilation,
                                                    axis=axis))
    try:
        output, partials = forward(x, w, b, stride, padding, dilation)
    except ValueError as error:
        st.error(f"No output for these settings: {error}.", icon=":material/block:")
        st.stop()
    for message in conv_view.dropped_messages(x.shape[1:], w.shape[2:], **settings):
        st.info(message, icon=":material/content_cut:")
    with metrics_column:
        st.metric("Output shape", str(output.shape), help="(C_out, *spatial): one channel per kernel")
        st.metric("Input shape", str(x.shape), help="(C_in, *spatial)")
        st.metric("Parameters", f"{w.size} + {b.size}", help=f"weights {w.shape} + one bias per kernel")

    # --- 4. the output cell everything below inspects -------------------------------------------
    st.subheader("Inspect one output cell", anchor=False)
    cell_columns = st.columns(ndim + 1)
    with cell_columns[0]:
        channel = cell_slider("Output channel", output.shape[0], "conv_cell_channel")
    position = []
    for axis_index, (axis, out_size) in enumerate(zip(AXES[ndim], output.shape[1:], strict=False)):
        with cell_columns[axis_index + 1]:
            position.append(cell_slider(f"Output {axis} index", out_size, f"conv_cell_{axis}"))
    field = conv.window_products(x, w, b, channel, position, **settings)

    tabs = st.tabs(TABS, key="conv_tab", on_change="rerun")

    with tabs[0]:
        if tabs[0].open:
            if ndim == 1:
                series = {f"input ch {c}": x[c] for c in range(x.shape[0])}
                outputs = {f"output ch {o} ({chosen[o]})": output[o] for o in range(output.shape[0])}
                centres = np.arange(output.shape[1]) * stride - padding + dilation * (w.shape[2] - 1) / 2
                window = (field.corner[0] - padding, field.corner[0] - padding + dilation * (w.shape[2] - 1))
                draw("signal_chart", series | outputs, title="Input and output", highlight=window,
                     positions={name: centres for name in outputs}, width="stretch")
                st.caption("Each output value is drawn at the centre of its window, in input positions "
                           "(output p reads from input position p·stride − padding on). Shaded: the inspected "
                           "cell's window.")
            else:
                depth_in = depth_out = 0
                if ndim == 3:
                    left, right = st.columns(2)
                    depth_in = left.slider("Input depth slice", 0, x.shape[1] - 1, x.shape[1] // 2, key="conv_in_slice")
                    depth_out = right.slider("Output depth slice", 0, output.shape[1] - 1, output.shape[1] // 2,
                                             key="conv_out_slice") if output.shape[1] > 1 else 0
                if x.shape[0] == 3 and ndim == 2:
                    st.image(np.clip(x.transpose(1, 2, 0), 0, 1), caption="input (RGB)", width=min(320, 6 * x.shape[2]))
                columns = st.columns(x.shape[0] + 1)
                out_columns = st.columns(min(output.shape[0], 4))
                map_width = fitting_width(max(len(columns), len(out_columns)))  # same scale in and out
                for c in range(x.shape[0]):
                    with columns[c]:
                        show_spatial(x[c], f"input channel {c}", kind="image", depth=depth_in, max_width=map_width)
                with columns[-1]:
                    for o, name in enumerate(chosen if len(chosen) == w.shape[0] else range(w.shape[0])):
                        show_spatial(w[o, 0], f"kernel {o}: {name}", kind="signed", depth=w.shape[2] // 2)
                for o in range(output.shape[0]):
                    with out_columns[o % len(out_columns)]:
                        mark = [tuple(position)] if o == channel and ndim == 2 else (
                            [tuple(position[1:])] if o == channel and position[0] == depth_out else [])
                        show_spatial(output[o], f"output channel {o}", depth=depth_out, highlight=mark,
                                     max_width=map_width)

    with tabs[1]:
        if tabs[1].open:
            st.markdown(
                f"Each kernel has one slice per input channel (here {x.shape[0]}). Output channel o is the **sum** "
                "of the input channels' partial results, **plus the bias**: "
                "$O_o = \\sum_c X_c \\star W_{o,c} + b_o$. "
                f"{w.shape[0]} kernel(s) give {w.shape[0]} output channel(s)."
            )
            depth = output.shape[1] // 2 if ndim == 3 else 0
            for o in range(output.shape[0]):
                st.markdown(f"**Output channel {o}**")
                columns = st.columns(x.shape[0] + 1)
                for c in range(x.shape[0]):
                    with columns[c]:
                        show_spatial(partials[o, c], f"channel {c} partial", depth=depth,
                                     max_width=fitting_width(len(columns)))
                with columns[-1]:
                    show_spatial(output[o], f"sum + bias ({b[o]:g})", depth=depth,
                                 max_width=fitting_width(len(columns)))
                gap = float(np.max(np.abs(partials[o].sum(axis=0) + b[o] - output[o])))
                st.caption(f"max |Σ partials + bias − output| = {gap:.1e}")

    with tabs[2]:
        if tabs[2].open:
            cell_name = ", ".join(str(p) for p in position)
            corner_name = ", ".join(str(p) for p in field.corner)
            steps = "neighbouring entries" if dilation == 1 else f"every {dilation}th entry (dilation {dilation})"
            st.markdown(
                f"Output channel {channel} at ({cell_name}) reads the window of the "
                f"{'zero-padded ' if padding else ''}input that starts at ({corner_name}) (= output index × stride "
                f"{stride}) and takes {steps}. It is highlighted in green."
            )
            padded_input = np.pad(x, [(0, 0)] + [(padding, padding)] * ndim)
            window_cells = [tuple(cell) for cell in field.cells]
            for c in range(x.shape[0]):
                if ndim < 3:
                    show_spatial(padded_input[c], f"padded input channel {c}", kind="image", highlight=window_cells)
                else:
                    first = field.corner[0]
                    show_spatial(padded_input[c], f"padded input channel {c}", kind="image", depth=first,
                                 highlight=[cell[1:] for cell in window_cells if cell[0] == first])
            for c in range(x.shape[0]):
                st.markdown(f"**Input channel {c}**: window × kernel = products")
                window_column, kernel_col, product_column = st.columns(3)
                for column, values, title, kind in ((window_column, field.window[c], "window", "image"),
                                                    (kernel_col, field.kernel[c], "kernel", "signed"),
                                                    (product_column, field.products[c], "products", "signed")):
                    with column:
                        if ndim == 3:
                            for depth in range(values.shape[0]):
                                show_map(values[depth], f"{title}, kernel depth {depth}", kind=kind)
                        else:
                            show_spatial(values, title, kind=kind)
            st.latex(
                f"\\sum \\text{{products}} + b = {field.products.sum():.4f} + ({field.bias:g}) = {field.value:.4f}"
                f"\\qquad \\text{{output}}[{channel}, {cell_name}] = {output[(channel, *position)]:.4f}"
            )
            st.caption(f"Difference: {abs(field.value - output[(channel, *position)]):.1e}")

    with tabs[3]:
        if tabs[3].open:
            kind = st.radio("Upstream gradient dL/dO", conv_inputs.UPSTREAM_KINDS, index=2, horizontal=True,
                            key="conv_upstream", help="one-hot: dL/dX is the kernel, put back on the inspected window")
            grad_out = conv_inputs.upstream_gradient(kind, output.shape, (channel, *position))
            grads = backward(x, w, grad_out, stride, padding, dilation)
            grad_x, grad_w, grad_b = grads.grad_x, grads.grad_w, grads.grad_b
            st.markdown(
                "With $L = \\sum O \\cdot \\delta$ for the upstream gradient $\\delta$: every output sends "
                "δ × kernel back to its window of the input, and δ × window to the kernel. "
                f"dL/db = Σ δ per channel = {', '.join(f'{v:.3g}' for v in grad_b)}."
            )
            depth = x.shape[1] // 2 if ndim == 3 else 0
            columns = st.columns(x.shape[0] + 1)
            with columns[0]:
                show_spatial(grad_out[channel], f"δ = dL/dO, channel {channel}", kind="signed",
                             depth=min(depth, grad_out.shape[1] - 1) if ndim == 3 else 0,
                             max_width=fitting_width(len(columns)))
            for c in range(x.shape[0]):
                with columns[c + 1]:
                    show_spatial(grad_x[c], f"dL/dX, input channel {c}", kind="signed", depth=depth,
                                 max_width=fitting_width(len(columns)))
            st.markdown("**dL/dW**, one map per kernel slice")
            kernel_columns = st.columns(min(w.shape[0] * w.shape[1], 6))
            for index, (o, c) in enumerate(np.ndindex(w.shape[0], w.shape[1])):
                with kernel_columns[index % len(kernel_columns)]:
                    show_spatial(grad_w[o, c], f"dL/dW[{o}, {c}]", kind="signed", depth=w.shape[2] // 2)

            st.markdown("**The gradients are convolutions too** (computed a second way, compared with the fast path)")
            st.latex(
                "\\frac{\\partial L}{\\partial X} = "
                "\\operatorname{pad}_{d(k-1)}\\big(\\operatorname{dilate}_s(\\delta)\\big)"
                " \\star \\operatorname{flip}(W)^{\\top}"
                "\\qquad \\frac{\\partial L}{\\partial W} = X_{\\text{padded}} \\star \\operatorname{dilate}_s(\\delta)"
            )
            gap_x, gap_w = grads.input_gap, grads.weight_gap
            st.markdown(
                f"- dL/dX as the **full convolution** of δ (stride-dilated: {stride - 1} zero(s) between entries, "
                f"then padded by dilation·(k−1)) with the **flipped** kernel, channels swapped: "
                f"max difference **{gap_x:.1e}**\n"
                f"- dL/dW as the **correlation of the padded input with δ** (δ's entries {stride} apart, "
                f"window step {dilation}): max difference **{gap_w:.1e}**"
            )
            if ndim < 3:
                spread = conv.stride_dilate(grad_out[channel], stride, ndim)
                left, right = st.columns(2)
                with left:
                    show_spatial(spread, f"δ channel {channel} dilated by stride {stride}", kind="signed")
                with right:
                    show_spatial(conv.flip_kernel(w)[channel, 0], f"flipped kernel {channel}", kind="signed")

    with tabs[4]:
        if tabs[4].open:
            st.markdown(
                "The lecture's picture: inputs X1..X5, kernel W1..W3, outputs O1..O3. Each line is one term "
                "W_j·X_m of an output; **with your padding, stride and dilation**."
            )
            try:
                links = conv.connections(5, 3, **settings)
            except ValueError as error:
                st.error(f"The 5-input, 3-weight picture has no output for these settings: {error}.")
            else:
                draw("connection_chart", links, 5, 3, width="stretch")
                left, right = st.columns(2)
                with left:
                    st.markdown("**Which weight carries X_m into O_i**")
                    st.dataframe(conv_charts.connection_table(links, 5))
                    for line in conv_charts.forward_equations(links, 5):
                        st.latex(line)
                with right:
                    st.markdown("**Backward: each X collects δ × the weight from every output it reaches**")
                    for line in conv_charts.backward_equations(links, 5):
                        st.latex(line)
                    st.caption("The weights come in reverse order: that is the flipped kernel.")

    # --- 5. verification ------------------------------------------------------------------------
    st.subheader("Checks for these settings", anchor=False)
    verification = check(x, w, b, stride, padding, dilation)
    where = (f"checked on the top-left {'×'.join(map(str, verification.checked_input_shape[1:]))} crop of the "
             f"{'×'.join(map(str, x.shape[1:]))} input (the loop reference is slow)"
             if verification.cropped else "checked on the whole input")
    ui.verified_badge("Fast path vs loop reference (output, dL/dX, dL/dW)", verification.max_reference_error,
                      1e-9, where)
    ui.verified_badge("Backward pass vs central finite differences", verification.finite_difference_error, 1e-6,
                      "directional derivatives along random directions of X and W")
