"""The RNN charts: one colour per w_rec value across charts (the note's gradient-decay and
truncation blocks draw 0.5, 0.9 and 1.1 alike), and one "training" legend on the loss surface."""

from __future__ import annotations

import numpy as np

from core import labblocks
from core.rnn import charts as rnn_charts
from core.rnn import view as rnn_view


def colours(spec: dict) -> dict[str, str]:
    """label -> colour of the spec's w_rec colour scale (a layered spec's first layer with one)."""
    encodings = [spec.get("encoding", {})] + [layer.get("encoding", {}) for layer in spec.get("layer", [])]
    scale = next(enc["color"]["scale"] for enc in encodings if enc.get("color", {}).get("field") == "w_rec")
    return dict(zip(scale["domain"], scale["range"], strict=True))


def test_each_w_rec_has_one_colour_in_the_notes_two_charts():
    decay = labblocks.gradient_decay_chart((0.5, 0.9, 1.0, 1.1), 20, 1.0, 4, 0)
    truncation = labblocks.truncation_error_chart((0.5, 0.9, 1.1), 20, 5, 1.0, 4, 0)
    shared = colours(decay).items() & colours(truncation).items()
    assert {label for label, _ in shared} == {"0.5", "0.9", "1.1"}
    assert len(set(colours(decay).values())) == 4, "four values, four colours"


def test_the_colour_follows_the_value_and_its_regime():
    assert rnn_charts.w_rec_colour(1.0) == rnn_charts.W_REC_STOPS["constant"]
    assert rnn_charts.w_rec_colour(0.0) == "#440154" and rnn_charts.w_rec_colour(5.0) == "#a50026"
    assert rnn_charts.w_rec_colour(0.9) != rnn_charts.w_rec_colour(1.1)
    assert rnn_charts.w_rec_scale(["0.5", "1.1"])["range"] == [rnn_charts.w_rec_colour(0.5),
                                                               rnn_charts.w_rec_colour(1.1)]


def test_the_loss_surface_has_one_training_legend():
    runs = {"gradient descent": np.array([[-1.5, 2.0], [0.5, 1.5]]), "Rprop": np.array([[-1.5, 2.0], [1.0, 1.0]])}
    spec = rnn_charts.loss_surface_chart(rnn_view.counting_surface(10, 4, 0), runs)
    legends = [layer["encoding"]["color"] for layer in spec["layer"]
               if layer.get("encoding", {}).get("color", {}).get("title") == "training"]
    assert len(legends) == 2, "the paths and their ends are coloured by method"
    assert sum(color.get("legend", {}) is not None for color in legends) == 1, "one legend titled training"
