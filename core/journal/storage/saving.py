"""Saving notes: a compare-and-swap that never erases a version it did not expect.

An edit names the `content_hash` of the text it started from. `save_note` and `restore_version`
replace the note only if it still has those bytes, and check again after the replace, so that a
program that does not take our lock (an editor, a sync client) is caught too:

1. under `folder_lock`, read the note and compare its hash with the expected one;
2. hard-link that very file into `.history/` and check the link holds the expected bytes (the
   version being replaced is kept before anything changes);
3. write the new bytes to a fsynced temp file and swap it in (`durable.swap_in`: one
   renameat2(RENAME_EXCHANGE) on Linux), which hands back the displaced file;
4. the displaced file must be the one linked in step 2, still with the expected bytes. If it is
   not, another program wrote in between: its version gets a history name (so no crash can lose
   it), is swapped back into place, our temp file is dropped, and the save raises ConflictError
   with that version, so the editor keeps the text and offers the usual choices.

New notes are created with O_EXCL semantics (`create_new`): two processes creating the same
title get `x.md` and `x-2.md`, never one file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.journal import files
from core.journal.storage import durable, history
from core.journal.storage.durable import content_hash
from core.journal.storage.errors import ConflictError, StorageError, refuse_if_readonly, wrap_os_error
from core.journal.storage.frontmatter import check_loads, clean_meta, encode_checked
from core.journal.storage.locking import folder_lock
from core.journal.storage.paths import make_folders, note_file_name, rel, resolve_note_path, root, unique_name
from core.messages import N_, _

MAX_READ_BYTES = 16_000_000
_MAX_NAME_TRIES = 1000
_SAVE_FAILED = N_("Could not save {name}: {reason}. Nothing was changed on disk.")


@dataclass(frozen=True)
class SaveResult:
    """A note written to disk. `rel_path` is posix, relative to the notes folder."""

    rel_path: str
    path: Path
    content_hash: str
    created: bool
    history_path: Path | None


def read_current(path: Path, rel_path: str) -> bytes | None:
    """The bytes of the note file at `path`, None when there is none. Never opens a pipe or a
    device (StorageError says what it is instead); StorageError when it cannot be read."""
    try:
        data = files.read_regular(path, MAX_READ_BYTES)
    except FileNotFoundError:
        return None
    except files.SpecialFileError as err:
        raise StorageError(_("'{path}' is {kind}, not a note file, so it is never opened.").format(
            path=rel_path, kind=err.kind)) from None
    except OSError as err:
        raise StorageError(
            _("Could not read '{path}': {reason}.").format(path=rel_path, reason=err.strerror or err)) from None
    if len(data) > MAX_READ_BYTES:
        raise StorageError(_("'{path}' is over {size} MB, far too large for a note.").format(
            path=rel_path, size=MAX_READ_BYTES // 1_000_000))
    return data


def read_note(notes_dir: Path, rel_path: str) -> tuple[bytes, str]:
    """(bytes on disk, their content_hash) of a note, for the editor to start from."""
    data = read_current(resolve_note_path(notes_dir, rel_path), rel_path)
    if data is None:
        raise StorageError(_("'{path}' is not in the notes folder any more (moved, renamed or deleted).").format(
            path=rel_path))
    return data, content_hash(data)


def save_note(
    notes_dir: Path,
    rel_path: str | None,
    meta: dict[str, Any],
    body: str,
    *,
    expected_hash: str | None,
) -> SaveResult:
    """Save a note; the one way the editor writes.

    rel_path None: a new note named `YYYY-MM-DD-slug.md` from meta's date and title (with
    `-2`, `-3`, ... when taken, also by another process at the same moment). Otherwise the note
    at rel_path is replaced, but only if its bytes on disk still hash to `expected_hash` (the
    version the editor loaded; None means "I expect no file there"), else ConflictError with
    the disk text. The replaced version is kept in `.history/`. Raises ReadOnlyError,
    UnsafePathError, InvalidNoteError (would not load), ConflictError, NotDurableError (written,
    but the disk reported an fsync error) or StorageError; nothing is half-written in any case.
    """
    refuse_if_readonly("saving notes")
    root_dir = root(notes_dir)
    if rel_path is None:
        cleaned = clean_meta(meta)
        name = note_file_name(cleaned["date"], cleaned["title"])
        return create_new(root_dir, root_dir, name, encode_checked(cleaned, body, name))
    target = resolve_note_path(root_dir, rel_path)
    return replace_checked(root_dir, target, rel_path, encode_checked(meta, body, rel_path), expected_hash)


def create_new(root_dir: Path, folder: Path, name: str, data: bytes) -> SaveResult:
    """A new note `data` in `folder`, named `name` or the first free `stem-N.md`, created
    exclusively (a name another process takes at the same moment is skipped, never overwritten)."""
    with folder_lock(root_dir):
        try:
            make_folders(root_dir, folder, rel(root_dir, folder / name))
            for _attempt in range(_MAX_NAME_TRIES):
                target = folder / unique_name(folder, name)
                try:
                    durable.create_exclusive(target, data)
                except FileExistsError:
                    continue
                return SaveResult(rel(root_dir, target), target, content_hash(data), True, None)
        except OSError as err:
            raise wrap_os_error(err, f"save {name}", _SAVE_FAILED, name=name) from None
    raise StorageError(_("Could not find a free name for {name} in {tries} tries. Nothing was saved.").format(
        name=name, tries=_MAX_NAME_TRIES))


def replace_checked(root_dir: Path, target: Path, rel_path: str, data: bytes, expected_hash: str | None) -> SaveResult:
    """Write `data` over `target` if its bytes still hash to `expected_hash` (None: no file expected),
    keeping the replaced version in history; ConflictError otherwise, also when another program
    writes between the check and the replace."""
    with folder_lock(root_dir):
        current = read_current(target, rel_path)
        if (content_hash(current) if current is not None else None) != expected_hash:
            raise conflict(rel_path, current)
        if current is None:
            return _create_expected_missing(root_dir, target, rel_path, data)
        if current == data:
            return SaveResult(rel(root_dir, target), target, expected_hash, False, None)
        kept = None
        try:
            kept = history.keep(root_dir, rel_path, target)
            if _read_or_none(kept.path) != current:  # replaced between our read and the link
                os.unlink(kept.path)
                raise conflict(rel_path, read_current(target, rel_path))
            temp = durable.write_temp(target.parent, data, stat.S_IMODE(os.stat(target).st_mode))
        except FileNotFoundError:  # moved away or deleted just now: what was kept is its last version
            raise conflict(rel_path, None) from None
        except OSError as err:
            if kept is not None:  # the note stays as it was, so its history gains nothing either
                durable.unlink_quietly(kept.path)
            raise wrap_os_error(err, f"save {target.name}", _SAVE_FAILED, name=target.name) from None
        return _swap_verified(root_dir, target, rel_path, temp, current, kept, data)


def _create_expected_missing(root_dir: Path, target: Path, rel_path: str, data: bytes) -> SaveResult:
    try:
        make_folders(root_dir, target.parent, rel_path)
        durable.create_exclusive(target, data)
    except FileExistsError:
        raise conflict(rel_path, read_current(target, rel_path)) from None
    except OSError as err:
        raise wrap_os_error(err, f"save {target.name}", _SAVE_FAILED, name=target.name) from None
    return SaveResult(rel(root_dir, target), target, content_hash(data), True, None)


def _swap_verified(root_dir: Path, target: Path, rel_path: str, temp: Path, expected: bytes,
                   kept: history.Kept, data: bytes) -> SaveResult:
    """Steps 3 and 4: swap `temp` (holding `data`) in, check the displaced file is the kept
    expected version."""
    try:
        displaced = durable.swap_in(temp, target)
    except FileNotFoundError:  # moved away or deleted since step 1; its last version is in the history
        durable.unlink_quietly(temp)
        raise conflict(rel_path, None) from None
    except OSError as err:
        durable.unlink_quietly(temp)
        durable.unlink_quietly(kept.path)
        raise wrap_os_error(err, f"save {target.name}", _SAVE_FAILED, name=target.name) from None
    if _is_kept_version(displaced, kept, expected):
        if displaced != kept.path:
            durable.unlink_quietly(displaced)
        durable.sync_after_change(target.parent, rel_path)
        return SaveResult(rel(root_dir, target), target, content_hash(data), False, kept.path)
    _put_back(root_dir, rel_path, target, displaced, data, kept)
    raise conflict(rel_path, read_current(target, rel_path))


def _put_back(root_dir: Path, rel_path: str, target: Path, displaced: Path, ours: bytes, kept: history.Kept) -> None:
    """Another program's version was displaced by our swap: keep it in history first (so no crash
    can lose it), swap it back into place, drop our file if it still holds `ours` (the editor
    still has the text) and any history entry that is now the live note itself."""
    try:
        rescued = history.keep(root_dir, rel_path, displaced)
        theirs = _identity(displaced)
        back = durable.swap_in(displaced, target)
        if _read_or_none(back) != ours:  # written in place meanwhile, or yet another version: keep it too
            history.keep(root_dir, rel_path, back)
        durable.unlink_quietly(back)
        durable.sync_after_change(target.parent, rel_path)
    except OSError as err:
        raise StorageError(
            _("'{path}' was changed by another program while it was being saved, and putting that version back "
              "failed ({reason}). The other version is kept in the note's history: compare it with the note in "
              "Trash & history.").format(path=rel_path, reason=err.strerror or err)
        ) from None
    durable.unlink_quietly(rescued.path)
    if kept.linked and _identity_or_none(kept.path) == theirs:  # written in place: it is the live note again
        durable.unlink_quietly(kept.path)


def _is_kept_version(displaced: Path, kept: history.Kept, expected: bytes) -> bool:
    try:
        same_file = not kept.linked or _identity(displaced) == _identity(kept.path)
        return same_file and files.read_regular(displaced, MAX_READ_BYTES) == expected
    except OSError:
        return False


def _identity(path: Path) -> tuple[int, int]:
    info = os.stat(path, follow_symlinks=False)
    return info.st_dev, info.st_ino


def _identity_or_none(path: Path) -> tuple[int, int] | None:
    try:
        return _identity(path)
    except OSError:
        return None


def _read_or_none(path: Path) -> bytes | None:
    try:
        return files.read_regular(path, MAX_READ_BYTES)
    except OSError:
        return None


def conflict(rel_path: str, current: bytes | None) -> ConflictError:
    """The ConflictError for a note whose bytes on disk are now `current` (None: gone)."""
    if current is None:
        message = _(
            "'{path}' was deleted or moved since you opened it (another tab, the trash, a file manager). Your text "
            "is still in the editor: save it as a new note, or write it back to its old place."
        ).format(path=rel_path)
        return ConflictError(message, rel_path, None, None)
    message = _(
        "'{path}' changed on disk since you opened it (another tab, another editor, a git pull), so it was not "
        "saved. Your text is still in the editor: compare below, then save yours as a copy or overwrite the file "
        "knowingly."
    ).format(path=rel_path)
    return ConflictError(message, rel_path, current.decode("utf-8", errors="replace"), content_hash(current))


def replace_note_bytes(notes_dir: Path, rel_path: str, data: bytes, *, expected_hash: str | None) -> SaveResult:
    """Put `data` (a whole note file, kept byte for byte) in place of the note at `rel_path`, with
    the same checks as a save: it must load as a note (InvalidNoteError), the current text must
    still hash to `expected_hash` (ConflictError) and goes to history first."""
    refuse_if_readonly("replacing notes")
    check_loads(data, rel_path)
    root_dir = root(notes_dir)
    return replace_checked(root_dir, resolve_note_path(root_dir, rel_path), rel_path, data, expected_hash)


def restore_version(notes_dir: Path, rel_path: str, version_name: str, *, expected_hash: str | None) -> SaveResult:
    """Put an earlier version back as the note's text (the current text goes to history first).

    `expected_hash` is the hash of the current text the user compared against (None when the
    note is gone from its place): a change since then is a ConflictError, as for any save.
    """
    refuse_if_readonly("restoring versions")
    data = history.read_version(notes_dir, rel_path, version_name)
    root_dir = root(notes_dir)
    return replace_checked(root_dir, resolve_note_path(root_dir, rel_path), rel_path, data, expected_hash)
