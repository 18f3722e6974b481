"""Names and paths: everything the journal writes stays inside the notes folder.

New names come from `slugify`/`note_file_name`; every path someone hands in is checked by
`resolve_note_path` (no `..`, no absolute paths, no NUL bytes, no hidden names, no over-long
names, no link that resolves outside the folder), else `UnsafePathError`. Dot-folders belong to
the app: `.history/`, `.trash/` and `STATE_DIR` (`.studylab/`, the lock and any other hidden
state a feature keeps); the loader never reads a dot-name as a note.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

from core.journal.files import MAX_REL_PATH_BYTES
from core.journal.storage.durable import fsync_directory
from core.journal.storage.errors import StorageError, UnsafePathError, refuse_if_readonly
from core.messages import _

HISTORY_DIR = ".history"
TRASH_DIR = ".trash"
STATE_DIR = ".studylab"
"""The app's hidden state folder inside the notes folder (the write lock lives here). Features that
keep state beside the notes (drafts, a review log) use `state_folder(notes_dir, "<feature>")`."""
MAX_NAME_BYTES = 255
MAX_SLUG_CHARS = 60
MAX_SLUG_BYTES = 150
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in "123456789¹²³"}
)
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_TIMESTAMP = re.compile(r"^(\d{8}T\d{12}Z)(?:-\d+)?$")
TEXT_BREAKERS = frozenset({"Cc", "Cs", "Zl", "Zp"})


def is_windows_reserved(name: str) -> bool:
    """CON, PRN, AUX, NUL, COM1-9, LPT1-9 (with any extension, any case) cannot be files on Windows."""
    stem = unicodedata.normalize("NFKC", name).split(".")[0].rstrip(" ").casefold()
    return stem in _WINDOWS_RESERVED or unicodedata.normalize("NFKC", stem) in _WINDOWS_RESERVED


def slugify(text: str) -> str:
    """A file-name-safe slug that keeps letters of every script: 'CNN: 합성곱 1/2' -> 'cnn-합성곱-1-2'.

    Letters, digits and combining marks are kept (lower-cased, NFC); every other character
    (spaces, punctuation, path separators, control characters, dots, emoji) becomes one '-'.
    So a slug never contains '/' or '..', never starts with a dot, is at most MAX_SLUG_CHARS
    characters and MAX_SLUG_BYTES UTF-8 bytes, and is never empty ('note') or a Windows
    reserved name ('con' -> 'con-note').
    """
    kept = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        kept.append(char.lower() if category[0] in "LNM" or char == "_" else "-")
    slug = unicodedata.normalize("NFC", re.sub(r"-{2,}", "-", "".join(kept))).strip("-_")
    slug = slug[:MAX_SLUG_CHARS]
    while len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        slug = slug[:-1]
    slug = slug.strip("-_") or "note"
    if is_windows_reserved(slug):
        slug = f"{slug}-note"
    return slug


def note_file_name(day: dt.date, title: str) -> str:
    """`YYYY-MM-DD-slug.md` for a new note."""
    return f"{day.isoformat()}-{slugify(title)}.md"


def timestamp() -> str:
    """Now, UTC, as history and trash name their entries: 20210805T101500123456Z."""
    return dt.datetime.now(dt.timezone.utc).strftime(_TIMESTAMP_FORMAT)


def parse_timestamp(name: str) -> dt.datetime | None:
    """The moment in a `timestamp()` name (with an optional `-N` suffix), or None."""
    match = _TIMESTAMP.match(name)
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), _TIMESTAMP_FORMAT).replace(tzinfo=dt.timezone.utc)


def root(notes_dir: Path) -> Path:
    """The notes folder, resolved; StorageError when it does not exist (or is a link that loops)."""
    try:
        resolved = Path(notes_dir).resolve()
    except (RuntimeError, OSError):
        resolved = None
    if resolved is None or not resolved.is_dir():
        raise StorageError(
            _("The notes folder {folder} does not exist; set STUDYLAB_NOTES_DIR to an existing folder.").format(
                folder=notes_dir)
        )
    return resolved


def check_inside(root_dir: Path, path: Path, shown: str) -> Path:
    """`path` with symlinks resolved, if it is inside `root_dir`; else UnsafePathError (also when a
    link on the way loops, e.g. `.history -> .history`, which Path.resolve reports as RuntimeError)."""
    try:
        resolved = path.resolve()
    except (RuntimeError, OSError) as err:
        if isinstance(err, RuntimeError):
            message = _("'{path}' cannot be reached: a link on its way in the notes folder loops back on itself. "
                        "Remove or fix that link; nothing was changed.").format(path=shown)
        else:
            message = _("'{path}' cannot be reached: a link on its way in the notes folder cannot be followed "
                        "({reason}). Remove or fix that link; nothing was changed.").format(
                path=shown, reason=err.strerror or err)
        raise UnsafePathError(message) from None
    if resolved != root_dir and not resolved.is_relative_to(root_dir):
        raise UnsafePathError(
            _("'{path}' points outside the notes folder (through a link), so it is not touched.").format(path=shown))
    return resolved


def make_folders(root_dir: Path, folder: Path, shown: str) -> None:
    """Create `folder` below `root_dir` one level at a time, checking each existing level first, so
    a link pointing out of the notes folder is refused before anything is created through it.
    Each new folder's name is fsynced through its parent, so it survives a crash with its files."""
    current = root_dir
    for part in folder.relative_to(root_dir).parts:
        parent, current = current, current / part
        if os.path.lexists(current):
            check_inside(root_dir, current, shown)
            continue
        try:
            current.mkdir()
        except FileExistsError:
            check_inside(root_dir, current, shown)
            continue
        fsync_directory(parent)


def state_folder(notes_dir: Path, *parts: str) -> Path:
    """`<notes>/.studylab/<parts...>/`, created (and fsynced) if missing; links out are refused.
    Refuses with ReadOnlyError in read-only mode (it may create folders)."""
    refuse_if_readonly("creating the app's state folder")
    if any(part in ("", ".", "..") or any(char in part for char in "/\\\x00") for part in parts):
        raise UnsafePathError(_("{parts} is not a plain folder name inside {folder}/.").format(
            parts=repr(parts), folder=STATE_DIR))
    root_dir = root(notes_dir)
    folder = root_dir.joinpath(STATE_DIR, *parts)
    make_folders(root_dir, folder, f"{STATE_DIR}/{'/'.join(parts)}")
    return folder


def split_rel_path(rel_path: str) -> list[str]:
    """The parts of a note path someone handed us, or UnsafePathError saying what is wrong."""
    if not isinstance(rel_path, str) or not rel_path.strip():
        raise UnsafePathError(_("The note path is empty."))
    if "\x00" in rel_path:
        raise UnsafePathError(_("The note path contains a NUL byte, which no file name may hold."))
    if "\\" in rel_path:
        raise UnsafePathError(
            _("'{path}' contains a backslash; note paths use '/' inside the notes folder.").format(path=rel_path))
    if PurePosixPath(rel_path).is_absolute() or PureWindowsPath(rel_path).drive:
        raise UnsafePathError(
            _("'{path}' is an absolute path; only paths inside the notes folder are allowed.").format(path=rel_path))
    shown = rel_path if len(rel_path) <= 80 else f"{rel_path[:77]}..."
    parts = rel_path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafePathError(_("'{path}' steps out of or around the notes folder ('{part}').").format(
                path=shown, part=part or "//"))
        if part.startswith("."):
            raise UnsafePathError(
                _("'{path}' names a hidden file or folder, which the journal keeps for itself.").format(path=shown))
        if any(unicodedata.category(char) in TEXT_BREAKERS for char in part):
            raise UnsafePathError(_("{path} contains control characters.").format(path=repr(shown)))
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise UnsafePathError(
                _("'{path}' has a name of {size} bytes; a file name holds at most {limit} bytes (UTF-8).").format(
                    path=shown, size=len(part.encode("utf-8")), limit=MAX_NAME_BYTES)
            )
    if len(rel_path.encode("utf-8")) > MAX_REL_PATH_BYTES:
        raise UnsafePathError(
            _("'{path}' is {size} bytes long; a note's path inside the notes folder holds at most {limit} bytes "
              "(UTF-8).").format(path=shown, size=len(rel_path.encode("utf-8")), limit=MAX_REL_PATH_BYTES)
        )
    if not parts[-1].lower().endswith(".md"):
        raise UnsafePathError(_("'{path}' is not a markdown note (.md).").format(path=shown))
    return parts


def resolve_note_path(notes_dir: Path, rel_path: str, *, existed: bool = False) -> Path:
    """The real path of note `rel_path` inside the notes folder, or UnsafePathError.

    Refused: empty paths, NUL bytes, backslashes, absolute paths and drive letters, '..' and
    '.' parts, hidden (dot) names, control characters, names over 255 bytes and paths over
    MAX_REL_PATH_BYTES, anything not .md, any path that resolves (through symlinks) outside the
    notes folder, and Windows device names for a file that does not exist yet (unless it
    `existed` before, as a note coming back from the trash).
    """
    parts = split_rel_path(rel_path)
    root_dir = root(notes_dir)
    path = check_inside(root_dir, root_dir.joinpath(*parts), rel_path)
    reserved = next((part for part in parts if is_windows_reserved(part)), None)
    if reserved and not (existed or os.path.lexists(path)):  # a note made elsewhere stays usable
        raise UnsafePathError(
            _("'{name}' is a reserved device name on Windows; choose another name.").format(name=reserved))
    return path


def rel(root_dir: Path, path: Path) -> str:
    """`path` relative to `root_dir`, posix."""
    return path.relative_to(root_dir).as_posix()


def name_taken(directory: Path, name: str) -> bool:
    """Taken also on case-insensitive or normalising file systems (macOS, Windows)."""
    if os.path.lexists(directory / name):
        return True
    if not directory.is_dir():
        return False
    wanted = unicodedata.normalize("NFC", name).casefold()
    return any(unicodedata.normalize("NFC", other).casefold() == wanted for other in os.listdir(directory))


def unique_name(directory: Path, name: str) -> str:
    """`name`, or `stem-2.md`, `stem-3.md`, ... : the first one not in `directory`."""
    stem, suffix = (name[:-3], name[-3:]) if name.lower().endswith(".md") else (name, "")
    candidate, counter = name, 2
    while name_taken(directory, candidate):
        candidate, counter = f"{stem}-{counter}{suffix}", counter + 1
    return candidate
