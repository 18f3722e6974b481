"""The convolution lab's pictures: each view's drawing functions (output, channels, receptive
field, backward pass, the lecture's 1D picture), the inspected cell they share, the size formula,
the checks and the "Record this run" buttons. pages/conv_lab.py keeps the layout, the controls
and the order of the screen, and calls these.

The cached computations (load_input, forward, backward, check) are defined here once, so every
run and every session shares one cache.

Imports ui.lab_state and ui.widgets (and core). It may import the ui modules below it (lab_state,
rendering, review, notes_folder, components, widgets), never a page, frame or the other lab's module."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core import conv, messages
from core.conv import charts as conv_charts
from core.conv import formulas as conv_formulas
from core.conv import inputs as conv_inputs
from core.conv import lecture
from core.conv import records as conv_records
from core.conv import state as conv_state
from core.conv import view as conv_view
from core.messages import N_, _, ngettext
from ui import lab_state, widgets

CUSTOM = conv_state.CUSTOM
AXES = conv_view.AXES
PICK_CHARTS = ("output", "field", "signal")  # the names of the charts a click can pick a cell on
SMALL_MAP_WIDTH = 160  # a kernel-sized map, numbers written in its cells
MAP_WIDTH = 320  # pixels for a map beside another one: two fit the picture column at 1400 px and a phone
EXAMPLE_INPUTS, EXAMPLE_WEIGHTS, EXAMPLE_GRADS = lecture.EXAMPLE_INPUTS, lecture.EXAMPLE_WEIGHTS, lecture.EXAMPLE_GRADS
EXAMPLE_CELL = 58  # pixels per cell of the example's tables: five fit beside the picture and on a phone

load_input = st.cache_data(show_spinner=False, max_entries=16)(conv_view.load_input)
forward = st.cache_data(show_spinner=False, max_entries=16)(conv_view.forward)
backward = st.cache_data(show_spinner=False, max_entries=16)(conv_view.backward)
check = st.cache_data(show_spinner=False, max_entries=16)(conv_view.check)


@dataclass(frozen=True)
class Lab:
    """The lab's settings and results: x (C_in, *S), w (C_out, C_in, *K), b (C_out,), output
    (C_out, *O), partials (C_out, C_in, *O), the inspected cell (channel, *position) and its
    window products; names[o] labels kernel o."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray
    names: tuple[str, ...]
    stride: int
    padding: int
    dilation: int
    output: np.ndarray
    partials: np.ndarray
    cell: tuple[int, ...]
    field: conv.WindowProducts

    @property
    def ndim(self) -> int:
        return self.x.ndim - 1

    @property
    def settings(self) -> dict[str, int]:
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation)


TABLES_KEY = "conv_as_tables"
CHANNEL = N_("channel")  # the first index of an output cell, beside the axes (conv_view.AXES)


def draw(builder: str, *args, width: str = "content", **kwargs) -> None:
    widgets.chart(getattr(conv_charts, builder), *args, width=width, table=st.session_state.get(TABLES_KEY, False),
                  **kwargs)


def pick_round() -> int:
    return st.session_state.get("conv_pick_round", 0)


def pick_key(name: str) -> str:
    """A chart's selection key; it changes whenever the inspected cell changes, so the chart comes
    back with no stale selection and a click on any cell is always a new event."""
    return f"conv_pick_{name}_{pick_round()}"


def set_cell(cell: tuple[int, ...]) -> None:
    """Make `cell` (channel, *position) the inspected cell (callbacks and the index inputs)."""
    ndim = len(cell) - 1
    st.session_state["conv_cell_channel"] = int(cell[0])
    for axis, index in zip(AXES[ndim], cell[1:], strict=True):
        st.session_state[f"conv_cell_{axis}"] = int(index)
    st.session_state["conv_pick_round"] = st.session_state.get("conv_pick_round", 0) + 1


def apply_pick(output_shape: tuple[int, ...]) -> None:
    """If a pickable chart of the last run reports a clicked cell, make it the inspected one."""
    for name in PICK_CHARTS:
        event = st.session_state.get(pick_key(name))
        picked = conv_view.picked_cell(event.get("selection") if event else None, output_shape)
        if picked is not None:
            set_cell(picked)
            return


def current_cell(output_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The inspected cell, clamped into the output (so it stays put, not reset, when it shrinks)."""
    ndim = len(output_shape) - 1
    wanted = (st.session_state.get("conv_cell_channel", 0),) + tuple(
        st.session_state.get(f"conv_cell_{axis}", size // 2) for axis, size in zip(AXES[ndim], output_shape[1:],
                                                                                   strict=True))
    cell = conv_view.clamp_cell(wanted, output_shape)
    st.session_state["conv_cell_channel"] = cell[0]
    for axis, index in zip(AXES[ndim], cell[1:], strict=True):
        st.session_state[f"conv_cell_{axis}"] = index
    return cell


def current_ndim() -> int:
    return conv_state.input_ndim(st.session_state.get("conv_input", conv_state.INPUTS["digit"]))


def address_values(lab: Lab | None) -> dict:
    """The controls' values {session key: value}, with the inspected cell and a chosen custom kernel."""
    values = {param.key: st.session_state.get(param.key, param.default)
              for param in conv_state.params_for(current_ndim())}
    values[conv_state.CELL_KEY] = list(lab.cell) if lab is not None else None
    custom = st.session_state.get(conv_state.CUSTOM_KEY)
    chosen = st.session_state.get(f"conv_kernels_{current_ndim()}d", [])
    values[conv_state.CUSTOM_KEY] = np.atleast_2d(custom).tolist() if CUSTOM in chosen and custom is not None else None
    return values


def channel_picker(lab: Lab) -> None:
    """With several kernels: which output channel the views show (the inspected cell's channel)."""
    if lab.w.shape[0] == 1:
        return
    key = f"conv_channel_{pick_round()}"
    st.segmented_control(
        _("Output channel"), list(range(lab.w.shape[0])), default=lab.cell[0], key=key, required=True,
        format_func=lambda o: f"{o}: {_(lab.names[o])}" if o < len(lab.names) else str(o),
        on_change=lambda: set_cell((st.session_state[key], *lab.cell[1:])))


def index_inputs(lab: Lab) -> None:
    """The inspected cell by index, for the keyboard (the same cell a click on a map picks)."""
    columns = st.columns(lab.ndim + 1)
    names = (CHANNEL,) + AXES[lab.ndim]
    keys = [f"conv_index_{name}_{pick_round()}" for name in names]

    def typed() -> None:
        set_cell(tuple(st.session_state.get(key, index) for key, index in zip(keys, lab.cell, strict=True)))

    for column, name, key, index, size in zip(columns, names, keys, lab.cell, lab.output.shape, strict=True):
        column.number_input(_("Output {name}").format(name=_(name)), 0, size - 1, index, key=key, on_change=typed)
    announce_cell(lab)


def announce_cell(lab: Lab) -> None:
    """A polite live region naming the inspected cell and its value: a screen reader hears the
    new cell whenever the index inputs (or a click on the map) move it."""
    names = (CHANNEL,) + AXES[lab.ndim]
    where = ", ".join(f"{_(name)} {index}" for name, index in zip(names, lab.cell, strict=True))
    value = float(lab.output[tuple(lab.cell)])
    text = html.escape(_("Inspected output cell: {where}; value {value}").format(where=where, value=f"{value:.4g}"))
    # Read out by screen readers when the cell changes; the number inputs above already show it on
    # the screen, so it takes no room there (visually hidden, the usual sr-only pattern).
    st.html(f'<p class="studylab-live" aria-live="polite" aria-atomic="true" style="position:absolute;width:1px;'
            f'height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0">'
            f'{text}</p>')


def output_map(lab: Lab, depth: int = 0, *, name: str = "output") -> None:
    """The inspected channel of the output as a pickable map (a slice at `depth` for 3D)."""
    channel = lab.cell[0]
    values = lab.output[channel] if lab.ndim == 2 else lab.output[channel, depth]
    selected = lab.cell[1:] if lab.ndim == 2 else (lab.cell[2:] if lab.cell[1] == depth else None)
    where = dict(channel=channel) if lab.ndim == 2 else dict(channel=channel, depth=depth)
    title = (_("output channel {channel}, depth {depth} · click a cell") if lab.ndim == 3
             else _("output channel {channel} · click a cell")).format(channel=channel, depth=depth)
    draw("heatmap", values, title=title, selected=selected, max_width=MAP_WIDTH, pick=where,
         on_select="rerun", select_key=pick_key(name))


def input_map(lab: Lab, channel: int, depth: int = 0) -> None:
    """One input channel with the inspected cell's window outlined; with padding, the input is drawn
    inside its ring of padding zeros (as CNN Explainer does) and the window may reach into it."""
    _inside, on_padding = conv_view.window_in_input(lab.field.cells, lab.padding, lab.x.shape[1:])
    pad = lab.padding
    window = [tuple(int(i) for i in cell) for cell in lab.field.cells]  # padded-input indices
    if lab.ndim == 3:
        window = [cell[1:] for cell in window if cell[0] - pad == depth]
    values = lab.x[channel] if lab.ndim == 2 else lab.x[channel, depth]
    values = np.pad(values, pad)
    title = (_("input channel {channel}, depth {depth}") if lab.ndim == 3
             else _("input channel {channel}")).format(channel=channel, depth=depth)
    if pad:  # the padding's size stays out of the title: the chart's spec, unchanged, only gets new data
        title = _("{title} (padding: grey ring)").format(title=title)
    draw("heatmap", values, title=title, highlight=window, kind="image", max_width=MAP_WIDTH, padding=pad)
    if on_padding:
        st.caption(_("{count} of the window's {total} taps fall on padding zeros.").format(
            count=on_padding, total=len(lab.field.cells)))


def products_and_sum(lab: Lab, channel: int = 0) -> None:
    """The inspected cell's sum: window × kernel = products for one input channel, and the total."""
    value = float(lab.output[lab.cell])
    st.latex(conv_view.sum_latex(lab.field, lab.cell, value))
    parts = (lab.field.window[channel], lab.field.kernel[channel], lab.field.products[channel])
    if lab.ndim == 3:
        middle = lab.w.shape[2] // 2
        parts = tuple(part[middle] for part in parts)
        st.caption(_("Kernel depth slice {middle} of {depth}; the Receptive field view shows every slice.").format(
            middle=middle, depth=lab.w.shape[2]))
    elif lab.ndim == 1:
        parts = tuple(part[None] for part in parts)
    if lab.x.shape[0] > 1:
        st.caption(_("Input channel {channel} of {count}; the sum runs over every channel.").format(
            channel=channel, count=lab.x.shape[0]))
    window_kernel_products(*parts)


def window_kernel_products(window: np.ndarray, kernel: np.ndarray, products: np.ndarray) -> None:
    """Three small maps in a row (stacked on a phone): the window, the kernel, their products."""
    for column, values, title, kind in zip(st.columns(3), (window, kernel, products),
                                           (_("window"), _("× kernel"), _("= products")), ("image", "signed", "signed"),
                                           strict=True):
        with column:
            draw("heatmap", values, title=title, kind=kind, max_width=SMALL_MAP_WIDTH)


def depth_slider(lab: Lab) -> int:
    """3D: the output depth slice to show, which is the inspected cell's depth."""
    if lab.output.shape[1] == 1:
        return 0
    key = f"conv_depth_{pick_round()}"
    st.slider(_("Output depth slice (the inspected cell's depth)"), 0, lab.output.shape[1] - 1, lab.cell[1], key=key,
              on_change=lambda: set_cell((lab.cell[0], st.session_state[key], *lab.cell[2:])))
    return lab.cell[1]


def output_view(lab: Lab) -> None:
    channel_picker(lab)
    if lab.ndim == 1:
        one_d_signals(lab)
        products_and_sum(lab)
        return
    depth_in = depth_out = 0
    if lab.ndim == 3:
        depth_out = depth_slider(lab)
        centre = lab.field.corner[0] - lab.padding + lab.dilation * (lab.w.shape[2] // 2)
        depth_in = min(max(centre, 0), lab.x.shape[1] - 1)
    shown_channel = 0
    if lab.x.shape[0] > 1:
        shown_channel = st.segmented_control(_("Input channel shown"), list(range(lab.x.shape[0])),
                                             format_func=lambda c: "RGB"[c] if lab.x.shape[0] == 3 else str(c),
                                             key="conv_in_channel", required=True, persist_state="session") or 0
    left, right = st.columns(2, gap="medium")
    with left:
        input_map(lab, shown_channel, depth_in)
        if lab.ndim == 3:
            st.caption(_("Input depth slice {depth}: the middle of the inspected cell's window.").format(
                depth=depth_in))
    with right:
        output_map(lab, depth_out)
    products_and_sum(lab, shown_channel)


def one_d_signals(lab: Lab) -> None:
    """1D: input and outputs on one axis, outputs at their windows' centres; click an output point."""
    series = {_("input ch {channel}").format(channel=c): lab.x[c] for c in range(lab.x.shape[0])}
    outputs = {_("output ch {channel} ({kernel})").format(channel=o, kernel=_(lab.names[o]) if o < len(lab.names)
                                                           else o): lab.output[o]
               for o in range(lab.output.shape[0])}
    centres = (np.arange(lab.output.shape[1]) * lab.stride - lab.padding
               + lab.dilation * (lab.w.shape[2] - 1) / 2)
    start = lab.field.corner[0] - lab.padding
    window = (start, start + lab.dilation * (lab.w.shape[2] - 1))
    names = list(outputs)
    draw("signal_chart", series | outputs, title=_("Input and output · click an output point"), highlight=window,
         positions={name: centres for name in outputs}, pick={name: o for o, name in enumerate(names)},
         selected=(names[lab.cell[0]], lab.cell[1]), width="stretch", on_select="rerun",
         select_key=pick_key("signal"))
    st.caption(_("Each output value is drawn at the centre of its window, in input positions "
                 "(output p reads from input position p·stride − padding on). Shaded: the inspected cell's window."))


def channels_view(lab: Lab) -> None:
    st.markdown(
        _("Each kernel has one slice per input channel (here {channels}). Output channel o is the **sum** of the "
          "input channels' partial results, **plus the bias**: {formula}.").format(
            channels=lab.x.shape[0], formula="$O_o = \\sum_c X_c \\star W_{o,c} + b_o$")
        + " " + _("{count} kernel(s) give {count} output channel(s).").format(count=lab.w.shape[0])
    )
    depth = lab.output.shape[1] // 2 if lab.ndim == 3 else 0
    for o in range(lab.output.shape[0]):
        st.markdown(_("**Output channel {channel}**").format(channel=o))
        columns = st.columns(min(lab.x.shape[0] + 1, 4))
        maps = [(lab.partials[o, c], _("channel {channel} partial").format(channel=c)) for c in range(lab.x.shape[0])]
        maps.append((lab.output[o], _("sum + bias ({bias})").format(bias=f"{lab.b[o]:g}")))
        width = MAP_WIDTH if len(columns) <= 2 else 200
        for index, (values, title) in enumerate(maps):
            with columns[index % len(columns)]:
                spatial_map(values, title, depth=depth, max_width=width)
        gap = float(np.max(np.abs(lab.partials[o].sum(axis=0) + lab.b[o] - lab.output[o])))
        st.caption(_("max |Σ partials + bias − output| = {gap}").format(gap=f"{gap:.1e}"))


def spatial_map(values: np.ndarray, title: str, *, kind: str = "auto", depth: int = 0, max_width: int = MAP_WIDTH,
                highlight=(), padding: int = 0) -> None:
    """Any single-channel spatial array (*S): a line for long 1D, a map for 2D, slice `depth` of 3D;
    `padding` marks the outer ring of that many cells as padding zeros on a map."""
    if values.ndim == 1 and values.size > 12:
        cells = [cell[0] for cell in highlight]
        draw("signal_chart", {title: values}, highlight=(min(cells), max(cells)) if cells else None, height=140,
             width="stretch")
    elif values.ndim == 1:
        draw("heatmap", values[None], title=title, kind=kind, highlight=[(0, cell[0]) for cell in highlight],
             max_width=max_width, padding=(0, padding))
    elif values.ndim == 2:
        draw("heatmap", values, title=title, kind=kind, highlight=highlight, max_width=max_width, padding=padding)
    else:
        draw("heatmap", values[depth], title=_("{title}, depth slice {depth}").format(title=title, depth=depth),
             kind=kind, highlight=highlight,
             max_width=max_width, padding=padding)


def receptive_field_view(lab: Lab) -> None:
    index_inputs(lab)
    field, cell = lab.field, lab.cell
    cell_name = ", ".join(str(p) for p in cell[1:])
    corner_name = ", ".join(str(p) for p in field.corner)
    steps = (_("neighbouring entries") if lab.dilation == 1
             else _("every {dilation}-th entry (dilation {dilation})").format(dilation=lab.dilation))
    padded_input = np.pad(lab.x, [(0, 0)] + [(lab.padding, lab.padding)] * lab.ndim)
    padded_title = _("padded input channel 0")
    if lab.padding:
        padded_title = _("{title} (padding: grey ring)").format(title=padded_title)
    window_cells = [tuple(int(i) for i in c) for c in field.cells]
    left, right = st.columns(2, gap="medium")
    with left:
        if lab.ndim == 1:
            spatial_map(padded_input[0], padded_title, kind="image", highlight=window_cells,
                        padding=lab.padding)
        elif lab.ndim == 2:
            spatial_map(padded_input[0], padded_title, kind="image", highlight=window_cells,
                        padding=lab.padding)
        else:
            first = field.corner[0]
            spatial_map(padded_input[0], padded_title, kind="image", depth=first,
                        highlight=[c[1:] for c in window_cells if c[0] == first], padding=lab.padding)
    with right:
        if lab.ndim == 1:
            one_d_signals(lab)
        else:
            output_map(lab, lab.cell[1] if lab.ndim == 3 else 0, name="field")
    # Under the pictures, so that they stay in the first screen beside the controls.
    reads = (_("Output channel {channel} at ({cell}) reads the window of the zero-padded input that starts at "
               "({corner}) (= output index × stride {stride}) and takes {steps}.") if lab.padding else
             _("Output channel {channel} at ({cell}) reads the window of the input that starts at ({corner}) "
               "(= output index × stride {stride}) and takes {steps}."))
    st.markdown(reads.format(channel=cell[0], cell=cell_name, corner=corner_name, stride=lab.stride, steps=steps)
                + " " + _("It is outlined in green; click a cell of the output to inspect another."))
    for c in range(lab.x.shape[0]):
        parts = (field.window[c], field.kernel[c], field.products[c])
        if lab.ndim < 3:
            st.markdown(_("**Input channel {channel}**: window × kernel = products").format(channel=c))
            window_kernel_products(*(part if lab.ndim == 2 else part[None] for part in parts))
        for depth in range(parts[0].shape[0] if lab.ndim == 3 else 0):
            st.markdown(_("**Input channel {channel}, kernel depth {depth}**: window × kernel = products").format(
                channel=c, depth=depth))
            window_kernel_products(*(part[depth] for part in parts))
    value = float(lab.output[cell])
    st.latex(conv_view.sum_latex(field, cell, value))
    st.caption(_("Difference between the sum and the output: {gap}").format(gap=f"{abs(field.value - value):.1e}"))


def backward_view(lab: Lab) -> None:
    kind = st.radio(_("Upstream gradient dL/dO"), conv_inputs.UPSTREAM_KINDS, horizontal=True, format_func=_,
                    key="conv_upstream", persist_state="session",
                    help=_("one-hot: dL/dX is the kernel put back on the inspected cell's window (its taps "
                           "dilation apart; taps that fall on the padding are dropped)"))
    grad_out = conv_inputs.upstream_gradient(kind, lab.output.shape, lab.cell)
    grads = backward(lab.x, lab.w, grad_out, lab.stride, lab.padding, lab.dilation)
    st.markdown(
        _("With $L = \\sum O \\cdot \\delta$ for the upstream gradient $\\delta$: every output sends "
          "δ × kernel back to its window of the input, and δ × window to the kernel.")
        + " " + _("dL/db = Σ δ per channel = {values}.").format(values=", ".join(f"{v:.3g}" for v in grads.grad_b))
    )
    channel = lab.cell[0]
    depth = lab.x.shape[1] // 2 if lab.ndim == 3 else 0
    columns = st.columns(2, gap="medium")
    with columns[0]:
        spatial_map(grad_out[channel], _("δ = dL/dO, channel {channel}").format(channel=channel), kind="signed",
                    depth=min(depth, grad_out.shape[1] - 1) if lab.ndim == 3 else 0)
    with columns[1]:
        spatial_map(grads.grad_x[0], _("dL/dX, input channel 0"), kind="signed", depth=depth)
    st.markdown(_("**dL/dW**, one map per kernel slice"))
    kernel_columns = st.columns(min(lab.w.shape[0] * lab.w.shape[1], 6))
    for index, (o, c) in enumerate(np.ndindex(lab.w.shape[0], lab.w.shape[1])):
        with kernel_columns[index % len(kernel_columns)]:
            spatial_map(grads.grad_w[o, c], f"dL/dW[{o}, {c}]", kind="signed", depth=lab.w.shape[2] // 2,
                        max_width=160)
    shown = conv_formulas.backward_formulas(lab.stride, lab.padding, lab.dilation)
    st.markdown(_("**The gradients are convolutions too**, here for stride {stride}, padding {padding} and "
                  "dilation {dilation} (computed this second way and compared with the fast path)").format(
        stride=lab.stride, padding=lab.padding, dilation=lab.dilation))
    st.latex(shown.input_latex)
    st.latex(shown.weight_latex)
    measured = _("{words} Measured: max difference **{gap}**")
    st.markdown(f"- {measured.format(words=shown.input_words, gap=f'{grads.input_gap:.1e}')}\n"
                f"- {measured.format(words=shown.weight_words, gap=f'{grads.weight_gap:.1e}')}")
    st.caption(_("⋆ is cross-correlation (⋆_d: the kernel's taps d apart); δ̃ and X̃ name the padded arrays; "
                 "dilate_s puts s − 1 zeros between "
                 "neighbouring entries; pad_q adds q zeros on each side; flip(W)^⊤ turns the kernel 180° and swaps "
                 "its input and output channels; [m + p] reads from position p on, [d·j] every d-th value.")
               + " " + _("With stride 1, no padding and dilation 1 these are the lecture's two formulas."))
    if lab.ndim < 3:
        spread = conv.stride_dilate(grad_out[channel], lab.stride, lab.ndim)
        left, right = st.columns(2, gap="medium")
        with left:
            spatial_map(spread, _("δ channel {channel} dilated by stride {stride}").format(
                channel=channel, stride=lab.stride), kind="signed")
        with right:
            spatial_map(conv.flip_kernel(lab.w)[channel, 0], _("flipped kernel {channel}").format(channel=channel),
                        kind="signed")


def number_row(label: str, key: str, names: list[str], default: tuple[float, ...]) -> np.ndarray:
    """One editable row of numbers, one column per name; returns (len(names),) with NaN where a
    cell is empty. The row's value lives in st.session_state[key] as comma-separated text (what
    a link can carry): text written there by anyone but this table starts a fresh table."""
    state = st.session_state
    values = lecture.values_from_text(state.get(key), len(names), default)
    if f"_{key}_round" not in state or state.get(f"_{key}_echo") != state.get(key):
        state[f"_{key}_round"] = state.get(f"_{key}_round", 0) + 1
    cell = st.column_config.NumberColumn(min_value=-lecture.LIMIT, max_value=lecture.LIMIT, width=EXAMPLE_CELL)
    st.caption(label)
    frame = st.data_editor(pd.DataFrame([values], columns=names), key=f"{key}_table_{state[f'_{key}_round']}",
                           hide_index=True, column_config={name: cell for name in names})
    values = frame.to_numpy(dtype=float, na_value=np.nan)[0]
    state[key] = state[f"_{key}_echo"] = lecture.values_text(values)
    return values


def lecture_numbers(outputs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The example's three tables: five inputs, three weights, one upstream gradient per output;
    None after naming the empty cells."""
    rows = ((_("**Inputs** (click a cell to type)"), "conv_ex_x", "X", 5, EXAMPLE_INPUTS),
            (_("**Weights**"), "conv_ex_w", "W", 3, EXAMPLE_WEIGHTS),
            (_("**Upstream gradients** δ_i = dL/dO_i, one per output ({count})").format(count=outputs), "conv_ex_d",
             "δ", outputs, EXAMPLE_GRADS))
    numbers, blank = [], []
    for label, key, letter, count, default in rows:
        names = [f"{letter}{i + 1}" for i in range(count)]
        numbers.append(number_row(label, key, names, default))
        blank += lecture.blank_cells(names, numbers[-1])
    if blank:
        st.warning(ngettext("Type a number in every cell: {cells} is empty or not a number the example can take "
                            "(numbers up to ±{limit}).",
                            "Type a number in every cell: {cells} are empty or not a number the example can take "
                            "(numbers up to ±{limit}).", len(blank)).format(
            cells=", ".join(blank), limit=messages.format_number(lecture.LIMIT, 0)), icon=":material/edit:")
        return None
    return numbers[0], numbers[1], numbers[2]


def one_d_picture_view(settings: dict[str, int]) -> None:
    st.markdown(
        _("The lecture's picture: inputs X1..X5, kernel W1..W3, outputs O_i, **with your padding, stride and "
          "dilation**.") + " " + _("Each line is one term W_j·X_m of an output.") + " "
        + _("Type your own numbers; the loss is $L = \\sum_i \\delta_i O_i$, so "
            "$\\delta_i = \\partial L / \\partial O_i$.")
    )
    st.caption(_("As in the lecture, O_i is a cross-correlation with no bias: the input, kernel, bias and "
                 "Flip controls on the left are for the other views."))
    try:
        outputs = lecture.output_count(5, 3, **settings)
    except ValueError as error:
        st.error(_("The 5-input, 3-weight picture has no output for these settings: {reason}.").format(reason=error))
        return
    links = conv.connections(5, 3, **settings)
    tables, picture = st.columns(2, gap="medium")
    with tables:
        numbers = lecture_numbers(outputs)
        follow = st.segmented_control(_("Follow an input's paths"), list(conv_state.FOLLOW.values()),
                                      key="conv_ex_follow")
    example = None if numbers is None else lecture.lecture_example(*numbers, **settings)
    followed = None if follow is None else int(follow[1:]) - 1
    with picture:
        draw("connection_chart", links, 5, 3, width="stretch", follow=followed,
             inputs=None if numbers is None else tuple(numbers[0]),
             outputs=None if example is None else tuple(example.outputs))
        if example is not None and followed is not None:
            reached = ", ".join(f"O{i + 1}" for i in example.paths[followed])
            st.caption(_("X{input} reaches {outputs}; its gradient collects δ × weight along those lines:").format(
                input=followed + 1, outputs=reached) if reached else
                _("X{input} reaches no output (the stride or the dilation skips it), so its gradient is 0:").format(
                    input=followed + 1))
            st.latex(lecture.grad_x_lines(example, per_row=3)[followed])
    if example is None:
        return
    lecture_sums(example, links)
    record_example(example, settings)


def record_example(example: lecture.LectureExample, settings: dict[str, int]) -> None:
    """The 1D picture's "Record this run": its settings and typed numbers, and every result."""
    query = conv_state.record_query(address_values(None), current_ndim(), 1)
    numbers = ", ".join(f"{value:g}" for value in example.x)
    title = f"1D example: X = {numbers}; padding {settings['padding']}, stride {settings['stride']}, " \
            f"dilation {settings['dilation']}"
    lab_state.record_run_button("conv", "1d", title, query, lambda: conv_records.example_record(example))


def lecture_sums(example: lecture.LectureExample, links: list) -> None:
    """The example's numbers in a table, then every sum that produces them."""
    st.markdown(_("**Your numbers**"))
    st.markdown(lecture_table(example))
    st.markdown(_("**Which weight carries X_m into O_i**"))
    st.dataframe(conv_charts.connection_table(links, 5))
    sections = ((_("**Forward**: each output sums weight × input over its window"), lecture.output_lines),
                (_("**dL/dX**: each input collects δ × weight from every output it reaches (the weights come in "
                   "reverse order: the flipped kernel)"), lecture.grad_x_lines),
                (_("**dL/dW**: each weight collects δ × the input it met, over every output"), lecture.grad_w_lines))
    for heading, lines in sections:
        st.markdown(heading)
        for line in lines(example, per_row=3):
            st.latex(line)
    widgets.verified_badge(_("Every number = the sum written under it"), lecture.sums_gap(example), 1e-9,
                           _("the numbers come from core.conv's conv1d and its backward pass, the sums are added up "
                             "term by term; the tests also compare them with a plain loop for random numbers and "
                             "settings"))


def lecture_table(example: lecture.LectureExample) -> str:
    """A markdown table: i, O_i, dL/dX_i, dL/dW_i (blank past each one's length)."""
    columns = (example.outputs, example.grad_x, example.grad_w)
    rows = ["| i | O_i | dL/dX_i | dL/dW_i |", "|---|---|---|---|"]
    for i in range(max(len(values) for values in columns)):
        cells = [format(float(values[i]) + 0.0, ".4g") if i < len(values) else "" for values in columns]
        rows.append(f"| {i + 1} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def output_size(lab: Lab) -> None:
    """The output shape in one line, the size formula with the numbers in an expander below it."""
    st.markdown(conv_view.shape_summary(lab.x.shape, lab.output.shape, lab.w.shape))
    for message in conv_view.dropped_messages(lab.x.shape[1:], lab.w.shape[2:], **lab.settings):
        st.info(message, icon=":material/content_cut:")
    formula = st.expander(_("How the output size is computed"), key="conv_size_help", on_change="rerun")
    if formula.open:  # drawn only while open: a closed expander costs nothing on each gesture
        with formula:
            st.latex(conv_charts.SIZE_FORMULA)
            st.caption(_("n input size, k kernel size, p padding on each side, s stride, d dilation; per axis:"))
            for axis, n, k in zip(AXES[lab.ndim], lab.x.shape[1:], lab.w.shape[2:], strict=False):
                st.latex(conv_charts.size_formula_latex(n, k, axis=axis, **lab.settings))


def checks(lab: Lab) -> None:
    verification = check(lab.x, lab.w, lab.b, lab.stride, lab.padding, lab.dilation)
    shape = "×".join(map(str, verification.checked_input_shape[1:]))
    where = (_("checked on the top-left {crop} crop of the {shape} input (the loop reference is slow)").format(
        crop=shape, shape="×".join(map(str, lab.x.shape[1:]))) if verification.cropped
        else _("checked on the whole input"))
    widgets.verified_badge(_("Fast path vs loop reference (output, dL/dX, dL/dW)"), verification.max_reference_error,
                           1e-9, where)
    widgets.verified_badge(_("Backward pass vs central finite differences"), verification.finite_difference_error,
                           1e-6, _("directional derivatives along random directions of X and W"))


def record(lab: Lab, view: str) -> None:
    """The lab's "Record this run" button (the results are measured only when it is pressed)."""
    values = address_values(lab)
    query = conv_state.record_query(values, lab.ndim, lab.x.shape[0])
    code = next(code for code, label in conv_state.VIEWS.items() if label == view)
    title = f"{' + '.join(lab.names)} on {conv_state.input_code(st.session_state['conv_input'])}, padding " \
            f"{lab.padding}, stride {lab.stride}, dilation {lab.dilation}"
    lab_state.record_run_button("conv", code, title, query, lambda: conv_records.conv_record(
        lab.output, lab.cell, check(lab.x, lab.w, lab.b, lab.stride, lab.padding, lab.dilation)))
