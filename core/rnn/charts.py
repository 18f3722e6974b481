"""Chart builders for the BPTT explorer: data in, a Vega-Lite spec out (a dict holding its
DataFrames under "datasets"; no streamlit).

Gradients here span hundreds of orders of magnitude, so most charts use a log axis. A log axis
cannot show 0 or inf: a curve is drawn up to its last finite value and a marker on the chart
says where it left float64 (overflow) or where it vanished to 0 (underflow); the page names in
a caption every line a chart leaves out.

Why dicts and not Altair charts: building an Altair chart and its spec costs tens of
milliseconds, a dict microseconds, and every slider move redraws these charts. The dataset
names are fixed per chart and the numbers that change with a slider live in the data, never in
the spec, so when a slider moves the browser updates the chart in place instead of rebuilding
it. The tests validate every spec against the Vega-Lite schema.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.messages import N_, _
from core.rnn.linear import LossSurface

TINY = 1e-300
HUGE = 1e300
SEAM_OVERLAP = 1.3
"""Each loss-surface cell reaches 30% past its neighbour's edge: abutting rects leave anti-aliased
white seams, overlapping ones do not."""
METHOD_LABELS = {"gd": N_("gradient descent"), "clipped_gd": N_("clipped GD"), "rprop": "Rprop"}
METHOD_COLORS = {"gradient descent": "#d62728", "clipped GD": "#ff7f0e", "Rprop": "#2ca02c"}
"""Keyed by the English label; a chart shows the label translated (`_method_scale`)."""
CATEGORIES = {"scheme": "category10"}
CELL_COLORS = {"tanh RNN": "#1f77b4", "LSTM": "#ff7f0e", "GRU": "#2ca02c"}
"""The first three category10 colours, so a cell keeps its colour across the gated tab's charts."""
OVERFLOW_COLOR = "#d62728"
COMPARED_COLORS = ["#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
"""category10 without the current curve's blue and the overflow red, for the compared w_rec."""
SCIENTIFIC = ".1e"
"""Log axes label their ticks as 1.0e-5 ... 1.0e+300, readable at any magnitude."""


W_REC_STOPS = {"vanishing": ("#440154", "#3b528b", "#21918c"), "constant": "#7f7f7f",
               "exploding": ("#fdae61", "#f46d43", "#a50026")}
"""w_rec's colour, the same in every chart: |w_rec| < 1 from purple (0) through blue to teal
(just under 1), exactly 1 grey, > 1 from orange (just over 1) to dark red (2 and beyond)."""


def w_rec_colour(w_rec: float) -> str:
    """The colour of a w_rec value in every chart that draws one line per w_rec (its regime's
    ramp, placed by |w_rec|), so 0.9 is the same teal in the gradient-decay and truncation charts."""
    size = abs(float(w_rec))
    if regime(w_rec) == "constant":
        return W_REC_STOPS["constant"]
    stops = W_REC_STOPS[regime(w_rec)]
    t = size if size < 1 else min(size - 1, 1.0)
    rgb = np.array([[int(stop[i:i + 2], 16) for i in (1, 3, 5)] for stop in stops], dtype=float)
    mixed = [np.interp(t, np.linspace(0, 1, len(stops)), rgb[:, channel]) for channel in range(3)]
    return "#" + "".join(f"{round(value):02x}" for value in mixed)


def w_rec_scale(labels: list[str]) -> dict:
    """A Vega-Lite colour scale giving each w_rec label (its value as text) its w_rec_colour."""
    return {"domain": labels, "range": [w_rec_colour(float(label)) for label in labels]}


def regime(w_rec: float) -> str:
    """'vanishing', 'exploding' or 'constant' for the linear RNN's backward factor |w_rec|."""
    if abs(w_rec) < 1:
        return "vanishing"
    return "exploding" if abs(w_rec) > 1 else "constant"


def finite_positive(values: np.ndarray) -> np.ndarray:
    """Where a value can sit on a log axis: finite, above 0 and at most HUGE (any shape)."""
    magnitude = np.abs(np.asarray(values, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        return np.isfinite(magnitude) & (magnitude > 0) & (magnitude <= HUGE)


_SERIES_PATTERNS = (
    (re.compile(r"truncated \(K=(?P<K>\d+)\)"), N_("truncated (K={K})")),
    (re.compile(r"randomized, mean of (?P<count>\d+)"), N_("randomized, mean of {count}")),
    (re.compile(r"radius (?P<radius>\S+)"), N_("radius {radius}")),
)
_SERIES_NAMES = (N_("full BPTT"), N_("one randomized draw"))


def series_label(name: str) -> str:
    """A line's name as the page shows it: the views name their lines in English (the names go
    into recorded runs), the charts and captions show them in the reader's language."""
    if name in _SERIES_NAMES:
        return _(name)
    for pattern, message in _SERIES_PATTERNS:
        match = pattern.fullmatch(name)
        if match:
            return _(message).format(**match.groupdict())
    return name


def _method_scale() -> dict:
    """The training methods' colour scale, on their labels as shown."""
    return {"domain": [_(label) for label in METHOD_COLORS], "range": list(METHOD_COLORS.values())}


def _log_y(title: str, field: str = "value") -> dict:
    return {"field": field, "type": "quantitative", "title": title,
            "scale": {"type": "log"}, "axis": {"format": SCIENTIFIC}}


def _layered(layers: list[dict], datasets: dict[str, pd.DataFrame], *, title: str, height: int | dict) -> dict:
    # usermeta: drawn on a canvas; Streamlit would pick SVG (a DOM node per mark) for small data.
    # fit-x: as wide as the column, the height the plot's own (Streamlit's default "fit" would
    # take the legend below the plot out of that height and squash the plot).
    return {"title": title, "description": _description(title, layers), "height": height, "width": "container",
            "layer": layers, "datasets": datasets, "autosize": {"type": "fit-x", "contains": "padding"},
            "usermeta": {"embedOptions": {"renderer": "canvas"}}}


def _description(title: str, layers: list[dict]) -> str:
    """The chart's text alternative in the reader's language (Vega renders it as the chart's
    aria-label): its title and the titles of its axes."""
    axes = {}
    for layer in layers:
        for channel in ("x", "y"):
            encoding = layer.get("encoding", {}).get(channel)
            if isinstance(encoding, dict) and isinstance(encoding.get("title"), str) and channel not in axes:
                axes[channel] = encoding["title"]
    if len(axes) == 2:
        return _("Chart “{title}”: horizontal axis {x}, vertical axis {y}").format(title=title, **axes)
    if "x" in axes:
        return _("Chart “{title}”: horizontal axis {x}").format(title=title, x=axes["x"])
    return _("Chart “{title}”").format(title=title)


def gradient_over_time_chart(magnitude: np.ndarray, K: int, compared: dict[str, np.ndarray] | None = None) -> dict:
    """|dL/dS_k| (batch mean) against k on a log axis, steps k < T-K shaded as truncated.

    magnitude: (T+1,) for k = 0..T. The curve keeps its finite, non-zero values; steps where it
    passed float64's range are marked with red crosses along the top and steps where it
    vanished to exactly 0 with grey ones along the bottom, so the chart never draws a flat line
    at a clipping value. `compared` {label: (T+1,) magnitudes} adds dashed curves for other
    settings (their finite, non-zero values), named in a legend below the plot.
    """
    magnitude = np.abs(np.asarray(magnitude, dtype=np.float64))
    T = len(magnitude) - 1
    steps = np.arange(T + 1)
    kept = finite_positive(magnitude)
    curve = pd.DataFrame({"k": steps[kept], "value": magnitude[kept]})
    vanished = ~kept & (magnitude == 0)
    beyond, vanished_label = _("beyond float64 (overflow)"), _("vanished to 0 (underflow)")
    edges = {"overflow": pd.DataFrame({"k": steps[~kept & ~vanished], "status": beyond}),
             "underflow": pd.DataFrame({"k": steps[vanished], "status": vanished_label})}
    shade = pd.DataFrame({"start": [0] * (K < T), "end": [T - K] * (K < T),
                          "label": [_("truncated: k < T-K = {step}").format(step=T - K)] * (K < T)})
    x = {"field": "k", "type": "quantitative", "title": _("step k"), "scale": {"domain": [0, max(T, 1)]}}
    status = {"field": "status", "type": "nominal", "title": None, "legend": None,
              "scale": {"domain": [beyond, vanished_label], "range": [OVERFLOW_COLOR, "#7f7f7f"]}}
    mean = _("mean |dL/dS_k|")
    layers = [
        {"data": {"name": "shade"}, "mark": {"type": "rect", "color": "#bbbbbb", "opacity": 0.35},
         "encoding": {"x": {"field": "start", "type": "quantitative"}, "x2": {"field": "end"},
                      "tooltip": {"field": "label", "type": "nominal", "title": _("shaded")}}},
        {"data": {"name": "curve"}, "mark": {"type": "line", "point": {"size": 16}, "color": "#1f77b4"},
         "encoding": {"x": x, "y": _log_y(mean),
                      "tooltip": [{"field": "k", "type": "quantitative"},
                                  {"field": "value", "type": "quantitative", "format": ".4e", "title": mean}]}},
    ]
    for name, edge in (("overflow", 0), ("underflow", "height")):  # crosses along the top / the bottom
        layers.append({"data": {"name": name}, "mark": {"type": "point", "shape": "cross", "size": 40, "filled": True},
                       "encoding": {"x": {"field": "k", "type": "quantitative"}, "y": {"value": edge}, "color": status,
                                    "tooltip": [{"field": "k", "type": "quantitative"},
                                                {"field": "status", "type": "nominal", "title": _("status")}]}})
    others = _compared_frame(compared or {}, steps)
    layers.append({"data": {"name": "compared"}, "mark": {"type": "line", "strokeDash": [5, 3]},
                   "encoding": {"x": x, "y": _log_y(mean),
                                "color": {"field": "label", "type": "nominal", "title": _("compared"),
                                          "scale": {"range": COMPARED_COLORS},
                                          "legend": {"orient": "bottom"} if len(others) else None},
                                "tooltip": [{"field": "label", "type": "nominal"},
                                            {"field": "k", "type": "quantitative"},
                                            {"field": "value", "type": "quantitative", "format": ".4e"}]}})
    spec = _layered(layers, {"shade": shade, "curve": curve, **edges, "compared": others},
                    title=_("Gradient over time (log scale)"), height=280)
    # A shared colour scale would take the crosses' fixed domain and leave the compared lines uncoloured.
    spec["resolve"] = {"scale": {"color": "independent"}}
    return spec


def _compared_frame(compared: dict[str, np.ndarray], steps: np.ndarray) -> pd.DataFrame:
    """Long frame k, value, label of the compared curves' usable values (empty but typed without any)."""
    frames = [pd.DataFrame({"k": steps, "value": np.abs(np.asarray(values, dtype=np.float64)), "label": label})
              for label, values in compared.items()]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"k": pd.Series(dtype=int), "value": pd.Series(dtype=float), "label": pd.Series(dtype=str)})
    return frame[finite_positive(frame["value"].to_numpy(dtype=np.float64))]


def dropped_lines(frame: pd.DataFrame, value: str, series: str, x: str) -> dict[str, str]:
    """Series of a long frame that a log chart cannot draw whole, with what happened to each:
    {name: "not drawn" or "drawn for <x> = a to b"}, for series with no or only some usable
    values (finite, above 0, at most HUGE)."""
    kept = finite_positive(frame[value].to_numpy(dtype=np.float64))
    notes = {}
    for name, group in frame.assign(_kept=kept).groupby(series, sort=False):
        if not group["_kept"].any():
            notes[str(name)] = _("not drawn")
        elif not group["_kept"].all():
            drawn = group.loc[group["_kept"], x]
            notes[str(name)] = _("drawn for {x} = {low} to {high}").format(x=x, low=f"{drawn.min():g}",
                                                                          high=f"{drawn.max():g}")
    return notes


def truncation_bias_chart(frame: pd.DataFrame, K: int) -> dict:
    """Relative error of truncated vs full gradients against the window K, one line per w_rec.

    frame: columns K, w_rec, rel_error (nan where the gradient overflowed). A line is drawn
    over its usable values (K = T is exact, shown at 1e-17); where a line stops because the
    gradient overflowed, a red cross marks its last drawn point.
    """
    data = frame.assign(w_rec=frame["w_rec"].map("{:g}".format),
                        rel_error=np.where(frame["rel_error"] == 0, 1e-17, frame["rel_error"]))
    usable = data[finite_positive(data["rel_error"].to_numpy(dtype=np.float64))]
    ends = usable.groupby("w_rec", sort=False).tail(1)
    broken = set(data.loc[~finite_positive(data["rel_error"].to_numpy(dtype=np.float64)), "w_rec"])
    ends = ends[ends["w_rec"].isin(broken)].assign(note=_("overflow beyond this window"))
    order = list(dict.fromkeys(data["w_rec"]))
    color = {"field": "w_rec", "type": "nominal", "title": "w_rec", "scale": w_rec_scale(order),
             "sort": order, "legend": {"orient": "bottom", "columns": 6}}
    layers = [
        {"data": {"name": "bias"}, "mark": {"type": "line"},
         "encoding": {"x": {"field": "K", "type": "quantitative", "title": _("window K (steps backpropagated)")},
                      "y": _log_y(_("relative error"), "rel_error"), "color": color,
                      "tooltip": [{"field": "K", "type": "quantitative"}, {"field": "w_rec", "type": "nominal"},
                                  {"field": "rel_error", "type": "quantitative", "format": ".2e"}]}},
        {"data": {"name": "stops"}, "mark": {"type": "point", "shape": "cross", "size": 90, "filled": True,
                                             "color": OVERFLOW_COLOR},
         "encoding": {"x": {"field": "K", "type": "quantitative"}, "y": {"field": "rel_error", "type": "quantitative"},
                      "tooltip": [{"field": "w_rec", "type": "nominal"},
                                  {"field": "note", "type": "nominal", "title": _("note")}]}},
        {"data": {"name": "window"}, "mark": {"type": "rule", "strokeDash": [4, 3], "color": "black"},
         "encoding": {"x": {"field": "K", "type": "quantitative"}}},
    ]
    return _layered(layers, {"bias": usable, "stops": ends, "window": pd.DataFrame({"K": [K]})},
                    title=_("Truncation bias against K"), height=240)


def surface_colour_domain(log10_loss: np.ndarray) -> list[float]:
    """Three stops for the loss surface's colour scale: the lowest loss, the plateau (the 25th
    percentile: the flat region where the state forgets) and the highest. Half the colours go
    to the basin below the plateau and half to the cliffs above it, so the basin around the
    solution is visible even when the cliffs rise by hundreds of orders of magnitude."""
    low, plateau, high = np.percentile(log10_loss, [0, 25, 100])
    plateau = min(max(plateau, low + 1e-9), high - 1e-9) if high > low else low
    return [float(low), float(plateau), float(max(high, plateau + 1e-9))]


def surface_frame(surface: LossSurface) -> pd.DataFrame:
    """One row per grid cell: w_x, w_rec, cell edges (x0, x1, y0, y1), log10_loss and a status
    for overflowed cells."""
    wx, wr = surface.w_x, surface.w_rec
    half_x = (wx[1] - wx[0]) / 2 if len(wx) > 1 else 0.5
    half_r = (wr[1] - wr[0]) / 2 if len(wr) > 1 else 0.5
    grid_x, grid_r = np.meshgrid(wx, wr)
    return pd.DataFrame({
        "w_x": grid_x.ravel(), "w_rec": grid_r.ravel(),
        "x0": grid_x.ravel() - half_x, "x1": grid_x.ravel() + SEAM_OVERLAP * half_x,
        "y0": grid_r.ravel() - half_r, "y1": grid_r.ravel() + SEAM_OVERLAP * half_r,
        "log10_loss": surface.log10_loss.ravel(),
        "status": np.where(surface.overflowed.ravel(), _("loss overflows float64 (inf)"), _("finite")),
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
        rows.append(pd.DataFrame({"method": _(METHOD_LABELS.get(method, method)), "step": np.arange(len(path)),
                                  "w_x": inside[:, 0], "w_rec": inside[:, 1]}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["method", "step", "w_x", "w_rec"])


def loss_surface_chart(surface: LossSurface, paths: dict[str, np.ndarray] | None = None) -> dict:
    """The counting loss over (w_x, w_rec), colour = log10(loss) on a three-stop scale (see
    surface_colour_domain), with training paths {method: (steps+1, 2)} on top (start as a
    circle, end as a diamond) and the solution (1, 1) marked."""
    frame = surface_frame(surface)
    wx, wr = surface.w_x, surface.w_rec
    x_domain = [float(frame["x0"].min()), float(wx[-1] + (wx[-1] - frame["x0"].max()))]
    y_domain = [float(frame["y0"].min()), float(wr[-1] + (wr[-1] - frame["y0"].max()))]
    domain = surface_colour_domain(surface.log10_loss)
    x = {"field": "w_x", "type": "quantitative"}
    y = {"field": "w_rec", "type": "quantitative"}
    layers = [
        {"data": {"name": "surface"}, "mark": {"type": "rect"},
         "encoding": {
             "x": {"field": "x0", "type": "quantitative", "title": "w_x", "scale": {"domain": x_domain, "nice": False}},
             "x2": {"field": "x1"},
             "y": {"field": "y0", "type": "quantitative", "title": "w_rec",
                   "scale": {"domain": y_domain, "nice": False}},
             "y2": {"field": "y1"},
             "color": {"field": "log10_loss", "type": "quantitative", "title": _("log10 loss"),
                       "scale": {"scheme": "viridis", "domain": domain}, "legend": {"format": ".3~g"}},
             "tooltip": [{"field": "w_x", "type": "quantitative", "format": ".3f"},
                         {"field": "w_rec", "type": "quantitative", "format": ".3f"},
                         {"field": "log10_loss", "type": "quantitative", "title": _("log10 loss"), "format": ".2f"},
                         {"field": "status", "type": "nominal", "title": _("status")}]}},
        {"data": {"name": "solution"}, "mark": {"type": "point", "shape": "cross", "size": 160, "color": "white",
                                                "strokeWidth": 2},
         "encoding": {"x": x, "y": y, "tooltip": {"field": "label", "type": "nominal", "title": _("marker")}}},
    ]
    datasets = {"surface": frame,
                "solution": pd.DataFrame({"w_x": [1.0], "w_rec": [1.0], "label": [_("solution (1, 1)")]})}
    if paths:
        trail = paths_frame(paths, (x_domain[0], x_domain[1]))
        color = {"field": "method", "type": "nominal", "title": _("training"), "scale": _method_scale()}
        start, end = _("start"), _("end")
        ends = pd.concat([trail.groupby("method").head(1).assign(end=start),
                          trail.groupby("method").tail(1).assign(end=end)], ignore_index=True)
        datasets |= {"trail": trail, "ends": ends}
        layers.append({"data": {"name": "trail"}, "mark": {"type": "line", "strokeWidth": 2, "clip": True},
                       "encoding": {"x": x, "y": y, "order": {"field": "step", "type": "quantitative"},
                                    "color": color}})
        layers.append({"data": {"name": "ends"}, "mark": {"type": "point", "filled": True, "size": 80,
                                                          "stroke": "white", "clip": True},
                       "encoding": {"x": x, "y": y, "color": {**color, "legend": None},  # one "training" legend
                                    "shape": {"field": "end", "type": "nominal", "legend": None,
                                              "scale": {"domain": [start, end], "range": ["circle", "diamond"]}},
                                    "tooltip": [{"field": "method", "type": "nominal", "title": _("method")},
                                                {"field": "end", "type": "nominal", "title": _("point")},
                                                {"field": "step", "type": "quantitative"},
                                                {"field": "w_x", "type": "quantitative", "format": ".4f"},
                                                {"field": "w_rec", "type": "quantitative", "format": ".4f"}]}})
    spec = _layered(layers, datasets, title=_("Loss surface: log10(loss)"), height=330)
    spec["resolve"] = {"scale": {"color": "independent"}}
    return spec


def loss_curves_chart(losses: dict[str, np.ndarray]) -> dict:
    """Loss against training step on a log axis, one line per method {method: (steps+1,)}.

    A run's curve stops at its last finite loss; a diverged run gets a red cross there. The
    axis stops at 1000x the largest starting loss, so one diverging run does not squash the
    others into a flat line.
    """
    frames, stops = [], []
    for method, values in losses.items():
        values = np.abs(np.asarray(values, dtype=np.float64))
        kept = finite_positive(values)
        label = _(METHOD_LABELS.get(method, method))
        frames.append(pd.DataFrame({"method": label, "step": np.flatnonzero(kept), "loss": values[kept]}))
        if not kept.all() and kept.any():
            last = int(np.flatnonzero(kept)[-1])
            stops.append({"method": label, "step": last, "loss": float(values[last]),
                          "note": _("diverged after this step") if np.isinf(values[last + 1:]).any() or np.isnan(
                              values[last + 1:]).any() else _("reached exactly 0 after this step")})
    data = pd.concat(frames, ignore_index=True)
    starts = [float(np.abs(values[0])) for values in losses.values() if len(values) and finite_positive(values[:1])[0]]
    top = min(HUGE, 1e3 * max(starts)) if starts else HUGE
    color = {"field": "method", "type": "nominal", "title": _("training"), "legend": {"orient": "bottom"},
             "scale": _method_scale()}
    y = {"field": "loss", "type": "quantitative", "title": _("loss"),
         "scale": {"type": "log", "domainMax": top, "clamp": True}, "axis": {"format": SCIENTIFIC}}
    layers = [
        {"data": {"name": "losses"}, "mark": {"type": "line", "clip": True},
         "encoding": {"x": {"field": "step", "type": "quantitative", "title": _("step")}, "y": y, "color": color,
                      "tooltip": [{"field": "method", "type": "nominal", "title": _("method")},
                                  {"field": "step", "type": "quantitative", "title": _("step")},
                                  {"field": "loss", "type": "quantitative", "format": ".3e"}]}},
        {"data": {"name": "stops"}, "mark": {"type": "point", "shape": "cross", "size": 90, "filled": True,
                                             "color": OVERFLOW_COLOR, "clip": True},
         "encoding": {"x": {"field": "step", "type": "quantitative"}, "y": {"field": "loss", "type": "quantitative"},
                      "tooltip": [{"field": "method", "type": "nominal", "title": _("method")},
                                  {"field": "note", "type": "nominal", "title": _("note")}]}},
    ]
    stop_frame = pd.DataFrame(stops, columns=["method", "step", "loss", "note"])
    return _layered(layers, {"losses": data, "stops": stop_frame}, title=_("Loss while training"), height=320)


def step_norms_chart(frame: pd.DataFrame, title: str, color_title: str = "") -> dict:
    """||dL/dh_t|| against t on a log axis, one line per `series`.

    frame: columns t, norm, series. Each line keeps its finite non-zero norms (zero norms are
    steps a truncated pass never reached; a log axis cannot place them).
    """
    order = [series_label(name) for name in dict.fromkeys(frame["series"])]
    data = frame[finite_positive(frame["norm"].to_numpy(dtype=np.float64))]
    data = data.assign(series=data["series"].map(series_label))
    series = {"field": "series", "type": "nominal", "title": color_title or None, "sort": order}
    layers = [{"data": {"name": "norms"}, "mark": {"type": "line"},
               "encoding": {"x": {"field": "t", "type": "quantitative", "title": _("step t")},
                            "y": _log_y("||dL/dh_t||", "norm"),
                            "color": {**series, "scale": CATEGORIES,
                                      "legend": {"labelLimit": 240, "orient": "bottom", "columns": 3}},
                            "strokeDash": {**series, "legend": None},
                            "tooltip": [{"field": "series", "type": "nominal", "title": _("line")},
                                        {"field": "t", "type": "quantitative"},
                                        {"field": "norm", "type": "quantitative", "format": ".3e",
                                         "title": _("norm")}]}}]
    return _layered(layers, {"norms": data}, title=title, height=240)


def singular_value_meter(largest_singular: float, spectral_radius: float, gamma: float = 1.0) -> dict:
    """Bars for the largest singular value and the spectral radius of W_hh beside a rule at
    1/gamma: below it gradients must vanish (Pascanu et al. 2013), above it they may explode."""
    threshold = 1.0 / gamma
    vanish, explode = _("must vanish"), _("may explode")
    verdict = vanish if largest_singular < threshold else explode
    frame = pd.DataFrame({"quantity": [_("largest singular value"), _("spectral radius")],
                          "value": [largest_singular, spectral_radius], "verdict": verdict})
    layers = [
        {"data": {"name": "meter"}, "mark": {"type": "bar"},
         "encoding": {"x": {"field": "value", "type": "quantitative", "title": _("value"),
                            "scale": {"domain": {"unionWith": [0, 2.0 * threshold]}}},
                      "y": {"field": "quantity", "type": "nominal", "title": None,
                            "sort": list(frame["quantity"]), "axis": {"labelLimit": 200}},
                      "color": {"field": "verdict", "type": "nominal", "title": _("gradients"),
                                "scale": {"domain": [vanish, explode], "range": ["#1f77b4", "#d62728"]},
                                "legend": {"orient": "bottom"}},
                      "tooltip": [{"field": "quantity", "type": "nominal", "title": _("quantity")},
                                  {"field": "value", "type": "quantitative", "format": ".4f", "title": _("value")}]}},
        {"data": {"name": "threshold"}, "mark": {"type": "rule", "color": "black", "strokeDash": [5, 3],
                                                 "strokeWidth": 2},
         "encoding": {"x": {"field": "value", "type": "quantitative"},
                      "tooltip": {"field": "label", "type": "nominal", "title": _("threshold")}}},
    ]
    datasets = {"meter": frame,
                "threshold": pd.DataFrame({"value": [threshold],
                                           "label": [_("1/gamma = {value}").format(value=f"{threshold:g}")]})}
    return _layered(layers, datasets, title=_("sigma_max of W_hh vs 1/gamma"), height={"step": 28})


def monte_carlo_chart(frame: pd.DataFrame) -> dict:
    """Randomized truncation: relative error of the running mean of the draws against full BPTT,
    and the error expected from the draws' spread (sqrt(variance / draws)), log-log.

    frame: columns draws, running_error, expected_error.
    """
    data = frame.melt("draws", ["running_error", "expected_error"], var_name="curve", value_name="error")
    data["curve"] = data["curve"].map({"running_error": _("running mean"),
                                       "expected_error": _("spread / sqrt(draws)")})
    data = data[finite_positive(data["error"].to_numpy(dtype=np.float64))]
    layers = [{"data": {"name": "draws"}, "mark": {"type": "line"},
               "encoding": {"x": {"field": "draws", "type": "quantitative", "title": _("draws"),
                                  "scale": {"type": "log", "nice": False}},
                            "y": _log_y(_("relative error"), "error"),
                            "color": {"field": "curve", "type": "nominal", "title": None, "scale": CATEGORIES,
                                      "legend": {"labelLimit": 240, "orient": "bottom"}},
                            "strokeDash": {"field": "curve", "type": "nominal", "legend": None},
                            "tooltip": [{"field": "curve", "type": "nominal", "title": _("line")},
                                        {"field": "draws", "type": "quantitative", "title": _("draws")},
                                        {"field": "error", "type": "quantitative", "format": ".2e",
                                         "title": _("relative error")}]}}]
    return _layered(layers, {"draws": data}, title=_("Monte Carlo: running mean"), height=260)


def spread_chart(frame: pd.DataFrame) -> dict:
    """Bias and spread of randomized truncation against the continuation probability p, with
    the (deterministic) truncation error at the same minimum window as a reference rule.

    frame: columns p, mean_length, bias, spread, truncation_error.
    """
    data = frame.melt(["p", "mean_length"], ["bias", "spread"], var_name="measure", value_name="error")
    data["measure"] = data["measure"].map({"bias": _("bias of the mean"), "spread": _("spread of one draw")})
    data = data[finite_positive(data["error"].to_numpy(dtype=np.float64))]
    truncation = float(frame["truncation_error"].iloc[0]) if len(frame) else 0.0
    drawn = bool(finite_positive(np.array([truncation]))[0])
    rule = pd.DataFrame({"error": [truncation] * drawn, "label": [_("bias of fixed truncation")] * drawn})
    layers = [
        {"data": {"name": "spread"}, "mark": {"type": "line", "point": True},
         "encoding": {"x": {"field": "p", "type": "quantitative", "title": _("continuation probability p")},
                      "y": _log_y(_("relative to ||g||"), "error"),
                      "color": {"field": "measure", "type": "nominal", "title": None, "scale": CATEGORIES,
                                "legend": {"labelLimit": 240, "orient": "bottom"}},
                      "tooltip": [{"field": "p", "type": "quantitative"},
                                  {"field": "mean_length", "type": "quantitative", "title": _("mean steps"),
                                   "format": ".1f"},
                                  {"field": "measure", "type": "nominal", "title": _("line")},
                                  {"field": "error", "type": "quantitative", "format": ".2e",
                                   "title": _("relative to ||g||")}]}},
        {"data": {"name": "fixed"}, "mark": {"type": "rule", "strokeDash": [4, 3], "color": "black"},
         "encoding": {"y": {"field": "error", "type": "quantitative"},
                      "tooltip": {"field": "label", "type": "nominal", "title": _("line")}}},
    ]
    return _layered(layers, {"spread": data, "fixed": rule}, title=_("Bias and spread against p"), height=260)


def gate_bias_chart(frame: pd.DataFrame, current_bias: float) -> dict:
    """Gradient surviving T steps, ||dL/dh_0|| / ||dL/dh_T||, against the gate bias, per cell.

    frame: columns bias, cell, surviving.
    """
    cells = [cell for cell in CELL_COLORS if cell in set(frame["cell"])]
    data = frame[finite_positive(frame["surviving"].to_numpy(dtype=np.float64))]
    layers = [
        {"data": {"name": "sweep"}, "mark": {"type": "line", "point": True},
         "encoding": {"x": {"field": "bias", "type": "quantitative",
                            "title": _("forget-gate (LSTM) / update-gate (GRU) bias")},
                      "y": _log_y("||dL/dh_0|| / ||dL/dh_T||", "surviving"),
                      "color": {"field": "cell", "type": "nominal", "title": _("cell"), "legend": {"orient": "bottom"},
                                "scale": {"domain": cells, "range": [CELL_COLORS[cell] for cell in cells]}},
                      "tooltip": [{"field": "cell", "type": "nominal", "title": _("cell")},
                                  {"field": "bias", "type": "quantitative", "title": _("gate bias")},
                                  {"field": "surviving", "type": "quantitative", "format": ".2e"}]}},
        {"data": {"name": "current"}, "mark": {"type": "rule", "strokeDash": [4, 3], "color": "black"},
         "encoding": {"x": {"field": "bias", "type": "quantitative"}}},
    ]
    return _layered(layers, {"sweep": data, "current": pd.DataFrame({"bias": [current_bias]})},
                    title=_("Gradient surviving T steps"), height=260)


PATH_COLORS = {N_("through o_t (the loss at t)"): "#ff7f0e", N_("through h_t+1"): "#1f77b4",
               N_("dL/dh_t (their sum)"): "#2ca02c"}
"""The two paths of dL/dh_t and their sum, in the same colours on the drawing and the chart."""
PATH_NAMES = dict(zip(("own", "through_next", "total"), PATH_COLORS, strict=True))


def two_paths_chart(by_step: pd.DataFrame, t: int) -> dict:
    """The norms of both paths and of dL/dh_t against the step on a log axis, the chosen step t
    marked. by_step: columns t, own, through_next, total (core.rnn.examples.TwoPaths.by_step);
    the path through h_{T+1} does not exist, so its 0 at t = T is left out."""
    data = by_step.melt("t", list(PATH_NAMES), var_name="path", value_name="norm")
    data["path"] = data["path"].map({name: _(label) for name, label in PATH_NAMES.items()})
    data = data[finite_positive(data["norm"].to_numpy(dtype=np.float64))]
    colour = {"field": "path", "type": "nominal", "title": None,
              "scale": {"domain": [_(label) for label in PATH_COLORS], "range": list(PATH_COLORS.values())},
              "legend": {"labelLimit": 240, "orient": "bottom", "columns": 2}}
    layers = [
        {"data": {"name": "paths"}, "mark": {"type": "line"},
         "encoding": {"x": {"field": "t", "type": "quantitative", "title": _("step t")},
                      "y": _log_y(_("norm over the batch"), "norm"), "color": colour,
                      "strokeDash": {"field": "path", "type": "nominal", "legend": None},
                      "tooltip": [{"field": "path", "type": "nominal", "title": _("path")},
                                  {"field": "t", "type": "quantitative"},
                                  {"field": "norm", "type": "quantitative", "format": ".3e", "title": _("norm")}]}},
        {"data": {"name": "chosen"}, "mark": {"type": "rule", "strokeDash": [4, 3], "color": "black"},
         "encoding": {"x": {"field": "t", "type": "quantitative"},
                      "tooltip": {"field": "label", "type": "nominal", "title": _("step")}}},
    ]
    chosen = pd.DataFrame({"t": [t], "label": [_("your step t = {t}").format(t=t)]})
    return _layered(layers, {"paths": data, "chosen": chosen}, title=_("||dL/dh_t|| and its two paths"), height=220)


def two_paths_diagram(t: int, T: int, own: float, through_next: float, total: float) -> dict:
    """The lecture's unrolled graph around step t: h_{t-1} -> h_t -> h_{t+1} with outputs o_t,
    o_{t+1} above, and the gradient flowing back into h_t along its two edges, each labelled
    with its norm (own: via o_t, through_next: via h_{t+1}, total: ||dL/dh_t||). At t = T there
    is no h_{T+1}: that node and its edge are drawn faint."""
    last = t == T
    own_colour, next_colour, total_colour = PATH_COLORS.values()
    nodes = pd.DataFrame([
        {"x": 0.0, "y": 0.0, "label": f"h{t - 1}", "fill": "#f0f2f6", "opacity": 1.0},
        {"x": 1.0, "y": 0.0, "label": f"h{t}", "fill": "#c7ecc7", "opacity": 1.0},
        {"x": 2.0, "y": 0.0, "label": f"h{t + 1}", "fill": "#d6e6f5", "opacity": 0.3 if last else 1.0},
        {"x": 1.0, "y": 1.0, "label": f"o{t}", "fill": "#ffe2c6", "opacity": 1.0},
        {"x": 2.0, "y": 1.0, "label": f"o{t + 1}", "fill": "#f0f2f6", "opacity": 0.3 if last else 1.0},
    ])
    edges = pd.DataFrame([  # the gradient's direction: from the later node back to the earlier one
        {"x": 1.0, "y": 1.0, "x2": 1.0, "y2": 0.0, "colour": own_colour, "opacity": 1.0, "width": 4.0},
        {"x": 2.0, "y": 0.0, "x2": 1.0, "y2": 0.0, "colour": next_colour, "opacity": 0.3 if last else 1.0,
         "width": 4.0},
        {"x": 2.0, "y": 1.0, "x2": 2.0, "y2": 0.0, "colour": "#9e9e9e", "opacity": 0.3 if last else 0.8,
         "width": 2.0},
        {"x": 1.0, "y": 0.0, "x2": 0.0, "y2": 0.0, "colour": total_colour, "opacity": 1.0, "width": 4.0},
    ])
    heads = pd.DataFrame([
        {"x": 1.0, "y": 0.35, "shape": "triangle-down", "colour": own_colour, "opacity": 1.0},
        {"x": 1.4, "y": 0.0, "shape": "triangle-left", "colour": next_colour, "opacity": 0.3 if last else 1.0},
        {"x": 0.4, "y": 0.0, "shape": "triangle-left", "colour": total_colour, "opacity": 1.0},
    ])
    labels = pd.DataFrame([
        {"x": 1.5, "y": 0.55, "text": _("via o{t}: {norm}").format(t=t, norm=f"{own:.3g}"), "colour": own_colour},
        {"x": 1.5, "y": -0.3, "text": _("via h{t}: none (t = T)").format(t=t + 1) if last else
         _("via h{t}: {norm}").format(t=t + 1, norm=f"{through_next:.3g}"), "colour": next_colour},
        {"x": 0.5, "y": 0.25, "text": f"dL/dh{t}: {total:.3g}", "colour": total_colour},
    ])
    x = {"field": "x", "type": "quantitative", "axis": None, "scale": {"domain": [-0.4, 2.4]}}
    y = {"field": "y", "type": "quantitative", "axis": None, "scale": {"domain": [-0.5, 1.3]}}
    plain = {"scale": None}
    layers = [
        {"data": {"name": "edges"}, "mark": {"type": "rule"},
         "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"},
                      "color": {"field": "colour", "type": "nominal", **plain},
                      "opacity": {"field": "opacity", "type": "quantitative", **plain},
                      "strokeWidth": {"field": "width", "type": "quantitative", **plain}}},
        {"data": {"name": "heads"}, "mark": {"type": "point", "filled": True, "size": 220},
         "encoding": {"x": x, "y": y, "shape": {"field": "shape", "type": "nominal", **plain},
                      "color": {"field": "colour", "type": "nominal", **plain},
                      "opacity": {"field": "opacity", "type": "quantitative", **plain}}},
        {"data": {"name": "nodes"}, "mark": {"type": "circle", "size": 1100, "stroke": "#31333f", "strokeWidth": 1},
         "encoding": {"x": x, "y": y, "color": {"field": "fill", "type": "nominal", **plain},
                      "opacity": {"field": "opacity", "type": "quantitative", **plain}}},
        {"data": {"name": "nodes"}, "mark": {"type": "text", "fontSize": 13, "fontWeight": "bold"},
         "encoding": {"x": x, "y": y, "text": {"field": "label", "type": "nominal"},
                      "opacity": {"field": "opacity", "type": "quantitative", **plain}}},
        {"data": {"name": "labels"}, "mark": {"type": "text", "fontSize": 13, "fontWeight": "bold"},
         "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"},
                      "color": {"field": "colour", "type": "nominal", **plain}}},
    ]
    return _layered(layers, {"edges": edges, "heads": heads, "nodes": nodes, "labels": labels},
                    title=_("dL/dh{t} = via o{t} + via h{next}").format(t=t, next=t + 1), height=210)
