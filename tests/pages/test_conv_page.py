"""AppTest of the convolution lab: it renders, the output shape follows output_size for every
control, every view draws for 1D, 2D and 3D inputs, a click on an output map (the chart's
selection state) picks the inspected cell, which is clamped when the output shrinks, and bad
settings and bad uploads show a sentence a student understands."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core import conv
from tests.conv.test_lecture import loop_example

PAGE = "pages/conv_lab.py"
VIEWS = ["Output", "Channels", "Receptive field", "Backward pass", "1D picture"]


@pytest.fixture
def lab(app):
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def summary(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Input**"))


def shapes(at) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(input shape, output shape) from the shape line under the pictures."""
    found = re.findall(r"`\(([\d, ]+)\)`", summary(at))
    return tuple(tuple(int(n) for n in group.split(",")) for group in found[:2])


def output_shape(at) -> tuple[int, ...]:
    return shapes(at)[1]


def formulas(at) -> list[str]:
    """The LaTeX shown by st.latex, without the $$ fences AppTest reports."""
    return [latex.value.strip("$\n") for latex in at.latex]


def expected_2d(c_out: int, size: int, kernel: tuple[int, int], padding=0, stride=1, dilation=1) -> tuple[int, ...]:
    settings = dict(padding=padding, stride=stride, dilation=dilation)
    return (c_out,) + tuple(conv.output_size(size, k, **settings) for k in kernel)


def move(at, kind: str, key: str, value) -> None:
    """Set a control and run, as a gesture in the browser does. A control that changes only the
    pictures reruns just their fragment, after which AppTest's tree holds only the fragment (the
    browser keeps showing the rest); one more run draws the whole page again."""
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    at.run()


def show_view(at, label: str) -> None:
    at.session_state["conv_tab"] = label
    at.run()
    assert not at.exception, at.exception


AXES = {2: ("length",), 3: ("height", "width"), 4: ("depth", "height", "width")}


def cell(at) -> tuple[int, ...]:
    """The inspected cell (channel, *position), from the page's session state."""
    axes = AXES[len(output_shape(at))]
    return (at.session_state["conv_cell_channel"],) + tuple(at.session_state[f"conv_cell_{axis}"] for axis in axes)


def pick_charts(at) -> dict[str, object]:
    """The charts a click can select from, by their selection key."""
    return {chart.key: chart for chart in at.get("vega_lite_chart") if chart.key and chart.key.startswith("conv_pick")}


def click(at, point: dict) -> None:
    """Select `point` on the pickable output chart, as a click in the browser would, and rerun."""
    charts = pick_charts(at)
    assert len(charts) == 1, list(charts)
    key = next(iter(charts))
    assert at.session_state[key] == {"selection": {"cell": {}}}, "the chart starts with nothing selected"
    at.session_state[key] = {"selection": {"cell": [point]}}
    at.run()
    assert not at.exception, at.exception


def test_default_page_renders_verified(lab):
    assert shapes(lab) == ((1, 28, 28), (1, 26, 26))                # the lecture's 28 - 3 + 1
    badges = [s.value for s in lab.success]
    assert any(b.startswith("Verified · Fast path vs loop reference") for b in badges)
    assert any(b.startswith("Verified · Backward pass vs central finite differences") for b in badges)
    assert not lab.error
    assert any("Notes for this lab" in m.value for m in lab.sidebar.markdown)


@pytest.mark.parametrize(
    ("control", "value", "settings"),
    [
        ("conv_padding", 2, dict(padding=2)),
        ("conv_stride", 3, dict(stride=3)),
        ("conv_dilation", 4, dict(dilation=4)),
    ],
)
def test_hyper_parameters_change_the_shape_as_output_size_says(lab, control, value, settings):
    move(lab, "slider", control, value)
    assert not lab.exception
    assert output_shape(lab) == expected_2d(1, 28, (3, 3), **settings)


def test_all_three_together_and_the_formula_shows_the_numbers(lab):
    lab.slider(key="conv_padding").set_value(1)
    lab.slider(key="conv_stride").set_value(2)
    lab.slider(key="conv_dilation").set_value(2)
    move(lab, "slider", "conv_size_2d", 20)
    assert output_shape(lab) == expected_2d(1, 20, (3, 3), padding=1, stride=2, dilation=2)
    assert not [f for f in formulas(lab) if "lfloor" in f], "the formulas are drawn only when their expander opens"
    lab.session_state["conv_size_help"] = True
    lab.run()
    substituted = "20 + 2\\cdot1 - 2\\cdot(3-1) - 1"
    assert any(substituted in f and f.endswith(f"= {output_shape(lab)[1]}\\end{{aligned}}") for f in formulas(lab))


def test_several_kernels_give_several_channels_and_share_one_size(lab):
    move(lab, "multiselect", "conv_kernels_2d", ["Sobel x", "box blur", "[1, -1] edge"])
    assert not lab.exception
    assert output_shape(lab) == (3, 26, 26)                         # the 1x2 kernel is centred in a 3x3
    assert any("centred in zeros" in c.value for c in lab.caption)


def test_a_kernel_with_a_different_size_changes_the_shape(lab):
    move(lab, "multiselect", "conv_kernels_2d", ["[1, -1] edge"])
    assert output_shape(lab) == expected_2d(1, 28, (1, 2))


def test_the_custom_kernel_editor(lab):
    move(lab, "multiselect", "conv_kernels_2d", ["custom (edit below)"])
    move(lab, "number_input", "conv_custom_rows", 5)
    assert not lab.exception
    assert output_shape(lab) == expected_2d(1, 28, (5, 3))


def test_no_kernel_asks_for_one(lab):
    move(lab, "multiselect", "conv_kernels_2d", [])
    assert not lab.exception
    assert any("at least one kernel" in w.value for w in lab.warning)


def test_a_kernel_that_does_not_fit_shows_a_message_not_an_exception(lab):
    lab.slider(key="conv_size_2d").set_value(5)
    move(lab, "slider", "conv_dilation", 4)
    assert not lab.exception
    assert [e.value for e in lab.error] == [
        "No output for these settings: a 3x3 kernel with dilation 4 (it spans 9x9) does not fit a 5x5 input "
        "with padding 0: the output would be -3 wide."
    ]
    assert not [m for m in lab.markdown if m.value.startswith("**Input**")]
    move(lab, "slider", "conv_padding", 2)               # 5 + 4 = 9 fits again
    assert not lab.error and output_shape(lab) == (1, 1, 1)


def test_the_floor_dropping_rows_is_pointed_out(lab):
    move(lab, "slider", "conv_stride", 2)                # (28 - 3) / 2 leaves 1 over
    notes = [i.value for i in lab.info]
    assert any("drops the last 1 position(s)" in n and "1 of them real input values" in n for n in notes)


def test_a_slider_redraws_the_pictures_and_keeps_its_value(lab):
    """(That a control is one run of the lab's fragment alone is checked in the browser, where
    fragment runs happen: tests/browser/test_labs_browser.py.)"""
    lab.slider(key="conv_padding").set_value(3).run()
    assert not lab.exception
    assert output_shape(lab) == (1, 32, 32)
    assert lab.slider(key="conv_padding").value == 3
    lab.run()
    assert lab.slider(key="conv_padding").value == 3


def test_the_flip_toggle_explains_itself_and_keeps_the_shape(lab):
    move(lab, "toggle", "conv_flip", True)
    assert not lab.exception
    assert output_shape(lab) == (1, 26, 26)
    assert any("turned 180°" in c.value for c in lab.caption)


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_draws_for_an_image(lab, view):
    show_view(lab, view)
    assert not lab.error


@pytest.mark.parametrize(
    ("source", "size_key", "size", "kernels_key", "kernels", "expected"),
    [
        ("1D signal (sine + step + noise)", "conv_size_1d", 40, "conv_kernels_1d", ["derivative", "[1, -1] edge"],
         (2, 38)),
        ("3D volume (ball and cube)", "conv_size_3d", 8, "conv_kernels_3d", ["Laplacian"], (1, 6, 6, 6)),
        ("RGB shapes (3 channels)", "conv_size_2d", 32, "conv_kernels_2d", ["Gaussian", "Sobel y"], (2, 30, 30)),
    ],
)
def test_other_inputs_render_in_every_view(lab, source, size_key, size, kernels_key, kernels, expected):
    move(lab, "selectbox", "conv_input", source)
    lab.slider(key=size_key).set_value(size)
    lab.multiselect(key=kernels_key).set_value(kernels).run()      # two controls at once: a full rerun
    assert not lab.exception
    assert output_shape(lab) == expected
    assert not lab.error
    for view in VIEWS:
        show_view(lab, view)
        assert not lab.error


def test_a_large_image_is_a_map_with_a_cell_per_pixel(lab):
    move(lab, "slider", "conv_size_2d", 64)
    assert not lab.exception
    assert output_shape(lab) == (1, 62, 62)
    output = pick_charts(lab)["conv_pick_output_0"]
    assert json.loads(output.proto.spec)["width"] == 320
    assert [dataset.name for dataset in output.proto.datasets][0] == "map"


def test_a_click_on_the_output_map_inspects_that_cell(lab):
    assert cell(lab) == (0, 13, 13)                                 # the middle, to start with
    click(lab, {"channel": 0, "row": 3, "col": 20})
    assert cell(lab) == (0, 3, 20)
    assert any("\\text{output}[0, 3, 20]" in f for f in formulas(lab))
    field = conv.window_products(np.zeros((1, 28, 28)), np.ones((1, 1, 3, 3)), None, 0, (3, 20))
    assert field.corner == (3, 20)
    show_view(lab, "Receptive field")
    assert any("reads the window of the input that starts at (3, 20)" in m.value for m in lab.markdown)
    difference = next(c.value for c in lab.caption if c.value.startswith("Difference between"))
    assert float(difference.split(":")[1]) < 1e-12
    click(lab, {"channel": 0, "row": 25, "col": 0})                 # the same picking works on this view too
    assert cell(lab) == (0, 25, 0)


def test_the_inspected_cell_is_clamped_not_reset_when_the_output_shrinks(lab):
    click(lab, {"channel": 0, "row": 2, "col": 25})
    move(lab, "slider", "conv_stride", 4)                # 7 x 7 now
    assert not lab.exception
    assert cell(lab) == (0, 2, 6)                                   # the right edge stays the right edge
    move(lab, "slider", "conv_stride", 1)
    assert cell(lab) == (0, 2, 6)                                   # and is not moved back when it grows


def test_a_click_on_another_channel_and_the_index_inputs(lab):
    move(lab, "multiselect", "conv_kernels_2d", ["Sobel x", "Gaussian"])
    click(lab, {"channel": 0, "row": 1, "col": 2})
    lab.session_state["conv_tab"] = "Receptive field"
    lab.run()
    typed = next(box for box in lab.number_input if box.label == "Output channel")
    typed.set_value(1).run()
    assert not lab.exception
    lab.run()
    assert cell(lab) == (1, 1, 2)


def test_a_click_on_the_1d_signal_picks_an_output_position(lab):
    move(lab, "selectbox", "conv_input", "1D signal (sine + step + noise)")
    move(lab, "multiselect", "conv_kernels_1d", ["derivative", "box blur"])
    click(lab, {"channel": 1, "index": 40})
    assert cell(lab) == (1, 40)


def test_a_click_on_a_3d_slice_picks_its_depth(lab):
    move(lab, "selectbox", "conv_input", "3D volume (ball and cube)")
    click(lab, {"channel": 0, "depth": 2, "row": 5, "col": 1})
    assert cell(lab) == (0, 2, 5, 1)


@pytest.mark.parametrize(("stride", "padding", "dilation", "shown", "hidden"), [
    (1, 0, 1, ["\\operatorname{pad}_{k-1}", "\\Big(X \\star \\delta\\Big)[\\,j\\,]", "[\\,m\\,]"],
     ["dilate", "\\tilde{X}", "\\star_{"]),
    (2, 1, 2, ["\\operatorname{dilate}_{2}(\\delta)", "\\star_{2}", "[\\,m + 1\\,]", "[\\,2\\,j\\,]",
               "\\tilde{X} &= \\operatorname{pad}_{1}(X)"], []),
])
def test_the_backward_formulas_are_written_for_the_settings(lab, stride, padding, dilation, shown, hidden):
    lab.slider(key="conv_stride").set_value(stride)
    lab.slider(key="conv_padding").set_value(padding)
    move(lab, "slider", "conv_dilation", dilation)
    show_view(lab, "Backward pass")
    text = "\n".join(formulas(lab))
    assert all(part in text for part in shown), [part for part in shown if part not in text]
    assert not any(part in text for part in hidden)
    words = next(m.value for m in lab.markdown if "max difference" in m.value)
    assert ("stride 2" in words) == (stride == 2) and ("position 1 on" in words) == (padding == 1)
    assert f"here for stride {stride}, padding {padding} and dilation {dilation}" in "\n".join(
        m.value for m in lab.markdown)


@pytest.mark.parametrize("upstream", ["all ones", "random", "one-hot at the inspected cell"])
def test_backward_view_shows_both_ways_agree(lab, upstream):
    lab.slider(key="conv_stride").set_value(2)
    move(lab, "slider", "conv_padding", 1)
    show_view(lab, "Backward pass")
    move(lab, "radio", "conv_upstream", upstream)
    assert not lab.exception
    comparison = next(m.value for m in lab.markdown if "max difference" in m.value)
    gaps = [float(g) for g in re.findall(r"max difference \*\*([0-9.e+-]+)\*\*", comparison)]
    assert len(gaps) == 2 and max(gaps) < 1e-9


def test_the_1d_picture_lists_the_lectures_connections(lab):
    show_view(lab, "1D picture")
    shown = formulas(lab)
    assert any(f.startswith("\\begin{aligned}O_{1} &= W_{1}\\,X_{1} + W_{2}\\,X_{2} + W_{3}\\,X_{3} \\\\ ")
               for f in shown)
    assert any("\\frac{\\partial L}{\\partial X_{3}} &= \\delta_{1}\\,W_{3} + \\delta_{2}\\,W_{2} + "
               "\\delta_{3}\\,W_{1}" in f for f in shown)
    assert example_table(lab, "input").loc["X3"].tolist() == ["W3", "W2", "W1"]


def example_table(at, first: str = "i"):
    """A markdown table of the 1D picture (the numbers: first column "i") or the connection
    table (a dataframe: first column "input"), as a DataFrame indexed by its first column."""
    if first == "input":
        return next(frame.value for frame in at.dataframe if frame.value.index.name == "input")
    text = next(m.value for m in at.markdown if m.value.startswith(f"| {first} |"))
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in text.splitlines()]
    return pd.DataFrame(rows[2:], columns=rows[0]).set_index(rows[0][0])


def shown_numbers(at) -> dict[str, list[float]]:
    """O, dL/dX and dL/dW as the 1D picture's table shows them."""
    table = example_table(at)
    return {name: [float(v) for v in table[column] if v] for name, column in
            (("O", "O_i"), ("dX", "dL/dX_i"), ("dW", "dL/dW_i"))}


def editor_key(at, name: str) -> str:
    """The current key of one of the example's tables (conv_ex_x, conv_ex_w or conv_ex_d)."""
    keys = [editor.key for editor in at.data_editor if editor.key and editor.key.startswith(f"{name}_table_")]
    assert len(keys) == 1, keys
    return keys[0]


def test_the_1d_example_starts_with_small_integers_and_shows_its_numbers(lab):
    show_view(lab, "1D picture")
    assert [editor.value.columns.tolist() for editor in lab.data_editor] == [
        ["X1", "X2", "X3", "X4", "X5"], ["W1", "W2", "W3"], ["δ1", "δ2", "δ3"]]
    # X = 2 1 0 3 1, W = 1 2 -1, δ = 1 -1 2: O_1 = 2 + 2 + 0, O_2 = 1 + 0 - 3, O_3 = 0 + 6 - 1
    assert shown_numbers(lab) == {"O": [4, -2, 5], "dX": [1, 1, -1, 5, -2], "dW": [1, 7, -1]}
    assert any(f.endswith("&= (1)(2) + (2)(1) + (-1)(0) \\\\ &= 4\\end{aligned}") for f in formulas(lab))
    assert lab.session_state["conv_ex_x"] == "2, 1, 0, 3, 1"
    assert any(s.value.startswith("Verified · Every number = the sum written under it") for s in lab.success)


@pytest.mark.parametrize("seed", range(4))
def test_the_1d_example_matches_a_plain_loop_for_random_numbers_and_settings(lab, seed):
    rng = np.random.default_rng(seed)
    stride, padding, dilation = int(rng.integers(1, 3)), int(rng.integers(0, 3)), int(rng.integers(1, 3))
    lab.slider(key="conv_stride").set_value(stride)
    lab.slider(key="conv_padding").set_value(padding)
    move(lab, "slider", "conv_dilation", dilation)
    outputs = conv.output_size(5, 3, stride=stride, padding=padding, dilation=dilation)
    x, w, delta = (np.round(rng.uniform(-9, 9, size), 2) for size in (5, 3, outputs))
    for key, values in (("conv_ex_x", x), ("conv_ex_w", w), ("conv_ex_d", delta)):
        lab.session_state[key] = ", ".join(str(v) for v in values)     # as a link would write them
    show_view(lab, "1D picture")
    assert [len(editor.value.columns) for editor in lab.data_editor] == [5, 3, outputs]
    expected = loop_example(x.tolist(), w.tolist(), delta.tolist(), stride, padding, dilation)
    shown = shown_numbers(lab)
    for name, values in zip(("O", "dX", "dW"), expected, strict=True):
        np.testing.assert_allclose(shown[name], values, rtol=1e-3, atol=1e-9)  # the table prints 4 digits
    assert any(s.value.startswith("Verified · Every number = the sum written under it") for s in lab.success)


def test_typing_in_a_cell_recomputes_the_example(lab):
    show_view(lab, "1D picture")
    lab.session_state[editor_key(lab, "conv_ex_x")] = {"edited_rows": {0: {"X3": 7}}, "added_rows": [],
                                                       "deleted_rows": []}
    lab.run()
    assert not lab.exception
    assert shown_numbers(lab)["O"] == [-3, 12, 12]                    # X3 = 7 enters every output
    assert lab.session_state["conv_ex_x"] == "2, 1, 7, 3, 1"
    lab.session_state[editor_key(lab, "conv_ex_w")] = {"edited_rows": {0: {"W1": -2}}, "added_rows": [],
                                                       "deleted_rows": []}
    lab.run()
    assert shown_numbers(lab)["O"] == [-9, 9, -9]
    lab.session_state["conv_ex_x"] = "1, 1, 1, 1, 1"                   # written from outside (a link)
    lab.run()
    assert editor_table(lab, "conv_ex_x").iloc[0].tolist() == [1, 1, 1, 1, 1], "a fresh table shows it"
    assert shown_numbers(lab)["O"] == [-1, -1, -1]


def test_an_empty_cell_or_text_gets_a_sentence_not_a_traceback(lab):
    show_view(lab, "1D picture")
    lab.session_state[editor_key(lab, "conv_ex_d")] = {"edited_rows": {0: {"δ2": None}}, "added_rows": [],
                                                       "deleted_rows": []}
    lab.run()
    assert not lab.exception
    warnings = [w.value for w in lab.warning]
    assert warnings == ["Type a number in every cell: δ2 is empty or not a number the example can take "
                        "(numbers up to ±1,000,000)."]
    assert not [m for m in lab.markdown if m.value.startswith("| i |")]
    assert lab.get("vega_lite_chart"), "the picture is still drawn"
    lab.session_state["conv_ex_w"] = "1, two, 1e300"                   # a link with text and a huge number
    lab.run()
    assert not lab.exception
    assert any("W2, W3, δ2 are empty or not a number" in w.value for w in lab.warning)


def test_the_gradients_follow_the_number_of_outputs(lab):
    move(lab, "slider", "conv_padding", 1)                             # 5 + 2 - 2 = 5 outputs
    show_view(lab, "1D picture")
    assert len(editor_table(lab, "conv_ex_d").columns) == 5
    assert lab.session_state["conv_ex_d"] == "1, -1, 2, 1, 1"            # the three typed, then ones
    assert len(shown_numbers(lab)["O"]) == 5
    assert any("0_{\\text{pad}}" in f for f in formulas(lab))


def editor_table(at, name: str):
    return next(editor.value for editor in at.data_editor if editor.key == editor_key(at, name))


def chart_data(at, dataset_column: str):
    """The dataset of a drawn chart that has `dataset_column`, as a DataFrame."""
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            if dataset_column in frame.columns:
                return frame
    raise AssertionError(f"no chart with a {dataset_column} column")


@pytest.mark.parametrize(("follow", "outputs"), [("X1", "O1"), ("X3", "O1, O2, O3"), ("X5", "O3")])
def test_following_an_input_highlights_its_paths(lab, follow, outputs):
    show_view(lab, "1D picture")
    lab.segmented_control(key="conv_ex_follow").set_value(follow).run()
    assert not lab.exception
    edges = chart_data(lab, "term")
    bold = edges[edges["opacity"] == 1.0]["term"].tolist()
    assert bold and all(f"·{follow} →" in term for term in bold)
    assert len(bold) == outputs.count("O")
    assert any(c.value.startswith(f"{follow} reaches {outputs};") for c in lab.caption)
    lab.segmented_control(key="conv_ex_follow").set_value(None).run()
    assert not lab.exception
    assert set(chart_data(lab, "term")["opacity"]) == {0.8}


def test_a_dilated_kernel_can_leave_an_input_unreached(lab):
    move(lab, "slider", "conv_dilation", 2)                            # one window: X1, X3, X5
    show_view(lab, "1D picture")
    lab.segmented_control(key="conv_ex_follow").set_value("X2").run()
    assert any(c.value.startswith("X2 reaches no output") for c in lab.caption)
    assert "\\frac{\\partial L}{\\partial X_{2}} = 0" in formulas(lab)
    assert shown_numbers(lab)["dX"] == [1, 0, 2, 0, -1]               # δ1 W1, -, δ1 W2, -, δ1 W3


def test_the_1d_picture_says_when_it_has_no_output(lab):
    move(lab, "slider", "conv_dilation", 3)             # span 7 > 5 inputs
    show_view(lab, "1D picture")
    assert any("no output for these settings" in e.value for e in lab.error)


def test_upload_without_a_file_falls_back_to_the_digit(lab):
    move(lab, "selectbox", "conv_input", "your image (upload)")
    assert not lab.exception
    assert any("No file yet" in i.value for i in lab.info)
    assert output_shape(lab) == (1, 26, 26)


def photo_bytes(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims width x height pixels (CRC fixed up): a decompression bomb."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def upload(at, name: str, payload: bytes) -> None:
    move(at, "selectbox", "conv_input", "your image (upload)")
    move(at, "file_uploader", "conv_upload", (name, payload, "image/png"))
    assert not at.exception, at.exception


def test_a_photo_upload_is_shrunk_and_drawn(lab):
    upload(lab, "photo.jpg", photo_bytes(1024, 768))
    assert shapes(lab) == ((1, 48, 64), (1, 46, 62))
    assert not lab.error


@pytest.mark.parametrize(("name", "payload", "sentence"), [
    ("notes.png", b"these are my lecture notes, not a picture", "This file is not a PNG or JPEG image."),
    ("empty.png", b"", "The file is empty (0 bytes)."),
    ("bomb.png", png_claiming(60_000, 60_000), "too many pixels to open safely"),
    ("huge.png", png_claiming(9_000, 9_000), "81 million), too many to open safely"),
], ids=["not-an-image", "empty", "bomb", "too-large"])
def test_a_bad_upload_gets_a_sentence_not_python_internals(lab, name, payload, sentence):
    upload(lab, name, payload)
    messages = [e.value for e in lab.error]
    assert len(messages) == 1 and sentence in messages[0], messages
    assert "<" not in messages[0] and not re.search(r"0x[0-9a-f]{6}", messages[0]) and "Error" not in messages[0]
    assert not [m for m in lab.markdown if m.value.startswith("**Input**")]
