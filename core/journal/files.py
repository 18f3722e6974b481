"""The notes folder as files: which entries are notes to read, which are problems, and reading
a file without ever blocking on it.

Anything can sit in a notes folder: a named pipe (`mkfifo pipe.md`), a socket, a device node, a
folder called `x.md`, a link that loops or points nowhere, a path longer than the tools that
handle notes accept. `scan` walks the folder once and sorts every `*.md` entry into a file to
read or a `reason` it is not a note; `read_regular` opens with `O_NONBLOCK | O_NOFOLLOW` and
checks the opened file descriptor, so a FIFO swapped in after the scan cannot hang the reader
and a link swapped in cannot lead it out of the folder. `read_json` reads the app's own JSON
files the same way and turns whatever makes them unusable (a special file, a link, nesting too
deep for the parser) into one UnusableFileError with a reason. The reasons `scan` gives go into the library that
every session shares, so they are language-neutral `core.messages.Message`s, put into words where
they are shown. `scan` and `walk` (os.walk for
the app's other folder walks) keep their own stack, so no folder depth can exhaust Python's, and
stop MAX_DEPTH levels down.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from core.messages import N_, Message, _

MAX_REL_PATH_BYTES = 255
"""A note's path inside the notes folder, in UTF-8 bytes. Longer paths are refused by storage and
listed as problems by the loader, so every loaded note can be saved, kept in `.history/`, moved
to `.trash/<timestamp>/` and exported without hitting a file system's limits."""

MAX_DEPTH = 128
"""How many folder levels below the notes folder are read. Every level adds at least two bytes
('x/') to a note's path, which holds at most MAX_REL_PATH_BYTES, so no note that could load is
deeper; the cap only bounds the work a hostile tree can cause."""
TOO_DEEP = Message(N_("a folder more than {depth} levels deep; nothing inside it is loaded (move its notes "
                      "to a shallower folder)"), depth=MAX_DEPTH)
NOT_A_NOTE_FILE = N_("{kind}, not a note file; it is never opened")

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK_BYTES = 1 << 16


class SpecialFileError(OSError):
    """The path is not a regular file (a FIFO, socket, device or folder); `kind` says which."""

    def __init__(self, path: Path | str, kind: Message):
        super().__init__(errno.EINVAL, Message(N_("{kind}, not a regular file"), kind=kind), str(path))
        self.kind = kind


class UnusableFileError(ValueError):
    """A file the app keeps for itself cannot be used; the message says why, for the student."""


@dataclass(frozen=True)
class Entry:
    """One `*.md` entry of the notes folder.

    `rel_path` is posix, relative to the folder; `path` is what to open (a link already resolved);
    `mtime_ns` and `size` key the library cache. `problem` is None for a file to read, else the
    reason it is not read, in words a student understands (a Message: `str()` where it is shown).
    """

    rel_path: str
    path: str
    mtime_ns: int
    size: int
    problem: Message | None = None


def describe(mode: int) -> Message:
    """What kind of file a `st_mode` is, for a message: 'a named pipe (FIFO)', 'a folder', ...
    (a Message: in words where it is shown)."""
    if stat.S_ISFIFO(mode):
        return Message(N_("a named pipe (FIFO)"))
    if stat.S_ISSOCK(mode):
        return Message(N_("a socket"))
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return Message(N_("a device file"))
    if stat.S_ISDIR(mode):
        return Message(N_("a folder"))
    if stat.S_ISLNK(mode):
        return Message(N_("a link"))
    return Message(N_("a special file"))


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit + 1` of them (so a caller can tell
    "over the limit" without reading a huge file).

    Opened with O_NONBLOCK (a FIFO never blocks the open) and O_NOFOLLOW (the last part of
    `path` must not be a link), then checked with fstat on the open descriptor: SpecialFileError
    for anything but a regular file. Other OSErrors (missing, permission, ELOOP) propagate.
    """
    fd = open_regular(path)
    try:
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK_BYTES, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def open_regular(path: Path | str) -> int:
    """A read-only file descriptor of the regular file at `path`, opened as `read_regular` opens
    (never blocks, never follows a last-part link); SpecialFileError for anything else."""
    fd = os.open(path, _READ_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SpecialFileError(path, describe(mode))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_json(path: Path | str, limit: int) -> object:
    """The parsed JSON of a file the app keeps for itself (settings, drafts, peers), read with
    `read_regular`: never blocks on a FIFO, never follows a link, never reads over `limit` bytes.

    FileNotFoundError when there is no such file (the caller's default applies); UnusableFileError
    (a ValueError) saying why, in words for the student, for anything else that is not JSON text
    the caller can look at: a special file, a link, too large, not UTF-8 JSON, nested too deeply.
    """
    try:
        data = read_regular(path, limit)
    except FileNotFoundError:
        raise
    except SpecialFileError as err:
        raise UnusableFileError(_("it is {kind}, not a file").format(kind=err.kind)) from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise UnusableFileError(_("it is a link, and links are not followed in the app's state folder")) from None
        raise UnusableFileError(_("it cannot be read ({reason})").format(reason=err.strerror or err)) from None
    if len(data) > limit:
        raise UnusableFileError(_("it is larger than {limit} bytes").format(limit=f"{limit:,}"))
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise UnusableFileError(_("its JSON is nested too deeply")) from None
    except ValueError:  # also UnicodeDecodeError
        raise UnusableFileError(_("it is not valid JSON text")) from None


def scan(folder: Path | str) -> Iterator[Entry]:
    """Every `*.md` entry below `folder` (dot-names skipped, links to folders not followed), in name
    order, each a file to read or a problem. Entries that vanish during the scan are left out.

    The walk keeps its own stack (no recursion, so no folder depth can exhaust Python's), and a
    folder more than MAX_DEPTH levels down is one problem entry; nothing below it is read.
    """
    root = Path(folder).resolve()
    stack = [("", 0, iter(_sorted_listing(str(folder))))]
    while stack:
        prefix, depth, listing = stack[-1]
        entry = next(listing, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        rel_path = f"{prefix}{entry.name}"
        is_note_name = entry.name.lower().endswith(".md")
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
            info = entry.stat(follow_symlinks=False) if is_note_name or is_folder else None
        except OSError:
            continue
        if is_folder:
            if is_note_name:
                yield _problem(rel_path, entry.path, info, Message(N_(
                    "a folder whose name ends in .md, not a note file (the notes inside it are loaded; rename "
                    "it without .md)")))
            if depth >= MAX_DEPTH:
                yield _problem(rel_path, entry.path, info, TOO_DEEP)
                continue
            stack.append((f"{rel_path}/", depth + 1, iter(_sorted_listing(entry.path))))
        elif info is not None:
            yield _classify(rel_path, entry.path, info, root)


def walk(top: Path | str, max_depth: int = MAX_DEPTH) -> Iterator[tuple[str, list[str], list[str]]]:
    """Like `os.walk(top)` (top-down, links to folders not followed, unreadable folders skipped),
    without recursion and without descending more than `max_depth` levels below `top`."""
    stack = [(str(top), 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError:
            continue
        folders, names = [], []
        for entry in entries:
            try:
                (folders if entry.is_dir(follow_symlinks=False) else names).append(entry.name)
            except OSError:
                continue
        yield directory, folders, names
        if depth < max_depth:
            stack.extend((os.path.join(directory, name), depth + 1) for name in reversed(folders))


def _sorted_listing(directory: str) -> list[os.DirEntry]:
    try:
        with os.scandir(directory) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return []


def _classify(rel_path: str, path: str, info: os.stat_result, root: Path) -> Entry:
    size_in_bytes = len(rel_path.encode("utf-8", "surrogateescape"))
    if size_in_bytes > MAX_REL_PATH_BYTES:
        return _problem(rel_path, path, info, Message(N_(
            "its path is {size} bytes long, over the {limit}-byte limit for a note; move it to a shorter folder "
            "or name"), size=size_in_bytes, limit=MAX_REL_PATH_BYTES))
    if stat.S_ISLNK(info.st_mode):
        return _classify_link(rel_path, path, info, root)
    if not stat.S_ISREG(info.st_mode):
        return _problem(rel_path, path, info, Message(NOT_A_NOTE_FILE, kind=describe(info.st_mode)))
    return Entry(rel_path, path, info.st_mtime_ns, info.st_size)


def _classify_link(rel_path: str, path: str, info: os.stat_result, root: Path) -> Entry:
    try:
        target = Path(path).resolve(strict=True)
        target_info = target.stat()
    except FileNotFoundError:
        return _problem(rel_path, path, info, Message(N_("a link to a file that does not exist (a dangling link)")))
    except RuntimeError:
        return _problem(rel_path, path, info, Message(LOOP))
    except OSError as err:
        if err.errno == errno.ELOOP:
            return _problem(rel_path, path, info, Message(LOOP))
        return _problem(rel_path, path, info, Message(N_("a link that cannot be followed: {reason}"),
                                                      reason=str(err.strerror or err)))
    if target != root and not target.is_relative_to(root):
        return _problem(rel_path, path, info, Message(N_("a link to a file outside the notes folder; not loaded")))
    if not stat.S_ISREG(target_info.st_mode):
        return _problem(rel_path, path, info, Message(N_("a link to {kind}, not to a note file"),
                                                      kind=describe(target_info.st_mode)))
    return Entry(rel_path, str(target), target_info.st_mtime_ns, target_info.st_size)


LOOP = N_("a symlink loop (the link leads back to itself)")


def _problem(rel_path: str, path: str, info: os.stat_result, reason: Message) -> Entry:
    return Entry(rel_path, path, info.st_mtime_ns, info.st_size, reason)
