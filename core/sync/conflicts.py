"""Resolving a sync conflict: a note and the conflict copy beside it.

Usually the copy holds the other machine's text. Not always: when the other machine merged first
and this one then receives that merge, the copy holds the text typed HERE and the note holds the
other machine's. The merge records each copy's origin (machine and commit) in the synced conflict
log (repo.CONFLICT_LOG), so *Keep mine* always keeps the text typed on this machine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.journal import files, storage
from core.journal.notes import MAX_NOTE_BYTES
from core.messages import N_, _
from core.sync import repo
from core.sync.repo import CONFLICT_MARK

MAX_LOG_BYTES = 5_000_000
THIS_MACHINE = N_("this machine")
OTHER_MACHINE = N_("the other machine")
"""English: a pair made by `pair` holds them in the interface language (it is made per run, never stored)."""


@dataclass(frozen=True)
class ConflictPair:
    """`copy` (the other machine's text) beside `original` (the text kept here); `original_exists`
    is False when the note was since renamed or trashed."""

    copy: str
    original: str
    original_exists: bool
    copy_is_mine: bool = False
    copy_from: str = OTHER_MACHINE
    original_from: str = THIS_MACHINE
    copy_commit: str | None = None

    @property
    def mine(self) -> str:
        """The file holding the text typed on this machine."""
        return self.copy if self.copy_is_mine else self.original

    @property
    def theirs(self) -> str:
        """The file holding the other machine's text."""
        return self.original if self.copy_is_mine else self.copy


def pair(folder: Path, copy: str) -> ConflictPair:
    """The note a conflict copy belongs to (`x.conflict-1a2b3c4d.md` -> `x.md`) and where each
    text was typed, from the conflict log (a copy without a record holds the other machine's)."""
    pure = PurePosixPath(copy)
    stem = pure.stem.rsplit(CONFLICT_MARK, 1)[0]
    original = str(pure.with_name(f"{stem}{pure.suffix}"))
    exists = (Path(folder) / original).is_file()
    record = origins(folder).get(copy)
    if record is None:
        return ConflictPair(copy, original, exists, copy_from=_(OTHER_MACHINE), original_from=_(THIS_MACHINE))
    here = _machine(folder)
    copy_from, kept_from = record.get("copy_from"), record.get("kept_from")
    mine = here is not None and copy_from == here and kept_from != here

    def label(machine: object) -> str:
        if not isinstance(machine, str) or not machine:
            return _(OTHER_MACHINE)
        return _("{machine}, this machine").format(machine=machine) if machine == here else machine

    return ConflictPair(copy, original, exists, copy_is_mine=mine, copy_from=label(copy_from),
                        original_from=label(kept_from), copy_commit=record.get("copy_commit"))


def origins(folder: Path) -> dict[str, dict]:
    """Conflict copy path -> its latest record in the synced conflict log (unreadable lines and
    an unreadable log count as none)."""
    try:
        raw = files.read_regular(Path(folder) / repo.CONFLICT_LOG, MAX_LOG_BYTES)
    except (OSError, ValueError):
        return {}
    found: dict[str, dict] = {}
    for line in raw.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("copy"), str):
            found[record["copy"]] = record
    return found


def _machine(folder: Path) -> str | None:
    try:
        return repo.machine_name(folder, create=False)
    except Exception:  # not a repository, no git: no machine name, so no copy counts as mine
        return None


YOURS, THEIRS = N_("yours"), N_("the other machine's")


def diff(folder: Path, conflict: ConflictPair) -> str:
    """A unified diff in the app's one convention (core.journal.diff): `-` lines are only in the
    other machine's text, `+` lines only in yours (the text typed on this machine); each side is
    labelled by name and file (bytes that are not UTF-8 are shown replaced; a file that is not a
    regular file shows as empty)."""
    def read(path: str) -> str:
        return "" if path == conflict.original and not conflict.original_exists else _text(Path(folder) / path)
    mine_from = conflict.copy_from if conflict.copy_is_mine else conflict.original_from
    theirs_from = conflict.original_from if conflict.copy_is_mine else conflict.copy_from
    return storage.diff_text(read(conflict.theirs), read(conflict.mine),
                             _("the other machine's: {file} (typed on {machine})").format(
                                 file=conflict.theirs, machine=theirs_from),
                             _("yours: {file} (typed on {machine})").format(file=conflict.mine, machine=mine_from))


def keep_mine(folder: Path, conflict: ConflictPair) -> None:
    """Resolve keeping the text typed on this machine: trash the other machine's copy, or, when
    the copy is the one typed here, put it in place of the note (the other text goes to the
    note's history) and trash the copy. Both ways are restorable."""
    if conflict.copy_is_mine:
        _copy_into_note(folder, conflict)
    else:
        storage.trash_note(folder, conflict.copy)


def take_theirs(folder: Path, conflict: ConflictPair) -> None:
    """Resolve keeping the other machine's text: put its file, byte for byte, in place of the
    note (the replaced text goes to the note's history, as with every save) and trash the copy;
    or, when the note already holds their text, trash the copy (this machine's) only."""
    if conflict.copy_is_mine:
        storage.trash_note(folder, conflict.copy)
    else:
        _copy_into_note(folder, conflict)


def texts(folder: Path, conflict: ConflictPair) -> tuple[str, str]:
    """(yours, the other machine's) texts of a conflict, for merging them by hand."""
    def read(path: str) -> str:
        return "" if path == conflict.original and not conflict.original_exists else _text(Path(folder) / path)
    return read(conflict.mine), read(conflict.theirs)


def resolve_with_text(folder: Path, conflict: ConflictPair, text: str,
                      merged_from: tuple[str, str] | None = None) -> None:
    """Resolve with a text merged by hand: it replaces the note (checked as a save is: it must
    load as a note; the replaced text goes to the note's history) and the copy goes to the trash.
    With `merged_from` (the two texts the merge started from), refuses when either changed since."""
    if merged_from is not None and texts(folder, conflict) != merged_from:
        raise ValueError(_("{note} or its conflict copy changed since you started this merge; nothing was saved. "
                           "Reload the merge to start from the texts on disk now").format(note=conflict.original))
    current = Path(folder) / conflict.original
    expected = storage.content_hash(files.read_regular(current, MAX_NOTE_BYTES)) if conflict.original_exists else None
    storage.replace_note_bytes(folder, conflict.original, text.encode("utf-8"), expected_hash=expected)
    storage.trash_note(folder, conflict.copy)


def _copy_into_note(folder: Path, conflict: ConflictPair) -> None:
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
