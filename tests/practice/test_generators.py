"""Every practice generator against an independent computation (plain loops) over many seeds,
and the answer checking."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from core import practice
from core.practice import check, draw, parse_number
from core.practice.exercise import number_text

SEEDS = range(400)


def window_count(H: int, K: int, P: int, S: int, D: int) -> int:
    """How many window starts fit, counted one by one along the padded axis."""
    count, start = 0, 0
    while start + D * (K - 1) <= H + 2 * P - 1:
        count, start = count + 1, start + S
    return count


def correlate(X, W) -> list[float]:
    return [sum(W[j] * X[i + j] for j in range(len(W))) for i in range(len(X) - len(W) + 1)]


def loop_gradients(X, W, delta) -> tuple[list[float], list[float]]:
    """dL/dX and dL/dW of L = sum_i delta_i O_i, by visiting every (output, weight) pair."""
    grad_x, grad_w = [0.0] * len(X), [0.0] * len(W)
    for i in range(len(delta)):
        for j in range(len(W)):
            grad_x[i + j] += delta[i] * W[j]
            grad_w[j] += delta[i] * X[i + j]
    return grad_x, grad_w


def test_conv_output_size_matches_counting_windows_and_half_are_floor_cases():
    floors = 0
    for seed in SEEDS:
        exercise = draw("conv-output-size", seed)
        v = exercise.values
        assert exercise.expected == window_count(v["H"], v["K"], v["P"], v["S"], v["D"]), v
        floors += (v["H"] + 2 * v["P"] - v["D"] * (v["K"] - 1) - 1) % v["S"] != 0
        assert f"+ 1 = {exercise.expected} \\end{{aligned}}$$" in exercise.solution
    assert 0.35 < floors / len(SEEDS) < 0.65


def test_conv1d_output_matches_a_loop():
    for seed in SEEDS:
        exercise = draw("conv1d-output", seed)
        X, W, i = list(exercise.values["X"]), list(exercise.values["W"]), exercise.values["i"]
        assert len(X) == 5 and len(W) == 3 and 1 <= i <= 3
        assert exercise.expected == correlate(X, W)[i - 1]
        assert f"What is $O_{i}$?" in exercise.question


def test_conv1d_gradient_matches_loops_for_both_targets():
    targets = Counter()
    for seed in SEEDS:
        exercise = draw("conv1d-gradient", seed)
        v = exercise.values
        grad_x, grad_w = loop_gradients(list(v["X"]), list(v["W"]), list(v["delta"]))
        kind, index = v["target"].split("_")
        expected = (grad_x if kind == "X" else grad_w)[int(index) - 1]
        assert exercise.expected == expected, (seed, v)
        targets[kind] += 1
    assert targets["X"] > 100 and targets["W"] > 100


def test_rnn_state_gradient_matches_a_backward_loop():
    for seed in SEEDS:
        exercise = draw("rnn-state-gradient", seed)
        v = exercise.values
        grad = v["grad_last"]
        for _step in range(v["n"]):                 # rule 1, one step back at a time
            grad *= v["w_rec"]
        assert math.isclose(exercise.expected, grad, rel_tol=1e-12, abs_tol=1e-15), v
        assert 1 <= v["n"] <= v["T"]


def test_vanish_or_explode_matches_a_product_and_each_verdict_appears():
    verdicts = Counter()
    for seed in SEEDS:
        exercise = draw("vanish-or-explode", seed)
        v = exercise.values
        product = 1.0
        for _step in range(v["T"]):
            product *= abs(v["w_rec"])
        assert math.isclose(v["factor"], product, rel_tol=1e-9)
        expected = "vanishes" if product < 0.01 else "explodes" if product > 100 else "neither"
        assert exercise.expected == expected and exercise.choices == ("vanishes", "explodes", "neither")
        verdicts[expected] += 1
    assert min(verdicts.values()) > 80, verdicts


@pytest.mark.parametrize("name", list(practice.GENERATORS))
def test_the_same_seed_gives_the_same_problem_and_the_answer_is_accepted(name):
    for seed in range(50):
        exercise = draw(name, seed)
        assert draw(name, seed) == exercise
        assert check(exercise, str(exercise.expected)).correct
        if not exercise.choices:
            assert check(exercise, number_text(float(exercise.expected))).correct
            wrong = check(exercise, number_text(float(exercise.expected) + 1))
            assert wrong.readable and not wrong.correct and "Not quite" in wrong.message
        else:
            other = next(choice for choice in exercise.choices if choice != exercise.expected)
            assert not check(exercise, other).correct


def test_stated_tolerance_is_the_one_applied():
    exercise = next(e for e in (draw("rnn-state-gradient", s) for s in range(100)) if abs(e.expected) > 1)
    inside, outside = exercise.expected * 1.004, exercise.expected * 1.006
    assert check(exercise, repr(inside)).correct and not check(exercise, repr(outside)).correct
    assert "0.5 %" in exercise.tolerance
    size = draw("conv-output-size", 3)
    assert not check(size, str(size.expected + 0.5)).correct and size.tolerance.startswith("exact")


def test_common_slips_are_named():
    exercise = next(e for e in (draw("rnn-state-gradient", s) for s in range(200))
                    if e.values["n"] > 1 and abs(e.values["w_rec"]) != 1)
    v = exercise.values
    outcome = check(exercise, repr(v["grad_last"] * v["w_rec"] ** (v["n"] - 1)))
    assert not outcome.correct and f"{v['n'] - 1} factors" in outcome.message
    size = next(e for e in (draw("conv-output-size", s) for s in range(200))
                if e.values["P"] and e.expected != e.values["H"] - e.values["K"] + 1)
    outcome = check(size, str(size.values["H"] - size.values["K"] + 1))
    assert "$H - K + 1$" in outcome.message


def test_answers_are_read_like_a_student_types_them():
    assert parse_number(" 13 ") == 13 and parse_number("−2.5") == -2.5 and parse_number("1e-3") == 0.001
    assert parse_number("2/3") == pytest.approx(2 / 3) and parse_number("1,024") == 1024
    assert parse_number("24x24", size=True) == 24 and parse_number("24 × 24", size=True) == 24
    for bad in ("", "abc", "1/0", "24x24", "nan", "inf", "1,5"):
        with pytest.raises(ValueError):
            parse_number(bad)
    exercise = draw("conv-output-size", 0)
    unreadable = check(exercise, "twelve")
    assert not unreadable.readable and "Could not read" in unreadable.message
    assert not check(exercise, "  ").readable
