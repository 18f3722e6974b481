"""Templates for new journal entries, and the retrospective's carry-over of open Try items.

A template gives a new entry its type, a default title and a markdown skeleton with the
sections that kind of note usually has. The retrospective template also brings forward the
Try items of the previous retrospective that are not ticked yet (`- [ ] ...` or a plain
`- ...`; ticked `- [x] ...` items stay behind), as a checklist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from core.journal.notes import Note


@dataclass(frozen=True)
class Draft:
    """What the editor starts from: front matter fields and the markdown body."""

    template: str
    title: str
    type: str
    tags: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class Template:
    """One kind of entry: `make_body(day, previous_notes)` writes its skeleton."""

    key: str
    label: str
    type: str
    title: str
    tags: tuple[str, ...]
    make_body: Callable[[dt.date, tuple[Note, ...]], str]


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LABEL = re.compile(r"^\*\*([^*]+?)\*\*:?\s*$")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(?:\[([ xX])\]\s+)?(.*)$")


def _sections(*headings: str) -> str:
    return "\n\n".join(f"## {heading}\n\n- " for heading in headings)


def _til(day: dt.date, notes: tuple[Note, ...]) -> str:
    return _sections("What I learned", "How I would explain it", "Questions I still have", "Links")


def _lecture(day: dt.date, notes: tuple[Note, ...]) -> str:
    return _sections("Summary", "Key ideas", "Formulas", "Examples", "Questions to follow up")


def _assignment(day: dt.date, notes: tuple[Note, ...]) -> str:
    return _sections("The task", "My approach", "What I found", "Where I got stuck", "Tests and results")


def _peer_session(day: dt.date, notes: tuple[Note, ...]) -> str:
    return (
        "## Attendees\n\n- \n\n"
        "## Agenda\n\n1. \n\n"
        "## Discussion\n\n- \n\n"
        "## Decisions\n\n- \n\n"
        "## Action items\n\n- [ ] who: what, by when"
    )


def _masterclass(day: dt.date, notes: tuple[Note, ...]) -> str:
    return _sections("Speaker and topic", "Key messages", "Quotes worth keeping", "How I will apply it")


def _retrospective(day: dt.date, notes: tuple[Note, ...]) -> str:
    body = "## How the day went\n\n\n\n## Keep\n\n- \n\n## Problem\n\n- \n\n## Try\n\n"
    previous = previous_retrospective(notes, day)
    carried = open_try_items(previous.body) if previous else []
    if not carried:
        return body + "- [ ] "
    link = f"[[{previous.slug}|{previous.date.isoformat()}]]"
    return body + f"Carried over from {link}:\n\n" + "".join(f"- [ ] {item}\n" for item in carried)


TEMPLATES: tuple[Template, ...] = (
    Template("til", "Daily TIL", "til", "Today I learned", ("til",), _til),
    Template("lecture", "Lecture note", "lecture", "", (), _lecture),
    Template("assignment", "Assignment", "assignment", "", ("assignment",), _assignment),
    Template("peer-session", "Peer-session minutes", "peer-session", "Peer session", ("peer-session",), _peer_session),
    Template("retrospective", "Retrospective (Keep / Problem / Try)", "retrospective", "Daily retrospective",
             ("retrospective",), _retrospective),
    Template("masterclass", "Master-class notes", "masterclass", "", ("masterclass",), _masterclass),
)
BY_KEY = {template.key: template for template in TEMPLATES}


def new_entry(key: str, day: dt.date, notes: Iterable[Note] = ()) -> Draft:
    """A new entry from template `key` dated `day`; `notes` (the library) feeds the carry-over."""
    template = BY_KEY[key]
    body = template.make_body(day, tuple(notes))
    return Draft(template.key, template.title, template.type, template.tags, body.rstrip(" ") + "\n")


def previous_retrospective(notes: Iterable[Note], day: dt.date) -> Note | None:
    """The latest retrospective dated before `day` (yesterday's, or the last one before a break)."""
    earlier = [note for note in notes if note.type == "retrospective" and note.date is not None and note.date < day]
    return max(earlier, key=lambda note: (note.date, note.path), default=None)


def open_try_items(body: str) -> list[str]:
    """The not-yet-ticked list items under a 'Try' heading (or a '**Try**' label line).

    A Try section runs to the next heading of the same or a higher level (or the next bold
    label). Items can wrap over indented lines; `- [x]` items are done and left out.
    """
    items = [text for checkbox, text in _list_items(_try_section_lines(body)) if checkbox in (None, " ") and text]
    return list(dict.fromkeys(items))


def _try_section_lines(body: str) -> list[str | None]:
    """The lines inside Try sections; None where a heading or label ends the previous item."""
    lines: list[str | None] = []
    in_try, try_level = False, 0
    for line in body.split("\n"):
        heading, label = _HEADING.match(line), _BOLD_LABEL.match(line.strip())
        if heading is None and label is None:
            if in_try:
                lines.append(line)
            continue
        level = len(heading.group(1)) if heading else 7
        words = re.findall(r"\w+", (heading.group(2) if heading else label.group(1)).casefold())
        if words[:1] == ["try"]:
            in_try, try_level = True, level
        elif in_try and level <= try_level:
            in_try = False
        lines.append(None)
    return lines


def _list_items(lines: list[str | None]) -> Iterator[tuple[str | None, str]]:
    """(checkbox mark or None, item text with wrapped lines joined) for each list item."""
    checkbox, parts = None, None
    for line in lines:
        item = _ITEM.match(line) if line is not None else None
        if item:
            if parts is not None:
                yield checkbox, " ".join(parts).strip()
            checkbox, parts = item.group(2), [item.group(3).strip()]
        elif line is not None and parts is not None and (not line.strip() or line[:1].isspace()):
            parts.append(line.strip())
        elif parts is not None:
            yield checkbox, " ".join(parts).strip()
            parts = None
    if parts is not None:
        yield checkbox, " ".join(parts).strip()


def todays_entry(notes: Iterable[Note], day: dt.date) -> Note | None:
    """Today's TIL if one exists (the first by path, when there are several)."""
    todays = [note for note in notes if note.type == "til" and note.date == day]
    return min(todays, key=lambda note: note.path, default=None)
