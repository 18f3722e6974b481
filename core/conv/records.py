"""What a recorded convolution lab run keeps: the output's shape and value range, the verified
errors, the inspected cell, and the series behind the main picture (plain dicts and DataFrames;
the journal turns them into a note).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.conv.lecture import LectureExample, sums_gap
from core.conv.reference import Verification
from core.messages import N_, _

Series = tuple[str, str, pd.DataFrame]


def conv_record(output: np.ndarray, cell: tuple[int, ...], verification: Verification) -> tuple[dict, Series]:
    """Results for output (C_out, *O) and the inspected cell (channel, *position); series: the
    inspected channel's values along the last axis through the inspected cell (the whole
    signal in 1D, the cell's row in 2D, its row in its depth slice in 3D)."""
    line = output[cell[0]][tuple(cell[1:-1])]
    results = {
        "output shape": "×".join(map(str, output.shape)),
        "output min": float(output.min()),
        "output max": float(output.max()),
        "output mean": float(output.mean()),
        "inspected cell": ",".join(map(str, cell)),
        "inspected value": float(output[cell]),
        "max error vs loop reference": verification.max_reference_error,
        "finite-difference error": verification.finite_difference_error,
    }
    where = "" if output.ndim == 2 else " in row " + ",".join(map(str, cell[1:-1]))
    frame = pd.DataFrame({"x": np.arange(line.shape[0], dtype=float), "y": line.astype(float)})
    return results, (N_("position"), f"output channel {cell[0]}{where}", frame)  # English in the file


_OUTPUT_LINE = re.compile(r"output channel (?P<channel>\d+)(?: in row (?P<row>[\d,]+))?")


def series_label(name: str) -> str:
    """A recorded series' name (as the file holds it, in English) in the reader's language."""
    match = _OUTPUT_LINE.fullmatch(name)
    if match is None:
        return _(name)
    if match["row"] is None:
        return _("output channel {channel}").format(channel=match["channel"])
    return _("output channel {channel} in row {row}").format(channel=match["channel"], row=match["row"])


def example_record(example: LectureExample) -> tuple[dict, Series]:
    """The 1D picture's worked example: every O_i, dL/dX_m and dL/dW_j, and how far each is from
    the sum written under it on the page; series: O_i against i (1-based, as the page names them)."""
    results: dict = {f"O{i + 1}": float(value) for i, value in enumerate(example.outputs)}
    results.update({f"dL/dX{m + 1}": float(value) for m, value in enumerate(example.grad_x)})
    results.update({f"dL/dW{j + 1}": float(value) for j, value in enumerate(example.grad_w)})
    results["max error vs the written sums"] = sums_gap(example)
    frame = pd.DataFrame({"x": np.arange(1.0, len(example.outputs) + 1), "y": example.outputs.astype(float)})
    return results, ("i", "O_i", frame)
