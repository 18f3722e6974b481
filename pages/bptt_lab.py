"""BPTT gradient explorer: vanishing and exploding gradients, truncation, clipping and the
counting RNN of the assignment, every gradient checked against finite differences.

Layout: a segmented control picks one tab; a tab has its controls in a column beside the
model's intro and its pictures, and a second segmented control picks the part of the tab the
pictures show (only that part is computed and drawn). A tab's controls and pictures are one fragment: a control's change
reruns just that fragment, in one run (a callback asking for a fragment's rerun would cost a
second run), never the app's navigation or sidebar, and a control whose range follows another
(K's follows T) is drawn again with it. Each tab's parts and sections are functions in
ui.bptt_lab.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from core.messages import N_, _
from core.rnn import records as bptt_records
from core.rnn import state as bptt_state
from core.rnn import view as rnn_view
from ui import bptt_lab, frame, lab_state, widgets

frame.app_frame()

TABS = list(bptt_state.TABS.values())
ASSIGNMENT_VIEWS = list(bptt_state.ASSIGNMENT_PARTS.values())
DEEP_VIEWS = list(bptt_state.DEEP_PARTS.values())
GATED_VIEWS = list(bptt_state.GATED_PARTS.values())
STEP_BY_STEP = bptt_state.ASSIGNMENT_PARTS["steps"]
DEFAULTS = bptt_state.DEFAULTS

# A link (or Back and Forward) sets the controls first. Only one view is drawn per run, and
# Streamlit forgets the values of widgets it did not draw; writing every value back (or its
# default, the first time) keeps the hidden views' settings.
linked = lab_state.apply_url("bptt", bptt_state.PARAMS)
for key, default in DEFAULTS.items():
    st.session_state[key] = st.session_state.get(key, default)
if linked:
    lab_state.add_url_notices("bptt", bptt_state.window_notices(st.query_params.to_dict(), st.session_state))


def assignment_controls() -> None:
    kept = dict(persist_state="session")
    for weight in ("w_x", "w_rec"):  # the weights' names in the assignment's code, in every language
        st.slider(weight, -3.0, 3.0, step=0.01, key=f"bptt_{weight}", **kept)
    # The step-by-step part runs the sequence typed beside it: T, the batch, the seed and K are the other parts'.
    own = st.session_state.get("bptt_assign_part") == STEP_BY_STEP
    T = st.slider(_("sequence length T"), 1, 1000, key="bptt_T", disabled=own, **kept)
    st.slider(_("batch size"), 1, 256, key="bptt_batch", disabled=own, **kept)
    st.number_input(_("seed"), 0, 10_000, key="bptt_seed", disabled=own, **kept)
    st.session_state["bptt_K"] = min(st.session_state["bptt_K"], T)
    st.slider(_("truncation window K"), 1, max(T, 2), key="bptt_K", disabled=T == 1 or own, **kept)
    st.multiselect(_("compare with w_rec"), bptt_state.COMPARE_RATES, key="bptt_compare", max_selections=4,
                   help=_("Draw the gradient over time for these w_rec too (dashed)"), disabled=own,
                   placeholder=_("Choose options"), **kept)
    if own:
        st.caption(_("Step by step runs the one sequence typed beside it with full BPTT; T, the batch, the seed, "
                     "K and the compared w_rec are for the other parts."))


def sub_view(options: list[str], key: str) -> str:
    """Which part of a tab the pictures column shows (only that part is computed and drawn)."""
    return st.segmented_control(_("Part"), options, key=key, required=True, format_func=_,
                                label_visibility="collapsed", persist_state="session") or options[0]


def address() -> None:
    """The explorer's state in the address bar, after every run of a tab's pictures."""
    values = {key: st.session_state.get(key) for key in DEFAULTS}
    lab_state.write_url("bptt", bptt_state.PARAMS, values, always=("tab",))


def assignment_pictures() -> None:
    address()
    w_x, w_rec, T, batch, seed, K = bptt_lab.assignment_settings()
    part = sub_view(ASSIGNMENT_VIEWS, "bptt_assign_part")
    if part == STEP_BY_STEP:
        bptt_lab.step_by_step_section(w_x, w_rec)
        return
    view = bptt_lab.compute("assignment_view", w_x, w_rec, T, batch, seed, K)
    if part == "Gradient and rules":
        bptt_lab.gradient_section(view, w_rec, T)
        bptt_lab.badge(bptt_lab.compute("verify_assignment", w_x, w_rec, T, batch, seed, K))
        bptt_lab.rules_section(view, w_rec)
    elif part == "Truncation":
        bptt_lab.truncation_section(view, w_x, w_rec, T, batch, seed)
    else:
        bptt_lab.training_section(T, batch, seed)
    stored = st.session_state.get("bptt_runs")
    runs = stored["runs"] if part == ASSIGNMENT_VIEWS[2] and stored and stored["data"] == (T, batch, seed) else None
    bptt_lab.record("assignment", f"Counting RNN, w_rec = {w_rec:g}, T = {T}, K = {K}",  # a record's title: English
                    lambda: bptt_records.assignment_record(view, w_rec, runs,
                                                           bptt_lab.compared(w_x, T, batch, seed, K)))


def deep_controls() -> None:
    kept = dict(persist_state="session")
    st.slider(_("spectral radius of W_hh"), 0.1, 3.0, step=0.05, key="bptt_radius", **kept)
    st.slider(_("hidden size H"), 4, 64, key="bptt_H", **kept)
    T = st.slider(_("sequence length T"), 10, 500, key="bptt_deep_T", **kept)
    st.number_input(_("seed"), 0, 10_000, key="bptt_deep_seed", **kept)
    st.session_state["bptt_deep_K"] = min(st.session_state["bptt_deep_K"], T)
    # K, p and the draws change only the Truncation and Monte Carlo parts.
    idle = st.session_state.get("bptt_deep_part", DEEP_VIEWS[0]) in ("Decay", "Two paths")
    st.slider(_("truncation window K"), 1, T, key="bptt_deep_K", disabled=idle, **kept)
    st.slider(_("randomized: continuation probability p"), 0.5, 0.99, step=0.01, key="bptt_p", disabled=idle, **kept)
    st.slider(_("Monte Carlo draws"), 10, 400, step=10, key="bptt_draws", disabled=idle, **kept)
    if idle:
        st.caption(_("K, p and the draws are used by the Truncation and Monte Carlo parts."))


def deep_pictures() -> None:
    address()
    radius, H, T, seed, K, p, draws = bptt_lab.deep_settings()
    part = sub_view(DEEP_VIEWS, "bptt_deep_part")
    if part == "Decay":
        bptt_lab.decay_part(radius, H, T, seed, K)
    elif part == "Truncation":
        bptt_lab.truncation_part(radius, H, T, seed, K, p, draws)
    elif part == "Monte Carlo":
        bptt_lab.monte_carlo_part(radius, H, T, seed, K, p, draws)
    else:
        bptt_lab.two_paths_part(radius, H, T, seed)
    bptt_lab.record("deep", f"tanh RNN, radius {radius:g}, H = {H}, T = {T}, K = {K}: {part}",
                    lambda: bptt_records.deep_record(bptt_lab.compute("deep_view", radius, H, T, seed, K, p, draws),
                                                     part, radius, H, T, seed))


def gated_controls() -> None:
    kept = dict(persist_state="session")
    st.slider(_("forget / update gate bias"), -3.0, 6.0, step=0.25, key="bptt_gate_bias", **kept)
    st.slider(_("hidden size H"), 4, 64, key="bptt_gated_H", **kept)
    st.slider(_("sequence length T"), 10, 500, key="bptt_gated_T", **kept)
    st.slider(_("recurrent scale"), 0.5, 2.0, step=0.05, key="bptt_gated_radius", **kept)
    st.number_input(_("seed"), 0, 10_000, key="bptt_gated_seed", **kept)


def gated_pictures() -> None:
    address()
    bias, H, T, radius, seed = (bptt_lab.value(key) for key in ("bptt_gate_bias", "bptt_gated_H", "bptt_gated_T",
                                                                "bptt_gated_radius", "bptt_gated_seed"))
    slow = T * H * H > bptt_lab.SLOW
    part = sub_view(GATED_VIEWS, "bptt_gated_part")
    if part == "Decay":
        curves = bptt_lab.computed(_("Running the tanh RNN, LSTM and GRU…") if slow else None, "gated_curves", H, T,
                                   seed, bias, radius)
        bptt_lab.draw("step_norms_chart", curves, "||dL/dh_t||: tanh RNN, LSTM, GRU", _("cell"))
        st.caption(_("Gate bias {bias}: the forget gate (LSTM) and update gate (GRU) start near "
                     "sigmoid({bias}) = {value}.").format(bias=f"{bias:g}", value=f"{1 / (1 + np.exp(-bias)):.3f}"))
        bptt_lab.dropped_caption(curves, "norm", "series", "t",
                                 _("Norms beyond float64, or exactly 0, cannot sit on a log axis."))
    else:
        sweep = bptt_lab.computed(_("Running LSTM and GRU for {count} gate biases through T = {T} steps…").format(
            count=len(rnn_view.GATE_BIASES), T=T) if slow else None, "gate_bias_sweep", H, T, seed, radius)
        bptt_lab.draw("gate_bias_chart", sweep, bias)
        st.caption(_("||dL/dh_0|| / ||dL/dh_T|| for each gate bias; the dashed line is yours."))
        bptt_lab.dropped_caption(sweep, "surviving", "cell", "bias",
                                 _("A ratio beyond float64, or exactly 0, cannot sit on a log axis."))
    bptt_lab.badge(bptt_lab.computed(_("Checking the gradients…") if slow else None, "verify_gated", H, T, seed, bias,
                                     radius))
    bptt_lab.record("gated", f"Gated cells, gate bias {bias:g}, H = {H}, T = {T}",
                    lambda: bptt_records.gated_record(bptt_lab.compute("gated_curves", H, T, seed, bias, radius), bias))


ASSIGNMENT_INTRO = N_(
    "The assignment's RNN has one weight for the input and one for the recurrence: "
    "$S_k = w_{rec} S_{k-1} + w_x X_k$ ($X_k$ is the input read at step $k = 1, \\dots, T$; $S_0 = 0$), trained "
    "so that $S_T$ counts the ones in a binary sequence (loss: mean of $(S_T - \\text{count})^2$; the answer is "
    "$w_x = w_{rec} = 1$)."
)
DEEP_INTRO = N_(
    "A tanh RNN $h_t = \\tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$ with a loss on the last step. "
    "Each step back multiplies the gradient by $W_{hh}^\\top \\operatorname{diag}(1 - h_t^2)$."
)
GATED_INTRO = N_(
    "The LSTM's cell state has a path back that only multiplies by the forget gate "
    "($\\partial c_{t-1} = f \\odot \\partial c_t$ plus the gates' own terms), the GRU's state one "
    "through $z$: biasing those gates towards 1 (sigmoid of a large bias) keeps the gradient alive where the "
    "tanh RNN's fades."
)


@st.fragment
def tab(intro: str, controls: Callable[[], None], pictures: Callable[[], None]) -> None:
    """A tab's controls in a column beside its pictures, the model's intro above the pictures; a
    fragment, so a control's change reruns the tab alone. (The intro costs a KaTeX pass per run;
    drawn above both columns, outside the fragment, it pushed the Deep tab's last control below a
    900 px screen.)"""
    def intro_and_pictures() -> None:
        st.markdown(_(intro))
        pictures()

    lab_state.controls_beside_pictures(controls, intro_and_pictures)


st.title(_("BPTT gradient explorer"), anchor=False)
widgets.show_flash()
st.caption(_("Gradients through time for the assignment's linear RNN, a tanh RNN and gated cells, computed live "
             "with NumPy (`core.rnn.linear`, `core.rnn.tanh`, `core.rnn.gated`) and checked against finite "
             "differences."))
with st.sidebar:
    widgets.tables_toggle(bptt_lab.TABLES_KEY)
    lab_state.paired_notes(tags={"rnn", "bptt"}, labs={"bptt"}, heading=_("Notes for this lab"))
    lab_state.lab_runs("bptt")
lab_state.url_notices("bptt")
chosen = st.segmented_control(_("View"), TABS, key="bptt_tab", required=True, format_func=_,
                              label_visibility="collapsed")
TAB_PARTS = {TABS[0]: (ASSIGNMENT_INTRO, assignment_controls, assignment_pictures),
             TABS[1]: (DEEP_INTRO, deep_controls, deep_pictures),
             TABS[2]: (GATED_INTRO, gated_controls, gated_pictures)}
lab_state.lab_layout()
tab(*TAB_PARTS[chosen or TABS[0]])
