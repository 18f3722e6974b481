"""What a recorded BPTT explorer run keeps: a few result numbers and the series behind the main
chart, per tab, from the numbers the page already computed (plain dicts and DataFrames; the
journal turns them into a note).

A series is (x name, y name, frame) with frame columns x, y and, for several lines, line.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.messages import N_, _
from core.rnn import tanh
from core.rnn.charts import series_label
from core.rnn.examples import StepByStep
from core.rnn.train import TrainingRun
from core.rnn.view import AssignmentView, DeepView, deep_problem

Series = tuple[str, str, pd.DataFrame]
METHOD_NAMES = {"gd": N_("GD"), "clipped_gd": N_("clipped GD"), "rprop": "Rprop"}
MAX_WINDOWS = 24
# The results' names go into the record (its front matter and table) in English; the record dialog
# shows them in the reader's language (`result_label`).
RESULT_NAMES = (N_("loss"), N_("mean dL/dS_T"), N_("mean dL/dS_0"), N_("dL/dw_x (full)"), N_("dL/dw_rec (full)"),
                N_("truncation error"), N_("cosine truncated vs full"), N_("steps T"), N_("count"),
                N_("dL/dw_x (loop)"), N_("dL/dw_rec (loop)"), N_("dL/dw_x (closed form)"),
                N_("dL/dw_rec (closed form)"), N_("loop vs closed form"), N_("spectral radius"),
                N_("largest singular value"), N_("gate bias"))
_RESULT_PATTERNS = (
    (re.compile(r"(?P<weight>dL/dw_x|dL/dw_rec) \(K=(?P<K>\d+)\)"), N_("{weight} (K={K})"), None),
    (re.compile(r"(?P<method>.+): final loss"), N_("{method}: final loss"), "method"),
    (re.compile(r"(?P<method>.+): (?P<weight>w_x|w_rec)"), N_("{method}: {weight}"), "method"),
    (re.compile(r"(?P<line>.+): error vs full"), N_("{line}: error vs full"), "line"),
)


def result_label(name: str) -> str:
    """A result's name as the record dialog shows it, in the reader's language."""
    if name in RESULT_NAMES:
        return _(name)
    for pattern, message, translated in _RESULT_PATTERNS:
        match = pattern.fullmatch(name)
        if match:
            parts = match.groupdict()
            if translated == "method":
                parts["method"] = _(parts["method"])
            elif translated == "line":
                parts["line"] = series_label(parts["line"])
            return _(message).format(**parts)
    return name


def assignment_record(view: AssignmentView, w_rec: float, runs: dict[str, TrainingRun] | None = None,
                      compared: dict[float, np.ndarray] | None = None) -> tuple[dict, Series]:
    """The Assignment tab: loss, the gradients full and truncated, truncation's error and cosine,
    and after a training run each optimiser's final loss and weights; series: mean |dL/dS_k| by
    k, one line for w_rec and one for each compared w_rec {w_rec: (T+1,) magnitudes}."""
    results = {
        "loss": view.loss,
        "mean dL/dS_T": view.mean_grad_last,
        "mean dL/dS_0": view.mean_grad_first,
        "dL/dw_x (full)": float(view.full[0]),
        "dL/dw_rec (full)": float(view.full[1]),
        f"dL/dw_x (K={view.K})": float(view.truncated[0]),
        f"dL/dw_rec (K={view.K})": float(view.truncated[1]),
        "truncation error": view.rel_error,
        "cosine truncated vs full": view.cosine,
    }
    for method, run in (runs or {}).items():
        name = METHOD_NAMES.get(method, method)
        results[f"{name}: final loss"] = float(run.losses[-1])
        results[f"{name}: w_x"] = float(run.final[0])
        results[f"{name}: w_rec"] = float(run.final[1])
    steps = np.arange(view.T + 1, dtype=float)
    lines = {w_rec: view.grad_magnitude, **{rate: values for rate, values in (compared or {}).items() if rate != w_rec}}
    frame = pd.concat([pd.DataFrame({"x": steps, "y": values, "line": f"w_rec = {rate:g}"})
                       for rate, values in lines.items()], ignore_index=True)
    if len(lines) == 1:
        frame = frame.drop(columns="line")
    return results, ("k", N_("mean |dL/dS_k|"), frame)


def step_record(run: StepByStep) -> tuple[dict, Series]:
    """The Assignment tab's Step by step part: the typed sequence's length, count, S_T and loss,
    the loop's weight gradients beside the closed form's; series: dL/dS_k by k (the loop's rows)."""
    trace = run.trace
    results = {"steps T": len(trace.X), "count": trace.target, "S_T": float(trace.S[-1]), "loss": trace.loss,
               "dL/dw_x (loop)": trace.grad_w_x, "dL/dw_rec (loop)": trace.grad_w_rec,
               "dL/dw_x (closed form)": float(run.closed[0]), "dL/dw_rec (closed form)": float(run.closed[1]),
               "loop vs closed form": run.gap}
    rows = trace.table.sort_values("k")
    frame = pd.DataFrame({"x": rows["k"].to_numpy(dtype=float), "y": rows["dL/dS_k"].to_numpy(dtype=float)})
    return results, ("k", N_("dL/dS_k"), frame)


def deep_record(view: DeepView, part: str, radius: float, H: int, T: int, seed: int) -> tuple[dict, Series]:
    """The Deep RNN tab: W_hh's spectral radius and largest singular value, how much gradient
    survives T steps, the truncated and randomized estimates' errors; series by part: ||dL/dh_t||
    by t (Decay), truncation error by window K (Truncation), the Monte Carlo error by draws."""
    full = view.step_norms[view.step_norms["series"] == "full BPTT"]
    norms = full.sort_values("t")["norm"].to_numpy()
    results = {"spectral radius": view.spectral_radius, "largest singular value": view.largest_singular,
               "||dL/dh_0|| / ||dL/dh_T||": float(norms[0] / norms[-1]) if norms[-1] else float("nan")}
    for row in view.estimates.itertuples(index=False):
        if row.method != "full BPTT":
            results[f"{row.method}: error vs full"] = float(row.rel_error)
    if part == "Truncation":
        return results, ("K", N_("truncation error"), truncation_error_by_window(radius, H, T, seed))
    if part == "Monte Carlo":
        frame = view.monte_carlo.rename(columns={"draws": "x", "running_error": "y"})[["x", "y"]]
        return results, (N_("draws"), N_("error of the running mean"), frame)
    return results, ("t", N_("||dL/dh_t||"), pd.DataFrame({"x": full["t"].to_numpy(dtype=float), "y": norms}))


def gated_record(curves: pd.DataFrame, gate_bias: float) -> tuple[dict, Series]:
    """The Gated cells tab: for each cell how much gradient survives T steps; series: ||dL/dh_t||
    by t, one line per cell."""
    results = {"gate bias": gate_bias}
    for cell, group in curves.groupby("series", sort=False):
        ordered = group.sort_values("t")["norm"].to_numpy()
        results[f"{cell}: ||dL/dh_0|| / ||dL/dh_T||"] = float(ordered[0] / ordered[-1]) if ordered[-1] else float("nan")
    frame = curves.rename(columns={"t": "x", "norm": "y", "series": "line"})[["x", "y", "line"]]
    return results, ("t", N_("||dL/dh_t||"), frame)


def windows(T: int, count: int = MAX_WINDOWS) -> np.ndarray:
    """At most `count` truncation windows between 1 and T, closer together at small K."""
    return np.unique(np.round(np.geomspace(1, T, num=min(count, T))).astype(int))


def truncation_error_by_window(radius: float, H: int, T: int, seed: int) -> pd.DataFrame:
    """||g_K - g|| / ||g|| of truncated BPTT against full BPTT for the Deep tab's tanh RNN, for
    up to MAX_WINDOWS windows K (columns x = K, y = relative error)."""
    params, X, Y = deep_problem(radius, H, T, seed)
    cache = tanh.tanh_forward(params, X)
    full = np.concatenate([g.ravel() for g in tanh.tanh_bptt(params, cache, Y).grads.values()])
    errors = []
    for K in windows(T):
        truncated = tanh.tanh_bptt(params, cache, Y, truncate=int(K)).grads
        gap = np.concatenate([g.ravel() for g in truncated.values()]) - full
        errors.append(float(np.linalg.norm(gap) / np.linalg.norm(full)) if np.linalg.norm(full) else float("nan"))
    return pd.DataFrame({"x": windows(T).astype(float), "y": errors})
