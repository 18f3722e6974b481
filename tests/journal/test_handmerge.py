"""Merging by hunk (core/journal/handmerge.py): segments give both texts back, choices pick sides."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.journal import handmerge

MINE = "---\ntitle: R\n---\n# Retro\nKeep: labs\nProblem: sleep\nTry: rest\n"
THEIRS = "---\ntitle: R\n---\n# Retro\nWritten on the laptop.\nKeep: labs\nProblem: time\nTry: rest\nTry: BPTT\n"


def test_hunks_align_both_texts_and_choices_pick_each_side():
    parts = handmerge.segments(MINE, THEIRS)
    assert handmerge.hunk_count(parts) == 3
    assert handmerge.merged(parts, {}) == MINE, "yours unless chosen otherwise"
    every = {part.index: handmerge.THEIRS for part in parts if part.changed}
    assert handmerge.merged(parts, every) == THEIRS
    mixed = handmerge.merged(parts, {0: handmerge.THEIRS, 1: handmerge.BOTH, 2: handmerge.MINE})
    assert mixed == ("---\ntitle: R\n---\n# Retro\nWritten on the laptop.\nKeep: labs\nProblem: sleep\n"
                     "Problem: time\nTry: rest\n")


def test_a_region_over_the_budget_is_one_hunk():
    mine = "a\n" + "".join(f"x{i}\n" for i in range(50)) + "z\n"
    theirs = "a\n" + "".join(f"y{i}\n" for i in range(50)) + "z\n"
    parts = handmerge.segments(mine, theirs, max_region_lines=10)
    assert handmerge.hunk_count(parts) == 1 and handmerge.merged(parts, {0: "theirs"}) == theirs


def test_both_never_glues_lines_without_a_final_newline():
    parts = handmerge.segments("a\nmine", "a\ntheirs")
    assert handmerge.merged(parts, {0: handmerge.BOTH}) == "a\nmine\ntheirs"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d"]), max_size=12),
       st.lists(st.sampled_from(["a\n", "b\n", "e\n", "d"]), max_size=12))
def test_all_mine_or_all_theirs_gives_each_text_back(mine_lines, theirs_lines):
    mine, theirs = "".join(mine_lines), "".join(theirs_lines)
    parts = handmerge.segments(mine, theirs)
    assert "".join("".join(part.mine) for part in parts) == mine
    assert "".join("".join(part.theirs) for part in parts) == theirs
