"""The BPTT explorer's pictures: the cached computations, the settings the pictures read back
from the controls, and each tab's parts and sections (the counting RNN's gradient, rules,
truncation, training and step-by-step loop; the tanh RNN's decay, truncation, Monte Carlo and
two paths), with the "Record this run" button. pages/bptt_lab.py keeps the layout, the
controls, the fragments and the order of the screen, and calls these.

`compute` is defined here once, so every run and every session shares one cache.

Imports ui.lab_state and ui.widgets (and core). It may import the ui modules below it (lab_state,
rendering, review, notes_folder, components, widgets), never a page, frame or the other lab's module."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import messages, rnn
from core.messages import N_, _, ngettext
from core.rnn import charts as rnn_charts
from core.rnn import examples as rnn_examples
from core.rnn import records as bptt_records
from core.rnn import state as bptt_state
from core.rnn import train as rnn_train
from core.rnn import view as rnn_view
from ui import lab_state, widgets

DEFAULTS = bptt_state.DEFAULTS
TOLERANCE = 1e-6
EXACT = 1e-9
"""Two exact computations of the same numbers (a loop and a closed form, two backward passes) agree to this."""
BIAS_W_RECS = (0.5, 0.9, 1.0, 1.1, 1.5)
SLOW = 2e6
"""Above this many hidden-unit steps (T * H^2) a view says what it is computing while it works."""


def compute(name: str, *args):
    """rnn_view.<name>(*args) (or rnn_examples.<name> for the worked examples), computed once per
    distinct input (pure functions); the checks (verify_*) once per language too, as their detail is
    a sentence for the page."""
    return _computed(messages.language() if name.startswith("verify_") else "", name, *args)


@st.cache_data(show_spinner=False, max_entries=128)
def _computed(lang: str, name: str, *args):
    return getattr(rnn_view if hasattr(rnn_view, name) else rnn_examples, name)(*args)


def computed(message: str | None, name: str, *args):
    """compute(name, *args); with a message, under a spinner naming the work that appears if it
    takes more than half a second (only the slow settings get one: a spinner is an element too)."""
    if message is None:
        return compute(name, *args)
    with st.spinner(message, show_time=True):
        return compute(name, *args)


TABLES_KEY = "bptt_as_tables"


def draw(builder: str, *args) -> None:
    widgets.chart(getattr(rnn_charts, builder), *args, table=st.session_state.get(TABLES_KEY, False))


def shown(value: float, spec: str) -> str:
    """A number for a metric; overflowed or undefined values say so instead of 'nan'."""
    if np.isnan(value):
        return _("undefined (overflow, or a zero gradient)")
    if np.isinf(value):
        return _("overflow (±inf)")
    return format(value, spec)


def badge(check: rnn_view.Verification) -> None:
    widgets.verified_badge(_("Gradients checked"), check.max_error, TOLERANCE, check.detail)


def dropped_caption(frame, value: str, series: str, x: str, why: str) -> None:
    """Name the lines a log chart leaves out or draws only in part, and say why."""
    notes = rnn_charts.dropped_lines(frame, value, series, x)
    if notes:
        lines = "; ".join(_("**{name}**: {note}").format(name=rnn_charts.series_label(name), note=note)
                          for name, note in notes.items())
        st.caption(_("{lines}. {why}").format(lines=lines, why=why))


def train_all(T: int, batch: int, seed: int, start: tuple[float, float], config: rnn_train.TrainingConfig) -> None:
    """Run the three optimisers with a progress bar; keep the runs in the session."""
    X, target = rnn.counting_batch(batch, T, seed)
    bar = st.progress(0.0, text=_("Training…"))
    runs = {}
    for index, method in enumerate(rnn_train.METHODS):
        label = _(rnn_charts.METHOD_LABELS[method])

        def report(step: int, weights, loss: float, index: int = index, label: str = label) -> None:
            if step % 50 == 0 or step == config.steps:
                bar.progress((index + step / config.steps) / 3, text=_("{method}: step {step} of {steps}").format(
                    method=label, step=step, steps=config.steps))

        runs[method] = rnn_train.train_counting(X, target, start, method, config, report)
    bar.empty()
    st.session_state["bptt_runs"] = {"data": (T, batch, seed), "runs": runs}


def value(key: str):
    """A control's current value (the controls are not drawn again when only pictures rerun)."""
    return st.session_state[key]


def compared(w_x: float, T: int, batch: int, seed: int, K: int) -> dict[float, np.ndarray]:
    """Mean |dL/dS_k| for every w_rec the student chose to compare, {w_rec: (T+1,)}."""
    return {rate: compute("assignment_view", w_x, rate, T, batch, seed, K).grad_magnitude
            for rate in value("bptt_compare")}


def assignment_settings() -> tuple:
    """(w_x, w_rec, T, batch, seed, K) from the controls."""
    T = value("bptt_T")
    return value("bptt_w_x"), value("bptt_w_rec"), T, value("bptt_batch"), value("bptt_seed"), min(value("bptt_K"), T)


def gradient_section(view: rnn_view.AssignmentView, w_rec: float, T: int) -> None:
    if view.overflow:
        nothing = not rnn_charts.finite_positive(view.grad_magnitude).any()
        warning = _(
            "Overflow: with |w_rec| = {w_rec} over {T} steps the states or gradients passed float64's largest value "
            "(about 1.8e308). Nothing is finite to draw: every step's gradient is beyond float64 (red crosses along "
            "the top). Bring |w_rec| towards 1 or shorten T to see finite numbers.") if nothing else _(
            "Overflow: with |w_rec| = {w_rec} over {T} steps the states or gradients passed float64's largest value "
            "(about 1.8e308). The curve stops at its last finite value; red crosses along the top mark the steps "
            "beyond float64. Bring |w_rec| towards 1 or shorten T to see finite numbers.")
        st.warning(warning.format(w_rec=f"{abs(w_rec):g}", T=T), icon=":material/warning:")
    w_x, _w_rec, _T, batch, seed, _K = assignment_settings()
    others = compared(w_x, T, batch, seed, view.K)
    draw("gradient_over_time_chart", view.grad_magnitude, view.K,
         {f"w_rec = {rate:g}": values for rate, values in others.items() if rate != w_rec})
    lost = rnn_charts.finite_positive(view.grad_magnitude)
    marks = ""
    if not lost.all():
        overflowed = int(np.sum(~lost & (view.grad_magnitude != 0)))
        vanished = int(np.sum(view.grad_magnitude == 0))
        marks = " ".join([
            *([ngettext("{count} step beyond float64 is marked by a red cross along the top.",
                        "{count} steps beyond float64 are marked by red crosses along the top.",
                        overflowed).format(count=overflowed)] if overflowed else []),
            *([ngettext("{count} step where it vanished to exactly 0 is marked by a grey cross along the bottom.",
                        "{count} steps where it vanished to exactly 0 are marked by grey crosses along the bottom.",
                        vanished).format(count=vanished)] if vanished else [])])
    regime = {"vanishing": _("Mean |dL/dS_k| over the batch, log scale. w_rec = {w_rec}: each step back multiplies "
                             "the gradient by {w_rec}, so it is **vanishing** (|w_rec| < 1). Shaded: the steps "
                             "truncation at K = {K} never reaches."),
              "exploding": _("Mean |dL/dS_k| over the batch, log scale. w_rec = {w_rec}: each step back multiplies "
                             "the gradient by {w_rec}, so it is **exploding** (|w_rec| > 1). Shaded: the steps "
                             "truncation at K = {K} never reaches."),
              "constant": _("Mean |dL/dS_k| over the batch, log scale. w_rec = {w_rec}: each step back multiplies "
                            "the gradient by {w_rec}, so it is **constant** (|w_rec| = 1). Shaded: the steps "
                            "truncation at K = {K} never reaches.")}[rnn_charts.regime(w_rec)]
    st.caption(" ".join(filter(None, [regime.format(w_rec=f"{w_rec:g}", K=view.K), marks])))
    st.markdown(
        _("| loss | mean dL/dS_T | mean dL/dS_0 |") + "\n|---|---|---|\n"
        f"| {shown(view.loss, '.4g')} | {shown(view.mean_grad_last, '.3e')} | {shown(view.mean_grad_first, '.3e')} |"
    )


def rules_section(view: rnn_view.AssignmentView, w_rec: float) -> None:
    st.subheader(_("The three rules, with the current numbers"), anchor=False)
    st.caption(_("Bars are batch means over the N sequences."))
    for formula in rnn_view.rules_latex(view, w_rec):
        st.latex(formula)


def truncation_section(view: rnn_view.AssignmentView, w_x: float, w_rec: float, T: int, batch: int,
                       seed: int) -> None:
    w_recs = tuple(sorted(set(BIAS_W_RECS) | {round(w_rec, 2)}))
    bias = compute("truncation_bias", w_x, w_recs, T, batch, seed)
    draw("truncation_bias_chart", bias, view.K)
    st.caption(_("||g_K − g|| / ||g||: how far the truncated gradient is from full BPTT, for each window K and a few "
                 "values of w_rec (yours included); K = T is exact (drawn at 1e-17). Dashed: your K = {K}.").format(
        K=view.K))
    exact = bias.assign(rel_error=bias["rel_error"].where(bias["rel_error"] != 0, 1e-17), w_rec=bias["w_rec"].map(
        "w_rec = {:g}".format))
    dropped_caption(exact, "rel_error", "w_rec", "K", _("Where a line is missing, the full gradient is 0 (w_x = "
                    "w_rec = 1 solves the task exactly) or beyond float64, so a relative error is undefined; a red "
                    "cross marks where a line stops because the gradient overflowed."))
    st.markdown(
        _("| gradient | dL/dw_x | dL/dw_rec |") + "\n|---|---|---|\n"
        + _("| full BPTT | {w_x} | {w_rec} |").format(w_x=shown(view.full[0], '.4e'), w_rec=shown(view.full[1], '.4e'))
        + "\n" + _("| truncated, K = {K} | {w_x} | {w_rec} |").format(
            K=view.K, w_x=shown(view.truncated[0], '.4e'), w_rec=shown(view.truncated[1], '.4e'))
    )
    st.markdown(_("**relative error** ||g_K − g|| / ||g|| = {error} · **cosine** of the angle between g_K and g = "
                  "{cosine}").format(error=shown(view.rel_error, '.3e'), cosine=shown(view.cosine, '.6f')))
    st.caption(_("Only the last K = {K} steps are backpropagated; $S_{{T-K}}$ is held constant.").format(K=view.K))


def training_section(T: int, batch: int, seed: int) -> None:
    surface_slot = st.container()  # drawn first on the screen, filled after a training run below
    with st.form("bptt_train_form"):
        f1, f2, f3 = st.columns(3)
        start_w_x = f1.number_input(_("start w_x"), -2.5, 2.5, step=0.1, key="bptt_start_w_x")
        start_w_rec = f2.number_input(_("start w_rec"), -2.5, 2.5, step=0.1, key="bptt_start_w_rec")
        steps = f3.number_input(_("steps"), 10, 5000, step=100, key="bptt_steps")
        f4, f5 = st.columns(2)
        learning_rate = f4.number_input(_("learning rate (GD, clipped GD)"), 1e-6, 1.0, format="%.6f", key="bptt_lr")
        clip = f5.number_input(_("clip threshold (global norm)"), 1e-3, 1e3, key="bptt_clip")
        submitted = st.form_submit_button(_("Train with GD, clipped GD and Rprop"), key="bptt_train")
    if submitted:
        config = rnn_train.TrainingConfig(steps=int(steps), learning_rate=learning_rate, clip_threshold=clip)
        train_all(T, batch, seed, (start_w_x, start_w_rec), config)
    stored = st.session_state.get("bptt_runs")
    runs = stored["runs"] if stored and stored["data"] == (T, batch, seed) else {}
    with surface_slot:
        surface = compute("counting_surface", T, batch, seed)
        draw("loss_surface_chart", surface, {m: r.path for m, r in runs.items()})
        low, plateau, high = rnn_charts.surface_colour_domain(surface.log10_loss)
        cells = int(surface.overflowed.sum())
        overflow = ngettext("{count} cell has a loss beyond float64 (inf); its log10 loss is computed exactly in the "
                            "log domain.", "{count} cells have a loss beyond float64 (inf); their log10 loss is "
                            "computed exactly in the log domain.", cells).format(count=cells) if cells else ""
        colours = _("Colours: half the scale from the lowest log10 loss ({low}) to the plateau where the state "
                    "forgets its inputs ({plateau}), half from there to the cliffs ({high}), so the basin around the "
                    "solution (1, 1) stays visible.").format(low=f"{low:.2f}", plateau=f"{plateau:.2f}",
                                                             high=f"{high:.1f}")
        st.caption(" ".join(filter(None, [colours, overflow])))
        if stored and not runs:
            st.info(_("The last training used other data (T, batch or seed changed): train again to draw it here."))
    if runs:
        draw("loss_curves_chart", {m: r.losses for m, r in runs.items()})
        for method, run in runs.items():
            name, steps_taken = _(rnn_charts.METHOD_LABELS[method]), len(run.path) - 1
            if run.diverged:
                line = ngettext("**{method}** diverged (weights or loss stopped being finite) after {count} step",
                                "**{method}** diverged (weights or loss stopped being finite) after {count} steps",
                                steps_taken).format(method=name, count=steps_taken)
            else:
                line = ngettext("**{method}** ended at w_x = {w_x}, w_rec = {w_rec}, loss {loss} after {count} step",
                                "**{method}** ended at w_x = {w_x}, w_rec = {w_rec}, loss {loss} after {count} steps",
                                steps_taken).format(method=name, w_x=f"{run.final[0]:.4f}", w_rec=f"{run.final[1]:.4f}",
                                                    loss=f"{run.losses[-1]:.2e}", count=steps_taken)
            st.markdown(line)
    else:
        st.caption(_("Press the button to train from the start point; the paths are drawn on the surface."))


def step_sequence() -> np.ndarray | None:
    """The sequence box with a button that fills it with a random 0/1 sequence of the chosen
    length; returns the parsed sequence (T,), or None after saying why it cannot be read."""
    text, length, button = st.columns([4, 2, 2], vertical_alignment="bottom")
    text.text_input(_("Your sequence X_1 … X_T (0s and 1s, or any numbers)"), key="bptt_seq",
                    persist_state="session", on_change=restart_loop, help=_(rnn_examples.SEQUENCE_HELP))
    length.number_input(_("random length"), 1, rnn_examples.MAX_TYPED_LENGTH, key="bptt_seq_length",
                        persist_state="session")
    button.button(_("Random"), key="bptt_seq_random", on_click=random_sequence, width="stretch")
    try:
        return rnn_examples.parse_sequence(value("bptt_seq"))
    except ValueError as error:
        st.error(_("The sequence cannot be read: {error}.").format(error=error), icon=":material/edit:")
        return None


def random_sequence() -> None:
    """The Random button: a new random 0/1 sequence of the chosen length in the sequence box."""
    state = st.session_state
    state["bptt_seq_draws"] = state.get("bptt_seq_draws", 0) + 1
    drawn = rnn_examples.random_sequence(int(state["bptt_seq_length"]), state["bptt_seq_draws"])
    state["bptt_seq"] = " ".join(f"{x:g}" for x in drawn)
    restart_loop()


def restart_loop() -> None:
    """A new sequence: the loop step goes back to where the loop starts, k = T (clamped on the run)."""
    st.session_state["bptt_loop_k"] = rnn_examples.MAX_TYPED_LENGTH


def step_table(trace: rnn_examples.LoopTrace, k: int):
    """The loop's rows with step k highlighted and the steps it has not reached yet greyed."""
    def shade(row):
        style = "background-color: #ffe2c6" if row["k"] == k else "color: #9e9e9e" if row["k"] < k else ""
        return [style] * len(row)

    names = {column: _(column) for column in STEP_COLUMNS}  # "dL/dw_x so far" is translated; math names stay
    numbers = [names[column] for column in STEP_COLUMNS if column != "k"]
    return trace.table[list(STEP_COLUMNS)].rename(columns=names).style.apply(shade, axis=1).format(
        lambda number: format(number + 0.0, ".4g"), subset=numbers, na_rep="—")


def step_by_step_section(w_x: float, w_rec: float) -> None:
    X = step_sequence()
    if X is None:
        return
    T = len(X)
    st.session_state["bptt_loop_k"] = min(max(st.session_state["bptt_loop_k"], 1), T)
    k = st.slider(_("loop step k (the loop runs k = T, T−1, …, 1: right to left)"), 1, max(T, 2), key="bptt_loop_k",
                  disabled=T == 1, persist_state="session")
    run = compute("step_by_step", X, w_x, w_rec)
    trace = run.trace
    st.caption(_("S_T = {S_T}, count = {count}, loss (S_T − count)² = {loss}. Highlighted: step k = {k}; grey: "
                 "steps the loop has not reached yet.").format(S_T=shown(trace.S[-1], '.4g'), count=f"{trace.target:g}",
                                                               loss=shown(trace.loss, '.4g'), k=k))
    st.dataframe(step_table(trace, k), hide_index=True)
    code, rules = st.columns([5, 3], gap="small")
    with code:
        st.code(rnn_examples.LOOP_CODE, language="python")
    with rules:
        for formula in rnn_examples.loop_step_latex(trace, k, w_rec):
            st.latex(formula)
    closed_w_x, closed_w_rec = run.closed
    st.markdown(_("**Last row** (k = 1): dL/dw_x = {loop_w_x}, dL/dw_rec = {loop_w_rec} · **closed form** "
                  "(`linear_backward`, no loop over time): dL/dw_x = {closed_w_x}, dL/dw_rec = {closed_w_rec}").format(
        loop_w_x=shown(trace.grad_w_x, '.6g'), loop_w_rec=shown(trace.grad_w_rec, '.6g'),
        closed_w_x=shown(closed_w_x, '.6g'), closed_w_rec=shown(closed_w_rec, '.6g')))
    if not run.overflow:
        widgets.verified_badge(_("Last row of the loop = closed form"), run.gap, EXACT,
                               _("relative difference of both weight gradients"))
    record("assignment", f"Step by step, {T} steps, w_rec = {w_rec:g}",  # a record's title: English
           lambda: bptt_records.step_record(run))
    if run.overflow:
        st.warning(_("Some values passed float64's largest number (about 1.8e308) and show as inf, so the loop and "
                     "the closed form cannot be compared: use smaller numbers or bring |w_rec| towards 1."),
                   icon=":material/warning:")


STEP_COLUMNS = ("k", "X_k", "S_k-1", "S_k", "dL/dS_k", N_("dL/dw_x so far"), N_("dL/dw_rec so far"))


def record(tab: str, title: str, measure) -> None:
    """The tab's "Record this run" button (results are measured only when it is pressed)."""
    values = {key: st.session_state[key] for key in DEFAULTS if st.session_state.get(key) is not None}
    lab_state.record_run_button("bptt", tab, title, bptt_state.tab_query(tab, values), measure,
                                bptt_records.result_label)


def deep_settings() -> tuple:
    """(radius, H, T, seed, K, p, draws) from the controls."""
    T = value("bptt_deep_T")
    return (value("bptt_radius"), value("bptt_H"), T, value("bptt_deep_seed"), min(value("bptt_deep_K"), T),
            value("bptt_p"), value("bptt_draws"))


def decay_part(radius: float, H: int, T: int, seed: int, K: int) -> None:
    slow = T * H * H > SLOW
    radii = tuple(sorted(set(rnn_view.DEEP_RADII) | {radius}))
    decay = computed(_("Backpropagating {count} networks through T = {T} steps…").format(count=len(radii), T=T)
                     if slow else None, "decay_curves", radii, H, T, seed)
    draw("step_norms_chart", decay, _("||dL/dh_t|| by spectral radius"), "W_hh")
    st.caption(_("One direction of W_hh, rescaled to each spectral radius (yours included); full BPTT."))
    dropped_caption(decay, "norm", "series", "t", _("Norms beyond float64, or exactly 0, cannot sit on a log axis."))
    spectral_radius, largest_singular = compute("recurrent_stats", radius, H, seed)
    draw("singular_value_meter", largest_singular, spectral_radius)
    if largest_singular < 1:
        st.caption(_("σ_max = {sigma} is below 1/γ = 1 (γ = max tanh' = 1): the gradient **must vanish** (a "
                     "sufficient condition).").format(sigma=f"{largest_singular:.3f}"))
    else:
        st.caption(_("σ_max = {sigma} is at or above 1/γ = 1: the gradient **may explode** (necessary, not "
                     "sufficient: tanh's slopes below 1 can still make it vanish).").format(
            sigma=f"{largest_singular:.3f}"))
    badge(computed(_("Checking the gradients…") if T * H * H > SLOW else None, "verify_deep", radius, H, T, seed, K))


def truncation_part(radius: float, H: int, T: int, seed: int, K: int, p: float, draws: int) -> None:
    slow = T * H * H > SLOW
    view = computed(_("Running {count} randomized backward passes (T = {T}, H = {H})…").format(count=draws, T=T, H=H)
                    if slow else None, "deep_view", radius, H, T, seed, K, p, draws)
    draw("step_norms_chart", view.step_norms, _("||dL/dh_t|| by method"), _("method"))
    dropped_caption(view.step_norms, "norm", "series", "t", _("Steps a truncated pass never reaches have no "
                    "gradient (0), which a log axis cannot place; a norm beyond float64 is left out too."))
    st.markdown(rnn_view.estimates_markdown(view.estimates))
    st.caption(_("Randomized (Tallec and Ollivier 2017): the last K = {K} steps always, then each further step "
                 "with probability p = {p}, compensated by 1/p so the estimate is unbiased.").format(K=K, p=f"{p:g}"))
    badge(computed(_("Checking the gradients…") if slow else None, "verify_deep", radius, H, T, seed, K))


def monte_carlo_part(radius: float, H: int, T: int, seed: int, K: int, p: float, draws: int) -> None:
    slow = T * H * H > SLOW
    view = computed(_("Running {count} randomized backward passes (T = {T}, H = {H})…").format(count=draws, T=T, H=H)
                    if slow else None, "deep_view", radius, H, T, seed, K, p, draws)
    draw("monte_carlo_chart", view.monte_carlo)
    st.caption(_("The relative error of the mean of the first n of {count} randomized estimates against full BPTT, "
                 "beside the error the draws' spread predicts (it falls like 1/sqrt(n) for an unbiased "
                 "estimator).").format(count=draws))
    spread = computed(_("Measuring bias and spread for five values of p…") if slow else None,
                      "randomized_spread", radius, H, T, seed, K, 100)
    draw("spread_chart", spread)
    truncation = float(spread["truncation_error"].iloc[0]) if len(spread) else 0.0
    if K >= T:
        reference = _("For five values of p with the same minimum window K = {K}: the bias of the mean of 100 draws "
                      "and the spread of one draw; with K = T = {T} every draw is full BPTT, so fixed truncation has "
                      "no bias and no dashed line is drawn (a log axis cannot place 0).")
    elif truncation > 0 and np.isfinite(truncation):
        reference = _("For five values of p with the same minimum window K = {K}: the bias of the mean of 100 draws "
                      "and the spread of one draw; the dashed line is the bias of fixed truncation at K.")
    else:
        reference = _("For five values of p with the same minimum window K = {K}: the bias of the mean of 100 draws "
                      "and the spread of one draw; fixed truncation at K has no measurable bias here, so no dashed "
                      "line is drawn.")
    st.caption(reference.format(K=K, T=T))
    badge(computed(_("Checking the gradients…") if slow else None, "verify_deep", radius, H, T, seed, K))


def two_paths_part(radius: float, H: int, T: int, seed: int) -> None:
    st.markdown(_("Here the loss is on **every** step. The lecture's unrolled graph has an output layer $o_t$ on "
                  "each $h_t$; this page takes $o_t = h_t$, compared with a target at each step. So each $h_t$ "
                  "sends its gradient back along two edges: $\\partial L / \\partial h_t$ = (path through $o_t$) "
                  "+ (path through $h_{t+1}$). (The other parts of this tab put the loss on the last step only.)"))
    st.session_state["bptt_paths_t"] = min(st.session_state["bptt_paths_t"], T)
    t = st.slider(_("step t"), 1, T, key="bptt_paths_t", persist_state="session")
    trace = computed(_("Backpropagating both paths through T = {T} steps (H = {H})…").format(T=T, H=H)
                     if T * H * H > SLOW else None, "two_paths_trace", radius, H, T, seed)
    norms = trace.by_step.iloc[t - 1]
    drawing, units = st.columns([5, 4], gap="medium")
    with drawing:
        draw("two_paths_diagram", t, T, float(norms["own"]), float(norms["through_next"]), float(norms["total"]))
    with units:
        st.dataframe(paths_table(trace.units(t, PATH_UNITS)), hide_index=True)
        which = _("dL/dh_{t} unit by unit for the first {shown} of {H} units, sequence 1 of the batch: the two paths "
                  "add up to it.") if H > PATH_UNITS else _("dL/dh_{t} unit by unit for all {H} units, sequence 1 of "
                                                            "the batch: the two paths add up to it.")
        st.caption(which.format(t=t, shown=PATH_UNITS, H=H))
    st.caption(_("The numbers on the drawing are norms over the batch and all units. Norms do not add (the vectors "
                 "do): {own} and {next} give {total}.").format(own=f"{norms['own']:.3g}",
                                                              next=f"{norms['through_next']:.3g}",
                                                              total=f"{norms['total']:.3g}"))
    draw("two_paths_chart", trace.by_step, t)
    widgets.verified_badge(_("dL/dh_t = the two paths, against full BPTT"), trace.bptt_gap, EXACT,
                           _("relative difference of ||dL/dh_t|| at every step from core.rnn.tanh's backward pass "
                             "(loss on every step)"))


def paths_table(units):
    """The per-unit table: unit, via o_t, via h_t+1, their sum, 4 significant digits."""
    columns = {name: _(title) for name, title in PATH_COLUMNS.items()}
    table = units.rename(columns=columns)
    return table.style.format(lambda number: format(number + 0.0, ".4g"), subset=list(columns.values())[1:])


PATH_UNITS = 8
PATH_COLUMNS = {"unit": N_("unit"), "own": N_("via o_t"), "through_next": N_("via h_t+1"), "total": "dL/dh_t"}
