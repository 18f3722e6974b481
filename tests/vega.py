"""Helpers for chart builders that return Vega-Lite specs as dicts holding DataFrames."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema


def json_ready(spec: dict) -> dict:
    """The spec as the browser gets it: every DataFrame in "datasets" as a list of records."""
    datasets = {name: json.loads(frame.to_json(orient="records")) if isinstance(frame, pd.DataFrame) else frame
                for name, frame in spec.get("datasets", {}).items()}
    return json.loads(json.dumps({**spec, "datasets": datasets}, default=_plain))


def assert_valid_vega_lite(spec: dict) -> None:
    """Raise when the spec breaks the Vega-Lite schema (the version Altair ships)."""
    validate_jsonschema(json_ready(spec), load_schema(), raise_error=True)


def layer_data(spec: dict, name: str) -> pd.DataFrame:
    """The DataFrame a spec keeps under datasets[name]."""
    return spec["datasets"][name]


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serializable: {type(value)}")


def uncoloured_values(spec: dict) -> set:
    """Values of a layer's colour field that a shared colour scale cannot colour: with layers
    sharing one colour scale (Vega-Lite's default), an explicit domain in any layer becomes the
    scale's whole domain, and values outside it are drawn without a colour (invisible)."""
    if spec.get("resolve", {}).get("scale", {}).get("color") == "independent":
        return set()
    colours = [(layer, layer.get("encoding", {}).get("color", {})) for layer in spec.get("layer", [])]
    domain = {value for _, colour in colours for value in (colour.get("scale") or {}).get("domain", [])}
    if not domain:
        return set()
    used = {value for layer, colour in colours if "field" in colour
            for value in spec["datasets"][layer["data"]["name"]][colour["field"]]}
    return used - domain
