"""core.conv.lecture: the lecture's 1D example (X1..X5, W1..W3, delta1..delta3) with the
student's numbers, against a plain loop, and its terms against its numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.conv import lecture

numbers = st.floats(-10, 10, allow_nan=False).map(lambda v: round(v, 3))


def loop_example(x, w, delta, stride, padding, dilation):
    """O_i = sum_j w_j x_pad[i*stride + j*dilation], and its gradients, by plain Python loops."""
    n, k = len(x), len(w)
    padded = [0.0] * padding + list(x) + [0.0] * padding
    m = (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    outputs = [sum(w[j] * padded[i * stride + j * dilation] for j in range(k)) for i in range(m)]
    grad_padded = [0.0] * len(padded)
    grad_w = [0.0] * k
    for i in range(m):
        for j in range(k):
            grad_padded[i * stride + j * dilation] += delta[i] * w[j]
            grad_w[j] += delta[i] * padded[i * stride + j * dilation]
    return outputs, grad_padded[padding : padding + n], grad_w


@st.composite
def examples(draw):
    stride, padding, dilation = draw(st.integers(1, 3)), draw(st.integers(0, 2)), draw(st.integers(1, 2))
    k = draw(st.integers(1, 4))
    n = max(1, dilation * (k - 1) + 1 - 2 * padding) + draw(st.integers(0, 5))
    m = lecture.output_count(n, k, stride=stride, padding=padding, dilation=dilation)
    values = st.lists(numbers, min_size=1, max_size=1)
    x = [draw(values)[0] for _ in range(n)]
    w = [draw(values)[0] for _ in range(k)]
    delta = [draw(values)[0] for _ in range(m)]
    return x, w, delta, stride, padding, dilation


@settings(max_examples=100, deadline=None)
@given(examples())
def test_numbers_match_a_plain_loop_and_the_terms_add_up_to_them(case):
    x, w, delta, stride, padding, dilation = case
    example = lecture.lecture_example(x, w, delta, stride=stride, padding=padding, dilation=dilation)
    outputs, grad_x, grad_w = loop_example(x, w, delta, stride, padding, dilation)
    np.testing.assert_allclose(example.outputs, outputs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(example.grad_x, grad_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(example.grad_w, grad_w, rtol=1e-12, atol=1e-12)
    padded = np.pad(np.array(x, dtype=float), padding)
    for i, terms in enumerate(example.output_terms):
        assert sum(w[j] * padded[q + padding] for j, q in terms) == pytest.approx(example.outputs[i], abs=1e-9)
    for q, terms in enumerate(example.grad_x_terms):
        assert sum(delta[i] * w[j] for i, j in terms) == pytest.approx(example.grad_x[q], abs=1e-9)
        assert example.paths[q] == tuple(i for i, _ in terms)
    for j, terms in enumerate(example.grad_w_terms):
        assert sum(delta[i] * padded[q + padding] for i, q in terms) == pytest.approx(example.grad_w[j], abs=1e-9)
    assert len(lecture.output_lines(example)) == len(delta)
    assert len(lecture.grad_x_lines(example)) == len(x) and len(lecture.grad_w_lines(example)) == len(w)


def test_the_lecture_picture():
    """X3 meets W3 on its way to O1, W2 to O2 and W1 to O3 (the lecture's own sentence)."""
    example = lecture.lecture_example([1, 2, 3, 4, 5], [1, 0, -1], [0.5, 1, 2])
    assert example.grad_x_terms[2] == ((0, 2), (1, 1), (2, 0))
    assert example.paths == ((0,), (0, 1), (0, 1, 2), (1, 2), (2,))
    np.testing.assert_array_equal(example.outputs, [-2, -2, -2])
    np.testing.assert_array_equal(example.grad_x, [0.5, 1, 1.5, -1, -2])
    np.testing.assert_array_equal(example.grad_w, [8.5, 12, 15.5])
    assert lecture.grad_x_lines(example)[2] == (
        r"\frac{\partial L}{\partial X_{3}} = \delta_{1}\,W_{3} + \delta_{2}\,W_{2} + \delta_{3}\,W_{1}"
        r" = (0.5)(-1) + (1)(0) + (2)(1) = 1.5")
    assert lecture.output_lines(example)[0] == (
        r"O_{1} = W_{1}\,X_{1} + W_{2}\,X_{2} + W_{3}\,X_{3} = (1)(1) + (0)(2) + (-1)(3) = -2")


def test_padding_zeros_and_unreached_inputs_are_named():
    padded = lecture.lecture_example([1, 2, 3, 4, 5], [1, 1, 1], [1, 1, 1, 1, 1], padding=1)
    assert r"0_{\text{pad}}" in lecture.output_lines(padded)[0]
    strided = lecture.lecture_example([1, 2, 3, 4, 5, 6], [1, 1], [1, 1, 1], stride=2)
    assert strided.paths[5] == (2,) and lecture.grad_x_lines(strided)[-1].endswith("= 1")
    skipped = lecture.lecture_example([1, 2, 3, 4, 5], [1, 1], [1, 1], stride=3)
    assert skipped.paths[2] == () and lecture.grad_x_lines(skipped)[2] == r"\frac{\partial L}{\partial X_{3}} = 0"


@pytest.mark.parametrize("x, w, delta, message", [
    ([1, 2, 3, 4, 5], [1, 2, 3], [1, 2], "type 3 upstream gradients"),
    ([1, 2], [1, 2, 3], [1], "does not fit"),
    ([1, np.nan, 3, 4, 5], [1, 2, 3], [1, 2, 3], "finite"),
    ([], [1], [1], "non-empty"),
    (["a"], [1], [1], "numbers"),
])
def test_bad_input_gets_a_sentence(x, w, delta, message):
    with pytest.raises(ValueError, match=message):
        lecture.lecture_example(x, w, delta)


def test_narrow_lines_split_long_sums_and_keep_every_number():
    example = lecture.lecture_example([1, 2, 3, 4, 5], [1, 0, -1, 2], [0.5, 1], padding=0)
    wide = lecture.grad_w_lines(example)[3]
    narrow = lecture.grad_w_lines(example, per_row=1)[3]
    assert narrow == (r"\begin{aligned}\frac{\partial L}{\partial W_{4}} &= \delta_{1}\,X_{4} \\ "
                      r"&\quad + \delta_{2}\,X_{5} \\ &= (0.5)(4) \\ &\quad + (1)(5) \\ &= 7\end{aligned}")
    assert wide.endswith("= 7")
    assert lecture.output_lines(example, per_row=3)[0].count(r"\\") == 4, "four terms: two rows each, then the value"
    unreached = lecture.lecture_example([1, 2, 3, 4, 5], [1, 1], [1, 1], stride=3)
    assert lecture.grad_x_lines(unreached, per_row=2)[2] == r"\frac{\partial L}{\partial X_{3}} = 0"


@pytest.mark.parametrize("text, expected", [
    ("2, 1.5, -3", [2, 1.5, -3, 1, 1]),                # missing entries: the default, then the pad value
    ("1,2,3,4,5,6,7", [1, 2, 3, 4, 5]),                  # extra entries are dropped
    ("1, , x, 1e7, inf", [1, np.nan, np.nan, np.nan, np.nan]),
    (None, [9, 8, 7, 1, 1]),
    ("", [np.nan, 8, 7, 1, 1]),
    (" -1e6 ,1e6", [-1e6, 1e6, 7, 1, 1]),              # the limits themselves are taken
])
def test_a_row_of_the_example_is_read_from_text(text, expected):
    np.testing.assert_array_equal(lecture.values_from_text(text, 5, (9, 8, 7)), expected)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), min_size=1, max_size=8))
def test_the_text_of_a_row_reads_back_as_the_same_numbers(values):
    text = lecture.values_text(values)
    np.testing.assert_array_equal(lecture.values_from_text(text, len(values), ()), values)
    names = [f"X{i + 1}" for i in range(len(values))]
    blank = [name for name, value in zip(names, values, strict=True) if np.isnan(value)]
    assert lecture.blank_cells(names, np.array(values)) == blank


@settings(max_examples=50, deadline=None)
@given(examples())
def test_the_numbers_equal_their_written_sums(case):
    x, w, delta, stride, padding, dilation = case
    example = lecture.lecture_example(x, w, delta, stride=stride, padding=padding, dilation=dilation)
    assert lecture.sums_gap(example) < 1e-12


def test_a_wrong_number_is_caught_by_its_sum():
    example = lecture.lecture_example([1, 2, 3, 4, 5], [1, 0, -1], [0.5, 1, 2])
    example.grad_w[1] += 1e-6
    assert lecture.sums_gap(example) == pytest.approx(1e-6 / 12, rel=1e-3)
