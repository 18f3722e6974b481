"""Convolution problems, answered by the convolution lab's own functions (core.conv).

The 1D problems use the lecture's shape: input X_1..X_5, kernel W_1..W_3, outputs O_1..O_3 with
O_i = sum_j W_j X_{i+j-1} (cross-correlation, stride 1, no padding), small whole numbers so the
sums can be done by hand.
"""

from __future__ import annotations

import numpy as np

from core import conv
from core.messages import N_, _
from core.practice.exercise import Exercise, factor_text, number_text

KERNEL_SIZES = (1, 2, 3, 4, 5, 7)
DILATIONS = (1, 1, 1, 2, 3)
WHOLE = N_("exact (a whole number)")
EXACT = N_("exact (a whole number; 24 and 24x24 are both read as 24)")
LECTURE_SETUP = N_(
    "Input $X = (X_1, \\dots, X_5) = ({x})$, kernel $W = (W_1, W_2, W_3) = ({w})$ and "
    "$O_i = \\sum_{{j=1}}^{{3}} W_j X_{{i+j-1}}$ for $i = 1, 2, 3$ (cross-correlation, stride 1, no padding)."
)


def conv_output_size(seed: int) -> Exercise:
    """Output side of a square 2D convolution for random H, K, padding, stride and dilation;
    half of the problems (by seed) have a stride that does not divide evenly (the floor case)."""
    rng = np.random.default_rng(seed)
    want_floor = bool(rng.random() < 0.5)
    while True:
        H, K = int(rng.integers(5, 65)), int(rng.choice(KERNEL_SIZES))
        P, S, D = int(rng.integers(0, 4)), int(rng.integers(1, 5)), int(rng.choice(DILATIONS))
        reach = H + 2 * P - D * (K - 1) - 1
        if reach >= 0 and (reach % S != 0) == want_floor:
            break
    size = conv.output_size(H, K, padding=P, stride=S, dilation=D)
    dropped = conv.dropped_positions(H, K, padding=P, stride=S, dilation=D)
    question = _(
        "A ${H} \\times {H}$ input goes through a 2D convolution with a ${K} \\times {K}$ kernel, "
        "padding {P} (zeros on each side), stride {S} and dilation {D}. The output is $O \\times O$: what is $O$?"
    ).format(H=H, K=K, P=P, S=S, D=D)
    solution = (
        "$$\\begin{aligned} O &= \\left\\lfloor \\dfrac{H + 2P - D(K - 1) - 1}{S} \\right\\rfloor + 1 \\\\"
        f" &= \\left\\lfloor \\dfrac{{{H} + 2 \\cdot {P} - {D} \\cdot ({K} - 1) - 1}}{{{S}}} \\right\\rfloor + 1 \\\\"
        f" &= \\left\\lfloor \\dfrac{{{reach}}}{{{S}}} \\right\\rfloor + 1 = {reach // S} + 1 = {size}"
        " \\end{aligned}$$"
    )
    if dropped:
        solution += "\n\n" + _(
            "${reach}/{S}$ is not whole, so the floor drops the last {dropped} position(s) of the padded "
            "input: no window reaches them."
        ).format(reach=reach, S=S, dropped=dropped)
    slips = [(H - K + 1, _("That is $H - K + 1$, which leaves out padding, stride and dilation.")),
             (reach / S + 1, _("Without the floor: a window must fit entirely, so round the division down."))]
    if D > 1:
        slips.append((_no_dilation(H, K, P, S), _("That ignores the dilation: a dilated kernel spans $D(K-1)+1$.")))
    return Exercise(
        generator="conv-output-size", seed=seed, question=question, expected=size, tolerance=_(EXACT),
        solution=solution, slips=tuple(slips), values={"H": H, "K": K, "P": P, "S": S, "D": D}, size=True,
    )


def _no_dilation(H: int, K: int, P: int, S: int) -> float:
    return (H + 2 * P - K) // S + 1


def _lecture_numbers(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """X (5,) whole numbers in [-3, 3] and W (3,) in [-2, 2], W not all zero."""
    X = rng.integers(-3, 4, size=5).astype(np.float64)
    W = np.zeros(3)
    while not W.any():
        W = rng.integers(-2, 3, size=3).astype(np.float64)
    return X, W


def _listed(values: np.ndarray) -> str:
    return ", ".join(number_text(v) for v in values)


def conv1d_output(seed: int) -> Exercise:
    """One output O_i of the lecture's 1D convolution, from core.conv.conv1d."""
    rng = np.random.default_rng(seed)
    X, W = _lecture_numbers(rng)
    i = int(rng.integers(1, 4))
    outputs = conv.conv1d(X[None, :], W[None, None, :])[0]               # (3,)
    terms = [(W[j], X[i + j - 1]) for j in range(3)]
    symbols = " + ".join(f"W_{j + 1} X_{i + j}" for j in range(3))
    numbers = " + ".join(f"{factor_text(w)} \\cdot {factor_text(x)}" for w, x in terms)
    solution = f"$$O_{i} = {symbols} = {numbers} = {number_text(outputs[i - 1])}$$"
    flipped = sum(W[2 - j] * X[i + j - 1] for j in range(3))
    return Exercise(
        generator="conv1d-output", seed=seed,
        question=_(LECTURE_SETUP).format(x=_listed(X), w=_listed(W)) + " " + _("What is $O_{i}$?").format(i=i),
        expected=float(outputs[i - 1]), tolerance=_(WHOLE), abs_tol=1e-9, solution=solution,
        slips=((flipped, _("That flips the kernel (the textbook convolution); the lecture and the libraries "
                            "compute the cross-correlation, $W_1$ meeting $X_i$.")),),
        values={"X": tuple(X.tolist()), "W": tuple(W.tolist()), "i": i},
    )


def conv1d_gradient(seed: int) -> Exercise:
    """One entry of dL/dX (m = 1..5) or dL/dW (j = 1..3) given the upstream gradient delta,
    from core.conv.conv1d_backward."""
    rng = np.random.default_rng(seed)
    X, W = _lecture_numbers(rng)
    delta = rng.integers(-2, 3, size=3).astype(np.float64)
    grad_x, grad_w = conv.conv1d_backward(X[None, :], W[None, None, :], delta[None, :])
    setup = _(LECTURE_SETUP).format(x=_listed(X), w=_listed(W)) + " " + _(
        "The gradient from above is $\\delta = (\\delta_1, \\delta_2, \\delta_3) = ({delta})$ with "
        "$\\delta_i = \\partial L / \\partial O_i$."
    ).format(delta=_listed(delta))
    if rng.random() < 0.5:
        m = int(rng.integers(1, 6))
        pairs = [(i, m - i + 1) for i in range(1, 4) if 1 <= m - i + 1 <= 3]
        symbols = " + ".join(f"\\delta_{i} W_{j}" for i, j in pairs)
        numbers = " + ".join(f"{factor_text(delta[i - 1])} \\cdot {factor_text(W[j - 1])}" for i, j in pairs)
        expected, target = float(grad_x[0, m - 1]), f"X_{m}"
        rule = _("$X_{m}$ reaches the outputs $O_i$ with $1 \\le {m} - i + 1 \\le 3$, through the weight "
                 "$W_{{{m}-i+1}}$ (the kernel read backwards):").format(m=m)
        unflipped = sum(delta[i - 1] * W[i - m + 2] for i in range(1, 4) if 1 <= i - m + 3 <= 3)
        slips = ((unflipped, _("The weights meet the deltas in reverse order (the flipped kernel).")),)
    else:
        j = int(rng.integers(1, 4))
        pairs = [(i, i + j - 1) for i in range(1, 4)]
        symbols = " + ".join(f"\\delta_{i} X_{k}" for i, k in pairs)
        numbers = " + ".join(f"{factor_text(delta[i - 1])} \\cdot {factor_text(X[k - 1])}" for i, k in pairs)
        expected, target = float(grad_w[0, 0, j - 1]), f"W_{j}"
        rule = _("$W_{j}$ is used by every output, $O_i$ multiplying it by $X_{{i+{j}-1}}$:").format(j=j)
        slips = ()
    solution = f"{rule}\n\n$$\\frac{{\\partial L}}{{\\partial {target}}} = {symbols} = {numbers} = " \
               f"{number_text(expected)}$$"
    return Exercise(
        generator="conv1d-gradient", seed=seed,
        question=setup + " " + _("What is $\\partial L / \\partial {target}$?").format(target=target),
        expected=expected, tolerance=_(WHOLE), abs_tol=1e-9, solution=solution, slips=slips,
        values={"X": tuple(X.tolist()), "W": tuple(W.tolist()), "delta": tuple(delta.tolist()), "target": target},
    )
