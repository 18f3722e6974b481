"""One practice problem, the student's typed answer, and the verdict."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_SQUARE = re.compile(r"^(.+?)[x×*](.+)$")


@dataclass(frozen=True)
class Exercise:
    """A problem drawn by a generator.

    question: markdown (math in $...$). expected: the answer, a number or one of `choices`.
    abs_tol/rel_tol: a number counts as right when |given - expected| <= max(abs_tol,
    rel_tol * |expected|); `tolerance` says so in words. solution: the worked solution in
    markdown with this problem's numbers. slips: (wrong value, what it means) for common
    mistakes. values: the drawn numbers, by name (what the tests recompute independently).
    """

    generator: str
    seed: int
    question: str
    expected: float | str
    tolerance: str
    solution: str
    choices: tuple[str, ...] = ()
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    slips: tuple[tuple[float, str], ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Generator:
    """A named problem generator: make(seed) -> Exercise. `lab` is the lab it comes from."""

    name: str
    title: str
    lab: str
    make: Callable[[int], Exercise]


@dataclass(frozen=True)
class Outcome:
    """The verdict on one answer. readable: False when the text was not an answer at all (then
    nothing is graded); message: what to tell the student."""

    readable: bool
    correct: bool
    message: str


def parse_number(text: str) -> float:
    """A typed number: '13', '-0.5', '−2' (Unicode minus), '1e-3', '2/3', '1,024', or '24x24'
    for a square size (both sides equal). ValueError with a message for anything else."""
    cleaned = _SPACES.sub("", str(text)).replace("−", "-").replace("–", "-")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d*)?", cleaned):
        cleaned = cleaned.replace(",", "")
    square = _SQUARE.match(cleaned)
    if square and not cleaned.lower().startswith("0x"):
        sides = {_plain_number(side) for side in square.groups()}
        if len(sides) == 1:
            return sides.pop()
        raise ValueError("type one number (for a square output, its side)")
    return _plain_number(cleaned)


def _plain_number(text: str) -> float:
    try:
        value = float(Fraction(text)) if "/" in text else float(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError("type a number, e.g. 13, -0.5, 1.024 or 2/3") from None
    if not math.isfinite(value):
        raise ValueError("type a finite number")
    return value


def check(exercise: Exercise, answer: str) -> Outcome:
    """Compare a typed (or picked) answer with the expected one, within the stated tolerance."""
    if not str(answer).strip():
        return Outcome(False, False, "Type an answer first.")
    if exercise.choices:
        picked = str(answer).strip().casefold()
        correct = picked == str(exercise.expected).casefold()
        return Outcome(True, correct, _verdict(correct, str(answer).strip(), str(exercise.expected), ""))
    try:
        given = parse_number(answer)
    except ValueError as err:
        return Outcome(False, False, f"Could not read '{str(answer).strip()[:40]}': {err}.")
    expected = float(exercise.expected)
    correct = abs(given - expected) <= max(exercise.abs_tol, exercise.rel_tol * abs(expected))
    slips = [text for value, text in exercise.slips if math.isclose(given, value, abs_tol=1e-9)]
    slip = slips[0] if slips and not correct else ""
    return Outcome(True, correct, _verdict(correct, number_text(given), number_text(expected), slip))


def _verdict(correct: bool, given: str, expected: str, slip: str) -> str:
    if correct:
        return f"Right: {expected}."
    return f"Not quite: you answered {given}, the answer is {expected}." + (f" {slip}" if slip else "")


def number_text(value: float) -> str:
    """A number as a student writes it: whole numbers without '.0', others to 6 significant digits."""
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def factor_text(value: float) -> str:
    """A number inside a product: negative ones in parentheses, e.g. (-2)."""
    text = number_text(value)
    return f"({text})" if value < 0 else text


def latex_number(value: float) -> str:
    """A number for a formula, to 3 significant digits: 0.0052 stays, 1.07e10 becomes 1.07 \\times 10^{10}."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{float(mantissa):.3g} \\times 10^{{{int(exponent)}}}"
