"""Fenced blocks that a note's body can carry for the app to act on (``lab``, ``series`` ...).

`split_blocks` cuts a body into markdown segments and the fenced blocks of the kinds asked for,
so a page can render the markdown as usual and hand each block to whatever draws it. Other
fences (code samples) stay inside the markdown segments untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENING = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")


@dataclass(frozen=True)
class Segment:
    """A piece of a note body: kind "markdown" or a block kind; `line` is 1-based in the body."""

    kind: str
    text: str
    line: int


def split_blocks(body: str, kinds: frozenset[str] | set[str]) -> list[Segment]:
    """Markdown segments and fenced blocks whose info string's first word is in `kinds`.

    An unclosed block of a wanted kind runs to the end of the body, like an unclosed code fence
    in markdown. Empty markdown segments are left out.
    """
    segments: list[Segment] = []
    lines = body.split("\n")
    markdown_start, index = 0, 0
    while index < len(lines):
        opening = _OPENING.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, info = opening.group("fence"), opening.group("info").split()
        closing = next((j for j in range(index + 1, len(lines))
                        if lines[j].strip().startswith(fence[0] * len(fence)) and not lines[j].strip(fence[0]).strip()),
                       len(lines))
        if info and info[0] in kinds:
            _add_markdown(segments, lines, markdown_start, index)
            segments.append(Segment(info[0], "\n".join(lines[index + 1:closing]), index + 1))
            markdown_start = closing + 1
        index = closing + 1
    _add_markdown(segments, lines, markdown_start, len(lines))
    return segments


def _add_markdown(segments: list[Segment], lines: list[str], start: int, stop: int) -> None:
    text = "\n".join(lines[start:stop])
    if text.strip():
        segments.append(Segment("markdown", text, start + 1))
