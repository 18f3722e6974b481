"""What a write that did not happen raises, and the read-only switch every write asks first.

The messages are meant for the student: the pages show them as they are.
"""

from __future__ import annotations

import os
from typing import Callable

from core.messages import N_, _

READONLY_ENV = "STUDYLAB_READONLY"
READONLY_VALUES = frozenset({"1", "true", "yes", "on"})
# What a refused write says, one whole sentence per action (so each language can word it), by the
# English action callers name; an action not listed here is named inside the general sentence.
REFUSALS = {
    "saving notes": N_("Writing is turned off, so saving notes did not happen."),
    "replacing notes": N_("Writing is turned off, so replacing notes did not happen."),
    "restoring versions": N_("Writing is turned off, so restoring versions did not happen."),
    "deleting notes": N_("Writing is turned off, so deleting notes did not happen."),
    "restoring notes": N_("Writing is turned off, so restoring notes did not happen."),
    "importing notes": N_("Writing is turned off, so importing notes did not happen."),
    "writing": N_("Writing is turned off, so writing did not happen."),
    "writing a file": N_("Writing is turned off, so writing a file did not happen."),
    "creating a file": N_("Writing is turned off, so creating a file did not happen."),
    "renaming a file": N_("Writing is turned off, so renaming a file did not happen."),
    "appending to a file": N_("Writing is turned off, so appending to a file did not happen."),
    "creating the app's state folder": N_("Writing is turned off, so creating the app's state folder did not happen."),
    "turning the notes folder into a git repository":
        N_("Writing is turned off, so turning the notes folder into a git repository did not happen."),
    "committing": N_("Writing is turned off, so committing did not happen."),
    "saving the remote": N_("Writing is turned off, so saving the remote did not happen."),
    "changing the auto-commit setting":
        N_("Writing is turned off, so changing the auto-commit setting did not happen."),
    "adding a classmate's journal": N_("Writing is turned off, so adding a classmate's journal did not happen."),
    "removing a classmate's journal": N_("Writing is turned off, so removing a classmate's journal did not happen."),
    "pulling a classmate's journal": N_("Writing is turned off, so pulling a classmate's journal did not happen."),
    "pulling the group's journals": N_("Writing is turned off, so pulling the group's journals did not happen."),
}

WriteGuard = Callable[[], "str | None"]
_write_guards: list[WriteGuard] = []


class StorageError(Exception):
    """A write (or read for writing) that did not happen; the message is meant for the student."""


class ReadOnlyError(StorageError):
    """Writing is turned off (STUDYLAB_READONLY, or a write guard such as the app's visitor rule)."""


class UnsafePathError(StorageError):
    """A name or path that would place or read a file outside the notes folder."""


class InvalidNoteError(StorageError):
    """Text that would not load as a note (the loader's reason and line)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class ConflictError(StorageError):
    """The note changed on disk since the editor loaded it (or while it was being saved).

    `disk_text` is what is on disk now (None when the note was deleted or moved to the trash),
    `disk_hash` its content hash: saving again with `expected_hash=disk_hash` overwrites knowingly.
    """

    def __init__(self, message: str, rel_path: str, disk_text: str | None, disk_hash: str | None):
        super().__init__(message)
        self.rel_path = rel_path
        self.disk_text = disk_text
        self.disk_hash = disk_hash


class NotDurableError(StorageError):
    """The new bytes are in place, but the disk reported an error while making the change permanent
    (the fsync of the folder): the write may not survive a crash or a power cut."""


class LockTimeoutError(StorageError):
    """Another writer held the notes folder's lock for longer than the wait allows."""


def is_readonly() -> bool:
    """True when STUDYLAB_READONLY is 1, true, yes or on (any case): nothing may change on disk."""
    return os.environ.get(READONLY_ENV, "").strip().lower() in READONLY_VALUES


def add_write_guard(guard: WriteGuard) -> None:
    """Ask `guard()` before every write from now on: a message refuses the write with ReadOnlyError,
    None lets it through. The app registers one that keeps visitors from other machines read-only
    (see access.py); adding the same function again changes nothing."""
    if guard not in _write_guards:
        _write_guards.append(guard)


def remove_write_guard(guard: WriteGuard) -> None:
    """Stop asking `guard` (no error if it was never added)."""
    if guard in _write_guards:
        _write_guards.remove(guard)


def write_refusal() -> str | None:
    """Why writing is refused right now (STUDYLAB_READONLY or a guard's message), or None."""
    if is_readonly():
        return _("This journal is read-only (STUDYLAB_READONLY is set). "
                 "Restart the app without STUDYLAB_READONLY to write.")
    for guard in tuple(_write_guards):
        reason = guard()
        if reason:
            return reason
    return None


def refuse_if_readonly(action: str) -> None:
    """Raise ReadOnlyError naming `action` ('saving notes', ...) when writing is refused."""
    reason = write_refusal()
    if reason:
        sentence = REFUSALS.get(action)
        refused = (_(sentence) if sentence
                   else _("Writing is turned off, so {action} did not happen.").format(action=action))
        raise ReadOnlyError(f"{refused} {reason}")


def wrap_os_error(err: OSError, action: str, message: str | None = None, **fields: object) -> StorageError:
    """An OSError from before anything changed, as a StorageError saying nothing changed: `message`
    (a catalogue sentence with `{reason}` and `fields`) when given, else one naming `action`."""
    reason = err.strerror or str(err)
    if message is not None:
        return StorageError(_(message).format(reason=reason, **fields))
    return StorageError(
        _("Could not {action}: {reason}. Nothing was changed on disk.").format(action=action, reason=reason))
