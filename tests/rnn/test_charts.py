"""The explorer's view computations (core.rnn.view) and chart builders (core.rnn.charts)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core import rnn
from core.rnn import charts as rnn_charts
from core.rnn import examples as rnn_examples
from core.rnn import state as bptt_state
from core.rnn import view as rnn_view
from tests.vega import assert_valid_vega_lite, layer_data, uncoloured_values


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
        "paths": rnn_examples.two_paths_trace(1.0, 8, 30, 0),
    }


def charts(views):
    runs = {"gd": np.array([[-1.5, 2.0], [1e27, -4e28]]), "rprop": np.array([[-1.5, 2.0], [0.0, 1.5], [1.0, 1.0]])}
    return {
        "gradient": rnn_charts.gradient_over_time_chart(views["assignment"].grad_magnitude, 5),
        "gradient_overflow": rnn_charts.gradient_over_time_chart(views["extreme"].grad_magnitude, 10),
        "gradient_compared": rnn_charts.gradient_over_time_chart(
            views["assignment"].grad_magnitude, 5, {"w_rec = 0.5": 0.5 ** np.arange(31.0)[::-1]}),
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
        "two_paths": rnn_charts.two_paths_chart(views["paths"].by_step, 10),
        "two_paths_diagram": rnn_charts.two_paths_diagram(10, 30, 0.5, 0.25, 0.6),
        "two_paths_diagram_last": rnn_charts.two_paths_diagram(30, 30, 0.5, 0.0, 0.5),
    }


def test_every_chart_is_a_valid_vega_lite_spec(views):
    for name, spec in charts(views).items():
        assert_valid_vega_lite(spec), name
        used = {layer["data"]["name"] for layer in spec["layer"]}
        assert used == set(spec["datasets"]), name
        assert all(isinstance(frame, pd.DataFrame) for frame in spec["datasets"].values()), name
        assert not any(name.startswith("data_") for name in spec["datasets"]), "Vega-Lite's own sources are data_<i>"
        assert not uncoloured_values(spec), (name, uncoloured_values(spec))


def test_the_schema_check_catches_a_broken_spec(views):
    broken = charts(views)["gradient"]
    broken["layer"][1]["mark"] = {"type": "not-a-mark"}
    with pytest.raises(Exception, match="not-a-mark"):
        assert_valid_vega_lite(broken)


def test_a_slider_move_changes_the_data_and_not_the_spec(views):
    """The browser updates a chart in place only when its spec (everything but the data) is equal."""
    def without_data(spec):
        return json.dumps({key: value for key, value in spec.items() if key != "datasets"}, sort_keys=True)

    moved = rnn_view.assignment_view(1.0, 0.95, 30, 8, 0, 7)
    assert without_data(rnn_charts.gradient_over_time_chart(views["assignment"].grad_magnitude, 5)) == without_data(
        rnn_charts.gradient_over_time_chart(moved.grad_magnitude, 7))
    assert without_data(rnn_charts.gate_bias_chart(views["sweep"], 1.0)) == without_data(
        rnn_charts.gate_bias_chart(views["sweep"], 2.5))


def test_gradient_chart_shades_the_truncated_steps_and_stops_at_the_last_finite_value(views):
    shaded = rnn_charts.gradient_over_time_chart(views["assignment"].grad_magnitude, 5)
    assert layer_data(shaded, "shade").iloc[0][["start", "end"]].tolist() == [0, 25]
    assert layer_data(rnn_charts.gradient_over_time_chart(views["assignment"].grad_magnitude, 30), "shade").empty
    assert len(layer_data(shaded, "curve")) == 31 and layer_data(shaded, "overflow").empty
    partial = rnn_charts.gradient_over_time_chart(rnn_view.assignment_view(1.0, 3.0, 500, 8, 0, 10).grad_magnitude, 10)
    curve, overflow = layer_data(partial, "curve"), layer_data(partial, "overflow")
    assert len(overflow) > 0 and len(curve) > 0 and len(curve) + len(overflow) == 501
    assert np.isfinite(curve["value"]).all() and curve["value"].max() <= rnn_charts.HUGE
    assert overflow["k"].max() < curve["k"].min(), "the curve runs from k = T back to its last finite step"
    everything = rnn_charts.gradient_over_time_chart(views["extreme"].grad_magnitude, 10)
    assert layer_data(everything, "curve").empty and len(layer_data(everything, "overflow")) == 1001


def test_compared_curves_never_take_the_current_curves_colour(views):
    spec = rnn_charts.gradient_over_time_chart(views["assignment"].grad_magnitude, 5,
                                               {f"w_rec = {rate}": rate ** np.arange(31.0) for rate in (0.5, 1.1)})
    current = next(layer for layer in spec["layer"] if layer["data"]["name"] == "curve")["mark"]["color"]
    compared = next(layer for layer in spec["layer"] if layer["data"]["name"] == "compared")
    colours = compared["encoding"]["color"]["scale"]["range"]
    assert current not in colours and rnn_charts.OVERFLOW_COLOR not in colours
    assert len(colours) >= len(bptt_state.COMPARE_RATES) - 1, "every compared w_rec gets its own colour"


def test_gradient_chart_marks_steps_that_vanished_to_zero():
    magnitude = np.array([0.0, 0.0, 1e-300, 1e-3, 1.0])
    spec = rnn_charts.gradient_over_time_chart(magnitude, 4)
    assert layer_data(spec, "underflow")["k"].tolist() == [0, 1]
    assert layer_data(spec, "curve")["k"].tolist() == [2, 3, 4]


def test_lines_a_log_chart_cannot_draw_are_named(views):
    frame = pd.DataFrame({"K": [1, 2, 3] * 3, "w_rec": [0.5] * 3 + [1.0] * 3 + [3.0] * 3,
                          "rel_error": [0.1, 0.01, 1e-17, np.nan, np.nan, np.nan, 0.5, np.inf, np.nan]})
    assert rnn_charts.dropped_lines(frame, "rel_error", "w_rec", "K") == {"1.0": "not drawn",
                                                                          "3.0": "drawn for K = 1 to 1"}
    spec = rnn_charts.truncation_bias_chart(frame, 2)
    assert set(layer_data(spec, "bias")["w_rec"]) == {"0.5", "3"}
    assert layer_data(spec, "stops")[["K", "w_rec"]].values.tolist() == [[1, "3"]]


def test_loss_surface_colours_show_the_basin(views):
    surface = views["surface"]
    low, plateau, high = rnn_charts.surface_colour_domain(surface.log10_loss)
    assert low == surface.log10_loss.min() and high == surface.log10_loss.max()
    below = np.mean(surface.log10_loss < plateau)
    assert 0.2 <= below <= 0.3, "a quarter of the cells get half the colours: the basin is not one flat colour"
    basin = surface.log10_loss[np.abs(surface.w_rec - 1.0).argmin(), np.abs(surface.w_x - 1.0).argmin()]
    assert basin < plateau


def test_loss_curves_stop_at_the_last_finite_loss():
    spec = rnn_charts.loss_curves_chart({"gd": np.array([10.0, 1e5, np.inf, np.inf]), "rprop": np.array([10.0, 1.0])})
    losses = layer_data(spec, "losses")
    assert losses[losses["method"] == "gradient descent"]["step"].tolist() == [0, 1]
    assert layer_data(spec, "stops")[["method", "step", "note"]].values.tolist() == [
        ["gradient descent", 1, "diverged after this step"]]


def test_clip_free_log_values():
    kept = rnn_charts.finite_positive(np.array([0.0, 1e-320, 2.0, -3.0, np.inf, np.nan, 1e301]))
    assert kept.tolist() == [False, True, True, True, False, False, False]


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


def test_the_randomized_mean_converges_to_full_bptt():
    """Unbiased: the mean of many draws is close to full BPTT, much closer than one draw."""
    deep = rnn_view.deep_view(1.0, 16, 60, 0, 5, 0.8, 400)
    estimates = deep.estimates.set_index("method")["rel_error"]
    assert estimates["randomized, mean of 400"] < 0.05
    assert deep.monte_carlo["running_error"].iloc[-1] < deep.monte_carlo["running_error"].iloc[0]


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


def test_the_two_paths_chart_leaves_out_the_missing_path_at_T_and_marks_the_step(views):
    spec = rnn_charts.two_paths_chart(views["paths"].by_step, 12)
    paths = layer_data(spec, "paths")
    assert set(paths["path"]) == set(rnn_charts.PATH_COLORS)
    through_next = paths[paths["path"] == rnn_charts.PATH_NAMES["through_next"]]
    assert 30 not in through_next["t"].tolist() and len(through_next) == 29, "no h_31, so no path through it"
    assert layer_data(spec, "chosen")["t"].tolist() == [12]


def test_the_two_paths_diagram_writes_the_norms_and_fades_h_T_plus_1():
    inside = rnn_charts.two_paths_diagram(4, 9, 0.5, 0.25, 0.625)
    assert layer_data(inside, "labels")["text"].tolist() == ["via o4: 0.5", "via h5: 0.25", "dL/dh4: 0.625"]
    assert set(layer_data(inside, "nodes")["opacity"]) == {1.0}
    last = rnn_charts.two_paths_diagram(9, 9, 0.5, 0.0, 0.5)
    assert layer_data(last, "labels")["text"].tolist()[1] == "via h10: none (t = T)"
    faded = layer_data(last, "nodes").set_index("label")["opacity"]
    assert faded["h10"] == faded["o10"] == 0.3 and faded["h9"] == 1.0
