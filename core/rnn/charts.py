"""Chart builders for the BPTT explorer: data in, `alt.Chart` out (no streamlit).

Gradients here span hundreds of orders of magnitude, so most charts use a log axis. A log axis
cannot show 0 or inf, so values are clipped into [TINY, HUGE] and a `status` column says which
points were clipped ("overflow (inf)", "underflow (0)"); the charts colour those points.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.rnn.linear import LossSurface

TINY = 1e-300
HUGE = 1e300
COLOR_CAP = 30.0
"""The loss surface's colour scale stops at log10(loss) = 30; higher cliffs share the top colour."""

SEAM_OVERLAP = 1.3
"""Each heatmap cell reaches 30% past its neighbour's edge: abutting rects leave anti-aliased
white seams, overlapping ones do not."""
METHOD_LABELS = {"gd": "gradient descent", "clipped_gd": "clipped GD", "rprop": "Rprop"}
METHOD_COLORS = {"gradient descent": "#d62728", "clipped GD": "#ff7f0e", "Rprop": "#2ca02c"}
CATEGORIES = alt.Scale(scheme="category10")
CELL_COLORS = {"tanh RNN": "#1f77b4", "LSTM": "#ff7f0e", "GRU": "#2ca02c"}
"""The first three category10 colours, so a cell keeps its colour across the gated tab's charts."""
STATUS_COLORS = alt.Scale(domain=["finite", "overflow (inf)", "underflow (0)"], range=["#1f77b4", "#d62728", "#7f7f7f"])


def clip_for_log(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Magnitudes clipped into [TINY, HUGE] for a log axis, and a status per value.

    values: any shape, may hold 0, inf or nan. Returns (clipped |values|, status strings), same
    shape; nan is treated as overflow (it only arises from inf - inf).
    """
    magnitude = np.abs(np.asarray(values, dtype=np.float64))
    overflow = ~np.isfinite(magnitude) | (magnitude > HUGE)
    underflow = ~overflow & (magnitude < TINY)
    status = np.where(overflow, "overflow (inf)", np.where(underflow, "underflow (0)", "finite"))
    clipped = np.clip(np.nan_to_num(magnitude, nan=HUGE, posinf=HUGE), TINY, HUGE)
    return clipped, status


def regime(w_rec: float) -> str:
    """'vanishing', 'exploding' or 'constant' for the linear RNN's backward factor |w_rec|."""
    if abs(w_rec) < 1:
        return "vanishing"
    return "exploding" if abs(w_rec) > 1 else "constant"


def gradient_over_time_chart(magnitude: np.ndarray, K: int, w_rec: float) -> alt.LayerChart:
    """|dL/dS_k| (batch mean) against k on a log axis, steps k < T-K shaded as truncated.

    magnitude: (T+1,) for k = 0..T. Clipped points are coloured by status.
    """
    T = len(magnitude) - 1
    clipped, status = clip_for_log(magnitude)
    frame = pd.DataFrame({"k": np.arange(T + 1), "magnitude": clipped, "status": status,
                          "value": [f"{v:.3e}" for v in np.abs(magnitude)]})
    title = f"Gradient over time, w_rec = {w_rec:g}: {regime(w_rec)} (factor {abs(w_rec):g} per step back)"
    base = alt.Chart(frame)
    line = base.mark_line(color="#1f77b4", clip=True).encode(
        x=alt.X("k:Q", title="step k", scale=alt.Scale(domain=[0, T])),
        y=alt.Y("magnitude:Q", title="mean |dL/dS_k|", scale=alt.Scale(type="log")),
    )
    points = base.mark_circle(size=28, clip=True).encode(
        x=alt.X("k:Q"),
        y=alt.Y("magnitude:Q"),
        color=alt.Color("status:N", scale=STATUS_COLORS, title="value"),
        tooltip=[alt.Tooltip("k:Q", title="k"), alt.Tooltip("value:N", title="mean |dL/dS_k|"),
                 alt.Tooltip("status:N")],
    )
    layers = [line, points]
    if K < T:
        shade = pd.DataFrame({"start": [0], "end": [T - K], "label": [f"truncated: k < T-K = {T - K}"]})
        layers.insert(0, alt.Chart(shade).mark_rect(color="#bbbbbb", opacity=0.35).encode(
            x=alt.X("start:Q"), x2=alt.X2("end:Q"), tooltip=alt.Tooltip("label:N", title="shaded")))
    return alt.layer(*layers, title=title, height=280, width="container")


def truncation_bias_chart(frame: pd.DataFrame, K: int) -> alt.LayerChart:
    """Relative error of truncated vs full gradients against the window K, one line per w_rec.

    frame: columns K, w_rec, rel_error (nan rows are dropped; K = T, exact, is shown at 1e-17).
    """
    data = frame.dropna(subset=["rel_error"]).assign(
        rel_error=lambda f: np.clip(f["rel_error"], 1e-17, None), w_rec=lambda f: f["w_rec"].map("{:g}".format))
    lines = alt.Chart(data).mark_line().encode(
        x=alt.X("K:Q", title="window K (steps backpropagated)"),
        y=alt.Y("rel_error:Q", title="relative error", scale=alt.Scale(type="log")),
        color=alt.Color("w_rec:N", title="w_rec", scale=CATEGORIES),
        tooltip=[alt.Tooltip("K:Q"), alt.Tooltip("w_rec:N"), alt.Tooltip("rel_error:Q", format=".2e")],
    )
    marker = alt.Chart(pd.DataFrame({"K": [K]})).mark_rule(strokeDash=[4, 3], color="black").encode(x=alt.X("K:Q"))
    return alt.layer(lines, marker, title="Truncation bias: ||g_K - g|| / ||g|| against the window K",
                     height=240, width="container")


def surface_frame(surface: LossSurface) -> pd.DataFrame:
    """One row per grid cell: w_x, w_rec, cell edges (x0, x1, y0, y1), log10_loss, colour value
    capped at COLOR_CAP, and a status for overflowed cells."""
    wx, wr = surface.w_x, surface.w_rec
    half_x = (wx[1] - wx[0]) / 2 if len(wx) > 1 else 0.5
    half_r = (wr[1] - wr[0]) / 2 if len(wr) > 1 else 0.5
    grid_x, grid_r = np.meshgrid(wx, wr)
    log_loss = surface.log10_loss.ravel()
    return pd.DataFrame({
        "w_x": grid_x.ravel(), "w_rec": grid_r.ravel(),
        "x0": grid_x.ravel() - half_x, "x1": grid_x.ravel() + SEAM_OVERLAP * half_x,
        "y0": grid_r.ravel() - half_r, "y1": grid_r.ravel() + SEAM_OVERLAP * half_r,
        "log10_loss": log_loss, "colour": np.minimum(log_loss, COLOR_CAP),
        "status": np.where(surface.overflowed.ravel(), "loss overflows float64 (inf)", "finite"),
    })


def pull_inside(path: np.ndarray, low: float, high: float) -> np.ndarray:
    """path (P, 2) with every point outside the square [low, high]^2 moved back along the
    segment from its predecessor onto the square's edge (clamped onto it if the predecessor is
    outside too).

    A diverging run jumps to 1e27 in one step; drawing such coordinates makes a renderer smear
    the line, while the pulled point keeps the segment's direction where it leaves the square.
    """
    pulled = np.array(path, dtype=np.float64)
    start, end = pulled[:-1], pulled[1:]
    outside = ~np.all((end >= low) & (end <= high), axis=1)
    step = end - start
    with np.errstate(divide="ignore", invalid="ignore"):
        limits = np.where(step > 0, (high - start) / step, np.where(step < 0, (low - start) / step, np.inf))
    fraction = np.clip(np.min(limits, axis=1), 0.0, 1.0)[:, None]
    came_from_outside = ~np.all((start >= low) & (start <= high), axis=1)
    pulled[1:] = np.where(outside[:, None],
                          np.where(came_from_outside[:, None], np.clip(end, low, high), start + fraction * step), end)
    return pulled


def paths_frame(paths: dict[str, np.ndarray], bounds: tuple[float, float]) -> pd.DataFrame:
    """Training paths {method: (steps+1, 2)} as rows method, step, w_x, w_rec, with points
    outside the square `bounds` pulled onto its edge (see `pull_inside`); a path that leaves
    and comes back is still drawn whole."""
    rows = []
    for method, path in paths.items():
        inside = pull_inside(path, *bounds)
        rows.append(pd.DataFrame({"method": METHOD_LABELS.get(method, method), "step": np.arange(len(path)),
                                  "w_x": inside[:, 0], "w_rec": inside[:, 1]}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["method", "step", "w_x", "w_rec"])


def loss_surface_chart(surface: LossSurface, paths: dict[str, np.ndarray] | None = None) -> alt.LayerChart:
    """The counting loss over (w_x, w_rec), colour = log10(loss) capped at COLOR_CAP, with
    training paths {method: (steps+1, 2)} drawn on top (start as a circle, end as a diamond)
    and the solution (1, 1) marked."""
    frame = surface_frame(surface)
    wx, wr = surface.w_x, surface.w_rec
    x_domain = [float(frame["x0"].min()), float(wx[-1] + (wx[-1] - frame["x0"].max()))]
    y_domain = [float(frame["y0"].min()), float(wr[-1] + (wr[-1] - frame["y0"].max()))]
    top = float(frame["colour"].max())
    heat = alt.Chart(frame).mark_rect().encode(
        x=alt.X("x0:Q", title="w_x", scale=alt.Scale(domain=x_domain, nice=False)),
        x2=alt.X2("x1:Q"),
        y=alt.Y("y0:Q", title="w_rec", scale=alt.Scale(domain=y_domain, nice=False)),
        y2=alt.Y2("y1:Q"),
        color=alt.Color("colour:Q", title=["log10 loss", f"(capped at {COLOR_CAP:g})" if top >= COLOR_CAP else ""],
                        scale=alt.Scale(scheme="viridis", domain=[float(frame["colour"].min()), top], clamp=True)),
        tooltip=[alt.Tooltip("w_x:Q", format=".3f"), alt.Tooltip("w_rec:Q", format=".3f"),
                 alt.Tooltip("log10_loss:Q", title="log10 loss", format=".2f"), alt.Tooltip("status:N")],
    )
    solution = alt.Chart(pd.DataFrame({"w_x": [1.0], "w_rec": [1.0], "label": ["solution (1, 1)"]})).mark_point(
        shape="cross", size=160, color="white", strokeWidth=2).encode(
        x=alt.X("w_x:Q"), y=alt.Y("w_rec:Q"), tooltip=alt.Tooltip("label:N"))
    layers = [heat, solution]
    if paths:
        trail = paths_frame(paths, (x_domain[0], x_domain[1]))
        color = alt.Color("method:N", title="training",
                          scale=alt.Scale(domain=list(METHOD_COLORS), range=list(METHOD_COLORS.values())))
        ends = pd.concat([trail.groupby("method").head(1).assign(end="start"),
                          trail.groupby("method").tail(1).assign(end="end")], ignore_index=True)
        layers.append(alt.Chart(trail).mark_line(strokeWidth=2, clip=True).encode(
            x=alt.X("w_x:Q"), y=alt.Y("w_rec:Q"), order=alt.Order("step:Q"), color=color))
        layers.append(alt.Chart(ends).mark_point(filled=True, size=80, stroke="white", clip=True).encode(
            x=alt.X("w_x:Q"), y=alt.Y("w_rec:Q"), color=color,
            shape=alt.Shape("end:N", scale=alt.Scale(domain=["start", "end"], range=["circle", "diamond"]),
                            legend=None),
            tooltip=[alt.Tooltip("method:N"), alt.Tooltip("end:N"), alt.Tooltip("step:Q"),
                     alt.Tooltip("w_x:Q", format=".4f"), alt.Tooltip("w_rec:Q", format=".4f")]))
    return alt.layer(*layers, title="Loss surface, colour = log10(loss)", height=420, width="container").resolve_scale(
        color="independent")


def loss_curves_chart(losses: dict[str, np.ndarray]) -> alt.Chart:
    """Loss against training step on a log axis, one line per method {method: (steps+1,)}.

    The axis stops at 1000x the largest starting loss, so one diverging run does not squash the
    others into a flat line; its curve leaves the chart through the top.
    """
    frames = []
    for method, values in losses.items():
        clipped, status = clip_for_log(values)
        frames.append(pd.DataFrame({"method": METHOD_LABELS.get(method, method), "step": np.arange(len(values)),
                                    "loss": clipped, "status": status}))
    data = pd.concat(frames, ignore_index=True)
    starts = [clip_for_log(values[:1])[0][0] for values in losses.values() if len(values)]
    top = min(HUGE, 1e3 * max(starts)) if starts else HUGE
    bottom = float(data["loss"].min()) if len(data) else TINY
    return alt.Chart(data, title="Loss while training", height=420, width="container").mark_line(clip=True).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("loss:Q", title="loss", scale=alt.Scale(type="log", domain=[bottom, top]), axis=alt.Axis(format=".0e")),
        color=alt.Color("method:N", title="training",
                        scale=alt.Scale(domain=list(METHOD_COLORS), range=list(METHOD_COLORS.values()))),
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".3e"),
                 alt.Tooltip("status:N")],
    )


def step_norms_chart(frame: pd.DataFrame, title: str, color_title: str = "") -> alt.Chart:
    """||dL/dh_t|| against t on a log axis, one line per `series`.

    frame: columns t, norm, series. Zero norms (steps a truncated pass never reached) are left
    out, since a log axis cannot place them.
    """
    data = frame[frame["norm"] > 0].assign(norm=lambda f: np.clip(f["norm"], TINY, HUGE))
    order = list(dict.fromkeys(frame["series"]))
    return alt.Chart(data, title=title, height=300, width="container").mark_line().encode(
        x=alt.X("t:Q", title="step t"),
        y=alt.Y("norm:Q", title="||dL/dh_t||", scale=alt.Scale(type="log")),
        color=alt.Color("series:N", title=color_title or None, sort=order, scale=CATEGORIES,
                        legend=alt.Legend(labelLimit=240)),
        strokeDash=alt.StrokeDash("series:N", sort=order, legend=None),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("t:Q"), alt.Tooltip("norm:Q", format=".3e")],
    )


def singular_value_meter(largest_singular: float, spectral_radius: float, gamma: float = 1.0) -> alt.LayerChart:
    """Bars for the largest singular value and the spectral radius of W_hh beside a rule at
    1/gamma: below it gradients must vanish (Pascanu et al. 2013), above it they may explode."""
    threshold = 1.0 / gamma
    verdict = "vanish" if largest_singular < threshold else "may explode"
    frame = pd.DataFrame({"quantity": ["largest singular value", "spectral radius"],
                          "value": [largest_singular, spectral_radius]})
    colour = "#1f77b4" if verdict == "vanish" else "#d62728"
    bars = alt.Chart(frame).mark_bar(
        color=colour).encode(
        x=alt.X("value:Q", title="value", scale=alt.Scale(domain=[0, max(2.0 * threshold, largest_singular * 1.1)])),
        y=alt.Y("quantity:N", title=None, sort=list(frame["quantity"]), axis=alt.Axis(labelLimit=200)),
        tooltip=[alt.Tooltip("quantity:N"), alt.Tooltip("value:Q", format=".4f")],
    )
    rule = alt.Chart(pd.DataFrame({"value": [threshold], "label": [f"1/gamma = {threshold:g}"]})).mark_rule(
        color="black", strokeDash=[5, 3], strokeWidth=2).encode(x=alt.X("value:Q"), tooltip=alt.Tooltip("label:N"))
    title = f"sigma_max = {largest_singular:.3f} vs 1/gamma = {threshold:g}: gradients {verdict}"
    return alt.layer(bars, rule, title=title, height=alt.Step(28), width="container")


def monte_carlo_chart(frame: pd.DataFrame) -> alt.Chart:
    """Randomized truncation: relative error of the running mean of the draws against full BPTT,
    and the error expected from the draws' spread (sqrt(variance / draws)), log-log.

    frame: columns draws, running_error, expected_error.
    """
    data = frame.melt("draws", ["running_error", "expected_error"], var_name="curve", value_name="error")
    data["curve"] = data["curve"].map({"running_error": "running mean", "expected_error": "spread / sqrt(draws)"})
    data["error"] = np.clip(data["error"], 1e-17, None)
    return alt.Chart(
        data, title="Monte Carlo: running mean vs full BPTT", height=260, width="container"
    ).mark_line().encode(
        x=alt.X("draws:Q", title="draws", scale=alt.Scale(type="log")),
        y=alt.Y("error:Q", title="relative error", scale=alt.Scale(type="log")),
        color=alt.Color("curve:N", title=None, scale=CATEGORIES, legend=alt.Legend(labelLimit=240)),
        strokeDash=alt.StrokeDash("curve:N", legend=None),
        tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("draws:Q"), alt.Tooltip("error:Q", format=".2e")],
    )


def spread_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Bias and spread of randomized truncation against the continuation probability p, with
    the (deterministic) truncation error at the same minimum window as a reference rule.

    frame: columns p, mean_length, bias, spread, truncation_error.
    """
    data = frame.melt(["p", "mean_length"], ["bias", "spread"], var_name="measure", value_name="error")
    data["measure"] = data["measure"].map({"bias": "bias of the mean", "spread": "spread of one draw"})
    data["error"] = np.clip(data["error"], 1e-17, None)
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("p:Q", title="continuation probability p"),
        y=alt.Y("error:Q", title="relative to ||g||", scale=alt.Scale(type="log")),
        color=alt.Color("measure:N", title=None, scale=CATEGORIES, legend=alt.Legend(labelLimit=240)),
        tooltip=[alt.Tooltip("p:Q"), alt.Tooltip("mean_length:Q", title="mean steps", format=".1f"),
                 alt.Tooltip("measure:N"), alt.Tooltip("error:Q", format=".2e")],
    )
    truncation = float(frame["truncation_error"].iloc[0]) if len(frame) else 0.0
    rule = alt.Chart(
        pd.DataFrame({"error": [max(truncation, 1e-17)], "label": ["bias of fixed truncation"]})
    ).mark_rule(strokeDash=[4, 3], color="black").encode(y=alt.Y("error:Q"), tooltip=alt.Tooltip("label:N"))
    return alt.layer(lines, rule, title="Randomized truncation: bias and spread vs p", height=260, width="container")


def gate_bias_chart(frame: pd.DataFrame, current_bias: float) -> alt.LayerChart:
    """Gradient surviving T steps, ||dL/dh_0|| / ||dL/dh_T||, against the gate bias, per cell.

    frame: columns bias, cell, surviving.
    """
    data = frame.assign(surviving=lambda f: np.clip(f["surviving"], TINY, HUGE))
    cells = [cell for cell in CELL_COLORS if cell in set(frame["cell"])]
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("bias:Q", title="forget-gate (LSTM) / update-gate (GRU) bias"),
        y=alt.Y("surviving:Q", title="||dL/dh_0|| / ||dL/dh_T||", scale=alt.Scale(type="log")),
        color=alt.Color("cell:N", title="cell",
                        scale=alt.Scale(domain=cells, range=[CELL_COLORS[cell] for cell in cells])),
        tooltip=[alt.Tooltip("cell:N"), alt.Tooltip("bias:Q"), alt.Tooltip("surviving:Q", format=".2e")],
    )
    marker = alt.Chart(pd.DataFrame({"bias": [current_bias]})).mark_rule(strokeDash=[4, 3], color="black").encode(
        x=alt.X("bias:Q"))
    return alt.layer(lines, marker, title="Gradient surviving the whole sequence vs gate bias", height=260,
                     width="container")
