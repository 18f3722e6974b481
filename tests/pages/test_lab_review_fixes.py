"""What a browser review of the labs found: the 1D picture stands apart from the 2D lab's input,
bias and flip (and records its own numbers), an overflowed loop is not called a mismatch, and a
link's window longer than its sequence or a cell with the wrong number of indices is named."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from core.conv import lecture
from core.experiments import records as experiments
from core.journal.notes import load_library
from tests.pages.apptest import opened


def shown_text(at: AppTest) -> str:
    return "\n".join(str(element.value) for kind in ("markdown", "caption", "success", "error", "warning", "latex")
                     for element in at.get(kind))


def test_the_1d_picture_is_a_plain_correlation_whatever_the_bias_and_flip(notes_dir):
    plain = opened("pages/conv_lab.py", {"view": "1d", "pad": "2", "dil": "2", "ex_x": "2,-1,0.5,3,4",
                                         "ex_w": "1,-2,0.5"})
    biased = opened("pages/conv_lab.py", {"view": "1d", "pad": "2", "dil": "2", "ex_x": "2,-1,0.5,3,4",
                                          "ex_w": "1,-2,0.5", "bias": "0.5", "flip": "true"})
    expected = lecture.lecture_example(np.array([2, -1, 0.5, 3, 4.0]), np.array([1, -2, 0.5]),
                                       np.ones(5), stride=1, padding=2, dilation=2).outputs
    for at in (plain, biased):
        text = shown_text(at)
        assert "cross-correlation with no bias" in text
        assert "the kernel is turned 180°" not in text, "the flip caption belongs to the other views"
        assert "Fast path vs loop reference" not in text, "no badge about the hidden 2D input"
        assert f"{expected[0]:g}" in text
    assert expected[0] == -3.75


def test_a_run_recorded_from_the_1d_picture_keeps_the_examples_numbers(notes_dir):
    at = opened("pages/conv_lab.py", {"view": "1d", "ex_x": "1,2,3,4,5", "ex_w": "1,0,-1"})
    at.button(key="conv_record_1d").click().run()
    at.button(key="record_save").click().run()
    assert not at.exception, at.exception
    [run] = experiments.records(load_library(notes_dir).notes)
    assert run.tab == "1d" and run.params["ex_x"] == "1, 2, 3, 4, 5"
    assert [run.results[f"O{i}"] for i in (1, 2, 3)] == [-2.0, -2.0, -2.0]
    assert run.series is not None and run.series.y == "O_i"


def test_an_overflowed_loop_is_not_called_a_mismatch(notes_dir):
    at = opened("pages/bptt_lab.py", {"part": "steps", "seq": "1e308 1e308"})
    assert not [box.value for box in at.error if "Mismatch" in box.value]
    assert any("cannot be compared" in box.value for box in at.warning)


def test_a_window_longer_than_its_sequence_is_named(notes_dir):
    at = opened("pages/bptt_lab.py", {"T": "5", "K": "10"})
    assert at.session_state["bptt_K"] == 5
    assert any("K=10 is longer than the sequence" in box.value and "T = 5" in box.value for box in at.warning)
    assert not opened("pages/bptt_lab.py", {"T": "5"}).warning, "the default K is clamped quietly"


def test_a_cell_with_the_wrong_number_of_indices_is_named(notes_dir):
    at = opened("pages/conv_lab.py", {"cell": "999,999"})
    assert any("cell names 2 numbers" in box.value for box in at.warning)
