"""The answer reader (every correct form read, near misses refused or judged wrong, unreadable
and non-finite text refused with a sentence) and, for every generator over many seeds, property
tests: the exact answer is accepted; one factor off, the sign flipped and rounded wrongly are
rejected; the LaTeX it prints has no e-notation."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import practice
from core.practice import check, draw, parse_number
from core.practice.exercise import FINITE, Exercise, latex_number, number_text

SEEDS = st.integers(min_value=0, max_value=2**31 - 1)
NUMERIC = [name for name in practice.GENERATORS if not draw(name, 0).choices]
HUGE_FRACTION = "1" + "0" * 400 + "/1"


def seeded(name: str, wanted) -> Exercise:
    return next(exercise for exercise in (draw(name, seed) for seed in range(5000)) if wanted(exercise))


@pytest.mark.parametrize("text, size, value", [
    ("24", True, 24), ("24.0", True, 24), ("24x24", True, 24), ("24X24", True, 24), ("24×24", True, 24),
    ("24 x 24", True, 24), (" 24 ", True, 24), ("(-3)", False, -3), ("−3", False, -3), ("–3", False, -3),
    ("-5/16", False, -5 / 16), ("−5/16", False, -5 / 16), ("1/1280", False, 1 / 1280),
    ("0.00078125", False, 0.00078125),
    ("7.81e-4", False, 7.81e-4), ("7.81E-4", False, 7.81e-4), ("1,024", False, 1024), ("+2", False, 2),
    (".5", False, 0.5), ("-(3)", False, -3), ("((-6))", False, -6), ("1e-400", False, 0.0),
])
def test_correct_forms_are_read(text, size, value):
    assert parse_number(text, size=size) == pytest.approx(value, rel=1e-12, abs=0)


@pytest.mark.parametrize("text, size, words", [
    ("abc", False, "type a number, e.g. 0.0008 or 1/1280"), ("2*2", False, "type the result"),
    ("-6*-6", False, "type the result"), ("24x24", False, "not a size"), ("-6x-6", True, "whole number"),
    ("24x25", True, "square"), ("2.5x2.5", True, "whole number"), ("1/0", False, "divide by zero"),
    ("1,5", False, "type a number"), ("1e400", False, FINITE), ("inf", False, FINITE), ("-∞", False, FINITE),
    ("nan", False, FINITE), (HUGE_FRACTION, False, FINITE), ("1e400/1e400", False, FINITE),
    ("0x1A", False, "type a number"), ("", False, "type a number"), ("1" * 2000, False, "type a number"),
])
def test_near_misses_and_unreadable_text_are_refused_with_a_sentence(text, size, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_number(text, size=size)


def test_reported_failures_no_longer_reproduce():
    gradient = draw("rnn-state-gradient", 667)
    assert gradient.expected == pytest.approx(0.00078125)
    for wrong in ("0", "0.0015625", "0.000390625", "-0.00078125"):
        assert not check(gradient, wrong).correct, wrong
    for right in ("0.00078125", "0.000781", "7.81e-4", "1/1280"):
        assert check(gradient, right).correct, right
    flipped = draw("rnn-state-gradient", 2892)
    assert not check(flipped, number_text(-flipped.expected)).correct
    output = draw("conv1d-output", 0)
    assert output.expected == -6
    square = check(output, "-6*-6")
    assert not square.readable and "Right" not in square.message
    assert not check(output, "2*2").readable
    assert check(output, "(-6)").correct and check(output, "−6").correct
    unreadable = check(output, "abc")
    assert not unreadable.readable and "type a number, e.g. 0.0008 or 1/1280" in unreadable.message
    for text in ("1e400", "inf", HUGE_FRACTION):
        outcome = check(gradient, text)
        assert not outcome.readable and FINITE in outcome.message
    assert "e+" not in draw("vanish-or-explode", 102).solution


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_multiple_choice_answer_is_refused_unread(blank):
    outcome = check(draw("vanish-or-explode", 0), blank)
    assert not outcome.readable and not outcome.correct and "Pick one" in outcome.message


def test_a_pick_outside_the_choices_is_refused_unread():
    assert not check(draw("vanish-or-explode", 0), "maybe").readable


def test_the_size_problem_reads_every_form_of_its_answer():
    exercise = draw("conv-output-size", 0)
    side = int(exercise.expected)
    for text in (f"{side}", f"{side}.0", f"{side}x{side}", f"{side}X{side}", f"{side}×{side}"):
        assert check(exercise, text).correct, text
    assert not check(exercise, f"{side}x{side + 1}").readable


def test_the_rnn_question_states_its_assumptions():
    question = draw("rnn-state-gradient", 0).question
    assert "only through the last one" in question and "no activation" in question


@pytest.mark.parametrize("value, text", [
    (3300.4, "3300"), (3.3e3, "3300"), (0.0052, "0.0052"), (1.07e10, r"1.07 \times 10^{10}"),
    (3.3e-5, r"3.3 \times 10^{-5}"), (0.347, "0.347"), (-2.5, "-2.5"), (123.456, "123"), (0, "0"),
    (12345.0, r"1.23 \times 10^{4}"), (float("inf"), r"\infty"),
])
def test_latex_numbers_never_use_e_notation(value, text):
    assert latex_number(value) == text


def rounded_wrong(expected: float) -> float:
    """The answer rounded to one significant digit, or nudged by 1 % when that rounding is exact."""
    rounded = float(f"{expected:.1g}")
    return rounded if abs(rounded - expected) > 0.01 * abs(expected) else expected * 1.01


@pytest.mark.parametrize("name", NUMERIC)
@settings(max_examples=300, deadline=None)
@given(seed=SEEDS)
def test_numeric_generators_accept_the_answer_and_reject_near_misses(name, seed):
    exercise = draw(name, seed)
    expected = float(exercise.expected)
    for text in (repr(expected), number_text(expected), f"{expected:.4g}", f"({number_text(expected)})"):
        assert check(exercise, text).correct, (seed, text)
    if exercise.rel_tol:
        assert check(exercise, f"{expected:.3g}").correct, seed
    if expected == 0:
        return
    for wrong in (-expected, 2 * expected, expected / 2, rounded_wrong(expected)):
        outcome = check(exercise, repr(wrong))
        assert outcome.readable and not outcome.correct, (seed, wrong)
    if name == "rnn-state-gradient" and abs(exercise.values["w_rec"]) != 1:
        w_rec = exercise.values["w_rec"]
        for off in (expected * w_rec, expected / w_rec):          # one factor w_rec too many or too few
            assert not check(exercise, repr(off)).correct, (seed, off)
    if exercise.rel_tol == 0:
        assert not check(exercise, repr(expected + 0.5)).correct, seed


@settings(max_examples=300, deadline=None)
@given(seed=SEEDS)
def test_vanish_or_explode_accepts_its_verdict_only(seed):
    exercise = draw("vanish-or-explode", seed)
    for choice in exercise.choices:
        assert check(exercise, choice).correct == (choice == exercise.expected)
    assert check(exercise, exercise.expected.upper()).correct


MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
E_NOTATION = re.compile(r"\d\.?\d*[eE][+-]?\d")


@pytest.mark.parametrize("name", list(practice.GENERATORS))
@settings(max_examples=300, deadline=None)
@given(seed=SEEDS)
def test_generated_latex_has_no_e_notation_and_balanced_braces(name, seed):
    exercise = draw(name, seed)
    for text in (exercise.question, exercise.solution):
        assert text.count("$") % 2 == 0, (seed, text)
        for display, inline in MATH.findall(text):
            formula = display or inline
            assert not E_NOTATION.search(formula), (seed, formula)
            assert "inf" not in formula and "nan" not in formula, (seed, formula)
            assert formula.count("{") == formula.count("}"), (seed, formula)
            for number in re.findall(r"-?\d+(?:\.\d+)?", formula):
                assert math.isfinite(float(number))


def test_vanish_or_explode_prints_latex_in_every_seed_of_the_report():
    leaks = [seed for seed in range(1000) if E_NOTATION.search(draw("vanish-or-explode", seed).solution)]
    assert leaks == []
