"""The trash: deleting moves a note to `.trash/<UTC timestamp>/<its path>`; restoring moves it back.

Both moves are single renames that never replace an existing name (`rename_exclusive`), under
`folder_lock`; the app never deletes a note for good.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from core.journal import files
from core.journal import notes as notes_lib
from core.journal.storage import durable
from core.journal.storage.errors import StorageError, refuse_if_readonly, wrap_os_error
from core.journal.storage.locking import folder_lock
from core.journal.storage.paths import (
    TRASH_DIR,
    make_folders,
    parse_timestamp,
    rel,
    resolve_note_path,
    root,
    timestamp,
    unique_name,
)
from core.messages import N_, _

_MAX_NAME_TRIES = 1000


@dataclass(frozen=True)
class TrashEntry:
    """One deleted note in `.trash/<name>/<original_path>`."""

    name: str
    original_path: str
    deleted_at: dt.datetime
    title: str
    path: Path


def trash_note(notes_dir: Path, rel_path: str) -> Path:
    """Move a note to `.trash/<UTC timestamp>/<rel_path>` (its old place is in that path); return it."""
    refuse_if_readonly("deleting notes")
    root_dir = root(notes_dir)
    source = resolve_note_path(root_dir, rel_path)
    with folder_lock(root_dir):
        try:
            is_file = stat.S_ISREG(os.lstat(source).st_mode)
        except OSError:
            is_file = False
        if not is_file:
            raise StorageError(_("'{path}' is not in the notes folder any more, so there is nothing to delete.").format(
                path=rel_path))
        trash = root_dir / TRASH_DIR
        try:
            target = _move_exclusive(root_dir, source, lambda: _trash_place(root_dir, trash, source))
        except OSError as err:
            raise wrap_os_error(err, f"move {rel_path} to the trash",
                                N_("Could not move {path} to the trash: {reason}. Nothing was changed on disk."),
                                path=rel_path) from None
        durable.sync_after_change(source.parent, rel_path)
        durable.sync_after_change(target.parent, rel(root_dir, target))
        return target


def _trash_place(root_dir: Path, trash: Path, source: Path) -> Path:
    entry = unique_name(trash, timestamp()) if trash.is_dir() else timestamp()
    return trash / entry / rel(root_dir, source)


def _move_exclusive(root_dir: Path, source: Path, place: Callable[[], Path]) -> Path:
    """Rename `source` to `place()`, asking for a new place while the name is taken."""
    for _attempt in range(_MAX_NAME_TRIES):
        target = place()
        make_folders(root_dir, target.parent, rel(root_dir, target))
        try:
            durable.rename_exclusive(source, target)
        except FileExistsError:
            continue
        return target
    raise FileExistsError(f"no free name for {source.name}")


def _trash_entries(root_dir: Path) -> Iterator[tuple[str, Path, Path]]:
    """(entry name, entry folder, the note file in it) for every well-formed trash entry."""
    trash = root_dir / TRASH_DIR
    if not trash.is_dir() or not trash.resolve().is_relative_to(root_dir):
        return
    for entry in sorted(trash.iterdir()):
        if not entry.is_dir() or entry.is_symlink() or parse_timestamp(entry.name) is None:
            continue
        found = (Path(folder, name) for folder, _folders, names in files.walk(entry) for name in names
                 if name.endswith(".md"))
        notes = sorted(p for p in found if p.is_file() and not p.is_symlink())
        if notes:
            yield entry.name, entry, notes[0]


def list_trash(notes_dir: Path) -> list[TrashEntry]:
    """Deleted notes, most recently deleted first, with the title read from the file."""
    root_dir = Path(notes_dir).resolve()
    entries = []
    for name, folder, path in _trash_entries(root_dir):
        original = rel(folder, path)
        try:
            title = notes_lib.parse_note(files.read_regular(path, notes_lib.MAX_NOTE_BYTES), original).title
        except (notes_lib.NoteError, OSError):
            title = path.stem
        entries.append(TrashEntry(name, original, parse_timestamp(name), title, path))
    return sorted(entries, key=lambda e: e.name, reverse=True)


def restore_from_trash(notes_dir: Path, trash_name: str) -> Path:
    """Move a deleted note back to its old place (with `-2`, ... if that name was taken since)."""
    refuse_if_readonly("restoring notes")
    root_dir = root(notes_dir)
    with folder_lock(root_dir):
        found = next(((folder, path) for name, folder, path in _trash_entries(root_dir) if name == trash_name), None)
        if found is None:
            raise StorageError(_("There is no note '{name}' in the trash (already restored?).").format(name=trash_name))
        folder, source = found
        original = resolve_note_path(root_dir, rel(folder, source), existed=True)
        try:
            target = _move_exclusive(
                root_dir, source, lambda: original.parent / unique_name(original.parent, original.name)
            )
        except OSError as err:
            raise wrap_os_error(err, f"restore {source.name}",
                                N_("Could not restore {name}: {reason}. Nothing was changed on disk."),
                                name=source.name) from None
        durable.sync_after_change(target.parent, rel(root_dir, target))
        durable.sync_after_change(source.parent, rel(root_dir, source))
        _remove_empty_folders(source.parent, stop=folder.parent)
        return target


def _remove_empty_folders(start: Path, stop: Path) -> None:
    folder = start
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
