"""What a recorded convolution lab run keeps: the output's shape and value range, the verified
errors, the inspected cell, and the series behind the main picture (plain dicts and DataFrames;
the journal turns them into a note).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.conv.reference import Verification

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
    return results, ("position", f"output channel {cell[0]}{where}", frame)
