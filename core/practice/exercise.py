"""One practice problem, the student's typed answer, and the verdict."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from core.messages import N_, _

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


@dataclass(frozen=True)
class Exercise:
    """A problem drawn by a generator.

    question: markdown (math in $...$). expected: the answer, a number or one of `choices`.
    abs_tol/rel_tol: a number counts as right when |given - expected| <= max(abs_tol,
    rel_tol * |expected|); `tolerance` says so in words. solution: the worked solution in
    markdown with this problem's numbers. slips: (wrong value, what it means) for common
    mistakes. values: the drawn numbers, by name (what the tests recompute independently).
    size: the answer is the side of a square output, so '24x24' is read as 24.
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
    size: bool = False


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
    nothing is graded or logged); message: what to tell the student."""

    readable: bool
    correct: bool
    message: str


EXPECTED_NUMBER = N_("type a number, e.g. 0.0008 or 1/1280")
EXPECTED_SIZE = N_("type a whole number, e.g. 24 (or 24x24 for a square)")
FINITE = N_("type a finite number")
MAX_ANSWER_CHARS = 1000
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\u2014": "-", "\ufe63": "-",
                          "\uff0d": "-", "\u00d7": "x", "X": "x", "\u2715": "x", "\u2a2f": "x"})
_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_NUMBER = re.compile(_DECIMAL)
_FRACTION = re.compile(f"({_DECIMAL})/({_DECIMAL})")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_SQUARE = re.compile(r"(\d+(?:\.0*)?)x(\d+(?:\.0*)?)")
_NOT_FINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan",
               "\u221e", "+\u221e", "-\u221e"}


def parse_number(text: str, *, size: bool = False) -> float:
    """A typed number, read the ways a student writes one: '13', '13.0', '-0.5', '−2' (Unicode
    minus), '(-3)', '1e-3', '-5/16', '1,024'. With `size` (the answer is the side of a square
    output) also '24x24', '24X24' or '24×24', both sides the same whole number.

    Products such as '2*2' or '-6*-6' are never read as one of their factors. ValueError with a
    sentence saying what is expected for anything else, and 'type a finite number' for values
    too large for a float ('1e400', a 400-digit fraction) and for inf or nan.
    """
    hint = _(EXPECTED_SIZE if size else EXPECTED_NUMBER)
    if text is None or len(str(text)) > MAX_ANSWER_CHARS:
        raise ValueError(hint)
    cleaned = _SPACES.sub("", str(text)).translate(_MINUSES).lower()
    while len(cleaned) > 2 and cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = cleaned[1:-1]
    if cleaned.startswith("-(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[2:-1]
    if cleaned in _NOT_FINITE:
        raise ValueError(_(FINITE))
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    square = _SQUARE.fullmatch(cleaned)
    if square:
        if not size:
            raise ValueError(_("{hint} (one number, not a size like 24x24)").format(hint=hint))
        first, second = (float(side) for side in square.groups())
        if first != second:
            raise ValueError(_("the output is square: type its side once, e.g. 24, or the same side twice, 24x24"))
        return _finite(first)
    if _NUMBER.fullmatch(cleaned):
        return _finite(float(cleaned))
    fraction = _FRACTION.fullmatch(cleaned)
    if fraction:
        numerator, denominator = (float(part) for part in fraction.groups())
        if not (math.isfinite(numerator) and math.isfinite(denominator)):
            raise ValueError(_(FINITE))
        if denominator == 0:
            raise ValueError(_("{hint} (a fraction cannot divide by zero)").format(hint=hint))
        return _finite(numerator / denominator)
    if "*" in cleaned:
        raise ValueError(_("{hint}: work the product out and type the result").format(hint=hint))
    raise ValueError(hint)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(_(FINITE))
    return value


def is_whole(value: float) -> bool:
    """True for a float that is a whole number up to rounding noise (1e-9)."""
    return math.isfinite(value) and abs(value - round(value)) <= 1e-9 * max(1.0, abs(value))


def check(exercise: Exercise, answer: str | None) -> Outcome:
    """Compare a typed (or picked) answer with the expected one, within the stated tolerance.

    A blank answer, a pick that is not one of the choices, and text that is not a number are
    refused unread (readable False): nothing is graded, so nothing is logged.
    """
    text = "" if answer is None else str(answer).strip()
    if exercise.choices:
        if not text:
            return Outcome(False, False, _("Pick one of the answers first."))
        picked = next((choice for choice in exercise.choices if choice.casefold() == text.casefold()), None)
        if picked is None:
            return Outcome(False, False, _("Pick one of: {choices}.").format(choices=", ".join(exercise.choices)))
        correct = picked.casefold() == str(exercise.expected).casefold()
        return Outcome(True, correct, _verdict(correct, picked, str(exercise.expected), ""))
    if not text:
        return Outcome(False, False, _("Type an answer first."))
    try:
        given = parse_number(text, size=exercise.size)
    except ValueError as err:
        return Outcome(False, False, _("Could not read '{answer}': {reason}.").format(answer=text[:40], reason=err))
    expected = float(exercise.expected)
    allowed = max(exercise.abs_tol, exercise.rel_tol * abs(expected))
    correct = abs(given - expected) <= allowed * (1 + 1e-9)
    slips = [words for value, words in exercise.slips if math.isclose(given, value, rel_tol=1e-9, abs_tol=1e-12)]
    slip = slips[0] if slips and not correct else ""
    return Outcome(True, correct, _verdict(correct, number_text(given), number_text(expected), slip))


def _verdict(correct: bool, given: str, expected: str, slip: str) -> str:
    if correct:
        return _("Right: {expected}.").format(expected=expected)
    wrong = _("Not quite: you answered {given}, the answer is {expected}.").format(given=given, expected=expected)
    return wrong + (f" {slip}" if slip else "")


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
    """A number for a formula (never e-notation, which KaTeX would print as letters): 3 significant
    digits, plain from 0.001 up to 9999 (0.0052, 0.347, 3290), else as a power of ten:
    1.07e10 becomes 1.07 \\times 10^{10}, 3.3e-5 becomes 3.3 \\times 10^{-5}; inf as \\infty."""
    value = float(value)
    if math.isnan(value):
        return r"\text{undefined}"
    if math.isinf(value):
        return r"-\infty" if value < 0 else r"\infty"
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.2e}".split("e")
    power = int(exponent)
    if -3 <= power <= 3:
        digits = max(0, 2 - power)
        text = f"{float(mantissa) * 10 ** power:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{float(mantissa):g} \\times 10^{{{power}}}"
