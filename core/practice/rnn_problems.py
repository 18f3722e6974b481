"""Problems on the assignment's counting RNN, answered by the BPTT explorer's functions (core.rnn).

S_k = S_{k-1} w_rec + X_k w_x, so one step back multiplies the state gradient by w_rec:
dL/dS_{T-n} = dL/dS_T * w_rec^n. The answers come from rnn.linear_backward on a real sequence.
"""

from __future__ import annotations

import numpy as np

from core import rnn
from core.messages import N_, _, ngettext
from core.practice.exercise import Exercise, factor_text, is_whole, latex_number, number_text

VANISH_BELOW = 1e-2
EXPLODE_ABOVE = 1e2
VERDICTS = ("vanishes", "explodes", "neither")
LENGTHS = (5, 10, 20, 30, 50, 100)
RELATIVE = N_("within 0.5 % of the answer: three significant digits are enough (a fraction such as -5/16 works too)")
WHOLE = N_("exact (the answer is a whole number)")
# vanish_or_explode draws until the verdict is the wanted one and gives up after this many draws: the
# rarest verdict ('explodes') comes in 24 % of draws, so giving up has odds below 1e-23 per problem.
DRAWS = 200


def _state_gradients(T: int, w_rec: float, grad_last: float, seed: int) -> np.ndarray:
    """dL/dS_k for k = 0..T, shape (T+1,), from the lab's BPTT on a random counting sequence."""
    X, _count = rnn.counting_batch(1, T, seed)                          # (1, T)
    S = rnn.linear_forward(X, 1.0, w_rec)                               # (1, T+1)
    _grad_w_x, _grad_w_rec, grad_over_time = rnn.linear_backward(X, S, np.array([grad_last]), w_rec)
    return grad_over_time[0]


def rnn_state_gradient(seed: int) -> Exercise:
    """dL/dS_{T-n} for given w_rec, T, n and dL/dS_T."""
    rng = np.random.default_rng(seed)
    w_rec = float(rng.choice([-1, 1])) * int(rng.integers(5, 16)) / 10     # +-0.5 .. +-1.5
    T = int(rng.integers(4, 13))
    n = int(rng.integers(1, min(T, 8) + 1))
    grad_last = 0.0
    while grad_last == 0.0:
        grad_last = int(rng.integers(-30, 31)) / 10
    grads = _state_gradients(T, w_rec, grad_last, seed)
    expected = float(grads[T - n])
    whole = is_whole(expected)
    if whole:
        expected = float(round(expected))
    question = ngettext(
        "The counting RNN $S_k = S_{{k-1}} w_{{rec}} + X_k w_x$ (linear: no activation) runs "
        "$T = {T}$ steps with $w_{{rec}} = {w_rec}$. As in the assignment, the loss $L$ depends on "
        "the states only through the last one, $S_{{{T}}}$; the inputs $X_k$ and the weights are fixed numbers. "
        "The loss gradient at the last state is $\\partial L / \\partial S_{{{T}}} = {grad_last}$. "
        "What is $\\partial L / \\partial S_{{{earlier}}}$, {n} step back (the total derivative, "
        "through every later state)?",
        "The counting RNN $S_k = S_{{k-1}} w_{{rec}} + X_k w_x$ (linear: no activation) runs "
        "$T = {T}$ steps with $w_{{rec}} = {w_rec}$. As in the assignment, the loss $L$ depends on "
        "the states only through the last one, $S_{{{T}}}$; the inputs $X_k$ and the weights are fixed numbers. "
        "The loss gradient at the last state is $\\partial L / \\partial S_{{{T}}} = {grad_last}$. "
        "What is $\\partial L / \\partial S_{{{earlier}}}$, {n} steps back (the total derivative, "
        "through every later state)?", n,
    ).format(T=T, w_rec=number_text(w_rec), grad_last=number_text(grad_last), earlier=T - n, n=n)
    solution = (
        _("The loss reaches $S_{k-1}$ only through the next state $S_k$, so each step back multiplies by "
          "$\\partial S_k / \\partial S_{k-1} = w_{rec}$:") + "\n\n"
        f"$$\\dfrac{{\\partial L}}{{\\partial S_{{{T - n}}}}} = \\dfrac{{\\partial L}}{{\\partial S_{{{T}}}}}"
        f" \\, w_{{rec}}^{{{n}}} = {factor_text(grad_last)} \\cdot {factor_text(w_rec)}^{{{n}}}"
        f" = {factor_text(grad_last)} \\cdot {factor_text(w_rec ** n)} = {number_text(expected)}$$"
    )
    slip = ngettext("That is {factors} factors of $w_{{rec}}$; {n} step back takes {n}.",
                    "That is {factors} factors of $w_{{rec}}$; {n} steps back take {n}.", n)
    slips = ((grad_last * w_rec ** (n - 1), slip.format(factors=n - 1, n=n)),
             (grad_last * w_rec ** (n + 1), slip.format(factors=n + 1, n=n)))
    return Exercise(
        generator="rnn-state-gradient", seed=seed, question=question, expected=expected,
        tolerance=_(WHOLE) if whole else _(RELATIVE), solution=solution, abs_tol=1e-9 if whole else 0.0,
        rel_tol=0.0 if whole else 5e-3, slips=slips,
        values={"w_rec": w_rec, "T": T, "n": n, "grad_last": grad_last},
    )


def growth(T: int, w_rec: float, seed: int) -> float:
    """|dL/dS_0| / |dL/dS_T| from the lab's BPTT (equals |w_rec|^T)."""
    grads = _state_gradients(T, w_rec, 1.0, seed)
    return float(abs(grads[0] / grads[T]))


def verdict(factor: float) -> str:
    """'vanishes' below 1/100, 'explodes' above 100, else 'neither'."""
    if factor < VANISH_BELOW:
        return "vanishes"
    if factor > EXPLODE_ABOVE:
        return "explodes"
    return "neither"


def vanish_or_explode(seed: int) -> Exercise:
    """Whether the gradient reaching S_0 after T steps back vanishes, explodes or neither; each
    verdict is equally likely."""
    rng = np.random.default_rng(seed)
    wanted = VERDICTS[int(rng.integers(0, 3))]
    for _draw in range(DRAWS):
        w_rec = float(rng.choice([-1, 1])) * int(rng.integers(50, 151)) / 100
        T = int(rng.choice(LENGTHS))
        factor = growth(T, w_rec, seed)
        if verdict(factor) == wanted:
            break
    else:
        raise RuntimeError(f"vanish_or_explode({seed}): no {wanted!r} problem in {DRAWS} draws")
    question = _(
        "The counting RNN runs $T = {T}$ steps with $w_{{rec}} = {w_rec}$. Going back from "
        "$S_{{{T}}}$ to $S_0$, does the gradient **vanish** (shrink more than 100×), **explode** (grow more "
        "than 100×) or **neither**?"
    ).format(T=T, w_rec=number_text(w_rec))
    solution = (
        f"$$\\dfrac{{|\\partial L / \\partial S_0|}}{{|\\partial L / \\partial S_{{{T}}}|}} = |w_{{rec}}|^{{{T}}}"
        f" = {number_text(abs(w_rec))}^{{{T}}} \\approx {latex_number(factor)}$$\n\n"
        + {"vanishes": _("That is below 1/100: the gradient **vanishes** ($|w_{rec}| < 1$)."),
           "explodes": _("That is above 100: the gradient **explodes** ($|w_{rec}| > 1$)."),
           "neither": _("That is between 1/100 and 100: **neither**, over {T} steps.").format(T=T)}[wanted]
    )
    return Exercise(
        generator="vanish-or-explode", seed=seed, question=question, expected=wanted, tolerance=_("pick one"),
        solution=solution, choices=VERDICTS, values={"w_rec": w_rec, "T": T, "factor": factor},
    )
