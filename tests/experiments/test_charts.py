"""The Experiments page's charts: overlaid series on a fitting axis, parallel coordinates over
the numbers the selected runs share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.experiments import charts as experiment_charts


def chart_data(chart) -> pd.DataFrame:
    return chart.data


def test_gradient_norms_spanning_decades_go_on_a_log_axis_without_their_zeros():
    k = np.arange(51.0)
    frame = pd.concat([
        pd.DataFrame({"x": k, "y": 0.5 ** (50 - k), "run": "w_rec = 0.5"}),
        pd.DataFrame({"x": k, "y": 0.0, "run": "w_rec = 1"}),
        pd.DataFrame({"x": k, "y": 1.1 ** (50 - k), "run": "w_rec = 1.1"}),
    ])
    chart = experiment_charts.overlay_chart(frame, "k", "mean |dL/dS_k|")
    spec = chart.to_dict()
    assert spec["encoding"]["y"]["scale"]["type"] == "log"
    assert (chart_data(chart)["y"] > 0).all() and len(chart_data(chart)) == 102
    assert "51 point(s) at 0 or below not drawn on the log axis" in spec["title"]
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}, "a long legend never squashes the plot"


def test_values_within_two_decades_keep_a_linear_axis_and_every_point():
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [-0.5, 0.0, 0.5, np.inf], "run": "a"})
    chart = experiment_charts.overlay_chart(frame, "position", "output")
    spec = chart.to_dict()
    assert spec["encoding"]["y"]["scale"].get("type") is None
    assert chart_data(chart)["y"].tolist() == [-0.5, 0.0, 0.5]
    assert spec["title"] == "output against position (1 overflowed or undefined point(s) not drawn)"


def test_parallel_coordinates_use_the_numbers_every_run_has_and_that_differ():
    table = pd.DataFrame({
        "slug": ["a", "b", "c"],
        "param: w_rec": [0.5, 0.9, 1.1],
        "param: T": [50, 50, 50],
        "param: flip": [True, False, True],
        "param: radius": [1.5, np.nan, 2.0],
        "result: truncation error": [0.01, 0.3, 0.9],
        "result: shape": ["(26, 26)", "(26, 26)", "(26, 26)"],
    })
    columns = experiment_charts.numeric_columns(table)
    assert columns == ["param: w_rec", "result: truncation error"]
    frame = chart_data(experiment_charts.parallel_coordinates(table, columns))
    assert frame.groupby("axis")["scaled"].agg(["min", "max"]).values.tolist() == [[0.0, 1.0], [0.0, 1.0]]
    assert frame.loc[(frame["run"] == "b") & (frame["axis"] == "param: w_rec"), "value"].item() == "0.9"


def test_signed_outputs_keep_a_linear_axis_even_beside_runs_spanning_decades():
    """Gaussian, Laplacian and Sobel outputs on one chart: the Laplacian's and Sobel's signed values
    are drawn, not dropped from a log axis."""
    x = np.arange(30.0)
    frame = pd.concat([
        pd.DataFrame({"x": x, "y": np.exp(-((x - 15) ** 2) / 8) + 1e-9, "run": "Gaussian"}),
        pd.DataFrame({"x": x, "y": np.gradient(np.gradient(np.exp(-((x - 15) ** 2) / 8))), "run": "Laplacian"}),
        pd.DataFrame({"x": x, "y": np.gradient(np.exp(-((x - 15) ** 2) / 8)), "run": "Sobel"}),
    ])
    chart = experiment_charts.overlay_chart(frame, "position", "output")
    spec = chart.to_dict()
    assert spec["encoding"]["y"]["scale"].get("type") is None, "signed data: linear"
    assert len(chart_data(chart)) == 90 and "not drawn" not in spec["title"]
    assert experiment_charts.y_axis(pd.Series([1e-6, 1e-3, 1.0])) == "log"
    assert experiment_charts.y_axis(pd.Series([-1.0, 1e-6, 1.0])) == "linear"
    assert experiment_charts.y_axis(pd.Series([0.5, 1.0, 2.0])) == "linear", "within two decades"


def test_run_colours_keep_neighbours_apart():
    spec = experiment_charts.overlay_chart(pd.DataFrame({"x": [0.0], "y": [1.0], "run": "a"}), "x", "y").to_dict()
    assert spec["encoding"]["color"]["scale"]["range"][:2] == ["#4e79a7", "#f28e2b"]
