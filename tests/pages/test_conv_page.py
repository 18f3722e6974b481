"""AppTest of the convolution lab: it renders, the output shape follows output_size for every
control, every tab draws for 1D, 2D and 3D inputs, and bad settings show a message."""

from __future__ import annotations

import re

import pytest

from core import conv

PAGE = "pages/conv_lab.py"
TABS = ["Output", "Channels", "Receptive field", "Backward pass", "1D picture"]


@pytest.fixture
def lab(app):
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def output_shape(at) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", metric(at, "Output shape")))


def formulas(at) -> list[str]:
    """The LaTeX shown by st.latex, without the $$ fences AppTest reports."""
    return [latex.value.strip("$\n") for latex in at.latex]


def expected_2d(c_out: int, size: int, kernel: tuple[int, int], padding=0, stride=1, dilation=1) -> tuple[int, ...]:
    settings = dict(padding=padding, stride=stride, dilation=dilation)
    return (c_out,) + tuple(conv.output_size(size, k, **settings) for k in kernel)


def show_tab(at, label: str) -> None:
    at.session_state["conv_tab"] = label
    at.run()
    assert not at.exception, at.exception


def test_default_page_renders_verified(lab):
    assert output_shape(lab) == (1, 26, 26)                   # the lecture's 28 - 3 + 1
    assert metric(lab, "Input shape") == "(1, 28, 28)"
    badges = [s.value for s in lab.success]
    assert any(b.startswith("Verified · Fast path vs loop reference") for b in badges)
    assert any(b.startswith("Verified · Backward pass vs central finite differences") for b in badges)
    assert not lab.error
    assert any("Notes for this lab" in m.value for m in lab.markdown)


@pytest.mark.parametrize(
    ("control", "value", "settings"),
    [
        ("conv_padding", 2, dict(padding=2)),
        ("conv_stride", 3, dict(stride=3)),
        ("conv_dilation", 4, dict(dilation=4)),
    ],
)
def test_hyper_parameters_change_the_shape_as_output_size_says(lab, control, value, settings):
    lab.slider(key=control).set_value(value).run()
    assert not lab.exception
    assert output_shape(lab) == expected_2d(1, 28, (3, 3), **settings)


def test_all_three_together_and_the_formula_shows_the_numbers(lab):
    lab.slider(key="conv_padding").set_value(1)
    lab.slider(key="conv_stride").set_value(2)
    lab.slider(key="conv_dilation").set_value(2)
    lab.slider(key="conv_size_2d").set_value(20).run()
    assert output_shape(lab) == expected_2d(1, 20, (3, 3), padding=1, stride=2, dilation=2)
    substituted = "20 + 2\\cdot1 - 2\\cdot(3-1) - 1"
    assert any(substituted in f and f.endswith(f"= {output_shape(lab)[1]}") for f in formulas(lab))


def test_several_kernels_give_several_channels_and_share_one_size(lab):
    lab.multiselect(key="conv_kernels_2d").set_value(["Sobel x", "box blur", "[1, -1] edge"]).run()
    assert not lab.exception
    assert output_shape(lab) == (3, 26, 26)                    # the 1x2 kernel is centred in a 3x3
    assert any("centred in zeros" in c.value for c in lab.caption)


def test_a_kernel_with_a_different_size_changes_the_shape(lab):
    lab.multiselect(key="conv_kernels_2d").set_value(["[1, -1] edge"]).run()
    assert output_shape(lab) == expected_2d(1, 28, (1, 2))


def test_the_custom_kernel_editor(lab):
    lab.multiselect(key="conv_kernels_2d").set_value(["custom (edit below)"]).run()
    lab.number_input(key="conv_custom_rows").set_value(5).run()
    assert not lab.exception
    assert output_shape(lab) == expected_2d(1, 28, (5, 3))


def test_no_kernel_asks_for_one(lab):
    lab.multiselect(key="conv_kernels_2d").set_value([]).run()
    assert not lab.exception
    assert any("at least one kernel" in w.value for w in lab.warning)


def test_a_kernel_that_does_not_fit_shows_a_message_not_an_exception(lab):
    lab.slider(key="conv_size_2d").set_value(5)
    lab.slider(key="conv_dilation").set_value(4).run()
    assert not lab.exception
    assert [e.value for e in lab.error] == [
        "No output for these settings: a 3x3 kernel with dilation 4 (it spans 9x9) does not fit a 5x5 input "
        "with padding 0: the output would be -3 wide."
    ]
    assert not [m for m in lab.metric if m.label == "Output shape"]
    lab.slider(key="conv_padding").set_value(2).run()            # 5 + 4 = 9 fits again
    assert not lab.error and output_shape(lab) == (1, 1, 1)


def test_the_floor_dropping_rows_is_pointed_out(lab):
    lab.slider(key="conv_stride").set_value(2).run()             # (28 - 3) / 2 leaves 1 over
    notes = [i.value for i in lab.info]
    assert any("drops the last 1 position(s)" in n and "1 of them real input values" in n for n in notes)


def test_the_flip_toggle_explains_itself_and_keeps_the_shape(lab):
    lab.toggle(key="conv_flip").set_value(True).run()
    assert not lab.exception
    assert output_shape(lab) == (1, 26, 26)
    assert any("turns the kernel 180°" in c.value for c in lab.caption)


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_draws_for_an_image(lab, tab):
    show_tab(lab, tab)


@pytest.mark.parametrize(
    ("source", "size_key", "size", "kernels_key", "kernels", "expected"),
    [
        ("1D signal (sine + step + noise)", "conv_size_1d", 40, "conv_kernels_1d", ["derivative", "[1, -1] edge"],
         (2, 38)),
        ("3D volume (ball and cube)", "conv_size_3d", 8, "conv_kernels_3d", ["Laplacian"], (1, 6, 6, 6)),
        ("RGB shapes (3 channels)", "conv_size_2d", 32, "conv_kernels_2d", ["Gaussian", "Sobel y"], (2, 30, 30)),
    ],
)
def test_other_inputs_render_in_every_tab(lab, source, size_key, size, kernels_key, kernels, expected):
    lab.selectbox(key="conv_input").set_value(source).run()
    lab.slider(key=size_key).set_value(size)
    lab.multiselect(key=kernels_key).set_value(kernels).run()
    assert not lab.exception
    assert output_shape(lab) == expected
    assert not lab.error
    for tab in TABS:
        show_tab(lab, tab)
        assert not lab.error


def test_a_large_image_is_drawn_as_an_image(lab):
    lab.slider(key="conv_size_2d").set_value(64).run()
    assert not lab.exception
    assert output_shape(lab) == (1, 62, 62)
    assert len(lab.get("image")) == 2, "the 64x64 input and the 62x62 output should be images, not 4096-cell charts"


def test_the_receptive_field_sum_equals_the_output(lab):
    lab.slider(key="conv_cell_height").set_value(3)
    lab.slider(key="conv_cell_width").set_value(20)
    show_tab(lab, "Receptive field")
    difference = next(c.value for c in lab.caption if c.value.startswith("Difference:"))
    assert float(difference.split(":")[1]) < 1e-12


def test_the_inspected_cell_stays_valid_when_the_output_shrinks(lab):
    lab.slider(key="conv_cell_width").set_value(25).run()
    lab.slider(key="conv_stride").set_value(4).run()              # 7 wide now
    assert not lab.exception
    assert lab.slider(key="conv_cell_width").value == 3           # back to the middle


@pytest.mark.parametrize("upstream", ["all ones", "random", "one-hot at the inspected cell"])
def test_backward_tab_shows_both_ways_agree(lab, upstream):
    lab.slider(key="conv_stride").set_value(2)
    lab.slider(key="conv_padding").set_value(1).run()
    show_tab(lab, "Backward pass")
    lab.radio(key="conv_upstream").set_value(upstream).run()
    assert not lab.exception
    comparison = next(m.value for m in lab.markdown if "max difference" in m.value)
    gaps = [float(g) for g in re.findall(r"max difference \*\*([0-9.e+-]+)\*\*", comparison)]
    assert len(gaps) == 2 and max(gaps) < 1e-9


def test_the_1d_picture_lists_the_lectures_connections(lab):
    show_tab(lab, "1D picture")
    shown = formulas(lab)
    assert "O_{1} = W_{1} X_{1} + W_{2} X_{2} + W_{3} X_{3}" in shown
    assert "\\frac{\\partial L}{\\partial X_{3}} = \\delta_{1} W_{3} + \\delta_{2} W_{2} + \\delta_{3} W_{1}" in shown


def test_the_1d_picture_says_when_it_has_no_output(lab):
    lab.slider(key="conv_dilation").set_value(3).run()            # span 7 > 5 inputs
    show_tab(lab, "1D picture")
    assert any("no output for these settings" in e.value for e in lab.error)


def test_upload_without_a_file_falls_back_to_the_digit(lab):
    lab.selectbox(key="conv_input").set_value("your image (upload)").run()
    assert not lab.exception
    assert any("No file yet" in i.value for i in lab.info)
    assert output_shape(lab) == (1, 26, 26)
