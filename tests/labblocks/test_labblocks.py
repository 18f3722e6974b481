"""Live lab blocks: parsing, parameter checks with readable errors, and the charts they draw."""

from __future__ import annotations

import numpy as np
import pytest

from core import labblocks, rnn
from core.conv.reference import conv_reference
from tests.vega import assert_valid_vega_lite


def parse(text):
    return labblocks.parse_block(text)


def test_the_issue_example_parses_with_defaults_filled_in():
    view, values = parse("view: gradient-decay      # or: conv-output\nw_rec: [0.5, 0.9, 1.0, 1.1]\nT: 50\n")
    assert view.name == "gradient-decay" and view.lab == "bptt"
    assert values == {"w_rec": (0.5, 0.9, 1.0, 1.1), "T": 50, "w_x": 1.0, "batch": 20, "seed": 0}


@pytest.mark.parametrize(("text", "message"), [
    ("view: nonsense", "unknown view 'nonsense'"),
    ("T: 5", "needs a `view:` line"),
    ("view: gradient-decay\nT: 0", "T must be a whole number between 1 and 1000, not 0"),
    ("view: gradient-decay\nT: 2.5", "T must be a whole number"),
    ("view: gradient-decay\nw_rec: [1, 2, 3, 4, 5, 6, 7, 8, 9]", "not a list of 9"),
    ("view: gradient-decay\nw_rec: [0.5, nope]", "w_rec must be a number or a list"),
    ("view: gradient-decay\nw_rec: .inf", "w_rec must be"),
    ("view: gradient-decay\ncolour: red", "has no parameter 'colour'"),
    ("view: conv-output\nkernel: mystery", "kernel must be one of"),
    ("view: conv-output\ninput: [x", "is not valid YAML"),
    ("view: gradient-decay\nw_rec: &a [0.5]\nT: *a", "aliases"),
    ("- just\n- a list", "needs a `view:` line"),
    ("view: loss-surface\n" + "#" * 3000, "over 2000 characters"),
])
def test_bad_blocks_name_the_problem(text, message):
    with pytest.raises(labblocks.LabBlockError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("`", "`")):
        parse(text)


@pytest.mark.parametrize("name", list(labblocks.VIEWS))
def test_every_view_draws_a_valid_chart_with_its_defaults(name):
    view, values = parse(f"view: {name}")
    spec = labblocks.chart(name, tuple(values.items()))
    assert spec["datasets"], "the chart carries data"
    assert_valid_vega_lite(spec)


def test_gradient_decay_data_is_the_closed_form_power_law():
    chart = labblocks.gradient_decay_chart((0.5, 1.1), 10, 1.0, 4, 0)
    frame = chart["datasets"]["decay"]
    X, target = rnn.counting_batch(4, 10, 0)
    S = rnn.linear_forward(X, 1.0, 0.5)
    _, grad_out = rnn.counting_loss(S, target)
    _, _, grad_over_time = rnn.linear_backward_loop(X, S, grad_out, 0.5)
    expected = np.mean(np.abs(grad_over_time), axis=0)
    np.testing.assert_allclose(frame[frame.w_rec == "0.5"]["magnitude"], expected, rtol=1e-12)


def test_conv_output_matches_the_loop_reference():
    view, values = parse("view: conv-output\ninput: circle\nkernel: Laplacian\nsize: 12\npadding: 1\nstride: 2")
    chart = labblocks.chart(view.name, tuple(values.items()))
    output_map = chart["datasets"]["output"]
    from core.conv import inputs
    x = inputs.builtin_image("circle", 12)[None]
    expected = conv_reference(x, inputs.kernel_presets(2)["Laplacian"][None, None], stride=2, padding=1)[0]
    got = output_map.sort_values(["row", "col"])["value"].to_numpy().reshape(expected.shape)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_lab_query_carries_the_settings_into_the_lab():
    view, values = parse("view: conv-output\npadding: 2\nstride: 3")
    query = labblocks.lab_query(view, values)
    assert query["view"] == "output" and query["pad"] == "2" and query["stride"] == "3"
    assert query["kernels"] == "sobel-x" and query["input"] == "digit"
    view, values = parse("view: gradient-decay\nw_rec: [0.5, 1.1]\nT: 40")
    assert labblocks.lab_query(view, values)["w_rec"] == "1.1"


# Issue 20: every number is range-checked as a Python number before NumPy; values that are each in
# range but do not fit together get the lab's own sentence.

@pytest.mark.parametrize(("text", "message"), [
    ("view: gradient-decay\nT: 100000000000000000000000", "T must be a whole number between 1 and 1000, not 1000"),
    ("view: gradient-decay\nT: " + str(2**64), "T must be a whole number between 1 and 1000"),
    ("view: gradient-decay\nT: " + "9" * 400, "not 9999999999999999999999999999999999999..."),
    ("view: gradient-decay\nw_rec: [0.5, " + "9" * 400 + "]", "w_rec must be a number or a list"),
    ("view: gradient-decay\nseed: -100000000000000000000000", "seed must be a whole number"),
    ("view: gradient-decay\nT: 1.0e+400", "T must be a whole number"),
    ("view: conv-output\nsize: 5\ndilation: 4",
     "in view 'conv-output', a 3x3 kernel with dilation 4 (it spans 9x9) does not fit a 5x5 input with padding 0"),
    ("view: conv-output\nsize: 5\nstride: 4\ndilation: 3", "does not fit a 5x5 input"),
])
def test_hostile_numbers_and_misfits_are_lab_block_errors(text, message):
    with pytest.raises(labblocks.LabBlockError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert len(str(caught.value)) < 300


def test_a_whole_number_written_as_a_float_is_still_accepted():
    assert parse("view: gradient-decay\nT: 40.0")[1]["T"] == 40


def test_the_conv_output_chart_itself_refuses_a_misfit_with_the_lab_sentence():
    with pytest.raises(labblocks.LabBlockError, match="does not fit"):
        labblocks.conv_output_chart("digit", "Sobel x", 5, 0, 1, 4)
