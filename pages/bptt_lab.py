"""BPTT gradient explorer: vanishing and exploding gradients, truncation, clipping and the
counting RNN of the assignment, every gradient checked against finite differences."""

import numpy as np
import streamlit as st

import ui
from core import rnn
from core.rnn import charts as rnn_charts
from core.rnn import train as rnn_train
from core.rnn import view as rnn_view

ui.app_frame()

TABS = ["Assignment: counting RNN", "Deep RNN (tanh)", "Gated cells"]
DEFAULTS = {
    "bptt_w_x": 1.0, "bptt_w_rec": 0.9, "bptt_T": 50, "bptt_batch": 20, "bptt_seed": 0, "bptt_K": 10,
    "bptt_start_w_x": -1.5, "bptt_start_w_rec": 2.0, "bptt_steps": 2000, "bptt_lr": 0.01, "bptt_clip": 1.0,
    "bptt_radius": 1.0, "bptt_H": 32, "bptt_deep_T": 100, "bptt_deep_seed": 0, "bptt_deep_K": 10,
    "bptt_p": 0.8, "bptt_draws": 200,
    "bptt_gate_bias": 1.0, "bptt_gated_H": 32, "bptt_gated_T": 100, "bptt_gated_radius": 1.0, "bptt_gated_seed": 0,
}
TOLERANCE = 1e-6
BIAS_W_RECS = (0.5, 0.9, 1.0, 1.1, 1.5)

# Tabs render lazily, and Streamlit forgets the values of widgets it did not draw in a run;
# writing every value back (or its default, the first time) keeps the hidden tabs' settings.
for key, default in DEFAULTS.items():
    st.session_state[key] = st.session_state.get(key, default)


@st.cache_data(show_spinner=False, max_entries=128)
def compute(name: str, *args):
    """rnn_view.<name>(*args), computed once per distinct input (pure functions)."""
    return getattr(rnn_view, name)(*args)


def draw(builder: str, *args) -> None:
    ui.chart(getattr(rnn_charts, builder), *args)


def shown(value: float, spec: str) -> str:
    """A number for a metric; overflowed or undefined values say so instead of 'nan'."""
    if np.isnan(value):
        return "undefined (overflow, or a zero gradient)"
    if np.isinf(value):
        return "overflow (±inf)"
    return format(value, spec)


def badge(check: rnn_view.Verification) -> None:
    ui.verified_badge("Gradients checked", check.max_error, TOLERANCE, check.detail)


def train_all(T: int, batch: int, seed: int, start: tuple[float, float], config: rnn_train.TrainingConfig) -> None:
    """Run the three optimisers with a progress bar; keep the runs in the session."""
    X, target = rnn.counting_batch(batch, T, seed)
    bar = st.progress(0.0, text="Training…")
    runs = {}
    for index, method in enumerate(rnn_train.METHODS):
        label = rnn_charts.METHOD_LABELS[method]

        def report(step: int, weights, loss: float, index: int = index, label: str = label) -> None:
            if step % 50 == 0 or step == config.steps:
                bar.progress((index + step / config.steps) / 3, text=f"{label}: step {step} of {config.steps}")

        runs[method] = rnn_train.train_counting(X, target, start, method, config, report)
    bar.empty()
    st.session_state["bptt_runs"] = {"data": (T, batch, seed), "runs": runs}


def assignment_tab() -> None:
    st.markdown(
        "The assignment's RNN has one weight for the input and one for the recurrence: "
        "$S_k = w_{rec} S_{k-1} + w_x X_{k-1}$, trained so that $S_T$ counts the ones in a binary sequence "
        "(loss: mean of $(S_T - \\text{count})^2$; the answer is $w_x = w_{rec} = 1$)."
    )
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    w_x = c1.slider("w_x", -3.0, 3.0, step=0.01, key="bptt_w_x")
    w_rec = c2.slider("w_rec", -3.0, 3.0, step=0.01, key="bptt_w_rec")
    T = c3.slider("sequence length T", 1, 1000, key="bptt_T")
    batch = c4.slider("batch size", 1, 256, key="bptt_batch")
    seed = c5.number_input("seed", 0, 10_000, key="bptt_seed")
    st.session_state["bptt_K"] = min(st.session_state["bptt_K"], T)
    K = c6.slider("truncation window K", 1, max(T, 2), key="bptt_K", disabled=T == 1)

    view = compute("assignment_view", w_x, w_rec, T, batch, seed, K)
    if view.overflow:
        st.warning(
            "Overflow: with |w_rec| = {:g} over {} steps the states or gradients passed float64's largest value "
            "(about 1.8e308) and are shown as inf. The plot clips them at 1e300 (red points). "
            "Bring |w_rec| towards 1 or shorten T to see finite numbers.".format(abs(w_rec), T),
            icon=":material/warning:",
        )
    badge(compute("verify_assignment", w_x, w_rec, T, batch, seed, K))

    chart_column, numbers_column = st.columns([3, 1])
    with chart_column:
        draw("gradient_over_time_chart", view.grad_magnitude, view.K, w_rec)
    with numbers_column:
        st.metric("loss", shown(view.loss, ".4g"))
        st.metric("mean dL/dS_T", shown(view.mean_grad_last, ".3e"))
        st.metric("mean dL/dS_0", shown(view.mean_grad_first, ".3e"))
        st.caption(f"|w_rec| {'<' if abs(w_rec) < 1 else '>' if abs(w_rec) > 1 else '='} 1: "
                   f"each step back multiplies the gradient by {w_rec:g}, so it is **{rnn_charts.regime(w_rec)}**.")

    st.subheader("The three rules, with the current numbers", anchor=False)
    st.caption("Bars are batch means over the N sequences.")
    for formula in rnn_view.rules_latex(view, w_rec):
        st.latex(formula)

    st.subheader("Truncated BPTT", anchor=False)
    st.caption(f"Only the last K = {view.K} steps are backpropagated; $S_{{T-K}}$ is held constant "
               "(the shaded steps above get no gradient).")
    table_column, error_column, cosine_column = st.columns([2, 1, 1])
    table_column.dataframe(
        {"gradient": ["full BPTT", f"truncated, K = {view.K}"],
         "dL/dw_x": [f"{view.full[0]:.4e}", f"{view.truncated[0]:.4e}"],
         "dL/dw_rec": [f"{view.full[1]:.4e}", f"{view.truncated[1]:.4e}"]},
        hide_index=True,
    )
    error_column.metric("relative error", shown(view.rel_error, ".3e"),
                        help="||g_K - g|| / ||g|| over (dL/dw_x, dL/dw_rec)")
    cosine_column.metric("cosine", shown(view.cosine, ".6f"), help="cosine of the angle between g_K and g")
    w_recs = tuple(sorted(set(BIAS_W_RECS) | {round(w_rec, 2)}))
    draw("truncation_bias_chart", compute("truncation_bias", w_x, w_recs, T, batch, seed), view.K)

    st.subheader("Loss surface and training", anchor=False)
    with st.form("bptt_train_form"):
        f1, f2, f3, f4, f5 = st.columns(5)
        start_w_x = f1.number_input("start w_x", -2.5, 2.5, step=0.1, key="bptt_start_w_x")
        start_w_rec = f2.number_input("start w_rec", -2.5, 2.5, step=0.1, key="bptt_start_w_rec")
        steps = f3.number_input("steps", 10, 5000, step=100, key="bptt_steps")
        learning_rate = f4.number_input("learning rate (GD, clipped GD)", 1e-6, 1.0, format="%.6f", key="bptt_lr")
        clip = f5.number_input("clip threshold (global norm)", 1e-3, 1e3, key="bptt_clip")
        submitted = st.form_submit_button("Train with GD, clipped GD and Rprop", key="bptt_train")
    if submitted:
        config = rnn_train.TrainingConfig(steps=int(steps), learning_rate=learning_rate, clip_threshold=clip)
        train_all(T, batch, seed, (start_w_x, start_w_rec), config)

    stored = st.session_state.get("bptt_runs")
    runs = stored["runs"] if stored and stored["data"] == (T, batch, seed) else {}
    if stored and not runs:
        st.info("The last training used other data (T, batch or seed changed): train again to draw it here.")
    surface_column, curve_column = st.columns([3, 2])
    with surface_column:
        surface = compute("counting_surface", T, batch, seed)
        draw("loss_surface_chart", surface, {m: r.path for m, r in runs.items()})
        if surface.overflowed.any():
            st.caption(f"{int(surface.overflowed.sum())} cells have a loss beyond float64 (inf); "
                       "their log10 loss is exact, the colour is capped.")
    with curve_column:
        if runs:
            draw("loss_curves_chart", {m: r.losses for m, r in runs.items()})
            for method, run in runs.items():
                ending = "diverged (weights or loss stopped being finite)" if run.diverged else \
                    f"ended at w_x = {run.final[0]:.4f}, w_rec = {run.final[1]:.4f}, loss {run.losses[-1]:.2e}"
                st.markdown(f"**{rnn_charts.METHOD_LABELS[method]}** {ending} after {len(run.path) - 1} steps")
        else:
            st.caption("Press the button to train from the start point; the paths are drawn on the surface.")


def deep_tab() -> None:
    st.markdown(
        "A tanh RNN $h_t = \\tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$ with a loss on the last step. "
        "Each step back multiplies the gradient by $W_{hh}^\\top \\operatorname{diag}(1 - h_t^2)$."
    )
    c1, c2, c3, c4 = st.columns(4)
    radius = c1.slider("spectral radius of W_hh", 0.1, 3.0, step=0.05, key="bptt_radius")
    H = c2.slider("hidden size H", 4, 64, key="bptt_H")
    T = c3.slider("sequence length T", 10, 500, key="bptt_deep_T")
    seed = c4.number_input("seed", 0, 10_000, key="bptt_deep_seed")
    st.session_state["bptt_deep_K"] = min(st.session_state["bptt_deep_K"], T)
    badge(compute("verify_deep", radius, H, T, seed, st.session_state["bptt_deep_K"]))

    radii = tuple(sorted(set(rnn_view.DEEP_RADII) | {radius}))
    draw("step_norms_chart", compute("decay_curves", radii, H, T, seed),
         "||dL/dh_t|| for several spectral radii (one W_hh direction, rescaled)", "W_hh")

    k1, k2, k3 = st.columns(3)
    K = k1.slider("truncation window K", 1, T, key="bptt_deep_K")
    p = k2.slider("randomized: continuation probability p", 0.5, 0.99, step=0.01, key="bptt_p")
    draws = k3.slider("Monte Carlo draws", 10, 400, step=10, key="bptt_draws")
    view = compute("deep_view", radius, H, T, seed, K, p, draws)

    meter_column, verdict_column = st.columns([3, 1])
    with meter_column:
        draw("singular_value_meter", view.largest_singular, view.spectral_radius)
    with verdict_column:
        st.metric("largest singular value", f"{view.largest_singular:.3f}")
        if view.largest_singular < 1:
            st.caption("Below 1/γ = 1 (γ = max tanh' = 1): the gradient **must vanish** (sufficient condition).")
        else:
            st.caption("At or above 1/γ = 1: the gradient **may explode** (necessary, not sufficient: tanh's "
                       "slopes below 1 can still make it vanish).")

    st.subheader("Full vs truncated vs randomized truncation", anchor=False)
    st.caption(f"Randomized (Tallec and Ollivier 2017): the last K = {K} steps always, then each further step with "
               f"probability p = {p:g}, compensated by 1/p so the estimate is unbiased.")
    st.dataframe(view.estimates, hide_index=True, column_config={
        "norm": st.column_config.NumberColumn("||gradient||", format="%.4e"),
        "rel_error": st.column_config.NumberColumn("error vs full", format="%.3e"),
        "cosine": st.column_config.NumberColumn("cosine", format="%.6f"),
    })
    draw("step_norms_chart", view.step_norms, "||dL/dh_t|| seen by each method", "method")
    mc_column, spread_column = st.columns(2)
    with mc_column:
        draw("monte_carlo_chart", view.monte_carlo)
    with spread_column:
        draw("spread_chart", compute("randomized_spread", radius, H, T, seed, K, 100))


def gated_tab() -> None:
    st.markdown(
        "The LSTM's cell state has a path back that only multiplies by the forget gate "
        "($\\partial c_{t-1} = f \\odot \\partial c_t$ plus the gates' own terms), the GRU's state one through $z$: "
        "biasing those gates towards 1 (sigmoid of a large bias) keeps the gradient alive where the tanh RNN's fades."
    )
    c1, c2, c3, c4, c5 = st.columns(5)
    bias = c1.slider("forget / update gate bias", -3.0, 6.0, step=0.25, key="bptt_gate_bias")
    H = c2.slider("hidden size H", 4, 64, key="bptt_gated_H")
    T = c3.slider("sequence length T", 10, 500, key="bptt_gated_T")
    radius = c4.slider("recurrent scale", 0.5, 2.0, step=0.05, key="bptt_gated_radius")
    seed = c5.number_input("seed", 0, 10_000, key="bptt_gated_seed")
    badge(compute("verify_gated", H, T, seed, bias, radius))
    draw("step_norms_chart", compute("gated_curves", H, T, seed, bias, radius),
         f"||dL/dh_t||: tanh RNN vs LSTM and GRU (gate bias {bias:g})", "cell")
    draw("gate_bias_chart", compute("gate_bias_sweep", H, T, seed, radius), bias)


st.title("BPTT gradient explorer", anchor=False)
st.caption("Gradients through time for the assignment's linear RNN, a tanh RNN and gated cells, computed live "
           "with NumPy (`core.rnn.linear`, `core.rnn.tanh`, `core.rnn.gated`) and checked against finite differences.")
lab, notes_column = st.columns([4, 1], gap="medium")
with notes_column:
    ui.paired_notes(tags={"rnn", "bptt"}, labs={"bptt"}, heading="Notes for this lab")
with lab:
    tabs = st.tabs(TABS, key="bptt_tab", on_change="rerun")
    for tab, render in zip(tabs, (assignment_tab, deep_tab, gated_tab), strict=False):
        if tab.open:
            with tab:
                render()
