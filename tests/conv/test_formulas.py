"""core.conv.formulas: the backward-pass formulas for any stride, padding and dilation, evaluated
step by step and compared with the fast path and the loop reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.conv import formulas, ops
from core.conv.reference import conv_backward_reference


@st.composite
def settings_and_arrays(draw):
    """A random 1D or 2D convolution that fits, with one stride, padding and dilation for all axes."""
    ndim = draw(st.sampled_from([1, 2]))
    stride, padding, dilation = draw(st.integers(1, 3)), draw(st.integers(0, 3)), draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    spatial = tuple(max(1, dilation * (k - 1) + 1 - 2 * padding) + draw(st.integers(0, 6)) for k in kernel)
    batch = draw(st.sampled_from([None, 2]))
    c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(((batch,) if batch else ()) + (c_in,) + spatial)
    w = rng.standard_normal((c_out, c_in) + kernel)
    out = ops.conv(x, w, stride=stride, padding=padding, dilation=dilation)
    grad_out = rng.standard_normal(out.shape)
    return x, w, grad_out, stride, padding, dilation


@settings(max_examples=80, deadline=None)
@given(settings_and_arrays())
def test_the_formulas_read_literally_give_the_lab_gradients(problem):
    x, w, grad_out, stride, padding, dilation = problem
    shown = formulas.backward_formulas(stride, padding, dilation)
    grad_x = formulas.evaluate_input_chain(shown.input_chain, grad_out, w, x.shape)
    grad_w = formulas.evaluate_weight_chain(shown.weight_chain, x, grad_out, w.shape)
    fast_x, fast_w = ops.conv_backward(x, w, grad_out, stride=stride, padding=padding, dilation=dilation)
    loop_x, loop_w = conv_backward_reference(x, w, grad_out, stride=stride, padding=padding, dilation=dilation)
    assert grad_x.shape == x.shape and grad_w.shape == w.shape
    np.testing.assert_allclose(grad_x, fast_x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_w, fast_w, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_x, loop_x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_w, loop_w, rtol=1e-10, atol=1e-12)


def test_the_lecture_setting_shows_the_plain_full_convolution():
    shown = formulas.backward_formulas(1, 0, 1)
    assert shown.input_latex == (r"\begin{aligned}\tilde{\delta} &= \operatorname{pad}_{k-1}\big(\delta\big)\\ "
                                 r"\frac{\partial L}{\partial X}[m] &= \Big(\tilde{\delta} \star "
                                 r"\operatorname{flip}(W)^{\top}\Big)[\,m\,],\\ &\quad m = 0, \dots, n-1\end{aligned}")
    assert shown.weight_latex == (r"\begin{aligned}\frac{\partial L}{\partial W}[j] &= \Big(X \star \delta\Big)"
                                  r"[\,j\,],\\ &\quad j = 0, \dots, k-1\end{aligned}")
    padded = formulas.backward_formulas(1, 2, 1).weight_latex
    assert padded.startswith(r"\begin{aligned}\tilde{X} &= \operatorname{pad}_{2}(X)\\ ")
    assert r"\Big(\tilde{X} \star \delta\Big)" in padded


@pytest.mark.parametrize("stride", [1, 2, 4])
@pytest.mark.parametrize("padding", [0, 1, 6])
@pytest.mark.parametrize("dilation", [1, 3])
def test_each_setting_appears_in_the_formula_exactly_when_it_changes_something(stride, padding, dilation):
    shown = formulas.backward_formulas(stride, padding, dilation)
    both = shown.input_latex + shown.weight_latex
    assert (rf"\operatorname{{dilate}}_{{{stride}}}(\delta)" in shown.input_latex) == (stride > 1)
    assert (rf"\operatorname{{dilate}}_{{{stride}}}(\delta)" in shown.weight_latex) == (stride > 1)
    assert (f"[\\,m + {padding}\\,]" in shown.input_latex) == (padding > 0)
    assert (rf"\operatorname{{pad}}_{{{padding}}}(X)" in shown.weight_latex) == (padding > 0)
    assert (rf"\star_{{{dilation}}}" in shown.input_latex) == (dilation > 1)
    assert (rf"\operatorname{{pad}}_{{{dilation}(k-1)}}" in shown.input_latex) == (dilation > 1)
    assert (f"[\\,{dilation}\\,j\\,]" in shown.weight_latex) == (dilation > 1)
    assert both.count(r"\Big(") == both.count(r"\Big)") and both.count("{") == both.count("}")
    words = shown.input_words + shown.weight_words
    assert (f"stride {stride}" in words) == (stride > 1) and (f"dilation {dilation}" in words) == (dilation > 1)
    assert (f"position {padding} on" in words) == (padding > 0)


@pytest.mark.parametrize("bad", [dict(stride=0, padding=0, dilation=1), dict(stride=1, padding=-1, dilation=1),
                                 dict(stride=1, padding=0, dilation=0), dict(stride=1.5, padding=0, dilation=1)])
def test_impossible_settings_are_refused(bad):
    with pytest.raises(ValueError):
        formulas.backward_formulas(**bad)


def test_the_floor_dropped_positions_read_zero():
    """Stride 3 over 9 inputs with a 2-tap kernel: the windows start at 0, 3 and 6, so input 8
    never meets the kernel and the formula's window reads past the computed values: 0 there."""
    w = np.array([[[1.0, -2.0]]])
    shown = formulas.backward_formulas(3, 0, 1)
    grad_x = formulas.evaluate_input_chain(shown.input_chain, np.ones((1, 3)), w, (1, 9))
    np.testing.assert_array_equal(grad_x, [[1, -2, 0, 1, -2, 0, 1, -2, 0]])
