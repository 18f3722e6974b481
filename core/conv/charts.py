"""Charts and formula text for the convolution lab: data in, Altair chart / string / DataFrame out.

Titles, axis and tooltip titles and each chart's `description` (its text alternative) are in the
interface language (core.messages); the callers pass titles already translated.

No streamlit here, so tests can inspect every chart (`chart.to_dict()`, `chart.data`).
Arrays are NumPy; a heatmap takes one 2D slice (H, W), a signal chart 1D arrays (L,).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.conv.ops import Connection
from core.messages import _

HIGHLIGHT = "#00c853"  # green: visible on the grey, red-blue and viridis maps alike
SELECTED = "#ff6d00"   # orange: the inspected output cell
CANVAS = {"embedOptions": {"renderer": "canvas"}}
"""A spec's "usermeta" that has the browser draw it on a canvas: Streamlit would pick SVG for
charts under 2,000 rows, one DOM node per cell, and every redraw would restyle them all."""
PICK = "cell"
"""The name of the point selection on a pickable heatmap; an event's selection[PICK] lists the
clicked cell as {"row": r, "col": c}."""


SEAM_OVERLAP = 1.25
NUMBER_FORMAT = ".3~g"
"""d3 format for colour bars and tooltips: 3 significant digits, exponent only for tiny or huge
numbers, trailing zeros dropped ("0", "0.25", "-4", "1.5e-7", "2.4e+5")."""


def colour_scale(kind: str, values: np.ndarray) -> dict:
    """A Vega-Lite colour scale for a map: "image" grey (black 0, white 1, widened to the data),
    "signed" red-blue with white at 0, "sequential" viridis; "auto" is signed when the values
    straddle 0. The domain comes from the data in the browser, so the spec stays the same when
    only the numbers change and the chart is updated in place instead of rebuilt."""
    if kind == "auto":
        kind = "signed" if np.min(values) < 0 < np.max(values) else "sequential"
    if kind == "image":
        return {"scheme": "greys", "reverse": True, "domain": {"unionWith": [0, 1]}}
    if kind == "signed":
        return {"scheme": "redblue", "domainMid": 0}
    return {"scheme": "viridis", "zero": False}


def heatmap(values: np.ndarray, *, title: str = "", highlight: Iterable[tuple[int, int]] = (),
            selected: tuple[int, int] | None = None, kind: str = "auto", max_width: int = 300,
            pick: dict[str, int] | None = None, annotate: bool | None = None, name: str = "map",
            padding: int | tuple[int, int] = 0) -> dict:
    """A heatmap of a 2D array (H, W) as a Vega-Lite spec (a dict holding its DataFrames): a
    tooltip per cell (row, column, value), a colour bar below the map (so maps side by side never
    overlap), outlined cells and clickable cells.

    kind: see colour_scale. `highlight` outlines cells (row, col) in green (a receptive field),
    `selected` outlines one cell in orange (the inspected output). With `pick` (constant fields
    naming the map, e.g. {"channel": 2} or {"channel": 0, "depth": 3}) clicking a cell selects
    it: a point selection named PICK over those fields and (row, col). annotate writes each value
    in its cell; by default only for kernel-sized arrays (<= 7 x 7). The plot is max_width
    pixels wide (40 per column at most) and as tall as the array's aspect asks, whatever the
    size, so a new size or new numbers change the data and not the spec. `name` prefixes the
    spec's dataset names. `padding` (rows, columns; one number for both) marks the outer ring of
    that many cells as the zero padding around the input (as CNN Explainer draws it): greyed and
    dashed, with "padding zero" in its tooltip.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"a heatmap needs a 2D array, got shape {values.shape}")
    rows, cols = values.shape
    width = min(max_width, 40 * cols)
    height = max(1, round(width * rows / cols))
    scale = colour_scale(kind, values)
    frame = pd.DataFrame({
        "row": np.repeat(np.arange(rows), cols),
        "col": np.tile(np.arange(cols), rows),
        "value": values.ravel(),
        **{name: np.full(rows * cols, int(constant)) for name, constant in (pick or {}).items()},
    })
    datasets = {name: frame}
    position = {
        "x": {"field": "col", "type": "ordinal", "scale": {"paddingInner": 0, "paddingOuter": 0},
              "axis": {"title": None, "labels": cols <= 16, "ticks": False, "labelAngle": 0, "domain": False}},
        "y": {"field": "row", "type": "ordinal", "scale": {"paddingInner": 0, "paddingOuter": 0},
              "axis": {"title": None, "labels": rows <= 16, "ticks": False, "domain": False}},
    }
    cells = {
        "data": {"name": name},
        # Each cell reaches a little into its neighbour: abutting cells at fractional pixel edges
        # leave anti-aliased seams, overlapping ones do not (the neighbour is drawn over it).
        "mark": {"type": "rect", "cursor": "pointer" if pick is not None else "default",
                 "width": {"band": SEAM_OVERLAP}, "height": {"band": SEAM_OVERLAP}, "clip": True},
        "encoding": {
            **position,
            "color": {"field": "value", "type": "quantitative", "scale": scale,
                      "legend": {"title": None, "orient": "bottom", "direction": "horizontal", "format": NUMBER_FORMAT,
                                 "gradientLength": max(60, min(width, 320)), "labelOverlap": "greedy",
                                 "tickCount": 5}},
            "tooltip": [{"field": "row", "type": "ordinal", "title": _("row")},
                        {"field": "col", "type": "ordinal", "title": _("column")},
                        {"field": "value", "type": "quantitative", "format": ".5~g", "title": _("value")}],
        },
    }
    if pick is not None:
        cells["params"] = [{"name": PICK, "select": {"type": "point", "fields": [*pick, "row", "col"], "on": "click",
                                                     "clear": False, "toggle": False}}]
    layers = [cells]
    if annotate if annotate is not None else rows <= 7 and cols <= 7:
        datasets[f"{name}-ink"] = frame.assign(ink=ink_colours(values, scale).ravel())
        layers.append({"data": {"name": f"{name}-ink"},
                       "mark": {"type": "text", "fontSize": 11 if width / cols >= 32 else 9},
                       "encoding": {**position, "text": {"field": "value", "type": "quantitative", "format": ".2f"},
                                    "color": {"field": "ink", "type": "nominal", "scale": None}}})
    pad_rows, pad_cols = (padding, padding) if isinstance(padding, int) else padding
    if pad_rows or pad_cols:
        ring = [(r, c) for r in range(rows) for c in range(cols)
                if r < pad_rows or r >= rows - pad_rows or c < pad_cols or c >= cols - pad_cols]
        datasets[f"{name}-padding"] = pd.DataFrame(ring, columns=["row", "col"]).assign(value=_("padding zero"))
        layers.append({"data": {"name": f"{name}-padding"},
                       "mark": {"type": "rect", "fill": PADDING, "fillOpacity": 0.45, "stroke": PADDING,
                                "strokeDash": [3, 2], "strokeWidth": 1},
                       "encoding": {**position,
                                    "tooltip": [{"field": "value", "type": "nominal", "title": _("padding")}]}})
    outlines = [(int(r), int(c), "window") for r, c in highlight]
    if selected is not None:
        outlines.append((int(selected[0]), int(selected[1]), "inspected"))
    datasets[f"{name}-marks"] = pd.DataFrame(outlines, columns=["row", "col", "mark"]).astype({"row": int, "col": int})
    layers.append({"data": {"name": f"{name}-marks"}, "mark": {"type": "rect", "fill": None, "strokeWidth": 2},
                   "encoding": {**position, "stroke": {"field": "mark", "type": "nominal", "legend": None,
                                                       "scale": {"domain": ["window", "inspected"],
                                                                 "range": [HIGHLIGHT, SELECTED]}}}})
    # autosize "pad": the plot keeps its width and the colour bar is added below it
    # (Streamlit's default "fit" would squeeze plot, legend and title into the column).
    spec = {"width": width, "height": height, "autosize": {"type": "pad", "contains": "padding"},
            "layer": layers, "resolve": {"scale": {"color": "independent"}}, "datasets": datasets, "usermeta": CANVAS}
    if title:
        spec["title"] = title
    # no sizes or numbers in it: new numbers change the data, never the spec
    spec["description"] = _("{title}: heat map").format(title=title) if title else _("Heat map")
    return spec


# The colour schemes' stops as Vega draws them, low to high: the fill colour of every cell can be
# computed here, so its number is written in black or white by the fill's relative luminance.
SCHEME_STOPS = {
    "greys": ("#000000", "#252525", "#525252", "#737373", "#969696", "#bdbdbd", "#d9d9d9", "#f0f0f0", "#ffffff"),
    "redblue": ("#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3",
                "#2166ac", "#053061"),
    "viridis": ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b",
                "#fde725"),
}
INK_LUMINANCE = 0.179
"""Below this relative luminance white text has the higher contrast (WCAG 2: (1.05)/(L+0.05)
against white equals (L+0.05)/0.05 against black at L = 0.179)."""
PADDING = "#9e9e9e"  # the padding ring: a mid grey, neither the image's black nor its white


def scale_position(values: np.ndarray, scale: dict) -> np.ndarray:
    """Where each value falls on its colour scale, 0 (the scheme's first stop) to 1 (its last), as
    colour_scale's domain puts it: greys widened to [0, 1], red-blue with 0 in the middle."""
    values = np.asarray(values, dtype=float)
    low, high = float(np.min(values)), float(np.max(values))
    if scale["scheme"] == "redblue":
        below = np.where(values < 0, 0.5 - 0.5 * values / min(low, -1e-300), 0.5)
        return np.clip(np.where(values > 0, 0.5 + 0.5 * values / max(high, 1e-300), below), 0, 1)
    if scale["scheme"] == "greys":
        low, high = min(low, 0.0), max(high, 1.0)
    return np.clip((values - low) / max(high - low, 1e-300), 0, 1)


def fill_colours(values: np.ndarray, scale: dict) -> np.ndarray:
    """Each cell's fill as (..., 3) RGB in 0..1, interpolated between the scheme's stops."""
    stops = SCHEME_STOPS[scale["scheme"]]
    rgb = np.array([[int(stop[i:i + 2], 16) / 255 for i in (1, 3, 5)] for stop in stops])
    position = scale_position(values, scale) * (len(stops) - 1)
    return np.stack([np.interp(position, np.arange(len(stops)), rgb[:, channel]) for channel in range(3)], axis=-1)


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours (..., 3) in 0..1."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def ink_colours(values: np.ndarray, scale: dict) -> np.ndarray:
    """"white" or "black" per cell: the text colour with the higher contrast on the cell's fill."""
    return np.where(relative_luminance(fill_colours(values, scale)) < INK_LUMINANCE, "white", "black")


def signal_chart(series: dict[str, np.ndarray], *, title: str = "", highlight: tuple[float, float] | None = None,
                 positions: dict[str, np.ndarray] | None = None, height: int = 220,
                 pick: dict[str, int] | None = None, selected: tuple[str, int] | None = None) -> dict:
    """1D arrays (L,) as lines with points (tooltips: position and value), one colour per series,
    as a Vega-Lite spec (a dict holding its DataFrames).

    positions[name] places a series' points (default 0..L-1), e.g. outputs at the centres of their
    windows. highlight = (first, last) shades that range of positions, inclusive (a receptive field).
    `pick` maps series names to output channels: their points can be clicked, a point selection
    named PICK over (channel, index). `selected` = (series, index) circles that point.
    """
    positions = positions or {}
    pick = pick or {}
    frame = pd.concat(
        [pd.DataFrame({"position": positions.get(name, np.arange(len(values))), "index": np.arange(len(values)),
                       "value": np.asarray(values, dtype=float), "series": name, "channel": pick.get(name, -1)})
         for name, values in series.items()],
        ignore_index=True,
    )
    band = (pd.DataFrame({"start": [highlight[0] - 0.5], "end": [highlight[1] + 0.5]}) if highlight is not None
            else pd.DataFrame({"start": pd.Series(dtype=float), "end": pd.Series(dtype=float)}))
    chosen = (frame[(frame["series"] == selected[0]) & (frame["index"] == selected[1])] if selected is not None
              else frame.iloc[:0])
    datasets = {"signal": frame, "band": band, "ring": chosen.reset_index(drop=True)}
    encoding = {
        "x": {"field": "position", "type": "quantitative", "title": _("position")},
        "y": {"field": "value", "type": "quantitative", "title": None},
        "color": {"field": "series", "type": "nominal", "title": None, "sort": list(series),
                  "legend": {"orient": "top", "labelLimit": 260}},
        "tooltip": [{"field": "series", "type": "nominal", "title": _("series")},
                    {"field": "index", "type": "quantitative", "title": _("index")},
                    {"field": "position", "type": "quantitative", "title": _("position")},
                    {"field": "value", "type": "quantitative", "format": ".5~g", "title": _("value")}],
    }
    data = {"name": "signal"}
    layers = [
        {"data": {"name": "band"}, "mark": {"type": "rect", "color": HIGHLIGHT, "opacity": 0.2},
         "encoding": {"x": {"field": "start", "type": "quantitative"}, "x2": {"field": "end"}}},
        {"data": data, "mark": {"type": "line"}, "encoding": encoding},
    ]
    plain = [name for name in series if name not in pick]
    if plain:
        layers.append({"data": data, "mark": {"type": "point", "filled": True, "size": 18}, "encoding": encoding,
                       "transform": [{"filter": {"field": "series", "oneOf": plain}}]})
    if pick:
        layers.append({"data": data, "mark": {"type": "point", "filled": True, "size": 40, "cursor": "pointer"},
                       "encoding": encoding, "transform": [{"filter": {"field": "series", "oneOf": list(pick)}}],
                       "params": [{"name": PICK, "select": {"type": "point", "fields": ["channel", "index"],
                                                            "on": "click", "clear": False, "toggle": False}}]})
    layers.append({"data": {"name": "ring"}, "mark": {"type": "point", "size": 220, "strokeWidth": 2.5,
                                                      "color": SELECTED},
                   "encoding": {"x": {"field": "position", "type": "quantitative"},
                                "y": {"field": "value", "type": "quantitative"}}})
    # fit-x: as wide as the page, but keep the height (Streamlit's default "fit" would squash it).
    spec = {"height": height, "autosize": {"type": "fit-x", "contains": "padding"}, "layer": layers,
            "datasets": datasets, "usermeta": CANVAS}
    if title:
        spec["title"] = title
    names = ", ".join(series)
    spec["description"] = (_("{title}: line chart of {names} against the position").format(title=title, names=names)
                           if title else _("Line chart of {names} against the position").format(names=names))
    return spec


SIZE_FORMULA = "O = \\left\\lfloor \\frac{n + 2p - d\\,(k-1) - 1}{s} \\right\\rfloor + 1"


def size_formula_latex(n: int, k: int, *, padding: int, stride: int, dilation: int, axis: str = "") -> str:
    """SIZE_FORMULA with the numbers of one axis substituted, as LaTeX; works for sizes < 1 too."""
    numerator = n + 2 * padding - dilation * (k - 1) - 1
    size = numerator // stride + 1
    sub = f"_{{\\text{{{axis}}}}}" if axis else ""
    return (
        f"\\begin{{aligned}}O{sub} &= \\left\\lfloor \\frac{{{n} + 2\\cdot{padding} - {dilation}\\cdot({k}-1) - 1}}"
        f"{{{stride}}} \\right\\rfloor + 1\\\\"
        f" &= \\left\\lfloor \\frac{{{numerator}}}{{{stride}}} \\right\\rfloor + 1 = {size}\\end{{aligned}}"
    )


def connection_chart(links: Sequence[Connection], n: int, k: int, *, follow: int | None = None,
                     inputs: Sequence[float] | None = None, outputs: Sequence[float] | None = None) -> alt.LayerChart:
    """The lecture's 1D picture: inputs X (bottom row) joined to outputs O (top row), one line per
    term W_j * X_m, coloured by the weight. Padding zeros appear as grey inputs named 0.

    follow=m (0-based): input X_{m+1}'s lines bold and the others faint, X_{m+1} and the outputs
    it reaches filled orange (its paths to the outputs). inputs (n,) and outputs (one per output
    node): numbers written under the inputs and over the outputs.
    """
    sources = sorted({link.source for link in links} | set(range(n)))
    output_ids = sorted({link.output for link in links})
    reached = {link.output for link in links if link.source == follow}
    nodes = pd.DataFrame(
        [{"x": float(s), "y": 0.0, "label": f"X{s + 1}" if 0 <= s < n else "0",
          "fill": SELECTED if s == follow else "#f0f2f6" if 0 <= s < n else "#bbbbbb",
          "value": _node_value(inputs, s) if 0 <= s < n else "", "value_y": -0.3} for s in sources]
        + [{"x": _output_x(o, output_ids, sources), "y": 1.0, "label": f"O{o + 1}",
            "fill": "#ffd0a8" if o in reached else "#dbe9f8", "value": _node_value(outputs, o), "value_y": 1.3}
           for o in output_ids]
    )
    edges = pd.DataFrame(
        [{"x": float(link.source), "y": 0.0, "x2": _output_x(link.output, output_ids, sources), "y2": 1.0,
          "weight": f"W{link.weight + 1}",
          "term": f"W{link.weight + 1}·{_x_name(link.source, n)} → O{link.output + 1}",
          "opacity": 0.8 if follow is None else 1.0 if link.source == follow else 0.12,
          "width": 4.0 if follow is not None and link.source == follow else 2.5}
         for link in links]
    )
    x_scale = alt.Scale(domain=[min(sources) - 0.7, max(sources) + 0.7])
    y_scale = alt.Scale(domain=[-0.45, 1.45])
    lines = alt.Chart(edges).mark_rule().encode(
        x=alt.X("x:Q", scale=x_scale, axis=None), y=alt.Y("y:Q", scale=y_scale, axis=None),
        x2="x2:Q", y2="y2:Q",
        color=alt.Color("weight:N", title=_("weight"), scale=alt.Scale(scheme="category10"),
                        sort=[f"W{j + 1}" for j in range(k)]),
        opacity=alt.Opacity("opacity:Q", scale=None), strokeWidth=alt.StrokeWidth("width:Q", scale=None),
        tooltip=[alt.Tooltip("term:N", title=_("term"))],
    )
    circles = alt.Chart(nodes).mark_circle(size=900, opacity=1).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale),
        color=alt.Color("fill:N", scale=None),
        tooltip=[alt.Tooltip("label:N", title=_("node")), alt.Tooltip("value:N", title=_("value"))],
    )
    text = alt.Chart(nodes).mark_text(fontSize=13, fontWeight="bold").encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="label:N")
    values = alt.Chart(nodes).mark_text(fontSize=12, color="#31333f").encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("value_y:Q", scale=y_scale), text="value:N")
    description = _("The lecture's 1D picture: {n} inputs joined to {m} outputs, one line per term, coloured by "
                    "the weight").format(n=n, m=len(output_ids))
    return alt.LayerChart(layer=[lines, circles, text, values], height=230, description=description,
                          resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")))


def _node_value(values: Sequence[float] | None, index: int) -> str:
    """A node's number, 4 significant digits; blank without numbers or for a cell left empty."""
    if values is None or index >= len(values) or np.isnan(values[index]):
        return ""
    return format(float(values[index]), ".4g")


def connection_table(links: Sequence[Connection], n: int) -> pd.DataFrame:
    """The lecture's table: one row per input X_m, one column per output O_i, cell = the weight
    that carries X_m into O_i ("–" when X_m does not reach O_i). Padding zeros are left out."""
    outputs = sorted({link.output for link in links})
    table = pd.DataFrame("–", index=[f"X{m + 1}" for m in range(n)], columns=[f"O{i + 1}" for i in outputs])
    for link in links:
        if 0 <= link.source < n:
            table.loc[f"X{link.source + 1}", f"O{link.output + 1}"] = f"W{link.weight + 1}"
    table.index.name = _("input")
    return table


def _output_x(output: int, outputs: list[int], sources: list[int]) -> float:
    """Spread the outputs evenly under the inputs' span so the lines do not pile up."""
    if len(outputs) == 1:
        return (min(sources) + max(sources)) / 2
    return min(sources) + (max(sources) - min(sources)) * outputs.index(output) / (len(outputs) - 1)


def _x_name(source: int, n: int) -> str:
    return f"X{source + 1}" if 0 <= source < n else _("0 (padding)")
