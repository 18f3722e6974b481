"""Chart builders for the Experiments page: data in, `alt.Chart` out (no streamlit)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

TINY = 1e-300
HUGE = 1e300


def overlay_chart(frame: pd.DataFrame, x_name: str, y_name: str) -> alt.Chart:
    """Several runs' series on one chart: columns x, y, run (one line per run).

    The y axis is logarithmic when every finite y is positive and they span over two decades
    (gradient norms do); non-finite points are left out and counted in the title.
    """
    finite = frame[np.isfinite(frame["y"]) & np.isfinite(frame["x"])]
    dropped = len(frame) - len(finite)
    positive = finite["y"] > 0
    spread = finite.loc[positive, "y"]
    log_scale = bool(len(spread)) and positive.all() and spread.max() / spread.min() > 100
    title = f"{y_name} against {x_name}"
    if dropped:
        title += f" ({dropped} overflowed or undefined point(s) not drawn)"
    y_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=False)
    return (
        alt.Chart(finite, title=title)
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=1.8)
        .encode(
            x=alt.X("x:Q", title=x_name),
            y=alt.Y("y:Q", title=y_name, scale=y_scale),
            color=alt.Color("run:N", title="run", legend=alt.Legend(orient="bottom", columns=1, labelLimit=400)),
            tooltip=[alt.Tooltip("run:N"), alt.Tooltip("x:Q", title=x_name), alt.Tooltip("y:Q", title=y_name,
                                                                                         format=".4g")],
        )
        .properties(height=300)
    )


def parallel_coordinates(table: pd.DataFrame, columns: list[str]) -> alt.Chart:
    """One polyline per run across `columns` of a runs table (numeric parameters and results).

    Each axis is scaled to 0..1 between its smallest and largest value over the runs shown
    (a constant column sits at 0.5); tooltips give the real values.
    """
    rows = []
    for _, run in table.iterrows():
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
            rows.append({"run": run["slug"], "axis": column, "position": position, "scaled": scaled,
                         "value": "" if pd.isna(value) else f"{value:.4g}"})
    frame = pd.DataFrame(rows, columns=["run", "axis", "position", "scaled", "value"])
    return (
        alt.Chart(frame, title="Parameters and results, one line per run")
        .mark_line(point=True)
        .encode(
            x=alt.X("axis:N", sort=columns, title=None, axis=alt.Axis(labelAngle=-20, labelLimit=160)),
            y=alt.Y("scaled:Q", title="low → high (per axis)", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("run:N", legend=alt.Legend(orient="bottom", columns=1, labelLimit=400)),
            detail="run:N",
            tooltip=["run:N", "axis:N", alt.Tooltip("value:N", title="value")],
        )
        .properties(height=280)
    )


def numeric_columns(table: pd.DataFrame) -> list[str]:
    """The parameter and result columns of a runs table that hold numbers for at least one run."""
    chosen = []
    for column in table.columns:
        if not column.startswith(("param: ", "result: ")):
            continue
        values = pd.to_numeric(table[column], errors="coerce")
        if values.notna().any() and not table[column].map(lambda value: isinstance(value, bool)).all():
            chosen.append(column)
    return chosen
