"""The Dashboard's Today block as data (ui/today.py): journal entries only, records apart."""

from __future__ import annotations

import datetime as dt

from core.journal.notes import Note
from core.review.queue import Queue
from ui import today as today_model

DAY = dt.date(2026, 12, 7)


def note(slug: str, day: dt.date, note_type: str = "til", **meta) -> Note:
    return Note(slug=slug, path=f"{slug}.md", title=slug.title(), date=day, type=note_type, tags=(), body="",
                meta={"type": note_type, **meta})


def record(slug: str, day: dt.date, **meta) -> Note:
    return note(slug, day, "experiment", lab="conv", tab="2d", params={"stride": 2, "pad": True}, **meta)


def test_todays_lab_run_neither_counts_as_the_entry_nor_keeps_the_streak():
    notes = [record("run-today", DAY), note("til-yesterday", DAY - dt.timedelta(days=1)),
             note("lecture-before", DAY - dt.timedelta(days=2), "lecture")]
    view = today_model.today_view(notes, DAY)
    assert not view.written, "an experiment record is not today's entry"
    assert view.streak == 2 and view.streak_at_risk
    assert view.last_run.slug == "run-today"
    assert view.last_run.query == {"tab": "2d", "stride": "2", "pad": "true"}


def test_a_journal_note_of_any_journal_type_dated_today_is_the_entry():
    for note_type in ("lecture", "assignment", "peer-session", "masterclass", "retrospective", "til"):
        view = today_model.today_view([note("x", DAY, note_type)], DAY)
        assert view.written and view.streak == 1 and not view.streak_at_risk, note_type


def test_a_conflict_copy_is_not_the_entry():
    copy = Note(slug="x.conflict-1a2b3c4d", path="x.conflict-1a2b3c4d.md", title="x", date=DAY, type="til", tags=(),
                body="")
    assert not today_model.today_view([copy], DAY).written


def test_last_run_is_the_newest_record_and_due_counts_come_from_the_queue():
    notes = [record("older", DAY - dt.timedelta(days=3)), record("newer", DAY - dt.timedelta(days=1))]
    queue = Queue(items=(), learning=2, review=3, new=1, notes=0, new_waiting=0, ahead=False, next_due=None)
    view = today_model.today_view(notes, DAY, queue)
    assert view.last_run.title == "Newer"
    assert (view.due.new, view.due.learning, view.due.review, view.due.total) == (1, 2, 3, 6)
    assert today_model.today_view([], DAY).last_run is None
