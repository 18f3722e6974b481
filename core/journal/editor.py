"""What the Write page's status line says, decided from facts the page knows (pure, no streamlit).

The status is honest: it says "Saved" only when the editor's fields equal the note on disk,
says when the unsaved text was last kept as a draft, and puts a conflict above everything
else. The browser adds the two states Python cannot see: "Unsaved changes" from the first
keystroke (before the text reaches the server) and "Saving…" while a save is on its way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SAVED, UNSAVED, NEW, CONFLICT = "saved", "unsaved", "new", "conflict"


@dataclass(frozen=True)
class Status:
    """`state` is one of SAVED, UNSAVED, NEW, CONFLICT; `label` is the text shown."""

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
) -> Status:
    """The status line for an editor.

    editing: a note on disk is open (False: the new entry). dirty: the fields differ from the
    saved note (or, for a new entry, from its template). saved_at: when the note file was last
    written; draft_at: when the unsaved text was last kept as a draft (None: not yet).
    """
    if conflict:
        return Status(CONFLICT, "Conflict: the note changed on disk. Choose below what to keep.")
    if dirty:
        kept = f" · draft kept at {clock(draft_at, now)}" if draft_at else ""
        return Status(UNSAVED, f"Unsaved changes{kept}")
    if editing:
        return Status(SAVED, f"Saved at {clock(saved_at, now)}" if saved_at else "Saved")
    return Status(NEW, "New entry · not saved yet")
