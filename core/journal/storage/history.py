"""Earlier versions of notes: `.history/<note path without .md>/<UTC timestamp>.md`.

Every save keeps the version it replaces here (see `saving`), as a hard link to the very file
that was displaced where the file system has hard links, else as a copy. Nothing here is ever
deleted by the app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from core.journal import files
from core.journal.storage import durable
from core.journal.storage.errors import StorageError
from core.journal.storage.paths import (
    HISTORY_DIR,
    make_folders,
    parse_timestamp,
    split_rel_path,
    timestamp,
    unique_name,
)
from core.messages import _

MAX_VERSION_BYTES = 16_000_000


@dataclass(frozen=True)
class Version:
    """One earlier version of a note in `.history/`; `name` is its file name there."""

    name: str
    saved_at: dt.datetime
    size: int
    path: Path


@dataclass(frozen=True)
class Kept:
    """A version given a name in `.history/`: `linked` when it is the very file (a hard link),
    False when it is a copy of its bytes."""

    path: Path
    linked: bool


def history_folder(notes_dir: Path, rel_path: str) -> Path:
    """`.history/<note path without .md>/` for a note (not created here)."""
    parts = split_rel_path(rel_path)
    parts[-1] = parts[-1][:-3]
    return Path(notes_dir).resolve().joinpath(HISTORY_DIR, *parts)


def keep(root: Path, rel_path: str, source: Path) -> Kept:
    """Give the file at `source` a new name in the history of `rel_path` and fsync it there.

    A hard link where possible: the kept version is the file itself, so even a write that lands
    in it later (an editor that had it open) stays in the history. Else a copy of its bytes.
    """
    folder = history_folder(root, rel_path)
    make_folders(root, folder, f"{HISTORY_DIR}/{rel_path}")
    while True:
        target = folder / unique_name(folder, f"{timestamp()}.md")
        try:
            if durable.hard_link(source, target):
                durable.fsync_directory(folder)
                return Kept(target, True)
            durable.create_exclusive(target, files.read_regular(source, MAX_VERSION_BYTES))
            return Kept(target, False)
        except FileExistsError:
            continue


def list_history(notes_dir: Path, rel_path: str) -> list[Version]:
    """Earlier versions of a note, newest first (empty when it was never overwritten)."""
    folder = history_folder(notes_dir, rel_path)
    root = Path(notes_dir).resolve()
    if not folder.is_dir() or not folder.resolve().is_relative_to(root):
        return []
    versions = []
    for path in folder.iterdir():
        saved_at = parse_timestamp(path.name[:-3]) if path.name.endswith(".md") else None
        if saved_at is None or not path.is_file() or path.is_symlink():
            continue
        versions.append(Version(path.name, saved_at, path.stat().st_size, path))
    return sorted(versions, key=lambda v: (v.saved_at, v.name), reverse=True)


def history_counts(notes_dir: Path) -> dict[str, int]:
    """{note path: number of kept versions} for every note with a history (one walk of .history/)."""
    history = Path(notes_dir).resolve() / HISTORY_DIR
    if not history.is_dir() or history.is_symlink():
        return {}
    counts = {}
    for folder, _folders, names in files.walk(history):
        versions = sum(1 for name in names if name.endswith(".md") and parse_timestamp(name[:-3]))
        if versions:
            counts[f"{Path(folder).relative_to(history).as_posix()}.md"] = versions
    return counts


def read_version(notes_dir: Path, rel_path: str, version_name: str) -> bytes:
    """The bytes of one listed version; only names `list_history` returns are accepted."""
    for version in list_history(notes_dir, rel_path):
        if version.name == version_name:
            try:
                return files.read_regular(version.path, MAX_VERSION_BYTES)
            except OSError as err:
                raise StorageError(
                    _("Could not read the saved version '{name}': {reason}.").format(
                        name=version_name, reason=err.strerror or err)
                ) from None
    raise StorageError(_("There is no saved version '{name}' of '{path}'.").format(name=version_name, path=rel_path))
