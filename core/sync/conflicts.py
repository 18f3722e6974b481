"""Resolving a sync conflict: a note and the conflict copy that holds the other machine's text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.journal import files, storage
from core.journal.notes import MAX_NOTE_BYTES
from core.sync.repo import CONFLICT_MARK


@dataclass(frozen=True)
class ConflictPair:
    """`copy` (the other machine's text) beside `original` (the text kept here); `original_exists`
    is False when the note was since renamed or trashed."""

    copy: str
    original: str
    original_exists: bool


def pair(folder: Path, copy: str) -> ConflictPair:
    """The note a conflict copy belongs to: `x.conflict-1a2b3c4d.md` -> `x.md`."""
    pure = PurePosixPath(copy)
    stem = pure.stem.rsplit(CONFLICT_MARK, 1)[0]
    original = str(pure.with_name(f"{stem}{pure.suffix}"))
    return ConflictPair(copy, original, (Path(folder) / original).is_file())


def diff(folder: Path, conflict: ConflictPair) -> str:
    """A unified diff from the text kept here to the other machine's text (bytes that are not
    UTF-8 are shown replaced; a file that is not a regular file shows as empty)."""
    mine = _text(Path(folder) / conflict.original) if conflict.original_exists else ""
    theirs = _text(Path(folder) / conflict.copy)
    return storage.diff_text(mine, theirs, f"{conflict.original} (kept here)", f"{conflict.copy} (other machine)")


def keep_mine(folder: Path, conflict: ConflictPair) -> None:
    """Resolve by moving the other machine's copy to the trash (restorable)."""
    storage.trash_note(folder, conflict.copy)


def take_theirs(folder: Path, conflict: ConflictPair) -> None:
    """Resolve by putting the other machine's file, byte for byte, in place of the note (the
    replaced text goes to the note's history, as with every save), then trashing the copy."""
    data = files.read_regular(Path(folder) / conflict.copy, MAX_NOTE_BYTES)
    current = Path(folder) / conflict.original
    expected = storage.content_hash(files.read_regular(current, MAX_NOTE_BYTES)) if conflict.original_exists else None
    storage.replace_note_bytes(folder, conflict.original, data, expected_hash=expected)
    storage.trash_note(folder, conflict.copy)


def _text(path: Path) -> str:
    try:
        return files.read_regular(path, MAX_NOTE_BYTES).decode("utf-8", "replace")
    except (OSError, files.SpecialFileError):
        return ""
