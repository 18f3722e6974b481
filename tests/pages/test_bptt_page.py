"""AppTest of the BPTT explorer: every tab renders and verifies, sliders change what the charts
draw, extreme settings warn instead of raising, training ends near (1, 1)."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

PAGE = "pages/bptt_lab.py"
TABS = {"assignment": "Assignment: counting RNN", "deep": "Deep RNN (tanh)", "gated": "Gated cells"}


@pytest.fixture
def lab(app):
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def open_tab(at, tab: str) -> None:
    at.session_state["bptt_tab"] = TABS[tab]
    at.run()
    assert not at.exception, at.exception


def charts(at) -> dict[str, object]:
    """Every drawn chart by its title."""
    found = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("title") or next(
            (layer.get("title") for layer in spec.get("layer", []) if "title" in layer), ""
        )
        found[title if isinstance(title, str) else title.get("text", "")] = chart
    return found


def chart_starting(at, prefix: str):
    matches = [chart for title, chart in charts(at).items() if title.startswith(prefix)]
    assert len(matches) == 1, (prefix, list(charts(at)))
    return matches[0]


def frames(chart) -> list[pd.DataFrame]:
    return [pa.ipc.open_stream(dataset.data.data).read_all().to_pandas() for dataset in chart.proto.datasets]


def verified(at) -> list[str]:
    return [box.value for box in at.success if box.value.startswith("Verified")]


def test_assignment_tab_renders_verified_numbers(lab):
    assert len(verified(lab)) == 1 and not lab.error
    assert len(lab.latex) == 3
    titles = list(charts(lab))
    assert any(title.startswith("Gradient over time, w_rec = 0.9: vanishing") for title in titles)
    assert any(title.startswith("Truncation bias") for title in titles)
    assert any(title.startswith("Loss surface") for title in titles)
    surface = frames(chart_starting(lab, "Loss surface"))
    assert max(len(frame) for frame in surface) == 100 * 100
    assert any(link.proto.label.endswith("Backpropagation for a linear RNN") for link in lab.get("page_link"))


def test_w_rec_slider_changes_the_gradient_over_time(lab):
    before = frames(chart_starting(lab, "Gradient over time"))[-1]["magnitude"]
    lab.slider(key="bptt_w_rec").set_value(1.1).run()
    assert not lab.exception
    after = frames(chart_starting(lab, "Gradient over time, w_rec = 1.1: exploding"))[-1]["magnitude"]
    assert before.iloc[0] < before.iloc[-1] and after.iloc[0] > after.iloc[-1]
    assert len(verified(lab)) == 1


def test_truncation_window_moves_the_shading_and_the_metrics(lab):
    shade = frames(chart_starting(lab, "Gradient over time"))[0]
    assert shade[["start", "end"]].iloc[0].tolist() == [0, 40]
    errors = {}
    for K in (5, 45):
        lab.slider(key="bptt_K").set_value(K).run()
        shade = frames(chart_starting(lab, "Gradient over time"))[0]
        assert shade["end"].iloc[0] == 50 - K
        errors[K] = float(lab.metric[-2].value)
    assert errors[45] < errors[5]


def test_extreme_settings_warn_and_clip_instead_of_raising(lab):
    lab.slider(key="bptt_w_rec").set_value(3.0).run()
    lab.slider(key="bptt_T").set_value(1000).run()
    assert not lab.exception
    assert any("Overflow" in warning.value and "inf" in warning.value for warning in lab.warning)
    points = frames(chart_starting(lab, "Gradient over time"))[-1]
    assert (points["status"] == "overflow (inf)").any()
    assert points["magnitude"].max() <= 1e300
    assert any("first" in text and "overflows" in text for text in verified(lab))


def test_training_ends_near_one_one(lab):
    lab.slider(key="bptt_T").set_value(10).run()
    lab.number_input(key="bptt_steps").set_value(600)
    lab.button(key="bptt_train").click().run()
    assert not lab.exception
    lines = {text.value.split("**")[1]: text.value for text in lab.markdown if text.value.startswith("**")}
    assert "diverged" in lines["gradient descent"]
    assert "w_x = 1.000" in lines["Rprop"] and "w_rec = 1.000" in lines["Rprop"]
    trail = [frame for frame in frames(chart_starting(lab, "Loss surface")) if "method" in frame]
    assert set(trail[0]["method"]) == {"gradient descent", "clipped GD", "Rprop"}
    assert chart_starting(lab, "Loss while training")
    lab.slider(key="bptt_T").set_value(12).run()
    assert any("train again" in info.value for info in lab.info)


def test_deep_tab_meter_and_estimates_follow_the_sliders(lab):
    open_tab(lab, "deep")
    assert len(verified(lab)) == 1
    assert chart_starting(lab, "sigma_max = ") and chart_starting(lab, "||dL/dh_t|| for several spectral radii")
    sigma = float(lab.metric[0].value)
    lab.slider(key="bptt_radius").set_value(0.4).run()
    assert not lab.exception
    assert float(lab.metric[0].value) < sigma
    assert "gradients vanish" in next(title for title in charts(lab) if title.startswith("sigma_max"))
    decay = frames(chart_starting(lab, "||dL/dh_t|| for several spectral radii"))[0]
    assert "radius 0.4" in set(decay["series"])
    lab.slider(key="bptt_draws").set_value(50).run()
    monte_carlo = frames(chart_starting(lab, "Monte Carlo"))[0]
    assert monte_carlo["draws"].max() == 50
    assert len(verified(lab)) == 1


def test_gated_tab_follows_the_gate_bias(lab):
    open_tab(lab, "gated")
    assert len(verified(lab)) == 1
    before = frames(chart_starting(lab, "||dL/dh_t||: tanh RNN vs LSTM and GRU (gate bias 1)"))[0]
    lab.slider(key="bptt_gate_bias").set_value(4.0).run()
    assert not lab.exception
    after = frames(chart_starting(lab, "||dL/dh_t||: tanh RNN vs LSTM and GRU (gate bias 4)"))[0]

    def surviving(frame, cell):
        norms = frame[frame["series"] == cell].set_index("t")["norm"]
        return norms.iloc[0] / norms.iloc[-1]

    assert surviving(after, "LSTM") > surviving(before, "LSTM")
    assert surviving(after, "GRU") > surviving(before, "GRU")


def test_settings_survive_switching_tabs(lab):
    lab.slider(key="bptt_w_rec").set_value(1.2).run()
    open_tab(lab, "deep")
    lab.slider(key="bptt_H").set_value(16).run()
    open_tab(lab, "assignment")
    assert lab.slider(key="bptt_w_rec").value == 1.2
    open_tab(lab, "deep")
    assert lab.slider(key="bptt_H").value == 16


def test_overflowed_metrics_say_so_instead_of_nan(lab):
    lab.slider(key="bptt_w_rec").set_value(-3.0).run()
    lab.slider(key="bptt_T").set_value(1000).run()
    assert not lab.exception
    values = [metric.value for metric in lab.metric]
    assert not [value for value in values if "nan" in value.lower()], values
    assert any("overflow" in value or "undefined" in value for value in values)
    assert "Verified" in lab.success[0].value
