"""The lecture's 1D example with the student's own numbers: inputs X1..X5, weights W1..W3,
upstream gradients delta1..delta3, and every output and gradient as a number and as its sum.

The lecture's picture is n = 5 inputs and k = 3 weights, so m = 3 outputs, with
O_i = W_1 X_i + W_2 X_{i+1} + W_3 X_{i+2}; the functions take any n and k and the lab's stride,
padding and dilation (defaults 1, 0, 1: the lecture). Indices in the returned terms are 0-based
(output i, weight j, input position in the padded input, negative or >= n for a padding zero);
the LaTeX uses the lecture's 1-based names. Numbers come from core.conv (conv1d and its
backward pass); the terms from `ops.connections`, the same wiring the lab's picture draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core.conv import ops
from core.messages import N_, _


@dataclass(frozen=True)
class LectureExample:
    """Everything the 1D example shows. n inputs, k weights, m outputs.

    x: (n,), w: (k,), delta: (m,) upstream gradients dL/dO_i; outputs: (m,) O_i;
    grad_x: (n,) dL/dX; grad_w: (k,) dL/dW.
    output_terms[i]: the (weight j, input position) pairs whose products sum to O_i;
    grad_x_terms[q]: the (output i, weight j) pairs, dL/dX_q = sum delta_i W_j;
    grad_w_terms[j]: the (output i, input position) pairs, dL/dW_j = sum delta_i X_position;
    paths[q]: the outputs X_q reaches, in order (its lines in the lecture's picture).
    Input positions outside 0..n-1 are padding zeros.
    """

    x: np.ndarray
    w: np.ndarray
    delta: np.ndarray
    outputs: np.ndarray
    grad_x: np.ndarray
    grad_w: np.ndarray
    output_terms: tuple[tuple[tuple[int, int], ...], ...]
    grad_x_terms: tuple[tuple[tuple[int, int], ...], ...]
    grad_w_terms: tuple[tuple[tuple[int, int], ...], ...]
    paths: tuple[tuple[int, ...], ...]


LIMIT = 1e6
"""Largest |value| a cell of the example takes: bigger numbers only overflow and teach nothing."""
EXAMPLE_INPUTS, EXAMPLE_WEIGHTS, EXAMPLE_GRADS = (2, 1, 0, 3, 1), (1, 2, -1), (1, -1, 2)
"""The 1D example's numbers before the student types: X1..X5, W1..W3, an upstream gradient per output."""


def values_from_text(text: str | None, length: int, default: Sequence[float], pad: float = 1.0) -> np.ndarray:
    """A comma-separated list of numbers, as the page keeps a row of the example (and a link can
    carry it), read as `length` floats (length,).

    An entry that is empty, not a number or beyond +-LIMIT reads NaN (the page names it);
    entries past `length` are dropped; missing ones come from `default` by position, then `pad`.
    text None reads as no entries at all.
    """
    entries = [] if text is None else str(text).split(",")
    values = np.array([default[i] if i < len(default) else pad for i in range(length)], dtype=np.float64)
    for index, entry in enumerate(entries[:length]):
        try:
            number = float(entry)
        except ValueError:
            number = np.nan
        values[index] = number if np.isfinite(number) and abs(number) <= LIMIT else np.nan
    return values


def values_text(values: Sequence[float]) -> str:
    """The inverse of values_from_text: "2, 1.5, , -3" (an empty entry for NaN), each number in the
    shortest text that reads back as the same float."""
    return ", ".join("" if np.isnan(value) else _shortest(float(value)) for value in values)


def _shortest(value: float) -> str:
    text = repr(value + 0.0)  # + 0.0 turns -0.0 into 0.0
    return text[:-2] if text.endswith(".0") else text


def blank_cells(names: Sequence[str], values: np.ndarray) -> list[str]:
    """The names of the cells holding NaN (empty, or not a number the example can take)."""
    return [name for name, value in zip(names, values, strict=True) if np.isnan(value)]


def output_count(n: int, k: int, *, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """How many outputs (and so upstream gradients) n inputs and k weights give; ValueError if none."""
    return ops.output_size(n, k, padding=padding, stride=stride, dilation=dilation)


def lecture_example(x: Sequence[float], w: Sequence[float], delta: Sequence[float], *, stride: int = 1,
                    padding: int = 0, dilation: int = 1) -> LectureExample:
    """The 1D example for inputs x (n,), weights w (k,) and upstream gradients delta (m,).

    Raises ValueError with a sentence for the student when the lengths do not fit or a value
    is not a finite number.
    """
    x, w, delta = (_finite(name, values) for name, values in ((N_("inputs"), x), (N_("weights"), w),
                                                               (N_("gradients"), delta)))
    n, k = len(x), len(w)
    m = output_count(n, k, stride=stride, padding=padding, dilation=dilation)
    if len(delta) != m:
        raise ValueError(_("{n} inputs and {k} weights give {m} outputs, so type {m} upstream gradients "
                           "(one per output); got {got}").format(n=n, k=k, m=m, got=len(delta)))
    settings = dict(stride=stride, padding=padding, dilation=dilation)
    links = ops.connections(n, k, **settings)
    outputs = ops.conv1d(x[None], w[None, None], **settings)[0]
    grad_x, grad_w = ops.conv1d_backward(x[None], w[None, None], delta[None], **settings)
    return LectureExample(
        x=x, w=w, delta=delta, outputs=outputs, grad_x=grad_x[0], grad_w=grad_w[0, 0],
        output_terms=tuple(tuple((c.weight, c.source) for c in links if c.output == i) for i in range(m)),
        grad_x_terms=tuple(tuple((c.output, c.weight) for c in links if c.source == q) for q in range(n)),
        grad_w_terms=tuple(tuple((c.output, c.source) for c in links if c.weight == j) for j in range(k)),
        paths=tuple(tuple(c.output for c in links if c.source == q) for q in range(n)),
    )


def sums_gap(example: LectureExample) -> float:
    """The largest difference between a number of the example (from conv1d and its backward
    pass) and the sum of the terms written under it, added up term by term in plain Python
    (the reference), relative to max(1, |number|)."""
    def x_at(position: int) -> float:
        return _x_value(example, position)

    pairs = (
        [(example.outputs[i], sum(example.w[j] * x_at(q) for j, q in terms))
         for i, terms in enumerate(example.output_terms)]
        + [(example.grad_x[q], sum(example.delta[i] * example.w[j] for i, j in terms))
           for q, terms in enumerate(example.grad_x_terms)]
        + [(example.grad_w[j], sum(example.delta[i] * x_at(q) for i, q in terms))
           for j, terms in enumerate(example.grad_w_terms)]
    )
    return max(abs(float(shown) - float(summed)) / max(1.0, abs(float(shown))) for shown, summed in pairs)


def output_lines(example: LectureExample, per_row: int | None = None) -> list[str]:
    """One LaTeX line per output: O_i = W_1 X_a + ... = (w)(x) + ... = value.

    per_row=r writes each as an aligned block instead, at most r terms a row (narrow screens).
    """
    return [
        _line(f"O_{{{i + 1}}}",
              [(f"W_{{{j + 1}}}", _x_symbol(q, len(example.x)), example.w[j], _x_value(example, q)) for j, q in terms],
              example.outputs[i], per_row)
        for i, terms in enumerate(example.output_terms)
    ]


def grad_x_lines(example: LectureExample, per_row: int | None = None) -> list[str]:
    """One LaTeX line per input: dL/dX_q = delta_i W_j + ... = numbers = value (0 if unreached)."""
    return [
        _line(rf"\frac{{\partial L}}{{\partial X_{{{q + 1}}}}}",
              [(rf"\delta_{{{i + 1}}}", f"W_{{{j + 1}}}", example.delta[i], example.w[j]) for i, j in terms],
              example.grad_x[q], per_row)
        for q, terms in enumerate(example.grad_x_terms)
    ]


def grad_w_lines(example: LectureExample, per_row: int | None = None) -> list[str]:
    """One LaTeX line per weight: dL/dW_j = delta_i X_q + ... = numbers = value."""
    return [
        _line(rf"\frac{{\partial L}}{{\partial W_{{{j + 1}}}}}",
              [(rf"\delta_{{{i + 1}}}", _x_symbol(q, len(example.x)), example.delta[i], _x_value(example, q))
               for i, q in terms],
              example.grad_w[j], per_row)
        for j, terms in enumerate(example.grad_w_terms)
    ]


def _line(left: str, terms: list[tuple[str, str, float, float]], value: float, per_row: int | None = None) -> str:
    """left = a b + ... = (a)(b) + ... = value; a line with no terms reads left = 0.

    With per_row, an aligned block: the symbols, the numbers and the value each start a row
    with "=", and a sum longer than per_row terms goes on in rows that start with "+".
    """
    if not terms:
        return f"{left} = 0"
    symbols = [f"{a}\\,{b}" for a, b, _, _ in terms]
    numbers = [f"({_number(u)})({_number(v)})" for _, _, u, v in terms]
    if per_row is None:
        return f"{left} = {' + '.join(symbols)} = {' + '.join(numbers)} = {_number(value)}"
    rows = [_sum_rows(symbols, per_row), _sum_rows(numbers, per_row), [_number(value)]]
    body = r" \\ ".join(f"&= {part}" if index == 0 else f"&\\quad + {part}"
                         for sum_rows in rows for index, part in enumerate(sum_rows))
    return f"\\begin{{aligned}}{left} {body}\\end{{aligned}}"


def _sum_rows(terms: list[str], per_row: int) -> list[str]:
    """The terms joined by " + ", at most per_row of them a row."""
    return [" + ".join(terms[start : start + per_row]) for start in range(0, len(terms), per_row)]


def _x_symbol(position: int, n: int) -> str:
    return f"X_{{{position + 1}}}" if 0 <= position < n else r"0_{\text{pad}}"


def _x_value(example: LectureExample, position: int) -> float:
    return float(example.x[position]) if 0 <= position < len(example.x) else 0.0


def _number(value: float) -> str:
    """A short decimal for a formula: up to 4 significant digits, no trailing zeros, no '-0'."""
    text = f"{float(value):.4g}"
    if text in ("-0", "0"):
        return "0"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _finite(name: str, values: Sequence[float]) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(_("the {name} must be numbers").format(name=_(name))) from None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(_("the {name} must be a non-empty list of numbers").format(name=_(name)))
    if not np.isfinite(array).all():
        raise ValueError(_("the {name} must be finite numbers (no empty cell, inf or nan)").format(name=_(name)))
    return array
