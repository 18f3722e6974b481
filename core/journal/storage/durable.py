"""Atomic, durable file primitives: every byte the journal writes goes through one of these.

Public, for any feature that keeps files in the notes folder (drafts, a review log, ...):

- `atomic_write(path, data)`: replace or create a file all-or-nothing.
- `create_exclusive(path, data)`: create a file all-or-nothing, never over an existing name
  (`FileExistsError`), even against another process that does not share our lock.
- `append_durably(path, data)`: append a record to a log file and fsync it.
- `swap_in(new, target)`: put a file in place and keep a name for the file it displaced, so the
  caller can check what it replaced (the compare-and-swap of `saving`).

All of them refuse in read-only mode, write a temporary `.tmp-*.tmp` file beside the target
(a dot-name the loader never reads) that is fsynced before it is renamed, and fsync the folder
after the rename. An fsync error is raised, never swallowed: `NotDurableError` when it comes
after the change is visible. Hold `folder_lock` around a read-check-write sequence.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import secrets
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from core.journal import files
from core.journal.storage.errors import NotDurableError, refuse_if_readonly, write_refusal
from core.messages import _

TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".tmp"
NEW_FILE_MODE = 0o644
STRAY_TEMP_AGE_SECONDS = 60.0

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_APPEND_FLAGS = (os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0))
# The file system cannot do this (flag, hard link): the caller falls back to a weaker way.
UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV})


def _load_renameat2():
    """libc's renameat2 (Linux, glibc 2.28+), or None where there is none."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def content_hash(data: bytes) -> str:
    """SHA-256 of a file's bytes, hex: what an editor remembers to detect conflicts."""
    return hashlib.sha256(data).hexdigest()


def fsync_directory(directory: Path | str) -> None:
    """Make renames and new names in `directory` durable.

    Raises the OSError when the disk reports one. Skipped only where a folder cannot be opened
    or synced at all (Windows; file systems answering EINVAL or ENOTSUP for folders).
    """
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except PermissionError:
        return
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
    finally:
        os.close(fd)


def temp_name(directory: Path) -> Path:
    """A fresh `.tmp-<random>.tmp` path in `directory` (not created)."""
    return directory / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"


def write_temp(directory: Path, data: bytes, mode: int = NEW_FILE_MODE) -> Path:
    """A new temporary file in `directory` holding `data`, flushed and fsynced, with `mode`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        path = temp_name(directory)
        try:
            fd = os.open(path, flags, 0o600)
            break
        except FileExistsError:
            continue
    with removed_on_failure(path):
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(path, mode)
    return path


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


@contextmanager
def removed_on_failure(path: Path | str) -> Iterator[None]:
    """Remove the file at `path` if the block raises, then let the error through."""
    try:
        yield
    except BaseException:
        unlink_quietly(path)
        raise


def unlink_quietly(path: Path | str) -> None:
    """Remove a name if it is there; a failure is ignored (used to clean up after a refusal)."""
    try:
        os.unlink(path)
    except OSError:
        pass


def _rename2(source: Path | str, target: Path | str, flags: int) -> bool:
    """renameat2(source, target, flags): True when done, False when this system or file system
    cannot do it (the caller then falls back); any other error is raised."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(source), None, str(target))


def hard_link(source: Path | str, target: Path | str) -> bool:
    """Give the file at `source` the second name `target`: True when done, False when this file
    system has no hard links. FileExistsError when `target` is taken; other errors are raised."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as err:
        if err.errno in UNSUPPORTED:
            return False
        raise
    return True


def rename_exclusive(source: Path | str, target: Path | str) -> None:
    """Give the file `source` the name `target` and drop `source`, only if `target` does not exist
    (FileExistsError otherwise), in one atomic step, against any process.

    renameat2(RENAME_NOREPLACE) where the file system has it; else a hard link (which fails with
    EEXIST when the name is taken) and an unlink; else an O_EXCL placeholder then a replace.
    Refuses in read-only mode.
    """
    refuse_if_readonly("renaming a file")
    if _rename2(source, target, _RENAME_NOREPLACE):
        return
    if hard_link(source, target):
        os.unlink(source)
        return
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.close(fd)
    os.replace(source, target)


def swap_in(new: Path, target: Path) -> Path:
    """Put the file `new` at `target` in one atomic step; return a name that holds exactly the file
    that was at `target` (the displaced one), which the caller checks, keeps or removes.

    FileNotFoundError when nothing is at `target`. With renameat2(RENAME_EXCHANGE) the two names
    swap, so the displaced file is at `new`'s name and nothing written to `target` in the
    meantime can be missed. Elsewhere the displaced file is hard-linked aside just before an
    os.replace (a write landing in those microseconds would go unnoticed), or, where hard links
    are missing too, copied aside.
    """
    if _rename2(new, target, _RENAME_EXCHANGE):
        return new
    aside = temp_name(target.parent)
    if not hard_link(target, aside):
        with open(target, "rb") as handle:
            aside = write_temp(target.parent, handle.read(), stat.S_IMODE(os.stat(target).st_mode))
    with removed_on_failure(aside):
        os.replace(new, target)
    return aside


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` all-or-nothing: temp file, flush, fsync, rename, fsync of the folder.

    For files the app owns (drafts, state); notes go through `saving`, which also checks what it
    replaces. The file keeps its mode (new files get 0644). If anything fails before the rename,
    the temp file is removed and `path` is untouched (the OSError propagates); an fsync error
    after it raises NotDurableError. Refuses with ReadOnlyError in read-only mode.
    """
    refuse_if_readonly("writing a file")
    path = Path(path)
    directory = path.parent
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    temp = write_temp(directory, data, mode)
    with removed_on_failure(temp):
        os.replace(temp, path)
    sync_after_change(directory, path.name)


def create_exclusive(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, all-or-nothing, only if the name is free: FileExistsError if
    it is taken, also by another process writing at the same moment (O_EXCL semantics through
    `rename_exclusive`). Fsynced like atomic_write; refuses in read-only mode."""
    refuse_if_readonly("creating a file")
    path = Path(path)
    temp = write_temp(path.parent, data)
    with removed_on_failure(temp):
        rename_exclusive(temp, path)
    sync_after_change(path.parent, path.name)


def append_durably(path: Path, data: bytes) -> None:
    """Append `data` to the file at `path` (created 0644 if missing, never through a link) and fsync.

    Never waits on what is not a regular file: the open does not block (O_NONBLOCK: a FIFO without
    a reader answers ENXIO at once) and anything but a regular file is refused with
    `files.SpecialFileError` before a byte is written, so a caller holding `folder_lock` never hangs.

    With O_APPEND every call lands at the end, whoever else appends; a record written in one call
    is not interleaved with another process's on a local file system, but a crash can cut the last
    record short, so end records with a newline and let readers skip an unfinished last line.
    Hold `folder_lock` when records must follow a read. Refuses in read-only mode.
    """
    refuse_if_readonly("appending to a file")
    path = Path(path)
    existed = os.path.lexists(path)
    fd = os.open(path, _APPEND_FLAGS, NEW_FILE_MODE)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise files.SpecialFileError(path, files.describe(mode))
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if not existed:
        sync_after_change(path.parent, path.name)


def sync_after_change(directory: Path, shown: str) -> None:
    """fsync_directory after a rename or a new name: its error is a NotDurableError naming `shown`."""
    try:
        fsync_directory(directory)
    except OSError as err:
        raise NotDurableError(
            _("'{path}' was written, but the disk reported an error while making it permanent ({reason}), so it "
              "may not survive a crash or a power cut. Check the disk (free space, errors), then save again.").format(
                path=shown, reason=err.strerror or err)
        ) from None


def cleanup_stray_temp_files(notes_dir: Path, older_than: float = STRAY_TEMP_AGE_SECONDS) -> list[Path]:
    """Delete `.tmp-*.tmp` files a crash left in the notes folder (any depth); return them.

    Only files older than `older_than` seconds go, so another session's save in progress is
    never disturbed; a displaced version is always linked into `.history/` before its temp name
    could be left behind. Does nothing when writing is refused or the folder is missing.
    """
    if write_refusal() or not Path(notes_dir).is_dir():
        return []
    now = time.time()
    removed = []
    for directory, _folders, names in files.walk(notes_dir):
        for name in names:
            if not (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)):
                continue
            path = Path(directory) / name
            try:
                if now - path.lstat().st_mtime >= older_than:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
    return removed
