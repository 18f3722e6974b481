"""Line diffs of two versions of a note, bounded so that no pair of texts can make a page slow.

difflib's matcher is roughly quadratic in the lines it compares, and a note can hold 100,000
short lines. `bounded_diff` first strips the lines both versions share at the start and at the
end (linear), then compares line by line only a changed region of at most `MAX_REGION_LINES`
lines per side (measured: under 0.1 s even for adversarial repeats). A larger region gets a
summary instead (where the versions differ, how many lines only one of them has), and the page
offers both versions for download. The diff shown is cut at `MAX_SHOWN_LINES` lines.

One convention app-wide (as `git diff` shows a working copy): `old` is the other text (on disk,
the other machine's, an old version), `new` is yours (the text you typed, the current text), so
`-` lines are only in the other text and `+` lines only in yours. Pages name both sides in words
(`legend`), never by sign alone.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

from core import messages
from core.messages import _

MAX_REGION_LINES = 5_000
MAX_SHOWN_LINES = 3_000
CONTEXT_LINES = 3
_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


@dataclass(frozen=True)
class TextDiff:
    """A unified diff of `old` against `new`, or why there is none.

    `text` is the unified diff ('' when the texts are equal or the diff was not computed);
    `complete` is False when the changed region was over the budget (then `summary` says how the
    versions differ) or the diff was cut at MAX_SHOWN_LINES lines (`summary` says so too).
    """

    text: str
    complete: bool
    summary: str
    old_lines: int
    new_lines: int


def bounded_diff(old: str, new: str, old_label: str, new_label: str, *,
                 max_region_lines: int = MAX_REGION_LINES) -> TextDiff:
    """The unified diff (difflib, 3 lines of context) of `old` -> `new`, within a size budget."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    start = _common_prefix(old_lines, new_lines)
    end = _common_suffix(old_lines[start:], new_lines[start:])
    old_region = old_lines[start:len(old_lines) - end]
    new_region = new_lines[start:len(new_lines) - end]
    sizes = (len(old_lines), len(new_lines))
    if not old_region and not new_region:
        return TextDiff("", True, "", *sizes)
    if max(len(old_region), len(new_region)) > max_region_lines:
        return TextDiff("", False, _summary(old_region, new_region, start, end, sizes, old_label, new_label), *sizes)
    first = max(start - CONTEXT_LINES, 0)
    old_window = old_lines[first:len(old_lines) - max(end - CONTEXT_LINES, 0)]
    new_window = new_lines[first:len(new_lines) - max(end - CONTEXT_LINES, 0)]
    lines = [_shift_hunk(line, first) for line in difflib.unified_diff(
        old_window, new_window, old_label, new_label, lineterm="", n=CONTEXT_LINES
    )]
    if len(lines) <= MAX_SHOWN_LINES:
        return TextDiff("\n".join(lines), True, "", *sizes)
    cut = _("The diff has {count} lines; the first {shown} are shown. Download both versions to see all of it.").format(
        count=messages.format_number(len(lines)), shown=messages.format_number(MAX_SHOWN_LINES))
    return TextDiff("\n".join(lines[:MAX_SHOWN_LINES]), False, cut, *sizes)


def legend(other: str, yours: str) -> str:
    """The line a page puts above a diff: which side each sign stands for, by name."""
    return _("`-` lines: only in {other} · `+` lines: only in {yours}").format(other=other, yours=yours)


def diff_text(old: str, new: str, old_label: str, new_label: str) -> str:
    """A unified diff of two texts, '' when they are equal; over the budget, the summary instead
    (and a cut diff ends with the note that it was cut)."""
    result = bounded_diff(old, new, old_label, new_label)
    if result.complete:
        return result.text
    return f"{result.text}\n\n{result.summary}" if result.text else result.summary


def _common_prefix(first: list[str], second: list[str]) -> int:
    count = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        count += 1
    return count


def _common_suffix(first: list[str], second: list[str]) -> int:
    count = 0
    for a, b in zip(reversed(first), reversed(second), strict=False):
        if a != b:
            break
        count += 1
    return count


def _shift_hunk(line: str, offset: int) -> str:
    """difflib numbers lines from the window's start; put the note's line numbers back."""
    match = _HUNK.match(line) if offset and line.startswith("@@") else None
    if match is None:
        return line
    old_start, old_count, new_start, new_count = match.groups()
    return (f"@@ -{int(old_start) + offset}{old_count or ''} "
            f"+{int(new_start) + offset}{new_count or ''} @@{line[match.end():]}")


def _summary(old_region: list[str], new_region: list[str], start: int, end: int, sizes: tuple[int, int],
             old_label: str, new_label: str) -> str:
    old_only = sum((Counter(old_region) - Counter(new_region)).values())
    new_only = sum((Counter(new_region) - Counter(old_region)).values())
    number = messages.format_number
    return _(
        "Too many changes to compare line by line here ({old} has {old_size} lines, {new} {new_size}): they "
        "differ from line {first} to line {last} of {old}, where {old_only} lines are only in {old} and "
        "{new_only} only in {new}. Download both versions to compare them in a diff tool."
    ).format(old=old_label, new=new_label, old_size=number(sizes[0]), new_size=number(sizes[1]),
             first=number(start + 1), last=number(sizes[0] - end), old_only=number(old_only),
             new_only=number(new_only))
