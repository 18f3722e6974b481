"""The answer checker's exact verdicts, written against mutants that survived the earlier tests
(docs/mutation.md): every refusal is readable False and correct False with its own sentence, a
verdict has no trailing slip when there is none, and the reader's bounds are where the docstrings
put them."""

from __future__ import annotations

import pytest

from core.practice import check, draw, parse_number
from core.practice.exercise import (
    EXPECTED_NUMBER,
    EXPECTED_SIZE,
    FINITE,
    MAX_ANSWER_CHARS,
    Exercise,
    Outcome,
    factor_text,
    is_whole,
    latex_number,
    number_text,
)

CHOICES = draw("vanish-or-explode", 0)


def numeric(expected: float = 2.0, **extra) -> Exercise:
    fields = dict(generator="test", seed=0, question="?", expected=expected, tolerance="exact", solution="",
                  abs_tol=1e-9)
    fields.update(extra)
    return Exercise(**fields)


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_pick_is_refused_with_its_sentence(blank):
    assert check(CHOICES, blank) == Outcome(False, False, "Pick one of the answers first.")


def test_a_pick_outside_the_choices_lists_them():
    assert check(CHOICES, "maybe") == Outcome(False, False, "Pick one of: vanishes, explodes, neither.")
    assert check(CHOICES, "None") == Outcome(False, False, "Pick one of: vanishes, explodes, neither.")


def test_a_pick_is_graded_with_the_exact_verdict():
    expected = CHOICES.expected
    other = next(choice for choice in CHOICES.choices if choice != expected)
    assert check(CHOICES, f" {expected.upper()} ") == Outcome(True, True, f"Right: {expected}.")
    assert check(CHOICES, other) == Outcome(True, False, f"Not quite: you answered {other}, the answer is {expected}.")


@pytest.mark.parametrize("blank", ["", " \t ", None])
def test_a_blank_number_is_refused_with_its_sentence(blank):
    assert check(numeric(), blank) == Outcome(False, False, "Type an answer first.")


def test_a_wrong_number_without_a_slip_ends_the_sentence_there():
    assert check(numeric(), "3") == Outcome(True, False, "Not quite: you answered 3, the answer is 2.")
    assert check(numeric(), "2") == Outcome(True, True, "Right: 2.")


def test_a_slip_is_named_after_the_verdict_and_only_when_wrong():
    exercise = numeric(slips=((3.0, "That adds one."), (2.0, "Never said.")))
    assert check(exercise, "3") == Outcome(True, False, "Not quite: you answered 3, the answer is 2. That adds one.")
    assert check(exercise, "2") == Outcome(True, True, "Right: 2.")


def test_unreadable_text_is_quoted_up_to_40_characters():
    text = "a" * 60
    assert check(numeric(), text) == Outcome(False, False, f"Could not read '{'a' * 40}': {EXPECTED_NUMBER}.")
    assert check(numeric(size=True), "abc") == Outcome(False, False, f"Could not read 'abc': {EXPECTED_SIZE}.")


@pytest.mark.parametrize("value, whole", [
    (3.0, True), (-7.0, True), (0.0, True), (0.5e-9, True), (1.5e-9, False), (0.5, False), (2.5, False),
    (1e6 + 5e-4, True), (1e6 + 5e-3, False), (float("inf"), False), (float("nan"), False),
])
def test_whole_numbers_up_to_rounding_noise(value, whole):
    assert is_whole(value) is whole


def test_a_slip_is_named_only_for_its_own_value_up_to_rounding_noise():
    far = numeric(slips=((3.0, "That adds one."),))
    assert check(far, "3.5").message == "Not quite: you answered 3.5, the answer is 2."
    assert check(far, "5").message == "Not quite: you answered 5, the answer is 2."
    assert check(far, repr(3.0 * (1 + 1e-10))).message.endswith(" That adds one.")
    zero = numeric(slips=((0.0, "That is no gradient at all."),))
    assert check(zero, "1e-13").message == "Not quite: you answered 1e-13, the answer is 2. That is no gradient at all."
    assert check(zero, "1e-11").message == "Not quite: you answered 1e-11, the answer is 2."


def test_the_tolerance_bound_itself_counts_as_right():
    relative = numeric(1000.0, abs_tol=0.0, rel_tol=5e-3)
    assert check(relative, "1005").correct and check(relative, "995").correct
    assert not check(relative, "1005.001").correct
    absolute = numeric(0.0, abs_tol=0.25)
    assert check(absolute, "0.25").correct and check(absolute, "-0.25").correct


def test_the_boundary_of_rounding_noise_is_whole():
    assert is_whole(1e-9) is True


@pytest.mark.parametrize("value, text", [(-2, "(-2)"), (-0.25, "(-0.25)"), (0, "0"), (0.5, "0.5"), (3, "3")])
def test_only_negative_factors_get_parentheses(value, text):
    assert factor_text(value) == text


@pytest.mark.parametrize("value, text", [
    (float("nan"), r"\text{undefined}"), (float("-inf"), r"-\infty"), (float("inf"), r"\infty"), (1, "1"),
    (1.0, "1"), (20.0, "20"), (-1, "-1"), (3.3e-4, r"3.3 \times 10^{-4}"), (0.001, "0.001"),
])
def test_latex_numbers_at_the_edges(value, text):
    assert latex_number(value) == text


def test_whole_numbers_are_written_out_below_1e15_only():
    assert number_text(1e15) == "1e+15"
    assert number_text(999_999_999_999_999.0) == "999999999999999"


def test_an_answer_of_exactly_the_maximum_length_is_read():
    assert parse_number(" " * (MAX_ANSWER_CHARS - 1) + "5") == 5
    with pytest.raises(ValueError, match="type a number"):
        parse_number(" " * MAX_ANSWER_CHARS + "5")
    with pytest.raises(ValueError, match="type a number"):
        parse_number(None)


@pytest.mark.parametrize("text", ["123)", "12)", "5)", "-(3"])
def test_an_unbalanced_parenthesis_is_not_a_number(text):
    with pytest.raises(ValueError, match="type a number"):
        parse_number(text)


def test_a_fraction_with_an_infinite_part_is_not_finite():
    for text in ("1/1e400", "1e400/1", "1e400/1e400"):
        with pytest.raises(ValueError, match=FINITE):
            parse_number(text)


def test_two_different_sides_get_the_square_sentence():
    with pytest.raises(ValueError) as raised:
        parse_number("24x25", size=True)
    assert str(raised.value) == "the output is square: type its side once, e.g. 24, or the same side twice, 24x24"


@pytest.mark.parametrize(("text", "size", "sentence"), [
    ("24x24", False, f"{EXPECTED_NUMBER} (one number, not a size like 24x24)"),
    ("1/0", False, f"{EXPECTED_NUMBER} (a fraction cannot divide by zero)"),
    ("1/0", True, f"{EXPECTED_SIZE} (a fraction cannot divide by zero)"),
    ("6*6", False, f"{EXPECTED_NUMBER}: work the product out and type the result"),
    ("6*6", True, f"{EXPECTED_SIZE}: work the product out and type the result"),
])
def test_each_refusal_is_the_whole_sentence_with_its_hint(text, size, sentence):
    with pytest.raises(ValueError) as raised:
        parse_number(text, size=size)
    assert str(raised.value) == sentence
