"""Live lab blocks: a fenced ``lab`` block in a note names a lab view and its parameters::

    ```lab
    view: gradient-decay
    w_rec: [0.5, 0.9, 1.0, 1.1]
    T: 50
    ```

and the note shows that view's chart, computed by the labs' own functions. This module parses
a block, checks every parameter against the view's rules (a `LabBlockError` names the first
problem) and builds the chart; `ui.py` draws it inside the note. It imports both labs and never
the journal, so neither lab depends on the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from core.conv import charts as conv_charts
from core.conv import inputs as conv_inputs
from core.conv import state as conv_state
from core.conv import view as conv_view
from core.messages import N_, _
from core.rnn import charts as rnn_charts
from core.rnn import view as rnn_view

MAX_BLOCK_CHARS = 2_000
MAX_LIST = 8
MAP_WIDTH = 128
"""Pixels per map of the conv-output view: two maps side by side fit a 390 px phone."""
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LabBlockError(ValueError):
    """A lab block that cannot be drawn; the message names the view or parameter at fault."""


@dataclass(frozen=True)
class Param:
    """One parameter of a view: kind is "float", "int", "floats" (a list) or "choice"."""

    kind: str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    url: str = ""

    def describe(self) -> str:
        """What the parameter takes, in this thread's language: 'a whole number between 1 and 1000'."""
        if self.kind == "choice":
            return _("one of {choices}").format(choices=", ".join(self.choices))
        values = {"low": f"{self.low:g}", "high": f"{self.high:g}", "limit": MAX_LIST}
        if self.kind == "floats":
            return _("a number or a list of up to {limit} numbers between {low} and {high}").format(**values)
        if self.kind == "int":
            return _("a whole number between {low} and {high}").format(**values)
        return _("a number between {low} and {high}").format(**values)


@dataclass(frozen=True)
class View:
    """A chart a note can embed: where it lives in the labs, its parameters, how it is drawn."""

    name: str
    title: str
    """Marked with N_: the interface translates it where it shows it (`_(view.title)`)."""
    lab: str
    tab: dict[str, str]
    params: dict[str, Param]
    build: Callable[..., dict]
    check: Callable[..., None] | None = None
    """Raises LabBlockError (the lab's own sentence) when the values, each in range, do not fit together."""


def parse_block(text: str) -> tuple[View, dict[str, Any]]:
    """The view a block names and its checked parameters (defaults filled in)."""
    if len(text) > MAX_BLOCK_CHARS:
        raise LabBlockError(_("the block is over {limit} characters; a lab block holds a few settings").format(
            limit=MAX_BLOCK_CHARS))
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=SAFE_LOADER)):
            raise LabBlockError(_("YAML aliases (*name) are not allowed in a lab block; write the values out"))
        raw = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        message = (_("the block is not valid YAML (line {line} of the block): write one `name: value` per line")
                   if mark is not None else _("the block is not valid YAML: write one `name: value` per line"))
        raise LabBlockError(message.format(line=mark.line + 1 if mark is not None else None)) from None
    if not isinstance(raw, dict) or "view" not in raw:
        raise LabBlockError(_("the block needs a `view:` line naming what to show, e.g. `view: gradient-decay`"))
    name = str(raw.pop("view")).strip()
    view = VIEWS.get(name)
    if view is None:
        raise LabBlockError(_("unknown view '{name}'; use one of: {views}").format(name=name, views=", ".join(VIEWS)))
    unknown = [str(key) for key in raw if str(key) not in view.params]
    if unknown:
        raise LabBlockError(_("view '{name}' has no parameter '{key}'; it takes: {params}").format(
            name=name, key=unknown[0], params=", ".join(view.params)))
    values = {key: _checked(name, key, spec, raw.get(key, spec.default)) for key, spec in view.params.items()}
    if view.check is not None:
        view.check(**values)
    return view, values


def chart(name: str, values: tuple[tuple[str, Any], ...]) -> dict:
    """The chart of view `name` for `values` (as returned by parse_block, turned into pairs)."""
    return VIEWS[name].build(**dict(values))


def lab_query(view: View, values: dict[str, Any]) -> dict[str, str]:
    """Query parameters that open the view's lab, tab and part with these settings (the labs'
    own URL names, core.rnn.state and core.conv.state; a list opens on its last value)."""
    query = dict(view.tab)
    for key, spec in view.params.items():
        if spec.url:
            value = values[key]
            value = value[-1] if isinstance(value, tuple) else value
            query[spec.url] = conv_state.kernel_code(value) if spec.url == "kernels" else _url_text(value)
    return query


def _checked(view: str, key: str, spec: Param, value: Any) -> Any:
    def refused(message: str, **shown: Any) -> LabBlockError:
        return LabBlockError(message.format(view=view, key=key, rule=spec.describe(), **shown))

    if spec.kind == "choice":
        if str(value) not in spec.choices:
            raise refused(_("in view '{view}', {key} must be {rule}, not '{value}'"), value=value)
        return str(value)
    items = value if isinstance(value, list) and spec.kind == "floats" else [value]
    if not items or len(items) > MAX_LIST:
        raise refused(_("in view '{view}', {key} must be {rule}, not a list of {count}"), count=len(items))
    numbers = []
    for item in items:
        # Range-checked as Python numbers before NumPy sees them: an int of any size compares
        # exactly, and only floats can be inf or nan.
        if isinstance(item, bool) or not isinstance(item, (int, float)) \
                or (isinstance(item, float) and not math.isfinite(item)):
            raise refused(_("in view '{view}', {key} must be {rule}, not '{value}'"), value=_shown(item))
        if spec.kind == "int" and isinstance(item, float) and not item.is_integer():
            raise refused(_("in view '{view}', {key} must be {rule}, not '{value}'"), value=item)
        if not spec.low <= item <= spec.high:
            raise refused(_("in view '{view}', {key} must be {rule}, not {value}"), value=_shown(item))
        numbers.append(int(item) if spec.kind == "int" else float(item))
    return tuple(numbers) if spec.kind == "floats" else numbers[0]


def _shown(value: Any) -> str:
    """A value for an error message, at most 40 characters (a 400-digit number is cut short)."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _url_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def gradient_decay_chart(w_rec: tuple[float, ...], T: int, w_x: float, batch: int, seed: int) -> dict:
    """Mean |dL/dS_k| against k for each w_rec (full BPTT of the counting RNN), log axis; values
    past float64's range or exactly 0 are left out of a line (the log axis cannot place them)."""
    frames = []
    for rate in w_rec:
        magnitude = rnn_view.assignment_view(w_x, rate, T, batch, seed, T).grad_magnitude
        frames.append(pd.DataFrame({"k": np.arange(T + 1), "magnitude": magnitude, "w_rec": f"{rate:g}"}))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[rnn_charts.finite_positive(frame["magnitude"].to_numpy())]
    order = [f"{rate:g}" for rate in w_rec]
    return {
        "title": _("Gradient over time in the counting RNN, T = {T} (log scale)").format(T=T),
        "height": 260, "width": "container", "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"name": "decay"}, "datasets": {"decay": frame},
        "mark": {"type": "line", "point": {"size": 14}},
        "encoding": {
            "x": {"field": "k", "type": "quantitative", "title": _("step k")},
            "y": {"field": "magnitude", "type": "quantitative", "title": _("mean |dL/dS_k|"),
                  "scale": {"type": "log"}, "axis": {"format": ".1e"}},
            "color": {"field": "w_rec", "type": "nominal", "title": "w_rec", "sort": order,
                      "scale": rnn_charts.w_rec_scale(order), "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "w_rec", "type": "nominal"}, {"field": "k", "type": "quantitative"},
                        {"field": "magnitude", "type": "quantitative", "format": ".3e", "title": _("mean |dL/dS_k|")}],
        },
    }


def truncation_error_chart(w_rec: tuple[float, ...], T: int, K: int, w_x: float, batch: int, seed: int) -> dict:
    """Relative error of truncated BPTT against the window K, one line per w_rec."""
    frame = rnn_view.truncation_bias(w_x, w_rec, T, batch, seed)
    return rnn_charts.truncation_bias_chart(frame, min(K, T))


def loss_surface_chart(T: int, batch: int, seed: int) -> dict:
    """The counting RNN's log10 loss over (w_x, w_rec)."""
    return rnn_charts.loss_surface_chart(rnn_view.counting_surface(T, batch, seed))


def conv_output_fits(input: str, kernel: str, size: int, padding: int, stride: int, dilation: int) -> None:
    """LabBlockError with the conv lab's own sentence when the kernel, dilated, does not fit the
    padded image (every value may be in range and still not fit: size 5, dilation 4)."""
    w = conv_view.weights(conv_inputs.kernel_presets(2)[kernel][None], 1, flip=False)
    try:
        conv_view.forward(np.zeros((1, size, size)), w, np.zeros(1), stride, padding, dilation)
    except ValueError as err:
        raise LabBlockError(_("in view '{view}', {reason}").format(view="conv-output", reason=err)) from None


def conv_output_chart(input: str, kernel: str, size: int, padding: int, stride: int, dilation: int) -> dict:
    """A built-in image beside its convolution with a preset kernel (cross-correlation)."""
    x = conv_view.load_input(input, size)
    w = conv_view.weights(conv_inputs.kernel_presets(2)[kernel][None], 1, flip=False)
    try:
        output, _cache = conv_view.forward(x, w, np.zeros(1), stride, padding, dilation)
    except ValueError as err:
        raise LabBlockError(_("in view '{view}', {reason}").format(view="conv-output", reason=err)) from None
    maps = [conv_charts.heatmap(x[0], title=f"{input} ({size}×{size})", kind="image", max_width=MAP_WIDTH,
                                name="input"),
            conv_charts.heatmap(output[0], title=f"{kernel} → {output.shape[1]}×{output.shape[2]}",
                                max_width=MAP_WIDTH, name="output")]
    datasets = {name: frame for spec in maps for name, frame in spec.pop("datasets").items()}
    for spec in maps:
        for key in ("autosize", "usermeta"):
            spec.pop(key, None)
    return {"hconcat": maps, "datasets": datasets, "resolve": {"scale": {"color": "independent"}},
            "usermeta": conv_charts.CANVAS}


_RATES = Param("floats", [0.5, 0.9, 1.0, 1.1], -3.0, 3.0, url="w_rec")
_BATCH = Param("int", 20, 1, 256, url="batch")
_SEED = Param("int", 0, 0, 10_000, url="seed")
_W_X = Param("float", 1.0, -3.0, 3.0, url="w_x")

VIEWS: dict[str, View] = {
    view.name: view
    for view in (
        View("gradient-decay", N_("gradient over time for several w_rec"), "bptt", {"tab": "assignment"},
             {"w_rec": _RATES, "T": Param("int", 50, 1, 1000, url="T"), "w_x": _W_X, "batch": _BATCH, "seed": _SEED},
             gradient_decay_chart),
        View("truncation-error", N_("truncation error against the window K"), "bptt",
             {"tab": "assignment", "part": "truncation"},
             {"w_rec": Param("floats", [0.5, 0.9, 1.1], -3.0, 3.0, url="w_rec"),
              "T": Param("int", 30, 2, 300, url="T"), "K": Param("int", 10, 1, 300, url="K"),
              "w_x": _W_X, "batch": _BATCH, "seed": _SEED},
             truncation_error_chart),
        View("loss-surface", N_("the counting RNN's loss surface"), "bptt", {"tab": "assignment", "part": "training"},
             {"T": Param("int", 50, 1, 1000, url="T"), "batch": _BATCH, "seed": _SEED},
             loss_surface_chart),
        View("conv-output", N_("a built-in image convolved with a preset kernel"), "conv", {"view": "output"},
             {"input": Param("choice", "digit", choices=conv_inputs.IMAGE_NAMES, url="input"),
              "kernel": Param("choice", "Sobel x", choices=tuple(conv_inputs.kernel_presets(2)), url="kernels"),
              "size": Param("int", 28, 5, 64, url="size"), "padding": Param("int", 0, 0, 6, url="pad"),
              "stride": Param("int", 1, 1, 4, url="stride"), "dilation": Param("int", 1, 1, 4, url="dil")},
             conv_output_chart, conv_output_fits),
    )
}
