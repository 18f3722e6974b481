"""The Dashboard's Today block as data: what is due for review, today's journal entry, the
streak and the last lab run (a pure view model; the page only draws it).

It joins three journal-side packages (the notes library, the review queue, experiment records),
which core keeps apart, so it lives in ui (where those packages meet) and imports no streamlit:
a pure function of its inputs, tested without a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from core.experiments import records
from core.journal import stats
from core.journal.notes import Note
from core.review.queue import Queue

TIL_TEMPLATE = "til"


@dataclass(frozen=True)
class DueNow:
    """The review queue's counts, as Anki's home screen shows them."""

    new: int = 0
    learning: int = 0
    review: int = 0
    notes: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review + self.notes


@dataclass(frozen=True)
class LastRun:
    """The last recorded lab run and the address parts that reopen its lab in that state."""

    slug: str
    title: str
    date: dt.date | None
    lab: str
    query: dict[str, str]


@dataclass(frozen=True)
class Today:
    """day: the local date. due: what the Review page shows now. entries: today's journal
    entries (lecture, assignment, peer session, master class, retrospective, TIL; never an
    experiment record). streak: consecutive days with a journal entry, ending today or, while
    today is still open, yesterday. last_run: the newest experiment record, if any."""

    day: dt.date
    due: DueNow
    entries: tuple[Note, ...]
    streak: int
    last_run: LastRun | None

    @property
    def written(self) -> bool:
        """Whether today already has a journal entry (the *Write today's TIL* prompt goes then)."""
        return bool(self.entries)

    @property
    def streak_at_risk(self) -> bool:
        """A streak that ends yesterday: today's entry keeps it going."""
        return self.streak > 0 and not self.written


def due_now(queue: Queue | None) -> DueNow:
    if queue is None:
        return DueNow()
    return DueNow(new=queue.new, learning=queue.learning, review=queue.review, notes=queue.notes)


def last_run(notes: Iterable[Note]) -> LastRun | None:
    record = records.latest_record(notes)
    if record is None:
        return None
    return LastRun(slug=record.slug, title=record.title, date=record.date, lab=record.lab,
                   query=records.reopen_query(record))


def today_view(notes: Iterable[Note], day: dt.date, queue: Queue | None = None) -> Today:
    """The Today block for `notes` on `day`, with `queue` the review queue built now (None: no cards)."""
    notes = list(notes)
    return Today(
        day=day,
        due=due_now(queue),
        entries=tuple(stats.journal_notes_of(notes, day)),
        streak=stats.current_streak(stats.journal_days(notes), day),
        last_run=last_run(notes),
    )
