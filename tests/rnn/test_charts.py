"""The explorer's view computations (core.rnn.view) and chart builders (core.rnn.charts)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from core import rnn
from core.chartspec import spec_with_frames
from core.rnn import charts as rnn_charts
from core.rnn import view as rnn_view


@pytest.fixture(scope="module")
def views():
    return {
        "assignment": rnn_view.assignment_view(1.0, 0.9, 30, 8, 0, 5),
        "extreme": rnn_view.assignment_view(1.0, 3.0, 1000, 8, 0, 10),
        "bias": rnn_view.truncation_bias(1.0, (0.5, 1.1), 30, 8, 0),
        "surface": rnn_view.counting_surface(30, 8, 0),
        "decay": rnn_view.decay_curves((0.5, 1.5), 8, 30, 0),
        "deep": rnn_view.deep_view(1.0, 8, 30, 0, 5, 0.8, 40),
        "spread": rnn_view.randomized_spread(1.0, 8, 30, 0, 5, 20, (0.6, 0.9)),
        "gated": rnn_view.gated_curves(8, 30, 0, 1.0, 1.0),
        "sweep": rnn_view.gate_bias_sweep(8, 30, 0, 1.0, (0.0, 3.0)),
    }


def charts(views):
    runs = {"gd": np.array([[-1.5, 2.0], [1e27, -4e28]]), "rprop": np.array([[-1.5, 2.0], [0.0, 1.5], [1.0, 1.0]])}
    return {
        "gradient": rnn_charts.gradient_over_time_chart(views["assignment"].grad_magnitude, 5, 0.9),
        "gradient_overflow": rnn_charts.gradient_over_time_chart(views["extreme"].grad_magnitude, 10, 3.0),
        "bias": rnn_charts.truncation_bias_chart(views["bias"], 5),
        "surface": rnn_charts.loss_surface_chart(views["surface"], runs),
        "curves": rnn_charts.loss_curves_chart({"gd": np.array([10.0, np.inf]), "rprop": np.array([10.0, 1.0, 0.0])}),
        "decay": rnn_charts.step_norms_chart(views["decay"], "decay", "W_hh"),
        "methods": rnn_charts.step_norms_chart(views["deep"].step_norms, "methods"),
        "meter": rnn_charts.singular_value_meter(views["deep"].largest_singular, views["deep"].spectral_radius),
        "monte_carlo": rnn_charts.monte_carlo_chart(views["deep"].monte_carlo),
        "spread": rnn_charts.spread_chart(views["spread"]),
        "gated": rnn_charts.step_norms_chart(views["gated"], "gated", "cell"),
        "sweep": rnn_charts.gate_bias_chart(views["sweep"], 1.0),
    }


def test_every_chart_is_a_valid_vega_lite_spec(views):
    with alt.data_transformers.disable_max_rows():
        for name, chart in charts(views).items():
            spec = chart.to_dict()  # validates against the Vega-Lite schema
            assert "$schema" in spec, name


def test_spec_keeps_frames_as_named_datasets_never_named_like_vega_lite_sources(views):
    chart = rnn_charts.gradient_over_time_chart(views["assignment"].grad_magnitude, 5, 0.9)
    spec = spec_with_frames(chart)
    assert {layer["data"]["name"] for layer in spec["layer"]} == set(spec["datasets"]), "equal data share one dataset"
    assert all(isinstance(frame, pd.DataFrame) for frame in spec["datasets"].values())
    assert all(layer["data"]["name"].startswith("frame-") for layer in spec["layer"])
    assert not any(name.startswith("data_") for name in spec["datasets"]), "Vega-Lite's own sources are data_<i>"
    assert isinstance(chart.layer[0].data, pd.DataFrame)


def test_gradient_chart_shades_the_truncated_steps_and_flags_overflow(views):
    shaded = rnn_charts.gradient_over_time_chart(views["assignment"].grad_magnitude, 5, 0.9)
    assert shaded.layer[0].data.iloc[0][["start", "end"]].tolist() == [0, 25]
    assert len(rnn_charts.gradient_over_time_chart(views["assignment"].grad_magnitude, 30, 0.9).layer) == 2
    points = rnn_charts.gradient_over_time_chart(views["extreme"].grad_magnitude, 10, 3.0).layer[-1].data
    assert (points["status"] == "overflow (inf)").sum() > 0
    assert points["magnitude"].max() <= rnn_charts.HUGE and np.isfinite(points["magnitude"]).all()


def test_clip_for_log_statuses():
    clipped, status = rnn_charts.clip_for_log(np.array([0.0, 1e-320, 2.0, -3.0, np.inf, np.nan]))
    assert status.tolist() == ["underflow (0)", "underflow (0)", "finite", "finite", "overflow (inf)", "overflow (inf)"]
    np.testing.assert_array_equal(
        clipped, [rnn_charts.TINY, rnn_charts.TINY, 2.0, 3.0, rnn_charts.HUGE, rnn_charts.HUGE]
    )


def test_paths_leaving_the_surface_are_pulled_onto_its_edge():
    pulled = rnn_charts.pull_inside(np.array([[-1.5, 2.0], [1e27, -4e28], [0.0, 0.0]]), -2.5, 2.5)
    assert np.all(np.abs(pulled) <= 2.5)
    direction = pulled[1] - pulled[0]
    assert direction[0] / direction[1] == pytest.approx((1e27 + 1.5) / (-4e28 - 2.0))


def test_assignment_view_matches_the_library(views):
    view = views["assignment"]
    X, target = rnn.counting_batch(8, 30, 0)
    S = rnn.linear_forward(X, 1.0, 0.9)
    loss, grad_out = rnn.counting_loss(S, target)
    full = rnn.linear_backward(X, S, grad_out, 0.9)
    truncated = rnn.linear_backward(X, S, grad_out, 0.9, truncate=5)
    assert view.loss == loss and view.overflow == ()
    np.testing.assert_allclose(view.full, full[:2])
    np.testing.assert_allclose(view.truncated, truncated[:2])
    np.testing.assert_allclose(view.grad_magnitude, np.abs(full[2]).mean(axis=0))
    assert 0 < view.rel_error < 1 and 0.9 < view.cosine <= 1


def test_extreme_settings_report_overflow_instead_of_raising(views):
    view = views["extreme"]
    assert view.overflow and all("float64" in message for message in view.overflow)
    assert np.isinf(view.full).all()
    rules = rnn_view.rules_latex(view, 3.0)
    assert len(rules) == 3 and r"\infty" in rules[1]


@pytest.mark.parametrize("w_x, w_rec, T", [(1.0, 0.9, 50), (1.0, 1.0, 1000), (1.0, 3.0, 1000), (0.3, -1.4, 200)])
def test_assignment_verification_passes(w_x, w_rec, T):
    check = rnn_view.verify_assignment(w_x, w_rec, T, 8, 1, 7)
    assert check.max_error <= 1e-6, check
    assert ("first" in check.detail) == (w_rec == 3.0)


def test_assignment_verification_passes_across_the_slider_ranges():
    """The badge must not cry wolf anywhere a student can put the sliders (w_x = 0 makes the
    loss steep in w_x, |w_rec| = 3 makes it a degree-2T polynomial)."""
    failures = [
        (w_x, w_rec, T, K, check.max_error)
        for w_x in (0.0, 0.5, -2.0)
        for w_rec in (-3.0, -1.0, 0.5, 1.2, 3.0)
        for T in (5, 50, 1000)
        for K in (1, 10)
        if not (check := rnn_view.verify_assignment(w_x, w_rec, T, 20, 0, K)).max_error <= 1e-6
    ]
    assert failures == []


@pytest.mark.parametrize("radius", [0.5, 1.0, 2.0, 2.6, 2.85, 3.0])
def test_deep_and_gated_verification_pass_up_to_the_largest_radius(radius):
    for seed in (0, 1, 2):
        assert rnn_view.verify_deep(radius, 32, 100, seed, 10).max_error <= 1e-6, (radius, seed)
    assert rnn_view.verify_gated(20, 50, 3, 2.0, radius).max_error <= 1e-6


def test_deep_view_compares_the_three_estimates(views):
    deep = views["deep"]
    assert deep.estimates["method"].tolist()[0] == "full BPTT"
    assert deep.estimates["rel_error"].iloc[0] == 0
    assert deep.largest_singular >= deep.spectral_radius == pytest.approx(1.0)
    assert len(deep.monte_carlo) == 40 and set(deep.step_norms["series"]) == {
        "full BPTT", "truncated (K=5)", "one randomized draw"}
    spread = views["spread"]
    assert spread["spread"].iloc[0] > spread["spread"].iloc[1]


def test_decay_and_gate_bias_sweep_behave(views):
    decay = views["decay"]
    first = decay[decay["t"] == 0].set_index("radius")["norm"]
    assert first[0.5] < first[1.5]
    sweep = views["sweep"].set_index(["cell", "bias"])["surviving"]
    assert sweep["LSTM", 3.0] > sweep["LSTM", 0.0] and sweep["GRU", 3.0] > sweep["GRU", 0.0]


def test_latex_numbers():
    assert rnn_view.latex_number(12.5) == "12.5"
    assert rnn_view.latex_number(-2.5e-7) == r"-2.500 \times 10^{-7}"
    assert rnn_view.latex_number(float("-inf")) == r"-\infty"
