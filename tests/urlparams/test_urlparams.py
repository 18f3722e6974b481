"""A lab's state in its URL: parsing with readable notices, writing only what differs, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.urlparams import Param, encode, parse, read, write

PARAMS = [
    Param("tab", "lab_tab", "choice", "Assignment", codes={"assignment": "Assignment", "deep": "Deep RNN (tanh)"}),
    Param("w_rec", "lab_w_rec", "float", 0.9, low=-3.0, high=3.0, step=0.01),
    Param("T", "lab_T", "int", 50, low=1, high=1000),
    Param("flip", "lab_flip", "bool", False),
    Param("kernels", "lab_kernels", "choices", ["Sobel x"], codes={"Sobel x": "Sobel x", "box": "box 3×3"},
          size=(1, 4)),
    Param("custom", "lab_custom", "matrix", [[1.0, 0.0, -1.0]], low=-1e6, high=1e6),
    Param("cell", "lab_cell", "ints", [0, 1, 1], low=0, high=10_000, size=(2, 4)),
]


def test_values_not_at_their_default_make_a_short_link_and_come_back():
    values = {"lab_tab": "Deep RNN (tanh)", "lab_w_rec": 1.1, "lab_T": 50, "lab_flip": True,
              "lab_kernels": ["Sobel x", "box 3×3"], "lab_custom": [[1.0, 2.5], [0.0, -1.0]], "lab_cell": [0, 3, 4]}
    query = encode(values, PARAMS)
    assert query == {"tab": "deep", "w_rec": "1.1", "flip": "true", "kernels": "Sobel x,box",
                     "custom": "1,2.5;0,-1", "cell": "0,3,4"}
    parsed, notices = parse(query, PARAMS)
    assert notices == []
    assert parsed == {key: value for key, value in values.items() if key != "lab_T"}


@pytest.mark.parametrize(("query", "named"), [
    ({"T": "0"}, "T=0 could not be used (out of range); T is a whole number from 1 to 1000. It stays at 50."),
    ({"T": "2.5"}, "not a whole number"),
    ({"w_rec": "nan"}, "not a finite number"),
    ({"w_rec": "1e400"}, "not a finite number"),
    ({"w_rec": "abc"}, "not a number"),
    ({"tab": "gated"}, "tab is one of assignment, deep"),
    ({"flip": "maybe"}, "not true or false"),
    ({"kernels": "Sobel x,mystery"}, "'mystery' is not one of the choices"),
    ({"kernels": ""}, "a list of 0, not 1 to 4 items"),
    ({"custom": "1,2;3"}, "same length"),
    ({"cell": "1"}, "a list of 1, not 2 to 4 items"),
    ({"colour": "red"}, "The link's parameter 'colour' is not a setting of this lab"),
])
def test_a_bad_value_is_named_and_the_control_keeps_its_default(query, named):
    values, notices = parse(query, PARAMS)
    assert values == {}
    assert len(notices) == 1 and named in notices[0]


def test_a_value_between_slider_steps_is_rounded_to_the_grid():
    assert read(PARAMS[1], "0.904") == 0.9
    assert read(PARAMS[1], "-3") == -3.0


def test_ignored_names_are_not_reported():
    assert parse({"note": "x"}, PARAMS, ignored={"note"}) == ({}, [])


def test_hostile_text_is_shown_short_and_printable():
    _, notices = parse({"T": "\x1b[31m" + "9" * 500}, PARAMS)
    assert "\x1b" not in notices[0] and len(notices[0]) < 300


@given(st.floats(-3, 3), st.integers(1, 1000), st.booleans(),
       st.lists(st.sampled_from(["Sobel x", "box 3×3"]), min_size=1, max_size=2, unique=True),
       st.lists(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=2), min_size=1, max_size=3))
def test_every_value_survives_a_round_trip(w_rec, T, flip, kernels, custom):
    w_rec = round(round(w_rec / 0.01) * 0.01, 10)
    values = {"lab_w_rec": w_rec, "lab_T": T, "lab_flip": flip, "lab_kernels": kernels, "lab_custom": custom}
    parsed, notices = parse(encode(values, PARAMS), PARAMS)
    assert notices == []
    merged = {param.key: param.default for param in PARAMS if param.key in values} | parsed
    assert merged["lab_T"] == T and merged["lab_flip"] == flip and merged["lab_kernels"] == kernels
    assert merged["lab_w_rec"] == pytest.approx(w_rec, abs=1e-12)
    for row, expected in zip(merged["lab_custom"], custom, strict=True):
        assert row == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert write(PARAMS[0], "Deep RNN (tanh)") == "deep"
