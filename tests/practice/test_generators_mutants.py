"""The generators' rules at their edges, written against mutants that survived the earlier tests
(docs/mutation.md): the verdict's bounds (exactly 1/100 and exactly 100 are 'neither'), the
growth factor from the lab's BPTT, and the spread of drawn numbers."""

from __future__ import annotations

import pytest

from core.practice import draw, rnn_problems
from core.practice.rnn_problems import growth, verdict


@pytest.mark.parametrize("factor, words", [
    (0.0099, "vanishes"), (0.01, "neither"), (1.0, "neither"), (100.0, "neither"), (100.01, "explodes"),
    (0.0, "vanishes"), (1e10, "explodes"),
])
def test_the_verdict_bounds_are_exclusive(factor, words):
    assert verdict(factor) == words


@pytest.mark.parametrize("T, w_rec", [(5, 0.5), (10, -1.5), (3, 1.0), (20, 0.9)])
def test_growth_is_the_power_of_the_recurrent_weight(T, w_rec):
    assert growth(T, w_rec, seed=4) == pytest.approx(abs(w_rec) ** T, rel=1e-12)


def test_drawn_numbers_cover_their_documented_ranges():
    sizes = [draw("conv-output-size", seed).values for seed in range(300)]
    assert {v["K"] for v in sizes} == {1, 2, 3, 4, 5, 7} and {v["D"] for v in sizes} == {1, 2, 3}
    assert {v["P"] for v in sizes} == {0, 1, 2, 3} and {v["S"] for v in sizes} == {1, 2, 3, 4}
    assert min(v["H"] for v in sizes) >= 5 and max(v["H"] for v in sizes) <= 64
    lectures = [draw("conv1d-output", seed).values for seed in range(300)]
    assert {x for v in lectures for x in v["X"]} == {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0}
    assert {w for v in lectures for w in v["W"]} == {-2.0, -1.0, 0.0, 1.0, 2.0}
    assert all(any(v["W"]) for v in lectures) and {v["i"] for v in lectures} == {1, 2, 3}
    gradients = [draw("conv1d-gradient", seed).values for seed in range(300)]
    assert {d for v in gradients for d in v["delta"]} == {-2.0, -1.0, 0.0, 1.0, 2.0}
    assert {v["target"] for v in gradients} == {"X_1", "X_2", "X_3", "X_4", "X_5", "W_1", "W_2", "W_3"}
    states = [draw("rnn-state-gradient", seed).values for seed in range(300)]
    assert {abs(v["w_rec"]) for v in states} == {k / 10 for k in range(5, 16)}
    assert {v["T"] for v in states} == set(range(4, 13)) and {v["n"] for v in states} == set(range(1, 9))
    assert all(v["grad_last"] != 0 and abs(v["grad_last"]) <= 3 for v in states)
    verdicts = [draw("vanish-or-explode", seed).values for seed in range(300)]
    assert {v["T"] for v in verdicts} == {5, 10, 20, 30, 50, 100}
    assert all(0.5 <= abs(v["w_rec"]) <= 1.5 for v in verdicts)


def test_two_steps_back_are_plural_in_the_question_and_the_slips():
    exercise = next(e for e in (draw("rnn-state-gradient", s) for s in range(500)) if e.values["n"] == 2)
    assert ", 2 steps back (the total derivative" in exercise.question
    assert [words for _value, words in exercise.slips] == [
        "That is 1 factors of $w_{rec}$; 2 steps back take 2.", "That is 3 factors of $w_{rec}$; 2 steps back take 2."]


def test_the_recurrent_weight_takes_both_signs():
    signs = {draw("rnn-state-gradient", seed).values["w_rec"] > 0 for seed in range(100)}
    assert signs == {True, False}
    signs = {draw("vanish-or-explode", seed).values["w_rec"] > 0 for seed in range(100)}
    assert signs == {True, False}


def test_the_input_gradient_solution_and_slip_for_every_position():
    seen = set()
    for seed in range(400):
        exercise = draw("conv1d-gradient", seed)
        v = exercise.values
        if not v["target"].startswith("X"):
            continue
        m = int(v["target"][2:])
        seen.add(m)
        pairs = [(i, m - i + 1) for i in (1, 2, 3) if m - i + 1 in (1, 2, 3)]
        symbols = " + ".join(f"\\delta_{i} W_{j}" for i, j in pairs)
        assert f"\\frac{{\\partial L}}{{\\partial X_{m}}} = {symbols} = " in exercise.solution, (seed, m)
        unflipped = sum(v["delta"][i - 1] * v["W"][i - m + 2] for i in (1, 2, 3) if 0 <= i - m + 2 <= 2)
        [(slip, _words)] = exercise.slips
        assert slip == unflipped, (seed, m)
    assert seen == {1, 2, 3, 4, 5}


def test_vanish_or_explode_gives_up_after_200_draws_with_a_clear_error(monkeypatch):
    calls = []

    def always_one(T, w_rec, seed):                 # a growth factor of 1 is always 'neither'
        calls.append((T, w_rec, seed))
        return 1.0

    monkeypatch.setattr(rnn_problems, "growth", always_one)
    assert draw("vanish-or-explode", 0).expected == "neither"
    calls.clear()
    with pytest.raises(RuntimeError) as stop:
        draw("vanish-or-explode", 11)               # seed 11 wants 'vanishes'
    assert str(stop.value) == "vanish_or_explode(11): no 'vanishes' problem in 200 draws"
    assert len(calls) == 200 and {seed for _T, _w, seed in calls} == {11}


def test_a_kernel_that_fits_exactly_once_is_a_problem_too():
    """An output of 1 x 1 (the dilated kernel spans the padded input exactly) is a problem like any other."""
    exercise = draw("conv-output-size", 107)
    v = exercise.values
    assert v["H"] + 2 * v["P"] - v["D"] * (v["K"] - 1) - 1 == 0 and exercise.expected == 1
    assert v == {"H": 7, "K": 3, "P": 0, "S": 4, "D": 3}
    assert sum(draw("conv-output-size", seed).expected == 1 for seed in range(1000)) >= 5
