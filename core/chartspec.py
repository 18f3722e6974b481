"""Vega-Lite specs from Altair charts, cheaply: the one helper every lab and the journal share.

It imports none of core's packages (journal, conv, rnn), so any of them may use it.
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
    return spec


def _parts(chart: alt.TopLevelMixin) -> list:
    """The chart and every chart nested in it (layers, horizontal and vertical concatenations)."""
    nested = [*getattr(chart, "layer", []), *getattr(chart, "hconcat", []), *getattr(chart, "vconcat", [])]
    return [chart, *(part for child in nested if child is not alt.Undefined for part in _parts(child))]


def _content_hash(frame: pd.DataFrame) -> str:
    digest = hashlib.sha1(",".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]
