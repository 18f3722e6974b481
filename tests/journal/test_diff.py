"""core.journal.diff: the bounded diff is difflib's diff where it is cheap, a summary where not."""

from __future__ import annotations

import difflib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from core.journal import diff

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def apply_patch(old: str, patch: str) -> list[str]:
    """Apply a unified diff to `old` using only its hunk headers' line numbers (checks them)."""
    lines, result, position = old.splitlines(), [], 0
    body = patch.split("\n")[2:] if patch else []
    index = 0
    while index < len(body):
        start, count = HUNK.match(body[index]).group(1, 2)
        first = int(start) - 1 if count != "0" else int(start)
        result += lines[position:first]
        position, index = first, index + 1
        while index < len(body) and not body[index].startswith("@@"):
            kind, text = body[index][0], body[index][1:]
            if kind != "+":
                assert lines[position] == text, "the hunk header points at the wrong line"
                position += 1
            if kind != "-":
                result.append(text)
            index += 1
    return result + lines[position:]


texts = st.lists(st.sampled_from(["a", "b", "c", "", "- x", "a"]), max_size=60).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(old=texts, new=texts)
def test_the_diff_applies_to_the_old_text_and_gives_the_new_one(old, new):
    result = diff.bounded_diff(old, new, "old", "new")
    assert result.complete
    assert apply_patch(old, result.text) == new.splitlines()
    assert (result.text == "") == (old.splitlines() == new.splitlines())


def test_a_small_change_in_a_long_text_is_difflibs_hunk_with_the_real_line_numbers():
    old = "\n".join(str(n) for n in range(100_000))
    new = old.replace("\n50000\n", "\nfifty thousand\n")
    expected = "\n".join(difflib.unified_diff(old.splitlines(), new.splitlines(), "old", "new", lineterm=""))
    assert diff.bounded_diff(old, new, "old", "new").text == expected


def test_too_many_changes_give_a_summary_instead():
    old = "\n".join(f"line {n}" for n in range(20_000))
    new = "\n".join(f"line {n}" if n % 3 else f"changed {n}" for n in range(20_000))
    result = diff.bounded_diff(old, new, "this version", "the current text")
    assert not result.complete and result.text == ""
    assert "Too many changes" in result.summary and "6,667 lines are only in this version" in result.summary
    assert "from line 1 to line 19,999" in result.summary
    assert diff.diff_text(old, new, "a", "b").startswith("Too many changes")


def test_a_long_diff_is_cut_and_says_so():
    old = "\n".join(f"{n}" for n in range(4_000))
    new = "\n".join(f"{n}!" for n in range(4_000))
    result = diff.bounded_diff(old, new, "a", "b")
    assert not result.complete and len(result.text.splitlines()) == diff.MAX_SHOWN_LINES
    assert "first 3,000 are shown" in result.summary
    assert diff.diff_text(old, new, "a", "b").endswith("Download both versions to see all of it.")


def test_equal_texts_have_an_empty_complete_diff():
    assert diff.bounded_diff("a\nb", "a\nb", "x", "y") == diff.TextDiff("", True, "", 2, 2)
