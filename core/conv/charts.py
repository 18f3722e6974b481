"""Charts and formula text for the convolution lab: data in, Altair chart / string / DataFrame out.

No streamlit here, so tests can inspect every chart (`chart.to_dict()`, `chart.data`).
Arrays are NumPy; a heatmap takes one 2D slice (H, W), a signal chart 1D arrays (L,).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.conv.ops import Connection

TOOLTIP_LIMIT = 48 * 48   # cells: above this, draw an image instead (see fits_heatmap)
HIGHLIGHT = "#00c853"  # green: visible on the grey, red-blue and viridis maps alike


def fits_heatmap(values: np.ndarray) -> bool:
    """Small enough for an interactive Altair heatmap with a tooltip per cell (<= 48 x 48)."""
    return values.size <= TOOLTIP_LIMIT


def heatmap(values: np.ndarray, *, title: str = "", highlight: Iterable[tuple[int, int]] = (),
            kind: str = "auto", max_width: int = 300, value_format: str = ".3f",
            annotate: bool | None = None) -> alt.LayerChart:
    """A heatmap of a 2D array (H, W) with a tooltip per cell (row, column, value).

    kind: "image" (grayscale, 0 black), "signed" (diverging around 0), "sequential" or "auto"
    (signed when the values straddle 0, else sequential). `highlight` outlines cells (row, col).
    annotate writes each value in its cell; by default only for kernel-sized arrays (<= 7 x 7).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"a heatmap needs a 2D array, got shape {values.shape}")
    rows, cols = values.shape
    cell = max(6, min(40, max_width // max(cols, 1)))
    low, high = float(values.min()), float(values.max())
    if kind == "auto":
        kind = "signed" if low < 0 < high else "sequential"
    if kind == "image":
        scale = alt.Scale(scheme="greys", reverse=True, domain=[min(low, 0.0), max(high, 1.0)])
        darkness = 1 - (values - min(low, 0.0)) / max(max(high, 1.0) - min(low, 0.0), 1e-12)
    elif kind == "signed":
        bound = max(abs(low), abs(high), 1e-12)
        scale = alt.Scale(scheme="redblue", reverse=True, domain=[-bound, bound])
        darkness = np.abs(values) / bound
    else:
        scale = alt.Scale(scheme="viridis")
        darkness = 1 - (values - low) / max(high - low, 1e-12)
    marked = np.zeros(values.shape, dtype=int)
    for row, col in highlight:
        marked[row, col] = 1
    frame = pd.DataFrame({
        "row": np.repeat(np.arange(rows), cols),
        "col": np.tile(np.arange(cols), rows),
        "value": values.ravel(),
        "marked": marked.ravel(),
        "ink": np.where(darkness.ravel() > 0.55, "white", "black"),
    }).sort_values("marked", kind="stable")  # outlined cells last, so neighbours do not paint over them
    x = alt.X("col:O", axis=alt.Axis(title=None, labels=cols <= 16, ticks=False, labelAngle=0))
    y = alt.Y("row:O", axis=alt.Axis(title=None, labels=rows <= 16, ticks=False))
    # autosize "pad": the plot keeps exactly cell * cols pixels and the legend is added beside it
    # (Streamlit's default "fit" squeezes the plot, legend and title into width x height).
    size = dict(width=cell * cols, height=cell * rows, autosize=alt.AutoSizeParams(type="pad", contains="padding"))
    if annotate is None:
        annotate = rows <= 7 and cols <= 7
    title = title or alt.Undefined
    cells = alt.Chart().mark_rect().encode(
        x=x, y=y,
        color=alt.Color("value:Q", scale=scale,
                        legend=alt.Legend(title=None, gradientLength=max(60, cell * rows - 20))),
        stroke=alt.Stroke("marked:N", scale=alt.Scale(domain=[0, 1], range=["transparent", HIGHLIGHT]), legend=None),
        strokeWidth=alt.StrokeWidth("marked:Q", scale=alt.Scale(domain=[0, 1], range=[0, 3]), legend=None),
        tooltip=[alt.Tooltip("row:O"), alt.Tooltip("col:O", title="column"),
                 alt.Tooltip("value:Q", format=value_format)],
    )
    layers = [cells]
    if annotate:
        layers.append(alt.Chart().mark_text(fontSize=11 if cell >= 32 else 9).encode(
            x=x, y=y, text=alt.Text("value:Q", format=".2f"), color=alt.Color("ink:N", scale=None)))
    # Built as one LayerChart over shared data: alt.layer() and .resolve_scale() deep-copy every
    # layer and cost more than the whole rerun.
    return alt.LayerChart(frame, layer=layers, title=title, **size,
                          resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")))


def to_image(values: np.ndarray, highlight: Iterable[tuple[int, int]] = ()) -> np.ndarray:
    """A 2D array (H, W) scaled to [0, 1] for st.image (a constant array becomes mid-grey).

    With `highlight` cells (row, col) it returns RGB (H, W, 3) with those cells tinted.
    """
    values = np.asarray(values, dtype=float)
    low, high = values.min(), values.max()
    gray = np.full(values.shape, 0.5) if high - low < 1e-12 else (values - low) / (high - low)
    cells = list(highlight)
    if not cells:
        return gray
    rgb = np.repeat(gray[..., None], 3, axis=2)
    rows, cols = np.array(cells).T
    rgb[rows, cols] = 0.5 * rgb[rows, cols] + 0.5 * np.array([0.89, 0.34, 0.18])
    return rgb


def signal_chart(series: dict[str, np.ndarray], *, title: str = "", highlight: tuple[float, float] | None = None,
                 positions: dict[str, np.ndarray] | None = None, height: int = 220) -> alt.LayerChart:
    """1D arrays (L,) as lines with points (tooltips: position and value), one colour per series.

    positions[name] places a series' points (default 0..L-1), e.g. outputs at the centres of their
    windows. highlight = (first, last) shades that range of positions, inclusive (a receptive field).
    """
    positions = positions or {}
    frame = pd.concat(
        [pd.DataFrame({"position": positions.get(name, np.arange(len(values))),
                       "value": np.asarray(values, dtype=float), "series": name})
         for name, values in series.items()],
        ignore_index=True,
    )
    lines = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=alt.X("position:Q", title="position"),
        y=alt.Y("value:Q", title=None),
        color=alt.Color("series:N", title=None, sort=list(series), legend=alt.Legend(orient="top")),
        tooltip=["series:N", "position:Q", alt.Tooltip("value:Q", format=".3f")],
    )
    layers = [lines]
    if highlight is not None:
        band = pd.DataFrame({"start": [highlight[0] - 0.5], "end": [highlight[1] + 0.5]})
        layers.insert(0, alt.Chart(band).mark_rect(color=HIGHLIGHT, opacity=0.2).encode(x="start:Q", x2="end:Q"))
    # fit-x: as wide as the page, but keep the height (Streamlit's default "fit" would squash it).
    return alt.LayerChart(layer=layers, title=title or alt.Undefined, height=height,
                          autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


SIZE_FORMULA = "O = \\left\\lfloor \\frac{n + 2p - d\\,(k-1) - 1}{s} \\right\\rfloor + 1"


def size_formula_latex(n: int, k: int, *, padding: int, stride: int, dilation: int, axis: str = "") -> str:
    """SIZE_FORMULA with the numbers of one axis substituted, as LaTeX; works for sizes < 1 too."""
    numerator = n + 2 * padding - dilation * (k - 1) - 1
    size = numerator // stride + 1
    sub = f"_{{\\text{{{axis}}}}}" if axis else ""
    return (
        f"O{sub} = \\left\\lfloor \\frac{{{n} + 2\\cdot{padding} - {dilation}\\cdot({k}-1) - 1}}{{{stride}}}"
        f" \\right\\rfloor + 1"
        f" = \\left\\lfloor \\frac{{{numerator}}}{{{stride}}} \\right\\rfloor + 1 = {size}"
    )


def connection_chart(links: Sequence[Connection], n: int, k: int) -> alt.LayerChart:
    """The lecture's 1D picture: inputs X (bottom row) joined to outputs O (top row), one line per
    term W_j * X_m, coloured by the weight. Padding zeros appear as grey inputs named 0."""
    sources = sorted({link.source for link in links} | set(range(n)))
    outputs = sorted({link.output for link in links})
    nodes = pd.DataFrame(
        [{"x": float(s), "y": 0.0, "label": f"X{s + 1}" if 0 <= s < n else "0",
          "fill": "#f0f2f6" if 0 <= s < n else "#bbbbbb"} for s in sources]
        + [{"x": _output_x(o, outputs, sources), "y": 1.0, "label": f"O{o + 1}", "fill": "#dbe9f8"} for o in outputs]
    )
    edges = pd.DataFrame(
        [{"x": float(link.source), "y": 0.0, "x2": _output_x(link.output, outputs, sources), "y2": 1.0,
          "weight": f"W{link.weight + 1}",
          "term": f"W{link.weight + 1}·{_x_name(link.source, n)} → O{link.output + 1}"}
         for link in links]
    )
    x_scale = alt.Scale(domain=[min(sources) - 0.7, max(sources) + 0.7])
    y_scale = alt.Scale(domain=[-0.25, 1.25])
    lines = alt.Chart(edges).mark_rule(strokeWidth=2.5, opacity=0.8).encode(
        x=alt.X("x:Q", scale=x_scale, axis=None), y=alt.Y("y:Q", scale=y_scale, axis=None),
        x2="x2:Q", y2="y2:Q",
        color=alt.Color("weight:N", title="weight", scale=alt.Scale(scheme="category10"),
                        sort=[f"W{j + 1}" for j in range(k)]),
        tooltip=["term:N"],
    )
    circles = alt.Chart(nodes).mark_circle(size=900, opacity=1).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale),
        color=alt.Color("fill:N", scale=None),
        tooltip=["label:N"],
    )
    text = alt.Chart(nodes).mark_text(fontSize=13, fontWeight="bold").encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="label:N")
    return alt.LayerChart(layer=[lines, circles, text], height=190,
                          resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")))


def connection_table(links: Sequence[Connection], n: int) -> pd.DataFrame:
    """The lecture's table: one row per input X_m, one column per output O_i, cell = the weight
    that carries X_m into O_i ("–" when X_m does not reach O_i). Padding zeros are left out."""
    outputs = sorted({link.output for link in links})
    table = pd.DataFrame("–", index=[f"X{m + 1}" for m in range(n)], columns=[f"O{i + 1}" for i in outputs])
    for link in links:
        if 0 <= link.source < n:
            table.loc[f"X{link.source + 1}", f"O{link.output + 1}"] = f"W{link.weight + 1}"
    table.index.name = "input"
    return table


def forward_equations(links: Sequence[Connection], n: int) -> list[str]:
    """One LaTeX line per output: O_i = W_1 X_a + W_2 X_b + ... (padding zeros written as 0)."""
    outputs = sorted({link.output for link in links})
    return [
        f"O_{{{o + 1}}} = " + " + ".join(
            f"W_{{{link.weight + 1}}} {_x_latex(link.source, n)}" for link in links if link.output == o)
        for o in outputs
    ]


def backward_equations(links: Sequence[Connection], n: int) -> list[str]:
    """One LaTeX line per input: dL/dX_m = sum over the outputs it reaches of delta_i * W_j."""
    lines = []
    for m in range(n):
        terms = [f"\\delta_{{{link.output + 1}}} W_{{{link.weight + 1}}}" for link in links if link.source == m]
        lines.append(f"\\frac{{\\partial L}}{{\\partial X_{{{m + 1}}}}} = " + (" + ".join(terms) if terms else "0"))
    return lines


def _output_x(output: int, outputs: list[int], sources: list[int]) -> float:
    """Spread the outputs evenly under the inputs' span so the lines do not pile up."""
    if len(outputs) == 1:
        return (min(sources) + max(sources)) / 2
    return min(sources) + (max(sources) - min(sources)) * outputs.index(output) / (len(outputs) - 1)


def _x_name(source: int, n: int) -> str:
    return f"X{source + 1}" if 0 <= source < n else "0 (padding)"


def _x_latex(source: int, n: int) -> str:
    return f"X_{{{source + 1}}}" if 0 <= source < n else "\\cdot 0"
