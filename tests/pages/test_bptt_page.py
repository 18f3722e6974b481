"""AppTest of the BPTT explorer: every tab and part renders and verifies, sliders change what the
charts draw, extreme settings warn instead of raising and name what a chart leaves out,
training ends near (1, 1), and settings survive switching tabs and parts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core import rnn
from core.rnn import examples as rnn_examples

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


def test_a_slider_redraws_the_pictures_and_keeps_its_value(lab):
    """(That a control is one run of its tab's fragment alone is checked in the browser, where
    fragment runs happen: tests/browser/test_labs_browser.py.)"""
    lab.slider(key="bptt_w_rec").set_value(1.05).run()
    assert not lab.exception and "so it is **exploding**" in captions(lab)
    assert lab.slider(key="bptt_w_rec").value == 1.05
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


def test_the_intro_and_the_rules_use_one_convention(lab):
    intro = lab.markdown[0].value
    assert "w_x X_k$" in intro and "X_{k-1}" not in intro and "input read at step $k" in intro
    assert all("X_{k-1}" not in rule.value for rule in lab.latex)


def step_rows(at) -> pd.DataFrame:
    """The step-by-step table as shown (AppTest reads the data under its styling)."""
    tables = [frame.value for frame in at.dataframe if "dL/dw_x so far" in frame.value.columns]
    assert len(tables) == 1
    return tables[0]


def closed_form(sequence: list[float], w_x: float, w_rec: float) -> tuple[float, float]:
    """linear_backward's gradients for one sequence with the counting loss, computed here."""
    X = np.array([sequence], dtype=float)
    S = rnn.linear_forward(X, w_x, w_rec)
    _, grad_out = rnn.counting_loss(S, X.sum(axis=1))
    grad_w_x, grad_w_rec, _ = rnn.linear_backward(X, S, grad_out, w_rec)
    return grad_w_x, grad_w_rec


def test_step_by_step_traces_the_loop_and_ends_at_the_closed_form(lab):
    open_tab(lab, "assignment", "Step by step")
    rows = step_rows(lab)
    assert rows["k"].tolist() == [5, 4, 3, 2, 1] and rows["X_k"].tolist() == [0, 1, 1, 0, 1]   # "1 0 1 1 0"
    last = rows.iloc[-1]
    expected = closed_form([1, 0, 1, 1, 0], 1.0, 0.9)
    assert (last["dL/dw_x so far"], last["dL/dw_rec so far"]) == pytest.approx(expected, rel=1e-12)
    badge = verified(lab)
    assert len(badge) == 1 and badge[0].startswith("Verified · Last row of the loop = closed form: largest difference")
    assert float(badge[0].split("difference ")[1].split(" ")[0]) < 1e-12
    assert any(m.value.startswith("**Last row** (k = 1)") for m in lab.markdown)
    assert lab.get("code")[0].value.startswith("grad_over_time[:, T] = 2 * (S[:, T] - target)")
    assert len(lab.latex) == 3 and "the loss at }k = T" in lab.latex[0].value
    assert all(lab.slider(key=key).disabled for key in ("bptt_T", "bptt_batch", "bptt_K"))
    assert lab.number_input(key="bptt_seed").disabled
    move(lab, "slider", "bptt_w_rec", 1.3)
    expected = closed_form([1, 0, 1, 1, 0], 1.0, 1.3)
    last = step_rows(lab).iloc[-1]
    assert (last["dL/dw_x so far"], last["dL/dw_rec so far"]) == pytest.approx(expected, rel=1e-12)
    open_tab(lab, "assignment", "Truncation")
    assert not lab.slider(key="bptt_K").disabled, "the other parts keep their controls"


def test_the_loop_step_slider_walks_back_through_the_rules(lab):
    open_tab(lab, "assignment", "Step by step")
    assert lab.slider(key="bptt_loop_k").value == 5, "the loop starts at k = T"
    lab.slider(key="bptt_loop_k").set_value(3).run()
    assert not lab.exception
    source, rule_3, rule_2 = (rule.value for rule in lab.latex)
    rows = step_rows(lab).set_index("k")
    assert "Rule 1, from step 4" in source and "S_{3}}" in source
    assert f"&= {rows.loc[3, 'dL/dS_k']:.4g}" in source
    assert "X_{3}" in rule_3 and "S_{2}" in rule_2
    assert f"&= {rows.loc[3, 'dL/dw_rec so far']:.4g}" in rule_2


@pytest.mark.parametrize(("typed", "rows"), [("1 1 1", 3), ("1,0, 0.5", 3), ("10110011", 8), ("-2 3", 2)])
def test_a_typed_sequence_is_traced(lab, typed, rows):
    open_tab(lab, "assignment", "Step by step")
    lab.slider(key="bptt_loop_k").set_value(2).run()
    lab.text_input(key="bptt_seq").set_value(typed).run()
    assert not lab.exception and not lab.error
    table = step_rows(lab)
    assert len(table) == rows
    X = rnn_examples.parse_sequence(typed)
    last = table.iloc[-1]
    assert (last["dL/dw_x so far"], last["dL/dw_rec so far"]) == pytest.approx(closed_form(list(X), 1.0, 0.9),
                                                                             rel=1e-12)
    assert lab.slider(key="bptt_loop_k").value == rows, "a new sequence starts the loop again at k = T"
    assert verified(lab)[0].startswith("Verified · Last row of the loop = closed form")


@pytest.mark.parametrize(("typed", "sentence"), [
    ("", "type at least one number"),
    ("1 x 0", "'x' is not a number"),
    ("1 inf", "finite"),
    ("1 " * 61, "at most 60 steps"),
    ("<script>", "is not a number"),
])
def test_a_bad_sequence_gets_a_sentence_not_a_traceback(lab, typed, sentence):
    open_tab(lab, "assignment", "Step by step")
    lab.text_input(key="bptt_seq").set_value(typed).run()
    assert not lab.exception
    messages = [error.value for error in lab.error]
    assert len(messages) == 1 and messages[0].startswith("The sequence cannot be read:") and sentence in messages[0]
    assert not [frame for frame in lab.dataframe if "dL/dS_k" in frame.value.columns]
    lab.text_input(key="bptt_seq").set_value("1 0 1").run()
    assert not lab.error and len(step_rows(lab)) == 3


def test_a_single_step_and_an_overflow_still_draw(lab):
    open_tab(lab, "assignment", "Step by step")
    lab.text_input(key="bptt_seq").set_value("1").run()
    assert not lab.exception and len(step_rows(lab)) == 1 and lab.slider(key="bptt_loop_k").disabled
    lab.text_input(key="bptt_seq").set_value("1e300 1e300 1e300").run()
    assert not lab.exception
    assert any("float64" in warning.value for warning in lab.warning)
    assert "nan" not in "\n".join(m.value for m in lab.markdown).lower()


def test_the_random_button_fills_the_box_with_a_sequence_of_the_chosen_length(lab):
    open_tab(lab, "assignment", "Step by step")
    lab.number_input(key="bptt_seq_length").set_value(12).run()
    lab.slider(key="bptt_loop_k").set_value(3).run()
    lab.button(key="bptt_seq_random").click().run()
    assert not lab.exception
    assert lab.slider(key="bptt_loop_k").value == 12, "the loop starts again at k = T"
    drawn = lab.session_state["bptt_seq"]
    assert drawn == " ".join(f"{x:g}" for x in rnn_examples.random_sequence(12, 1))
    assert len(drawn.split()) == 12 and set(drawn.split()) <= {"0", "1"}
    assert lab.text_input(key="bptt_seq").value == drawn
    assert step_rows(lab)["X_k"].tolist() == [float(x) for x in reversed(drawn.split())]
    lab.button(key="bptt_seq_random").click().run()
    assert lab.session_state["bptt_seq"] == " ".join(f"{x:g}" for x in rnn_examples.random_sequence(12, 2))


def two_paths_table(at) -> pd.DataFrame:
    tables = [frame.value for frame in at.dataframe if "via o_t" in frame.value.columns]
    assert len(tables) == 1
    return tables[0]


def test_two_paths_add_up_and_follow_the_step_slider(lab):
    open_tab(lab, "deep", "Two paths")
    assert "loss is on **every** step" in "\n".join(m.value for m in lab.markdown)
    assert lab.slider(key="bptt_deep_K").disabled, "K is for the truncation parts"
    units = two_paths_table(lab)
    assert len(units) == 8
    np.testing.assert_allclose(units["via o_t"] + units["via h_t+1"], units["dL/dh_t"], rtol=1e-12, atol=1e-15)
    expected = rnn_examples.two_paths_view(1.0, 32, 100, 0, 90)
    np.testing.assert_allclose(units["dL/dh_t"], expected.units["total"][:8], rtol=1e-12)
    assert verified(lab)[0].startswith("Verified · dL/dh_t = the two paths, against full BPTT")
    diagram = data(chart_starting(lab, "dL/dh90 = via o90 + via h91"))["labels"]["text"].tolist()
    row = expected.by_step.iloc[89]
    assert diagram == [f"via o90: {row['own']:.3g}", f"via h91: {row['through_next']:.3g}",
                       f"dL/dh90: {row['total']:.3g}"]
    assert data(chart_starting(lab, "||dL/dh_t|| and its two paths"))["chosen"]["t"].tolist() == [90]
    lab.slider(key="bptt_paths_t").set_value(100).run()
    assert not lab.exception
    labels = data(chart_starting(lab, "dL/dh100"))["labels"]["text"].tolist()
    assert labels[1] == "via h101: none (t = T)"
    units = two_paths_table(lab)
    assert (units["via h_t+1"] == 0).all() and (units["via o_t"] == units["dL/dh_t"]).all()


def test_two_paths_clamp_the_step_when_T_shrinks_and_run_at_the_largest_settings(lab):
    open_tab(lab, "deep", "Two paths")
    move(lab, "slider", "bptt_deep_T", 40)
    assert lab.slider(key="bptt_paths_t").value == 40
    lab.slider(key="bptt_H").set_value(64)
    lab.slider(key="bptt_radius").set_value(3.0)
    lab.slider(key="bptt_deep_T").set_value(500).run()
    assert not lab.exception
    assert verified(lab)[0].startswith("Verified")
    lab.slider(key="bptt_paths_t").set_value(1).run()
    assert not lab.exception and "nan" not in two_paths_table(lab).to_string().lower()


def test_monte_carlo_with_the_whole_sequence_as_window_is_verified_and_says_no_dashed_line():
    from tests.pages.apptest import opened

    lab = opened("pages/bptt_lab.py", {"tab": "deep", "deep_part": "montecarlo", "deep_T": "20", "deep_K": "20",
                                       "draws": "20"})
    assert len(verified(lab)) == 1, "Monte Carlo has the Verified badge like every other view"
    assert "no dashed line is drawn" in captions(lab) and "the dashed line is" not in captions(lab)
    assert not data(chart_starting(lab, "Bias and spread against p"))["fixed"].size
