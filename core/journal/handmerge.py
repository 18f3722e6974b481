"""Merging two texts of a note by hand, hunk by hunk (a pure view model for the merge screen).

The texts are split into segments: runs of lines both share, and hunks where they differ (yours
on one side, theirs on the other). Each hunk takes yours, theirs or both (yours first); the
result is the segments joined. Like core.journal.diff, the work is bounded: the lines both
texts share at the start and end are stripped in linear time, and a changed region longer than
MAX_REGION_LINES becomes one hunk instead of being matched line by line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Mapping

from core.journal.diff import MAX_REGION_LINES, _common_prefix, _common_suffix

MINE, THEIRS, BOTH = "mine", "theirs", "both"
CHOICES = (MINE, THEIRS, BOTH)


@dataclass(frozen=True)
class Segment:
    """Lines both texts share (`mine == theirs`, `changed` False), or a hunk where they differ.
    `index` numbers the hunks from 0 (None for a shared run); `mine_start` is the hunk's first
    line in your text (1-based), for the screen."""

    mine: tuple[str, ...]
    theirs: tuple[str, ...]
    index: int | None = None
    mine_start: int = 1

    @property
    def changed(self) -> bool:
        return self.index is not None


def segments(mine: str, theirs: str, *, max_region_lines: int = MAX_REGION_LINES) -> list[Segment]:
    """`mine` and `theirs` as shared runs and hunks, in order (line ends kept, so joining them
    gives each text back byte for byte)."""
    mine_lines, theirs_lines = mine.splitlines(keepends=True), theirs.splitlines(keepends=True)
    start = _common_prefix(mine_lines, theirs_lines)
    end = _common_suffix(mine_lines[start:], theirs_lines[start:])
    mine_region = mine_lines[start:len(mine_lines) - end]
    theirs_region = theirs_lines[start:len(theirs_lines) - end]
    found: list[Segment] = []

    def shared(lines: list[str]) -> None:
        if lines:
            found.append(Segment(tuple(lines), tuple(lines)))

    def hunk(mine_part: list[str], theirs_part: list[str], at: int) -> None:
        found.append(Segment(tuple(mine_part), tuple(theirs_part), sum(s.changed for s in found), at + 1))

    shared(mine_lines[:start])
    if max(len(mine_region), len(theirs_region)) > max_region_lines:
        hunk(mine_region, theirs_region, start)
    elif mine_region or theirs_region:
        matcher = difflib.SequenceMatcher(None, mine_region, theirs_region, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                shared(mine_region[i1:i2])
            else:
                hunk(mine_region[i1:i2], theirs_region[j1:j2], start + i1)
    shared(mine_lines[len(mine_lines) - end:] if end else [])
    return found


def hunk_count(parts: list[Segment]) -> int:
    return sum(part.changed for part in parts)


def merged(parts: list[Segment], choices: Mapping[int, str]) -> str:
    """The text the choices make: each hunk as chosen (yours when not chosen), shared runs as they are.
    A hunk's last line gets a line end when another line follows it, so `both` never glues two lines."""
    out: list[str] = []
    for part in parts:
        choice = choices.get(part.index, MINE) if part.changed else MINE
        lines = {MINE: list(part.mine), THEIRS: list(part.theirs), BOTH: [*part.mine, *part.theirs]}[choice]
        out.extend(lines)
    return "".join(line if line.endswith(("\n", "\r")) or i == len(out) - 1 else line + "\n"
                   for i, line in enumerate(out))


def shown(lines: tuple[str, ...]) -> str:
    """A hunk side as the screen shows it: its lines without their ends; an empty side says so."""
    return "".join(lines).rstrip("\n") if lines else ""
