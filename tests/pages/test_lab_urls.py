"""Lab state in the URL: every control of every tab round-trips through a link; bad, out-of-range
and unknown parameters fall back to the default with a notice naming them."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.conv import state as conv_state
from core.rnn import state as bptt_state
from core.urlparams import Param, write
from tests.pages.apptest import opened as open_link

PAGES = {"bptt": "pages/bptt_lab.py", "conv": "pages/conv_lab.py"}


def other_value(param: Param):
    """A value of `param` that is not its default (what a link would carry)."""
    if param.kind == "choice":
        return next(value for value in param.codes.values() if value != param.default)
    if param.kind == "bool":
        return not param.default
    if param.kind == "int":
        step = param.step or 1
        return param.default + step if param.default + step <= param.high else param.default - step
    if param.kind == "float":
        step = param.step or 0.1
        return round(param.default + step if param.default + step <= param.high else param.default - step, 10)
    if param.name == "kernels":
        return [value for value in param.codes.values() if value != conv_state.CUSTOM][1:3]
    if param.name == "custom":
        return [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]
    if param.name == "cell":
        return [0, 2, 3]
    if param.name == "compare":
        return [0.5, 1.1]
    if param.kind == "text":
        return {"seq": "1 1 0 1 0 0 1", "ex_x": "4, 1, 0, -3, 1", "ex_w": "1, 0, -1", "ex_d": "2, -1, 0.5"}[param.name]
    raise AssertionError(param)


def opened(lab: str, query: dict[str, str]) -> AppTest:
    return open_link(PAGES[lab], query)


def query_of(at: AppTest) -> dict[str, str]:
    return {name: value[-1] if isinstance(value, list) else value for name, value in at.query_params.items()}


BPTT_CASES = [param for param in bptt_state.PARAMS if param.name != "tab"]


@pytest.mark.parametrize("param", BPTT_CASES, ids=lambda param: param.name)
def test_every_bptt_control_round_trips_through_a_link(notes_dir, param):
    tab = next(code for code, names in bptt_state.TAB_PARAMS.items() if param.name in names)
    value = other_value(param)
    query = {"tab": tab, param.name: write(param, value)}
    at = opened("bptt", query)
    assert at.session_state[param.key] == value
    assert query_of(at)[param.name] == query[param.name], "the address bar keeps what the link set"
    again = opened("bptt", query_of(at))
    assert again.session_state[param.key] == value, "a fresh session opened from the address is the same"


CONV_CASES = [param for param in conv_state.params_for(2) if param.name not in ("view", "input", "colour")]


@pytest.mark.parametrize("param", CONV_CASES, ids=lambda param: param.name)
def test_every_conv_control_round_trips_through_a_link(notes_dir, param):
    value = other_value(param)
    query = {"view": "field", "input": "rgb", param.name: write(param, value)}
    if param.name == "custom":
        query["kernels"] = "sobel-x,custom"
    at = opened("conv", query)
    if param.name == "cell":
        cell = (at.session_state["conv_cell_channel"], at.session_state["conv_cell_height"],
                at.session_state["conv_cell_width"])
        assert list(cell) == value
    elif param.name == "custom":
        assert at.session_state[conv_state.CUSTOM_KEY].tolist() == value
    else:
        assert at.session_state[param.key] == value
    assert query_of(at)[param.name] == query[param.name]
    again = opened("conv", query_of(at))
    assert query_of(again) == query_of(at)


@pytest.mark.parametrize(("source", "ndim"), [("signal", 1), ("volume", 3)])
def test_a_link_to_a_1d_or_3d_input_sets_that_inputs_controls(notes_dir, source, ndim):
    sizes = {1: "40", 3: "8"}
    at = opened("conv", {"input": source, "size": sizes[ndim], "view": "backward"})
    assert at.session_state[f"conv_size_{ndim}d"] == int(sizes[ndim])
    assert at.session_state["conv_tab"] == "Backward pass"
    assert not at.warning


def test_the_views_and_tabs_open_from_a_link(notes_dir):
    for code, label in bptt_state.TABS.items():
        assert opened("bptt", {"tab": code}).session_state["bptt_tab"] == label
    for code, label in conv_state.VIEWS.items():
        assert opened("conv", {"view": code}).session_state["conv_tab"] == label


@pytest.mark.parametrize(("lab", "query", "named"), [
    ("bptt", {"tab": "deep", "H": "999"}, "H=999"),
    ("bptt", {"tab": "nope"}, "tab=nope"),
    ("bptt", {"w_rec": "abc"}, "w_rec=abc"),
    ("bptt", {"tab": "deep", "radius": "nan"}, "radius=nan"),
    ("bptt", {"tab": "deep", "colour": "blue"}, "parameter 'colour'"),
    ("conv", {"pad": "-1"}, "pad=-1"),
    ("conv", {"kernels": "sobel-x,unicorn"}, "'unicorn' is not one of the choices"),
    ("conv", {"custom": "1,2;3", "kernels": "custom"}, "custom=1,2;3"),
    ("conv", {"input": "webcam"}, "input=webcam"),
])
def test_bad_parameters_fall_back_with_a_notice_never_an_exception(notes_dir, lab, query, named):
    at = opened(lab, query)
    warnings = "\n".join(warning.value for warning in at.warning).replace("\\", "")
    assert "This link asked for settings the lab cannot use" in warnings and named in warnings


def test_moving_a_control_writes_the_address_and_arriving_from_the_navigation_keeps_the_lab(notes_dir):
    at = opened("bptt", {"tab": "assignment"})
    at.slider(key="bptt_w_rec").set_value(1.2).run()
    at.run()
    assert query_of(at)["w_rec"] == "1.2"
    at.switch_page("pages/dashboard.py").run()
    at.switch_page("pages/bptt_lab.py").run()
    assert at.session_state["bptt_w_rec"] == 1.2, "the navigation's bare /bptt_lab keeps the session's lab"
    assert query_of(at)["w_rec"] == "1.2"


def test_a_link_with_every_tab_set_reopens_all_of_them(notes_dir):
    query = {"tab": "gated", "w_rec": "1.1", "radius": "1.5", "gate_bias": "2.5", "draws": "50"}
    at = opened("bptt", query)
    assert (at.session_state["bptt_w_rec"], at.session_state["bptt_radius"], at.session_state["bptt_gate_bias"],
            at.session_state["bptt_draws"]) == (1.1, 1.5, 2.5, 50)
