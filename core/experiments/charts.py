"""Chart builders for the Experiments page: data in, `alt.Chart` out (no streamlit).

Titles and descriptions follow the interface language (core.messages); the series' own names
(recorded in the notes) stay as recorded. The keyword `language` is not used to build a chart:
it names the language for ui.widgets.chart, which caches a spec per distinct input.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core import messages
from core.messages import _

FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
"""As wide as the page, with the plot its own height: the legend below is added to it, not
taken out of it (Streamlit's default would squash a plot under a long legend)."""


RUN_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
              "#9c755f", "#bab0ac"]
"""Tableau 10: neighbouring runs get hues far apart (never a dark and a light blue side by side)."""
DECADES = 100


def run_colors() -> alt.Scale:
    return alt.Scale(range=RUN_COLORS)


def y_axis(values: pd.Series) -> str:
    """"log" or "linear" for one chart's y values. Signed data (any value below zero: a Laplacian
    or Sobel output) is always linear; magnitudes (never negative) go on a log axis when their
    positive values span over two decades (gradient norms do), their zeros then left out and
    counted; everything else is linear."""
    finite = values[np.isfinite(values)]
    if (finite < 0).any():
        return "linear"
    positive = finite[finite > 0]
    return "log" if len(positive) and positive.max() / positive.min() > DECADES else "linear"


def overlay_chart(frame: pd.DataFrame, x_name: str, y_name: str, *, language: str | None = None) -> alt.Chart:
    """Several runs' series on one chart: columns x, y, run (one line per run, labelled by title).

    The y axis is chosen for the data drawn (y_axis): linear for signed data, logarithmic for
    magnitudes spanning decades; the title counts any point not drawn.
    """
    finite = frame[np.isfinite(frame["y"]) & np.isfinite(frame["x"])]
    positive = finite[finite["y"] > 0]
    log_scale = y_axis(frame["y"]) == "log"
    drawn = positive if log_scale else finite
    title = _("{y} against {x}").format(y=y_name, x=x_name)
    notes = []
    if len(frame) > len(finite):
        notes.append(_("{count} overflowed or undefined point(s) not drawn").format(count=len(frame) - len(finite)))
    if len(finite) > len(drawn):
        notes.append(_("{count} point(s) at 0 or below not drawn on the log axis").format(
            count=len(finite) - len(drawn)))
    if notes:
        title += f" ({'; '.join(notes)})"
    runs = frame["run"].nunique() if "run" in frame else 0
    description = messages.ngettext(
        "{title}: a line chart with {count} line, one per run; {points} points drawn.",
        "{title}: a line chart with {count} lines, one per run; {points} points drawn.", runs).format(
            title=title, count=runs, points=len(drawn))
    y_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=False)
    return (
        alt.Chart(drawn, title=title, description=description)
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=1.8)
        .encode(
            x=alt.X("x:Q", title=x_name),
            y=alt.Y("y:Q", title=y_name, scale=y_scale, axis=alt.Axis(format=".1e") if log_scale else alt.Axis()),
            color=alt.Color("run:N", title=_("run"), scale=run_colors(),
                            legend=alt.Legend(orient="bottom", columns=1, labelLimit=400)),
            tooltip=[alt.Tooltip("run:N", title=_("run")), alt.Tooltip("x:Q", title=x_name),
                     alt.Tooltip("y:Q", title=y_name, format=".4g")],
        )
        .properties(height=300, width="container", autosize=FIT_WIDTH)
    )


def parallel_coordinates(table: pd.DataFrame, columns: list[str], *, language: str | None = None) -> alt.Chart:
    """One polyline per run across `columns` of a runs table (numeric parameters and results).

    Each axis is scaled to 0..1 between its smallest and largest value over the runs shown
    (a constant column sits at 0.5); tooltips give the real values.
    """
    rows = []
    for _index, run in table.iterrows():
        for position, column in enumerate(columns):
            values = pd.to_numeric(table[column], errors="coerce").replace([np.inf, -np.inf], np.nan)
            value = pd.to_numeric(pd.Series([run[column]]), errors="coerce").iloc[0]
            low, high = values.min(), values.max()
            if pd.isna(value):
                scaled = np.nan
            elif high > low:
                scaled = (min(max(value, low), high) - low) / (high - low)
            else:
                scaled = 0.5
            name = run["title"] if "title" in table else run["slug"]
            rows.append({"run": name, "axis": column, "position": position, "scaled": scaled,
                         "value": "" if pd.isna(value) else f"{value:.4g}"})
    frame = pd.DataFrame(rows, columns=["run", "axis", "position", "scaled", "value"])
    return (
        alt.Chart(frame, title=_("Parameters and results, one line per run"),
                  description=_("Parameters and results, one line per run: {runs} runs across {axes} axes, each "
                                "scaled from its lowest to its highest value.").format(
                                    runs=len(table), axes=len(columns)))
        .mark_line(point=True)
        .encode(
            x=alt.X("axis:N", sort=columns, title=None, axis=alt.Axis(labelAngle=-20, labelLimit=160)),
            y=alt.Y("scaled:Q", title=_("low → high (per axis)"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("run:N", title=_("run"), scale=run_colors(), legend=alt.Legend(orient="bottom", columns=1,
                                                                                           labelLimit=400)),
            detail="run:N",
            tooltip=[alt.Tooltip("run:N", title=_("run")), alt.Tooltip("axis:N", title=_("axis")),
                     alt.Tooltip("value:N", title=_("value"))],
        )
        .properties(height=280, width="container", autosize=FIT_WIDTH)
    )


def numeric_columns(table: pd.DataFrame) -> list[str]:
    """The parameter and result columns of a runs table that a parallel-coordinates view can
    compare: a number (not a true/false) for every run, and not the same number for all."""
    chosen = []
    for column in table.columns:
        if not column.startswith(("param: ", "result: ")):
            continue
        values = pd.to_numeric(table[column], errors="coerce").replace([np.inf, -np.inf], np.nan)
        is_flag = table[column].map(lambda value: isinstance(value, bool)).any()
        if values.notna().all() and not is_flag and values.nunique() > 1:
            chosen.append(column)
    return chosen
