"""The order of the notes of one day, and the journal's order (newest day first).

A study day runs lecture → assignment → peer session → master class → retrospective, then
anything else (TILs, experiments). A note can say where it belongs with front matter:

- ``order: 2``: its place in the day (any number; smaller first);
- ``time: "14:30"``: when it happened (``14:30`` unquoted also works: YAML reads it as the
  sexagesimal number 870, which is exactly the minutes since midnight).

Within a day the sort key is (order, time, kind of note, path): notes that name an order come
first in that order, then notes with a time by time, then the rest by the kind of note. No
streamlit, no imports from the rest of the journal (the loader imports this module).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Iterable, Mapping, Protocol, TypeVar


class Note(Protocol):
    """What the day's order reads of a note (core.journal.notes.Note has it; this module does
    not import the loader, which imports this module)."""

    meta: Mapping[str, Any]
    type: str
    path: str
    date: dt.date | None


N = TypeVar("N", bound=Note)

DAY_SEQUENCE = ("lecture", "assignment", "peer-session", "masterclass", "retrospective")
_LATER = math.inf
_CLOCK = re.compile(r"^\s*(\d{1,2})[:h.](\d{2})(?::\d{2})?\s*$")


def type_rank(note_type: str) -> int:
    """Position of a kind of note in the day (0 = lecture); every other type after the five."""
    return DAY_SEQUENCE.index(note_type) if note_type in DAY_SEQUENCE else len(DAY_SEQUENCE)


def minutes_of_day(value: Any) -> float | None:
    """Minutes since midnight from a front-matter `time`: "14:30", "9:05", "14h30", YAML's 870
    for an unquoted 14:30, or a datetime/time; None for anything that is not a clock time."""
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.hour * 60 + value.minute
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    if isinstance(value, int):
        return float(value) if 0 <= value < 24 * 60 else None
    if isinstance(value, str):
        match = _CLOCK.match(value)
        if match:
            hours, minutes = int(match.group(1)), int(match.group(2))
            if hours < 24 and minutes < 60:
                return float(hours * 60 + minutes)
    return None


def explicit_order(value: Any) -> float | None:
    """A front-matter `order` as a finite number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def within_day_key(note: Note) -> tuple[float, float, int, str]:
    """Sort key of a note among the notes of its day (ascending = the day's order)."""
    order = explicit_order(note.meta.get("order"))
    minutes = minutes_of_day(note.meta.get("time"))
    return (
        _LATER if order is None else order,
        _LATER if minutes is None else minutes,
        type_rank(note.type),
        note.path,
    )


def journal_key(note: Note) -> tuple:
    """Sort key of the whole journal: newest day first, undated notes last, each day in its order."""
    day = -note.date.toordinal() if note.date else math.inf
    return (day, within_day_key(note))


def in_journal_order(notes: Iterable[N]) -> list[N]:
    """Notes newest day first, the notes of each day in the day's order (lists, the dashboard)."""
    return sorted(notes, key=journal_key)


def in_reading_order(notes: Iterable[N]) -> list[N]:
    """Notes oldest day first, each day in its order, undated notes first (previous / next)."""
    return sorted(notes, key=lambda note: (note.date.toordinal() if note.date else -math.inf, within_day_key(note)))
