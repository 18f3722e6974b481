"""The backward pass of a convolution as formulas for the lab's current stride, padding and dilation.

Each gradient is one chain of named operations on the upstream gradient delta (shape of the
output), written once as a tuple of `Step`s. The same chain is rendered as LaTeX for the page
(`backward_formulas`) and evaluated with core.conv's operations (`evaluate_input_chain`,
`evaluate_weight_chain`), so the tests can check that the formula a student reads computes
exactly the gradient the lab shows. Per spatial axis, with input size n, kernel size k, output
size o, stride s, padding p, dilation d (0-based indices):

    forward   O[i]    = sum_j W[j] pad_p(X)[i s + j d]
    dL/dX[m]  = ( pad_{d(k-1)}(dilate_s(delta)) corr_d flip(W)^T )[m + p]     m = 0..n-1
    dL/dW[j]  = ( pad_p(X) corr dilate_s(delta) )[j d]                        j = 0..k-1

dilate_s puts s - 1 zeros between neighbouring entries; pad_q adds q zeros on each side; corr_d
is cross-correlation with the kernel's taps d apart; flip(W)^T turns the kernel 180 degrees and
swaps its input and output channels. Reading [m + p] crops the padding (positions the forward
pass never reached, dropped by the floor in the size formula, read as 0); reading [j d] keeps
every d-th value. With s = 1, p = 0, d = 1 the chains are the lecture's: the input gradient is
the full convolution of delta with W, the weight gradient is X correlated with delta.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from core.conv import ops
from core.messages import _

DELTA = r"\delta"

class Step(NamedTuple):
    """One operation of a chain: `name` (see the module docstring) and its integer parameter."""

    name: str
    amount: int


@dataclass(frozen=True)
class BackwardFormulas:
    """The two gradients for one setting: chains of Steps and their LaTeX.

    input_chain / weight_chain: the Steps applied to delta (identity steps such as dilate_1 are
    kept, so the chain has the same shape for every setting); input_latex / weight_latex:
    display-mode LaTeX with the setting's numbers, in aligned rows short enough for a phone (the
    padded, stride-dilated delta named delta-tilde, the padded X named X-tilde); input_words / weight_words: one plain
    sentence each, for a caption.
    """

    stride: int
    padding: int
    dilation: int
    input_chain: tuple[Step, ...]
    weight_chain: tuple[Step, ...]
    input_latex: str
    weight_latex: str
    input_words: str
    weight_words: str


def input_chain(stride: int, padding: int, dilation: int) -> tuple[Step, ...]:
    """dL/dX: dilate delta by the stride, pad by dilation*(k-1), correlate with the flipped,
    channel-swapped kernel (taps `dilation` apart), read from `padding` on."""
    return (Step("dilate", stride), Step("pad_full", dilation), Step("correlate_flipped", dilation),
            Step("read_from", padding))


def weight_chain(stride: int, padding: int, dilation: int) -> tuple[Step, ...]:
    """dL/dW: pad X, correlate it with delta dilated by the stride, keep every `dilation`-th value."""
    return (Step("pad_input", padding), Step("correlate_with_delta", stride), Step("every", dilation))


def backward_formulas(stride: int, padding: int, dilation: int) -> BackwardFormulas:
    """The backward-pass formulas for these settings (each an int >= 1, >= 0, >= 1)."""
    for name, value, low in (("stride", stride, 1), ("padding", padding, 0), ("dilation", dilation, 1)):
        if int(value) != value or value < low:
            raise ValueError(f"{name} must be a whole number >= {low}; got {value!r}")
    grad_x = input_chain(stride, padding, dilation)
    grad_w = weight_chain(stride, padding, dilation)
    return BackwardFormulas(
        stride, padding, dilation, grad_x, grad_w,
        _aligned(grad_x, 2, DELTA, r"\tilde{\delta}", r"\frac{\partial L}{\partial X}[m]", "m = 0, \\dots, n-1"),
        _aligned(grad_w, 1, "X", r"\tilde{X}", r"\frac{\partial L}{\partial W}[j]", "j = 0, \\dots, k-1"),
        _input_words(stride, padding, dilation),
        _weight_words(stride, padding, dilation),
    )


def _aligned(chain: Sequence[Step], prepare: int, operand: str, name: str, left: str, indices: str) -> str:
    """A chain as short aligned rows that fit a phone: the first `prepare` steps applied to the
    operand get a name of their own (unless they leave it as it is), then the gradient, then
    the indices it runs over."""
    prepared = render(chain[:prepare], operand)
    rows = [] if prepared == operand else [f"{name} &= {prepared}"]
    rows.append(f"{left} &= {render(chain[prepare:], name if rows else operand)},")
    rows.append(rf"&\quad {indices}")
    return r"\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}"


def render(chain: Sequence[Step], operand: str) -> str:
    """LaTeX of a chain applied to `operand` (delta for dL/dX, X for dL/dW); identity steps vanish."""
    text = operand
    for step in chain:
        text = _RENDER[step.name](text, step.amount)
    return text


def _dilate(inner: str, stride: int) -> str:
    return inner if stride == 1 else rf"\operatorname{{dilate}}_{{{stride}}}({inner})"


def _pad_full(inner: str, dilation: int) -> str:
    width = "k-1" if dilation == 1 else f"{dilation}(k-1)"
    return rf"\operatorname{{pad}}_{{{width}}}\big({inner}\big)"


def _correlate_flipped(inner: str, dilation: int) -> str:
    star = r"\star" if dilation == 1 else rf"\star_{{{dilation}}}"
    return rf"{inner} {star} \operatorname{{flip}}(W)^{{\top}}"


def _read_from(inner: str, padding: int) -> str:
    index = "m" if padding == 0 else f"m + {padding}"
    return rf"\Big({inner}\Big)[\,{index}\,]"


def _pad_input(inner: str, padding: int) -> str:
    return inner if padding == 0 else rf"\operatorname{{pad}}_{{{padding}}}({inner})"


def _correlate_with_delta(inner: str, stride: int) -> str:
    return rf"{inner} \star {_dilate(DELTA, stride)}"


def _every(inner: str, dilation: int) -> str:
    index = "j" if dilation == 1 else f"{dilation}\\,j"
    return rf"\Big({inner}\Big)[\,{index}\,]"


_RENDER = {
    "dilate": _dilate, "pad_full": _pad_full, "correlate_flipped": _correlate_flipped, "read_from": _read_from,
    "pad_input": _pad_input, "correlate_with_delta": _correlate_with_delta, "every": _every,
}


# The two sentences are in the interface language; each optional part is a phrase of its own,
# placed by the sentence's translation (Korean puts the modifiers before the noun).
def _input_words(stride: int, padding: int, dilation: int) -> str:
    spread = "" if stride == 1 else _(
        " with {count} zero(s) put between neighbouring entries (stride {stride})").format(count=stride - 1,
                                                                                            stride=stride)
    width = "k−1" if dilation == 1 else f"{dilation}·(k−1)"
    taps = "" if dilation == 1 else _(" whose taps are {dilation} apart (dilation {dilation})").format(
        dilation=dilation)
    read = (_("read the first n values") if padding == 0 else
            _("read n values from position {padding} on (the first {padding} belong to the padding)").format(
                padding=padding))
    sentence = _("dL/dX: take δ{spread}, pad it with {width} zeros on each side, correlate it with the flipped "
                 "kernel{taps} (input and output channels swapped), and {read}; positions no window reached read 0.")
    return sentence.format(spread=spread, width=width, taps=taps, read=read)


def _weight_words(stride: int, padding: int, dilation: int) -> str:
    source = _("the input") if padding == 0 else _("the input padded with {padding} zero(s) on each side").format(
        padding=padding)
    spread = "δ" if stride == 1 else _(
        "δ spread out by the stride ({count} zero(s) between neighbouring entries)").format(count=stride - 1)
    keep = (_("keep the first k values") if dilation == 1 else
            _("keep one value in every {dilation} (dilation {dilation}): positions 0, {dilation}, …, "
              "{dilation}·(k−1)").format(dilation=dilation))
    return _("dL/dW: correlate {source} with {spread}, then {keep}.").format(source=source, spread=spread, keep=keep)


def evaluate_input_chain(chain: Sequence[Step], grad_out: np.ndarray, w: np.ndarray,
                         input_shape: Sequence[int]) -> np.ndarray:
    """Apply an input-gradient chain literally. grad_out (C_out, *O) or (N, C_out, *O),
    w (C_out, C_in, *K), input_shape = x.shape. Returns an array shaped input_shape."""
    w = np.asarray(w, dtype=np.float64)
    ndim = w.ndim - 2
    batched = len(input_shape) == ndim + 2
    value = np.asarray(grad_out, dtype=np.float64)
    value = value if batched else value[None]                          # (N, C_out, *O)
    spatial = tuple(input_shape[-ndim:])
    kernel = w.shape[2:]
    for name, amount in chain:
        if name == "dilate":
            value = ops.stride_dilate(value, amount, ndim)
        elif name == "pad_full":
            value = np.pad(value, [(0, 0), (0, 0)] + [(amount * (k - 1),) * 2 for k in kernel])
        elif name == "correlate_flipped":
            value = ops.conv(value, ops.flip_kernel(w).swapaxes(0, 1), dilation=amount)
        elif name == "read_from":
            value = _read_window(value, amount, spatial)
        else:
            raise ValueError(f"{name} is not a step of the input-gradient chain")
    return value if batched else value[0]


def evaluate_weight_chain(chain: Sequence[Step], x: np.ndarray, grad_out: np.ndarray,
                          kernel_shape: Sequence[int]) -> np.ndarray:
    """Apply a weight-gradient chain literally. x (C_in, *S) or (N, C_in, *S), grad_out
    (C_out, *O) or (N, C_out, *O), kernel_shape = w.shape. Returns an array shaped kernel_shape."""
    ndim = len(kernel_shape) - 2
    x = np.asarray(x, dtype=np.float64)
    delta = np.asarray(grad_out, dtype=np.float64)
    if x.ndim == ndim + 1:
        x, delta = x[None], delta[None]
    value = x                                                           # (N, C_in, *S)
    for name, amount in chain:
        if name == "pad_input":
            value = np.pad(value, [(0, 0), (0, 0)] + [(amount, amount)] * ndim)
        elif name == "correlate_with_delta":
            # sum over the batch: samples act as the channels of both operands
            spread = ops.stride_dilate(delta, amount, ndim).swapaxes(0, 1)   # (C_out, N, *D)
            value = ops.conv(value.swapaxes(0, 1), spread).swapaxes(0, 1)  # (C_out, C_in, *L)
        elif name == "every":
            value = value[(slice(None), slice(None)) + tuple(
                slice(0, amount * (k - 1) + 1, amount) for k in kernel_shape[2:])]
        else:
            raise ValueError(f"{name} is not a step of the weight-gradient chain")
    return np.ascontiguousarray(value)


def _read_window(value: np.ndarray, start: int, size: Sequence[int]) -> np.ndarray:
    """value (N, C, *L) read at positions start..start+size-1 per axis, 0 past the end of L."""
    out = np.zeros(value.shape[:2] + tuple(size))
    available = tuple(max(0, min(n, length - start)) for n, length in zip(size, value.shape[2:], strict=False))
    out[(slice(None), slice(None)) + tuple(slice(0, a) for a in available)] = value[
        (slice(None), slice(None)) + tuple(slice(start, start + a) for a in available)]
    return out
