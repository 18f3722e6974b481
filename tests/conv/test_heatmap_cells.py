"""The lab's heatmaps: cell numbers in black or white by the fill's luminance, and the ring of
padding zeros drawn around a padded input."""

from __future__ import annotations

import numpy as np

from core.conv import charts as conv_charts
from tests.vega import assert_valid_vega_lite, layer_data


def ink(values, kind: str) -> dict[float, str]:
    spec = conv_charts.heatmap(np.asarray(values, dtype=float), kind=kind)
    frame = layer_data(spec, "map-ink")
    return dict(zip(frame["value"], frame["ink"], strict=True))


def test_an_image_window_writes_white_on_black_zeros_and_black_on_white_ones():
    assert ink([[0.0, 1.0], [0.5, 0.1]], "image") == {0.0: "white", 1.0: "black", 0.5: "black", 0.1: "white"}


def test_signed_maps_write_white_on_the_dark_ends_and_black_near_zero():
    assert ink([[-4.0, -0.2], [0.0, 4.0]], "signed") == {-4.0: "white", -0.2: "black", 0.0: "black", 4.0: "white"}


def test_viridis_writes_white_on_purple_and_black_on_yellow():
    marks = ink([[0.0, 1.0], [2.0, 3.0]], "sequential")
    assert marks[0.0] == "white" and marks[3.0] == "black"


def test_every_ink_has_the_better_contrast_on_its_fill():
    values = np.linspace(-3, 3, 49).reshape(7, 7)
    for kind in ("image", "signed", "sequential"):
        scale = conv_charts.colour_scale(kind, values)
        luminance = conv_charts.relative_luminance(conv_charts.fill_colours(values, scale))
        against_white, against_black = 1.05 / (luminance + 0.05), (luminance + 0.05) / 0.05
        chosen = conv_charts.ink_colours(values, scale)
        assert (np.where(chosen == "white", against_white, against_black) >= np.minimum(against_white, against_black)
                ).all()
        assert (np.maximum(against_white, against_black) == np.where(chosen == "white", against_white,
                                                                     against_black)).all()


def test_a_padded_input_gets_a_ring_of_padding_cells():
    padded = np.pad(np.ones((3, 4)), 2)
    spec = conv_charts.heatmap(padded, kind="image", padding=2)
    assert_valid_vega_lite(spec)
    ring = layer_data(spec, "map-padding")
    assert len(ring) == padded.size - 12
    inside = {(r, c) for r in range(2, 5) for c in range(2, 6)}
    assert not inside & set(zip(ring["row"], ring["col"], strict=True))
    assert "map-padding" not in conv_charts.heatmap(padded, kind="image")["datasets"]
    one_d = conv_charts.heatmap(np.pad(np.ones((1, 5)), ((0, 0), (1, 1))), padding=(0, 1))
    assert sorted(layer_data(one_d, "map-padding")["col"]) == [0, 6]
