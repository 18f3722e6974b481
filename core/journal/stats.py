"""Study statistics for the dashboard: entries per day, streaks, counts by type, the labs' last use."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Iterable

from core.journal.dayorder import within_day_key
from core.journal.notes import NOTE_TYPES, Note

RECORD_TYPE = "experiment"
JOURNAL_TYPES = tuple(note_type for note_type in NOTE_TYPES if note_type != RECORD_TYPE)


def entries(notes: Iterable[Note]) -> list[Note]:
    """The journal's entries: every note but sync conflict copies (another machine's text of a
    note, waiting on the Sync page), which no statistic counts. Order kept."""
    return [note for note in notes if note.conflict_of is None]


def recent_entries(notes: Iterable[Note], count: int) -> list[Note]:
    """The `count` newest entries (`notes` in journal order), conflict copies left out."""
    return entries(notes)[:count]


def entries_per_day(notes: Iterable[Note]) -> dict[dt.date, int]:
    """Number of dated entries on each day that has at least one."""
    return dict(Counter(note.date for note in entries(notes) if note.date is not None))


def journal_days(notes: Iterable[Note]) -> dict[dt.date, int]:
    """Number of dated journal entries (lecture, assignment, peer session, master class,
    retrospective, TIL) on each day: what the streaks count. A recorded lab run (an experiment
    record) is not a journal entry: recording one today keeps no streak alive."""
    return entries_per_day(note for note in notes if note.type in JOURNAL_TYPES)


def journal_notes_of(notes: Iterable[Note], day: dt.date) -> list[Note]:
    """The journal entries (not experiment records, not conflict copies) dated `day`, order kept."""
    return [note for note in entries(notes) if note.date == day and note.type in JOURNAL_TYPES]


def notes_of(notes: Iterable[Note], day: dt.date) -> list[Note]:
    """Every entry dated `day` (records included, conflict copies not), order kept."""
    return [note for note in entries(notes) if note.date == day]


def longest_streak(days: Iterable[dt.date]) -> int:
    """Length in days of the longest run of consecutive days in `days`."""
    ordered = sorted(set(days))
    best = run = 0
    previous = None
    for day in ordered:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        best = max(best, run)
        previous = day
    return best


def current_streak(days: Iterable[dt.date], today: dt.date) -> int:
    """Consecutive days with an entry ending today, or ending yesterday while today is still open."""
    present = set(days)
    day = today if today in present else today - dt.timedelta(days=1)
    streak = 0
    while day in present:
        streak += 1
        day -= dt.timedelta(days=1)
    return streak


def counts_by_type(notes: Iterable[Note]) -> dict[str, int]:
    """Number of notes of each type, every known type present (zero when unused)."""
    counts = Counter(note.type for note in entries(notes))
    return {note_type: counts.get(note_type, 0) for note_type in NOTE_TYPES}


def calendar_years(days: Iterable[dt.date], today: dt.date) -> list[int]:
    """Years the calendar can show, newest first: every year with an entry, and this year."""
    return sorted({day.year for day in days} | {today.year}, reverse=True)


def last_use(notes: Iterable[Note], lab: str) -> Note | None:
    """The latest dated note that pairs with `lab` (`labs: [<lab>]` in its front matter): the
    lab's last recorded use. The day's order (dayorder) breaks ties within a day."""
    paired = [note for note in entries(notes) if lab in note.labs and note.date is not None]
    return max(paired, key=lambda note: (note.date, within_day_key(note)), default=None)


def recent_of_type(notes: Iterable[Note], note_type: str, count: int) -> list[Note]:
    """The `count` newest notes of `note_type`, newest first (`notes` in journal order)."""
    return [note for note in entries(notes) if note.type == note_type][:count]
