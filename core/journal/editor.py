"""The Write page's logic that needs no streamlit: the editor's fields for a note or a template,
and what the status line says, decided from facts the page knows.

The status is honest: it says "Saved" only when the editor's fields equal the note on disk,
says when the unsaved text was last kept as a draft, says "Not saved" right after a refused
save, and puts a conflict above everything else. The browser adds the two states Python cannot
see: "Unsaved changes" from the first keystroke (before the text reaches the server) and
"Saving…" while a save is on its way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

from core import messages
from core.journal import templates
from core.journal.notes import Note
from core.messages import _

SAVED, UNSAVED, NEW, CONFLICT, REFUSED = "saved", "unsaved", "new", "conflict", "refused"


@dataclass(frozen=True)
class Status:
    """`state` is one of SAVED, UNSAVED, NEW, CONFLICT, REFUSED; `label` is the text shown."""

    state: str
    label: str


def clock(moment: dt.datetime, now: dt.datetime) -> str:
    """`14:02` for a moment today, `2021-08-05 14:02` otherwise (both in `now`'s time zone)."""
    local = moment.astimezone(now.tzinfo) if moment.tzinfo and now.tzinfo else moment
    return local.strftime("%H:%M") if local.date() == now.date() else local.strftime("%Y-%m-%d %H:%M")


def status(
    *,
    editing: bool,
    dirty: bool,
    conflict: bool,
    saved_at: dt.datetime | None,
    draft_at: dt.datetime | None,
    now: dt.datetime,
    refused: bool = False,
) -> Status:
    """The status line for an editor.

    editing: a note on disk is open (False: the new entry). dirty: the fields differ from the
    saved note (or, for a new entry, from its template). saved_at: when the note file was last
    written; draft_at: when the unsaved text was last kept as a draft (None: not yet). refused:
    the save just asked for was refused (its reason is shown below the line).
    """
    if conflict:
        return Status(CONFLICT, _("Conflict: the note changed on disk. Choose below what to keep."))
    if refused:
        return Status(REFUSED, _("Not saved: see why below"))
    if dirty:
        if draft_at:
            return Status(UNSAVED, _("Unsaved changes · draft kept at {time}").format(time=clock(draft_at, now)))
        return Status(UNSAVED, _("Unsaved changes"))
    if editing:
        return Status(SAVED, _("Saved at {time}").format(time=clock(saved_at, now)) if saved_at else _("Saved"))
    return Status(NEW, _("New entry · not saved yet"))


def note_fields(note: Note, today: dt.date) -> dict[str, Any]:
    """The editor's fields for a note (an undated note gets today's date)."""
    return {
        "title": note.title, "date": note.date or today, "type": note.type, "tags": list(note.tags),
        "course": note.course or "", "week": note.week, "day": note.day, "body": note.body,
    }


def template_fields(key: str, today: dt.date, notes: Sequence[Note], lang: str | None = None) -> dict[str, Any]:
    """The editor's fields for a new entry from template `key`, dated `today`, in the course of
    the newest note that names one (`notes` newest first, they also feed the template); the
    template is the one of `lang` (default: the interface language, core.messages)."""
    entry = templates.new_entry(key, today, notes, lang=lang or messages.language())
    return {
        "title": entry.title, "date": today, "type": entry.type, "tags": list(entry.tags),
        "course": latest_course(notes), "week": None, "day": None, "body": entry.body,
    }


def latest_course(notes: Sequence[Note]) -> str:
    """The course of the newest note that names one ('' when none does)."""
    return next((note.course for note in notes if note.course), "")
