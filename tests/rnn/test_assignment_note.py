"""The assignment note's code: the student's loop solution and studylab's loop-free version are
extracted from notes/2021-08-05-bptt-linear-rnn.md and run against core.rnn.linear_backward."""

from __future__ import annotations

import re

import numpy as np
import pytest

from core import rnn
from tests.conftest import ROOT

NOTE = (ROOT / "notes" / "2021-08-05-bptt-linear-rnn.md").read_text(encoding="utf-8")


def code_under(heading: str) -> dict:
    """Run the first python block after `heading` and return its namespace."""
    section = NOTE[NOTE.index(heading):]
    [code] = re.findall(r"```python\n(.*?)```", section, re.S)[:1]
    namespace: dict = {}
    exec(code, namespace)
    return namespace


@pytest.mark.parametrize("w_rec", [0.5, 0.9, 1.0, 1.1, -0.7])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_students_loop_solution_matches_linear_backward(w_rec, seed):
    backward_loop = code_under("## My loop solution")["backward_loop"]
    X, count = rnn.counting_batch(7, 12, seed)
    S = rnn.linear_forward(X, 1.3, w_rec)
    _loss, grad_last = rnn.counting_loss(S, count)
    grad_w_x, grad_w_rec, grad_S = backward_loop(X, S, grad_last, w_rec)
    expected = rnn.linear_backward(X, S, grad_last, w_rec)
    assert grad_w_x == pytest.approx(expected[0], rel=1e-12)
    assert grad_w_rec == pytest.approx(expected[1], rel=1e-12)
    np.testing.assert_allclose(grad_S, expected[2], rtol=1e-12)


def test_the_added_loop_free_version_matches_linear_backward_and_is_marked_as_an_addition():
    assert "> **studylab adds:**" in NOTE[NOTE.index("## studylab adds"):]
    assert "Sanity checks I ran" not in NOTE
    code = code_under("## studylab adds")
    X, count = rnn.counting_batch(9, 10, 3)
    S = code["forward_states"](X, 1.2, 0.9)
    np.testing.assert_allclose(S, rnn.linear_forward(X, 1.2, 0.9), rtol=1e-12)
    grad_w_x, grad_w_rec, grad_state = code["backward"](X, S, count, 0.9)
    expected = rnn.linear_backward(X, S, rnn.counting_loss(S, count)[1], 0.9)
    assert (grad_w_x, grad_w_rec) == pytest.approx(expected[:2], rel=1e-12)
    np.testing.assert_allclose(grad_state, expected[2], rtol=1e-12)
    assert code["mse"](rnn.linear_forward(X, 1.0, 1.0), count) == 0.0
