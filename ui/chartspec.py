"""Vega-Lite specs from Altair charts, cheaply, with their descriptions: what ui.widgets.chart
draws every lab's and the journal's charts through. Pure (no streamlit); it imports no module of
core or ui.
"""

from __future__ import annotations

import hashlib

import altair as alt
import pandas as pd


def spec_with_frames(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec, unvalidated, with every DataFrame kept as a DataFrame.

    Altair would validate the spec against the Vega-Lite schema and turn each DataFrame into
    a list of JSON records; both cost more than drawing the chart. Here each layer's data
    becomes a dataset named by a hash of its content (the browser shares datasets between
    charts by name, so equal names must mean equal data): spec["datasets"][name] is the
    DataFrame itself, which st.vega_lite_chart converts to Arrow directly.
    """
    parts = _parts(chart)
    frames: dict[str, pd.DataFrame] = {}
    originals = []
    for part in parts:
        originals.append(part.data)
        if isinstance(part.data, pd.DataFrame):
            name = "frame-" + _content_hash(part.data)
            frames[name] = part.data
            part.data = alt.NamedData(name=name)
    try:
        spec = chart.to_dict(validate=False)
    finally:
        for part, original in zip(parts, originals, strict=False):
            part.data = original
    spec["datasets"] = {**spec.get("datasets", {}), **frames}
    return with_description(spec)


def _parts(chart: alt.TopLevelMixin) -> list:
    """The chart and every chart nested in it (layers, horizontal and vertical concatenations)."""
    nested = [*getattr(chart, "layer", []), *getattr(chart, "hconcat", []), *getattr(chart, "vconcat", [])]
    return [chart, *(part for child in nested if child is not alt.Undefined for part in _parts(child))]


def _content_hash(frame: pd.DataFrame) -> str:
    digest = hashlib.sha1(",".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


_MARK_WORDS = {"line": "line chart", "bar": "bar chart", "rect": "heat map", "point": "scatter plot",
               "circle": "scatter plot", "area": "area chart", "rule": "reference lines", "text": "labels",
               "tick": "tick marks", "square": "heat map", "trail": "line chart", "geoshape": "map"}


def describe(spec: dict) -> str:
    """A text alternative for a chart, from its spec: title, kind of chart, axes and how many
    values it draws (the charts' `description`, which the browser reads out as the chart's label)."""
    parts = [spec, *_nested_specs(spec)]
    title = next((_text(part.get("title")) for part in parts if _text(part.get("title"))), "")
    marks = []
    for part in parts:
        mark = part.get("mark")
        kind = mark.get("type") if isinstance(mark, dict) else mark
        word = _MARK_WORDS.get(kind) if isinstance(kind, str) else None
        if word and word not in marks:
            marks.append(word)
    axes = {}
    for part in parts:
        for channel in ("x", "y", "color"):
            encoding = part.get("encoding", {}).get(channel)
            if isinstance(encoding, dict) and channel not in axes:
                name = _text(encoding.get("title")) or encoding.get("field") or ""
                if name:
                    axes[channel] = str(name)
    values = sum(len(frame) for frame in spec.get("datasets", {}).values() if hasattr(frame, "__len__"))
    text = f"{title}: " if title else ""
    text += " with ".join(filter(None, [", ".join(marks[:2]) or "chart", ", ".join(marks[2:])]))
    names = {"x": "horizontal axis", "y": "vertical axis", "color": "colour"}
    if axes:
        text += "; " + ", ".join(f"{names[channel]} {name}" for channel, name in axes.items())
    if values:
        text += f"; {values} values"
    return text[:500]


def with_description(spec: dict, description: str | None = None) -> dict:
    """`spec` with a Vega-Lite `description` (its own when it has one, else `description`, else
    `describe(spec)`): Vega renders it as the chart's aria-label."""
    if not spec.get("description"):
        spec["description"] = description or describe(spec)
    return spec


def _nested_specs(spec: dict) -> list[dict]:
    found = []
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []) or []:
            if isinstance(child, dict):
                found += [child, *_nested_specs(child)]
    if isinstance(spec.get("spec"), dict):
        found += [spec["spec"], *_nested_specs(spec["spec"])]
    return found


def _text(value) -> str:
    if isinstance(value, dict):
        value = value.get("text", "")
    if isinstance(value, (list, tuple)):
        value = " ".join(map(str, value))
    return str(value).strip() if value else ""
