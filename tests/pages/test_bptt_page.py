"""AppTest of the BPTT explorer: every tab and part renders and verifies, sliders change what the
charts draw, extreme settings warn instead of raising and name what a chart leaves out,
training ends near (1, 1), and settings survive switching tabs and parts."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

PAGE = "pages/bptt_lab.py"
TABS = {"assignment": "Assignment: counting RNN", "deep": "Deep RNN (tanh)", "gated": "Gated cells"}
PARTS = {"assignment": "bptt_assign_part", "deep": "bptt_deep_part", "gated": "bptt_gated_part"}


@pytest.fixture
def lab(app):
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def move(at, kind: str, key: str, value) -> None:
    """Set a control and run, as a gesture in the browser does. A control's callback reruns only
    the pictures fragment (and the controls one when another control's range follows it), after
    which AppTest's tree holds only those; one more run draws the whole page again."""
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    at.run()


def open_tab(at, tab: str, part: str | None = None) -> None:
    at.session_state["bptt_tab"] = TABS[tab]
    if part:
        at.session_state[PARTS[tab]] = part
    at.run()
    assert not at.exception, at.exception


def charts(at) -> dict[str, object]:
    """Every drawn chart by its title."""
    return {json.loads(chart.proto.spec).get("title", ""): chart for chart in at.get("vega_lite_chart")}


def chart_starting(at, prefix: str):
    matches = [chart for title, chart in charts(at).items() if title.startswith(prefix)]
    assert len(matches) == 1, (prefix, list(charts(at)))
    return matches[0]


def data(chart) -> dict[str, pd.DataFrame]:
    """A chart's datasets by name."""
    return {dataset.name: pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            for dataset in chart.proto.datasets}


def verified(at) -> list[str]:
    return [box.value for box in at.success if box.value.startswith("Verified")]


def captions(at) -> str:
    return "\n".join(caption.value for caption in at.caption)


def test_assignment_tab_renders_verified_numbers(lab):
    assert len(verified(lab)) == 1 and not lab.error
    assert len(lab.latex) == 3 and all("aligned" in rule.value for rule in lab.latex)
    assert "Gradient over time (log scale)" in charts(lab)
    assert "w_rec = 0.9: each step back multiplies the gradient by 0.9, so it is **vanishing**" in captions(lab)
    assert any(link.proto.label.endswith("Backpropagation for a linear RNN") for link in lab.get("page_link"))
    open_tab(lab, "assignment", "Truncation")
    assert chart_starting(lab, "Truncation bias")
    open_tab(lab, "assignment", "Loss surface and training")
    surface = data(chart_starting(lab, "Loss surface"))["surface"]
    assert len(surface) == 100 * 100
    assert "so the basin around the solution (1, 1) stays visible" in captions(lab)


def test_a_slider_reruns_only_the_pictures(lab):
    lab.slider(key="bptt_w_rec").set_value(1.05).run()
    assert not lab.exception and "so it is **exploding**" in captions(lab)
    assert not lab.slider, "the controls were not drawn again"
    lab.run()
    assert lab.slider(key="bptt_w_rec").value == 1.05


def test_w_rec_slider_changes_the_gradient_over_time(lab):
    before = data(chart_starting(lab, "Gradient over time"))["curve"]["value"]
    move(lab, "slider", "bptt_w_rec", 1.1)
    assert not lab.exception
    after = data(chart_starting(lab, "Gradient over time"))["curve"]["value"]
    assert before.iloc[0] < before.iloc[-1] and after.iloc[0] > after.iloc[-1]
    assert "so it is **exploding**" in captions(lab)
    assert len(verified(lab)) == 1


def test_truncation_window_moves_the_shading_and_the_error(lab):
    shade = data(chart_starting(lab, "Gradient over time"))["shade"]
    assert shade[["start", "end"]].iloc[0].tolist() == [0, 40]
    errors = {}
    for K in (5, 45):
        move(lab, "slider", "bptt_K", K)
        assert data(chart_starting(lab, "Gradient over time"))["shade"]["end"].iloc[0] == 50 - K
        open_tab(lab, "assignment", "Truncation")
        line = next(m.value for m in lab.markdown if m.value.startswith("**relative error**"))
        errors[K] = float(line.split("= ")[1].split(" ")[0])
        assert data(chart_starting(lab, "Truncation bias"))["window"]["K"].tolist() == [K]
        open_tab(lab, "assignment", "Gradient and rules")
    assert errors[45] < errors[5]


def test_extreme_settings_warn_and_draw_up_to_the_last_finite_value(lab):
    move(lab, "slider", "bptt_w_rec", 3.0)
    move(lab, "slider", "bptt_T", 500)
    assert not lab.exception
    gradient = data(chart_starting(lab, "Gradient over time"))
    assert len(gradient["curve"]) > 0 and len(gradient["overflow"]) > 0
    assert gradient["curve"]["value"].max() <= 1e300
    assert any("The curve stops at its last finite value" in warning.value for warning in lab.warning)
    assert "marked by red crosses along the top" in captions(lab)
    move(lab, "slider", "bptt_T", 1000)
    assert any("Nothing is finite to draw" in warning.value for warning in lab.warning)
    assert data(chart_starting(lab, "Gradient over time"))["curve"].empty
    assert any("first" in text and "overflows" in text for text in verified(lab))
    open_tab(lab, "assignment", "Truncation")
    named = captions(lab)
    assert "**w_rec = 3**: not drawn" in named and "beyond float64" in named


def test_a_line_the_truncation_chart_cannot_draw_is_named(lab):
    open_tab(lab, "assignment", "Truncation")
    move(lab, "slider", "bptt_w_rec", 1.0)             # w_x = w_rec = 1: a zero full gradient
    assert "**w_rec = 1**: not drawn" in captions(lab)
    drawn = set(data(chart_starting(lab, "Truncation bias"))["bias"]["w_rec"])
    assert "1" not in drawn and "0.5" in drawn


def test_training_ends_near_one_one(lab):
    move(lab, "slider", "bptt_T", 10)
    open_tab(lab, "assignment", "Loss surface and training")
    lab.number_input(key="bptt_steps").set_value(600)
    lab.button(key="bptt_train").click().run()
    assert not lab.exception
    lines = {text.value.split("**")[1]: text.value for text in lab.markdown if text.value.startswith("**")}
    assert "diverged" in lines["gradient descent"]
    assert "w_x = 1.000" in lines["Rprop"] and "w_rec = 1.000" in lines["Rprop"]
    trail = data(chart_starting(lab, "Loss surface"))["trail"]
    assert set(trail["method"]) == {"gradient descent", "clipped GD", "Rprop"}
    curves = data(chart_starting(lab, "Loss while training"))
    assert not curves["losses"].empty and "gradient descent" in set(curves["stops"]["method"])
    move(lab, "slider", "bptt_T", 12)
    assert any("train again" in info.value for info in lab.info)


def test_deep_tab_meter_and_estimates_follow_the_sliders(lab):
    open_tab(lab, "deep")
    assert len(verified(lab)) == 1
    meter = data(chart_starting(lab, "sigma_max of W_hh"))["meter"].set_index("quantity")["value"]
    assert "**may explode**" in captions(lab)
    assert lab.slider(key="bptt_deep_K").disabled, "K only changes the truncation parts"
    move(lab, "slider", "bptt_radius", 0.4)
    assert not lab.exception
    smaller = data(chart_starting(lab, "sigma_max of W_hh"))["meter"].set_index("quantity")["value"]
    assert smaller["largest singular value"] < meter["largest singular value"]
    assert "**must vanish**" in captions(lab)
    decay = data(chart_starting(lab, "||dL/dh_t|| by spectral radius"))["norms"]
    assert "radius 0.4" in set(decay["series"])
    open_tab(lab, "deep", "Truncation")
    assert not lab.slider(key="bptt_deep_K").disabled
    table = next(m.value for m in lab.markdown if m.value.startswith("| method"))
    assert "full BPTT" in table and "randomized, mean of 200" in table
    assert "**truncated (K=10)**: drawn for t = 90 to 100" in captions(lab), "h_{T-K} reports what reaches it"
    open_tab(lab, "deep", "Monte Carlo")
    move(lab, "slider", "bptt_draws", 50)
    monte_carlo = data(chart_starting(lab, "Monte Carlo"))["draws"]
    assert monte_carlo["draws"].max() == 50
    assert chart_starting(lab, "Bias and spread against p")


def test_gated_tab_follows_the_gate_bias(lab):
    open_tab(lab, "gated")
    assert len(verified(lab)) == 1
    assert "central differences along random directions" in verified(lab)[0]
    before = data(chart_starting(lab, "||dL/dh_t||: tanh RNN, LSTM, GRU"))["norms"]
    move(lab, "slider", "bptt_gate_bias", 4.0)
    assert not lab.exception
    after = data(chart_starting(lab, "||dL/dh_t||: tanh RNN, LSTM, GRU"))["norms"]

    def surviving(frame, cell):
        norms = frame[frame["series"] == cell].set_index("t")["norm"]
        return norms.iloc[0] / norms.iloc[-1]

    assert surviving(after, "LSTM") > surviving(before, "LSTM")
    assert surviving(after, "GRU") > surviving(before, "GRU")
    open_tab(lab, "gated", "Gate-bias sweep")
    sweep = data(chart_starting(lab, "Gradient surviving T steps"))
    assert sweep["current"]["bias"].tolist() == [4.0] and set(sweep["sweep"]["cell"]) == {"LSTM", "GRU"}


def test_settings_survive_switching_tabs_and_parts(lab):
    move(lab, "slider", "bptt_w_rec", 1.2)
    open_tab(lab, "deep", "Monte Carlo")
    lab.slider(key="bptt_H").set_value(16)
    move(lab, "slider", "bptt_p", 0.6)
    open_tab(lab, "deep", "Decay")
    open_tab(lab, "assignment")
    assert lab.slider(key="bptt_w_rec").value == 1.2
    open_tab(lab, "deep", "Truncation")
    assert lab.slider(key="bptt_H").value == 16 and lab.slider(key="bptt_p").value == 0.6


def test_overflowed_numbers_say_so_instead_of_nan(lab):
    move(lab, "slider", "bptt_w_rec", -3.0)
    move(lab, "slider", "bptt_T", 1000)
    assert not lab.exception
    table = next(m.value for m in lab.markdown if m.value.startswith("| loss"))
    assert "nan" not in table.lower() and ("overflow" in table or "undefined" in table)
    assert "Verified" in lab.success[0].value
    open_tab(lab, "assignment", "Truncation")
    shown = "\n".join(m.value for m in lab.markdown)
    assert "nan" not in shown.lower()
