"""AppTest of the convolution lab's layout details: the input map draws its ring of padding zeros, and
the 1D picture's numbers ride in the address."""

from __future__ import annotations

import json

import pyarrow as pa

from tests.pages.apptest import opened

PAGE = "pages/conv_lab.py"


def datasets(at) -> dict[str, list]:
    """Every drawn chart's datasets by name (the spec names them), as DataFrames."""
    found = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        names = [layer.get("data", {}).get("name") for layer in spec.get("layer", [])]
        for name, dataset in zip([n for n in names if n], chart.proto.datasets, strict=False):
            found.setdefault(dataset.name or name, []).append(
                pa.ipc.open_stream(dataset.data.data).read_all().to_pandas())
    return found


def padding_rings(at) -> list:
    return [frame for name, frames in datasets(at).items() if name.endswith("-padding") for frame in frames]


def test_the_input_map_draws_the_padding_zeros_as_a_ring():
    at = opened(PAGE, {"input": "digit", "size": "10", "pad": "2"})
    [ring] = padding_rings(at)
    assert len(ring) == 14 * 14 - 10 * 10, "a two-cell ring around the 10 x 10 input"
    titles = [json.loads(chart.proto.spec).get("title", "") for chart in at.get("vega_lite_chart")]
    assert any("(padding: grey ring)" in title for title in titles)
    without = opened(PAGE, {"input": "digit", "size": "10", "pad": "0"})
    assert padding_rings(without) == []


def test_moving_the_padding_changes_the_maps_data_never_their_specs():
    """The browser re-embeds a chart whose spec changed and only swaps the data of one whose spec
    did not (Streamlit 1.67): on the Output and Receptive field views, padding 2 -> 3 keeps every
    chart's spec and changes the input map's data."""
    for view in ("output", "field"):
        before, after = (opened(PAGE, {"input": "digit", "size": "10", "pad": pad, "view": view}) for pad in "23")
        specs = [[chart.proto.spec for chart in at.get("vega_lite_chart")] for at in (before, after)]
        assert specs[0] == specs[1], view
        data = [[[d.data.data for d in chart.proto.datasets] for chart in at.get("vega_lite_chart")]
                for at in (before, after)]
        assert data[0][0] != data[1][0], "the input map's data follow the padding"


def test_the_1d_pictures_numbers_are_in_the_address_and_a_link_restores_them():
    query = {"view": "1d", "ex_x": "4, 1, 0, -3, 1", "ex_w": "1, 0, -1", "ex_d": "2, -1, 0.5", "follow": "x2"}
    at = opened(PAGE, query)
    assert at.session_state["conv_ex_x"] == "4, 1, 0, -3, 1"
    assert at.session_state["conv_ex_w"] == "1, 0, -1"
    assert at.session_state["conv_ex_d"] == "2, -1, 0.5"
    assert at.segmented_control(key="conv_ex_follow").value == "X2"
    for name, text in query.items():
        if name.startswith("ex_"):
            assert at.query_params[name] == text, f"{name} stays in the address"
