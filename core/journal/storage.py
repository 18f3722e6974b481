"""Writing the journal without ever losing a note.

Every write in the app goes through this module, and every one of them:

- refuses in read-only mode (`STUDYLAB_READONLY=1`) with `ReadOnlyError`;
- stays inside the notes folder: names come from `slugify`/`note_file_name`, and every path is
  checked by `resolve_note_path` (no `..`, no absolute paths, no NUL bytes, no hidden names, no
  symlink that resolves outside the folder), else `UnsafePathError`;
- is atomic (`atomic_write`): a temporary `.tmp-*` file in the target's folder is written,
  flushed and fsynced, then `os.replace`d over the target and the folder is fsynced, so a crash
  leaves the old file or the new file, whole. `cleanup_stray_temp_files` removes what a crash
  left behind;
- keeps what it replaces: an overwrite first copies the old bytes to
  `.history/<note path without .md>/<UTC timestamp>.md`, a delete moves the note to
  `.trash/<UTC timestamp>/<note path>`. The loader skips dot-names, so neither shows as a note;
- detects conflicts: an edit names the `content_hash` of the text it started from, and the save
  is refused with `ConflictError` (carrying the text now on disk) when the file changed since.

Front matter is written with `yaml.safe_dump`, so any title or tag reads back exactly as saved.
No streamlit here; the pages show a `StorageError`'s message to the student as it is.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import os
import re
import tempfile
import threading
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Iterator

import yaml

from core.journal import notes as notes_lib

READONLY_ENV = "STUDYLAB_READONLY"
READONLY_VALUES = frozenset({"1", "true", "yes", "on"})
HISTORY_DIR = ".history"
TRASH_DIR = ".trash"
TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".tmp"
NEW_FILE_MODE = 0o644
MAX_SLUG_CHARS = 60
MAX_SLUG_BYTES = 150
STRAY_TEMP_AGE_SECONDS = 60.0
META_ORDER = ("title", "date", "type", "tags", "course", "week", "day", "labs")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in "123456789¹²³"}
)
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_TIMESTAMP = re.compile(r"^(\d{8}T\d{12}Z)(?:-\d+)?$")
_TEXT_BREAKERS = frozenset({"Cc", "Cs", "Zl", "Zp"})

# Streamlit runs every browser session as a thread of one process: this lock makes
# "check the hash, keep the old version, replace" one step for all of them.
_WRITE_LOCK = threading.RLock()


class StorageError(Exception):
    """A write (or read for writing) that did not happen; the message is meant for the student."""


class ReadOnlyError(StorageError):
    """The journal is shared read-only (STUDYLAB_READONLY): nothing may change on disk."""


class UnsafePathError(StorageError):
    """A name or path that would place or read a file outside the notes folder."""


class InvalidNoteError(StorageError):
    """Text that would not load as a note (the loader's reason and line)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class ConflictError(StorageError):
    """The note changed on disk since the editor loaded it.

    `disk_text` is what is on disk now (None when the note was deleted or moved to the trash),
    `disk_hash` its content hash: saving again with `expected_hash=disk_hash` overwrites knowingly.
    """

    def __init__(self, message: str, rel_path: str, disk_text: str | None, disk_hash: str | None):
        super().__init__(message)
        self.rel_path = rel_path
        self.disk_text = disk_text
        self.disk_hash = disk_hash


@dataclass(frozen=True)
class SaveResult:
    """A note written to disk. `rel_path` is posix, relative to the notes folder."""

    rel_path: str
    path: Path
    content_hash: str
    created: bool
    history_path: Path | None


@dataclass(frozen=True)
class TrashEntry:
    """One deleted note in `.trash/<name>/<original_path>`."""

    name: str
    original_path: str
    deleted_at: dt.datetime
    title: str
    path: Path


@dataclass(frozen=True)
class Version:
    """One earlier version of a note in `.history/`; `name` is its file name there."""

    name: str
    saved_at: dt.datetime
    size: int
    path: Path


@dataclass(frozen=True)
class ImportResult:
    """The outcome for one uploaded file: `saved` on success, else `error` says why not."""

    filename: str
    saved: SaveResult | None
    error: str | None


# ---------------------------------------------------------------------------------------------
# Read-only mode, hashes, names


def is_readonly() -> bool:
    """True when STUDYLAB_READONLY is 1, true, yes or on (any case)."""
    return os.environ.get(READONLY_ENV, "").strip().lower() in READONLY_VALUES


def _refuse_if_readonly(action: str) -> None:
    if is_readonly():
        raise ReadOnlyError(
            f"This journal is read-only (STUDYLAB_READONLY is set), so {action} is turned off. "
            "Restart the app without STUDYLAB_READONLY to write."
        )


def content_hash(data: bytes) -> str:
    """SHA-256 of a file's bytes, hex: what the editor remembers to detect conflicts."""
    return hashlib.sha256(data).hexdigest()


def _is_windows_reserved(name: str) -> bool:
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
    if _is_windows_reserved(slug):
        slug = f"{slug}-note"
    return slug


def note_file_name(day: dt.date, title: str) -> str:
    """`YYYY-MM-DD-slug.md` for a new note."""
    return f"{day.isoformat()}-{slugify(title)}.md"


def _timestamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime(_TIMESTAMP_FORMAT)


def _parse_timestamp(name: str) -> dt.datetime | None:
    match = _TIMESTAMP.match(name)
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), _TIMESTAMP_FORMAT).replace(tzinfo=dt.timezone.utc)


# ---------------------------------------------------------------------------------------------
# Paths: everything stays inside the notes folder


def _root(notes_dir: Path) -> Path:
    root = Path(notes_dir).resolve()
    if not root.is_dir():
        raise StorageError(
            f"The notes folder {notes_dir} does not exist; set STUDYLAB_NOTES_DIR to an existing folder."
        )
    return root


def _check_inside(root: Path, path: Path, shown: str) -> Path:
    """`path` with symlinks resolved, if it is inside `root`; else UnsafePathError."""
    resolved = path.resolve()
    if resolved != root and not resolved.is_relative_to(root):
        raise UnsafePathError(f"'{shown}' points outside the notes folder (through a link), so it is not touched.")
    return resolved


def _make_folders(root: Path, folder: Path, shown: str) -> None:
    """Create `folder` below `root` one level at a time, checking each existing level first, so
    a link pointing out of the notes folder is refused before anything is created through it."""
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if os.path.lexists(current):
            _check_inside(root, current, shown)
        current.mkdir(exist_ok=True)


def _split_rel_path(rel_path: str) -> list[str]:
    """The parts of a note path someone handed us, or UnsafePathError saying what is wrong."""
    if not isinstance(rel_path, str) or not rel_path.strip():
        raise UnsafePathError("The note path is empty.")
    if "\x00" in rel_path:
        raise UnsafePathError("The note path contains a NUL byte, which no file name may hold.")
    if "\\" in rel_path:
        raise UnsafePathError(f"'{rel_path}' contains a backslash; note paths use '/' inside the notes folder.")
    if PurePosixPath(rel_path).is_absolute() or PureWindowsPath(rel_path).drive:
        raise UnsafePathError(f"'{rel_path}' is an absolute path; only paths inside the notes folder are allowed.")
    parts = rel_path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafePathError(f"'{rel_path}' steps out of or around the notes folder ('{part or '//'}').")
        if part.startswith("."):
            raise UnsafePathError(f"'{rel_path}' names a hidden file or folder, which the journal keeps for itself.")
        if any(unicodedata.category(char) in _TEXT_BREAKERS for char in part):
            raise UnsafePathError(f"{rel_path!r} contains control characters.")
    if not parts[-1].lower().endswith(".md"):
        raise UnsafePathError(f"'{rel_path}' is not a markdown note (.md).")
    return parts


def resolve_note_path(notes_dir: Path, rel_path: str, *, existed: bool = False) -> Path:
    """The real path of note `rel_path` inside the notes folder, or UnsafePathError.

    Refused: empty paths, NUL bytes, backslashes, absolute paths and drive letters, '..' and
    '.' parts, hidden (dot) names, control characters, anything not .md, any path that resolves
    (through symlinks) outside the notes folder, and Windows device names for a file that does
    not exist yet (unless it `existed` before, as a note coming back from the trash).
    """
    parts = _split_rel_path(rel_path)
    root = _root(notes_dir)
    path = _check_inside(root, root.joinpath(*parts), rel_path)
    reserved = next((part for part in parts if _is_windows_reserved(part)), None)
    if reserved and not (existed or path.exists()):  # a note already on disk (made elsewhere) stays usable
        raise UnsafePathError(f"'{reserved}' is a reserved device name on Windows; choose another name.")
    return path


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _name_taken(directory: Path, name: str) -> bool:
    """Taken also on case-insensitive or normalising file systems (macOS, Windows)."""
    if os.path.lexists(directory / name):
        return True
    if not directory.is_dir():
        return False
    wanted = unicodedata.normalize("NFC", name).casefold()
    return any(unicodedata.normalize("NFC", other).casefold() == wanted for other in os.listdir(directory))


def _unique_name(directory: Path, name: str) -> str:
    """`name`, or `stem-2.md`, `stem-3.md`, ... : the first one not in `directory`."""
    stem, suffix = (name[:-3], name[-3:]) if name.lower().endswith(".md") else (name, "")
    candidate, counter = name, 2
    while _name_taken(directory, candidate):
        candidate, counter = f"{stem}-{counter}{suffix}", counter + 1
    return candidate


# ---------------------------------------------------------------------------------------------
# Atomic writes


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable. Not every platform can open a folder (Windows); there it is a no-op."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` all-or-nothing: temp file, flush, fsync, os.replace, fsync folder.

    The temporary file sits beside the target (same file system, so os.replace is atomic) and
    is named `.tmp-*.tmp` (a dot-name: the loader never reads it). If anything fails before the
    replace, the temporary file is removed and the target is untouched.
    """
    directory = path.parent
    mode = (path.stat().st_mode & 0o777) if path.exists() else NEW_FILE_MODE
    fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def cleanup_stray_temp_files(notes_dir: Path, older_than: float = STRAY_TEMP_AGE_SECONDS) -> list[Path]:
    """Delete `.tmp-*.tmp` files a crash left in the notes folder (any depth); return them.

    Only files older than `older_than` seconds go, so another session's save in progress is
    never disturbed. Does nothing in read-only mode or when the folder is missing.
    """
    if is_readonly() or not Path(notes_dir).is_dir():
        return []
    now = time.time()
    removed = []
    for directory, _dirs, files in os.walk(notes_dir):
        for name in files:
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


def _wrap_os_error(err: OSError, action: str) -> StorageError:
    reason = err.strerror or str(err)
    return StorageError(f"Could not {action}: {reason}. Nothing was changed on disk.")


# ---------------------------------------------------------------------------------------------
# Front matter


def clean_line(text: Any) -> str:
    """One line of user text as it will be stored: NFC, no control or line-break characters, stripped."""
    text = unicodedata.normalize("NFC", str(text))
    return "".join(" " if unicodedata.category(char) in _TEXT_BREAKERS else char for char in text).strip()


def clean_tag(text: Any) -> str:
    """A tag as stored and read back: like `clean_line`, without leading '#' (the loader drops it)."""
    tag = clean_line(text)
    while tag.startswith("#"):
        tag = tag.lstrip("#").strip()
    return tag


def _text_list(value: Any) -> list[str]:
    """Tags or labs as the loader reads them: a comma-separated string or a list."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else [value]
    return list(dict.fromkeys(item for item in map(clean_tag, items) if item))


def clean_body(body: str) -> str:
    """The markdown body as stored and read back: '\\n' line ends, no control characters but tab
    and newline, no leading blank lines, exactly one final newline."""
    body = unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))
    body = "".join(char for char in body if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs"))
    body = body.lstrip("\n").rstrip("\n")
    return f"{body}\n" if body else ""


def build_meta(
    title: str,
    date: dt.date,
    note_type: str,
    tags: list[str] | tuple[str, ...] = (),
    *,
    course: str | None = None,
    week: int | None = None,
    day: int | None = None,
    labs: list[str] | tuple[str, ...] | None = None,
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Front matter in the usual order; other keys of `base` (the note's old front matter) are kept."""
    meta: dict[str, Any] = {"title": title, "date": date, "type": note_type, "tags": list(tags)}
    meta.update({"course": course, "week": week, "day": day})
    meta["labs"] = list(labs) if labs is not None else (base or {}).get("labs")
    for key, value in (base or {}).items():
        if key not in META_ORDER:
            meta[key] = value
    return meta


def clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise front matter before it is written; StorageError says what is wrong."""
    title = clean_line(meta.get("title") or "")
    if not title:
        raise StorageError("A note needs a title.")
    date = meta.get("date")
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        raise StorageError("A note needs a date (YYYY-MM-DD).")
    note_type = meta.get("type") or notes_lib.DEFAULT_TYPE
    if note_type not in notes_lib.NOTE_TYPES:
        raise StorageError(f"'{note_type}' is not a note type; use one of: {', '.join(notes_lib.NOTE_TYPES)}.")
    cleaned: dict[str, Any] = {"title": title, "date": date, "type": note_type}
    cleaned["tags"] = _text_list(meta.get("tags"))
    course = clean_line(meta.get("course") or "")
    if course:
        cleaned["course"] = course
    for key in ("week", "day"):
        value = meta.get(key)
        if value is not None and value != "":
            try:
                cleaned[key] = int(value)
            except (TypeError, ValueError):
                raise StorageError(f"{key} must be a whole number, not '{value}'.") from None
    if meta.get("labs") is not None:
        cleaned["labs"] = _text_list(meta["labs"])
    for key, value in meta.items():
        if key not in META_ORDER and value is not None:
            cleaned[str(key)] = value
    return cleaned


def note_text(meta: dict[str, Any], body: str) -> str:
    """The file text: `---`, front matter by yaml.safe_dump, `---`, a blank line, the body.

    Lists of plain values are written inline (`tags: [cnn, 'no']`), as hand-written notes do,
    so the first save of a hand-written note changes only what the user changed.
    """
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100_000)
    return f"---\n{front}---\n\n{clean_body(body)}"


def _encode_checked(meta: dict[str, Any], body: str, rel_path: str) -> bytes:
    """The bytes to write, proven to load as a note (same rules as the loader) before any write."""
    data = note_text(clean_meta(meta), body).encode("utf-8")
    check_loads(data, rel_path)
    return data


def draft_note(meta: dict[str, Any], body: str, rel_path: str) -> notes_lib.Note:
    """The note exactly as it would read back once saved at rel_path (the editor's preview).

    Raises StorageError (missing title or date, bad type) or InvalidNoteError, like save_note.
    """
    return check_loads(note_text(clean_meta(meta), body).encode("utf-8"), rel_path)


def check_loads(data: bytes, rel_path: str) -> notes_lib.Note:
    """parse_note, with its NoteError turned into InvalidNoteError (a message with the line)."""
    try:
        return notes_lib.parse_note(data, rel_path)
    except notes_lib.NoteError as err:
        where = f" (line {err.line})" if err.line else ""
        raise InvalidNoteError(
            f"{PurePosixPath(rel_path).name} would not load as a note: {err.reason}{where}.",
            err.line,
        ) from None


# ---------------------------------------------------------------------------------------------
# Reading for the editor


def read_note(notes_dir: Path, rel_path: str) -> tuple[bytes, str]:
    """(bytes on disk, their content_hash) of a note, for the editor to start from."""
    path = resolve_note_path(notes_dir, rel_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StorageError(f"'{rel_path}' is not in the notes folder any more (moved, renamed or deleted).") from None
    except OSError as err:
        raise StorageError(f"Could not read '{rel_path}': {err.strerror or err}.") from None
    return data, content_hash(data)


def _read_if_exists(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


# ---------------------------------------------------------------------------------------------
# Saving


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
    `-2`, `-3`, ... when taken). Otherwise the note at rel_path is replaced, but only if its
    bytes on disk still hash to `expected_hash` (the version the editor loaded; None means
    "I expect no file there"), else ConflictError with the disk text. The replaced version
    is kept in `.history/` first. Raises ReadOnlyError, UnsafePathError, InvalidNoteError
    (would not load) or StorageError (disk trouble); nothing is half-written in any case.
    """
    _refuse_if_readonly("saving notes")
    root = _root(notes_dir)
    with _WRITE_LOCK:
        if rel_path is None:
            cleaned = clean_meta(meta)
            name = _unique_name(root, note_file_name(cleaned["date"], cleaned["title"]))
            return _write_new(root, root / name, _encode_checked(cleaned, body, name))
        target = resolve_note_path(root, rel_path)
        data = _encode_checked(meta, body, rel_path)
        return _replace_checked(root, target, rel_path, data, expected_hash)


def _write_new(root: Path, target: Path, data: bytes) -> SaveResult:
    try:
        _make_folders(root, target.parent, _rel(root, target))
        atomic_write(target, data)
    except OSError as err:
        raise _wrap_os_error(err, f"save {target.name}") from None
    return SaveResult(_rel(root, target), target, content_hash(data), True, None)


def _replace_checked(root: Path, target: Path, rel_path: str, data: bytes, expected_hash: str | None) -> SaveResult:
    """Write `data` over `target` if its disk bytes still hash to `expected_hash`; keep the old ones."""
    current = _read_if_exists(target)
    current_hash = content_hash(current) if current is not None else None
    if current_hash != expected_hash:
        raise _conflict(rel_path, current, current_hash)
    if current is None:
        return _write_new(root, target, data)
    if current == data:
        return SaveResult(_rel(root, target), target, current_hash, False, None)
    try:
        kept = _keep_version(root, _rel(root, target), current)
        atomic_write(target, data)
    except OSError as err:
        raise _wrap_os_error(err, f"save {target.name}") from None
    return SaveResult(_rel(root, target), target, content_hash(data), False, kept)


def _conflict(rel_path: str, current: bytes | None, current_hash: str | None) -> ConflictError:
    if current is None:
        message = (
            f"'{rel_path}' was deleted or moved since you opened it (another tab, the trash, a file "
            "manager). Your text is still in the editor: save it as a new note, or write it back to its old place."
        )
        return ConflictError(message, rel_path, None, None)
    message = (
        f"'{rel_path}' changed on disk since you opened it (another tab, another editor, a git pull), "
        "so it was not saved. Your text is still in the editor: compare below, then save yours as a copy "
        "or overwrite the file knowingly."
    )
    return ConflictError(message, rel_path, current.decode("utf-8", errors="replace"), current_hash)


# ---------------------------------------------------------------------------------------------
# History


def history_folder(notes_dir: Path, rel_path: str) -> Path:
    """`.history/<note path without .md>/` for a note (not created here)."""
    parts = _split_rel_path(rel_path)
    parts[-1] = parts[-1][:-3]
    return Path(notes_dir).resolve().joinpath(HISTORY_DIR, *parts)


def _keep_version(root: Path, rel_path: str, data: bytes) -> Path:
    """Store `data` as the newest version of `rel_path` in .history/; return the file."""
    folder = history_folder(root, rel_path)
    _make_folders(root, folder, f"{HISTORY_DIR}/{rel_path}")
    target = folder / _unique_name(folder, f"{_timestamp()}.md")
    atomic_write(target, data)
    return target


def list_history(notes_dir: Path, rel_path: str) -> list[Version]:
    """Earlier versions of a note, newest first (empty when it was never overwritten)."""
    folder = history_folder(notes_dir, rel_path)
    root = Path(notes_dir).resolve()
    if not folder.is_dir() or not folder.resolve().is_relative_to(root):
        return []
    versions = []
    for path in folder.iterdir():
        saved_at = _parse_timestamp(path.name[:-3]) if path.name.endswith(".md") else None
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
    for folder, _dirs, files in os.walk(history):
        versions = sum(1 for name in files if name.endswith(".md") and _parse_timestamp(name[:-3]))
        if versions:
            counts[f"{Path(folder).relative_to(history).as_posix()}.md"] = versions
    return counts


def read_version(notes_dir: Path, rel_path: str, version_name: str) -> bytes:
    """The bytes of one listed version; only names `list_history` returns are accepted."""
    for version in list_history(notes_dir, rel_path):
        if version.name == version_name:
            return version.path.read_bytes()
    raise StorageError(f"There is no saved version '{version_name}' of '{rel_path}'.")


def restore_version(notes_dir: Path, rel_path: str, version_name: str, *, expected_hash: str | None) -> SaveResult:
    """Put an earlier version back as the note's text (the current text goes to history first).

    `expected_hash` is the hash of the current text the user compared against (None when the
    note is gone from its place): a change since then is a ConflictError, as for any save.
    """
    _refuse_if_readonly("restoring versions")
    data = read_version(notes_dir, rel_path, version_name)
    root = _root(notes_dir)
    with _WRITE_LOCK:
        target = resolve_note_path(root, rel_path)
        return _replace_checked(root, target, rel_path, data, expected_hash)


def diff_text(old: str, new: str, old_label: str, new_label: str) -> str:
    """A unified diff (difflib) of two texts, '' when they are equal."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), old_label, new_label, lineterm="")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Trash


def trash_note(notes_dir: Path, rel_path: str) -> Path:
    """Move a note to `.trash/<UTC timestamp>/<rel_path>` (its old place is in that path); return it."""
    _refuse_if_readonly("deleting notes")
    root = _root(notes_dir)
    with _WRITE_LOCK:
        source = resolve_note_path(root, rel_path)
        if not source.is_file():
            raise StorageError(f"'{rel_path}' is not in the notes folder any more, so there is nothing to delete.")
        trash = root / TRASH_DIR
        entry = _unique_name(trash, _timestamp()) if trash.is_dir() else _timestamp()
        target = trash / entry / _rel(root, source)
        try:
            _make_folders(root, target.parent, f"{TRASH_DIR}/{entry}")
            os.replace(source, target)
        except OSError as err:
            raise _wrap_os_error(err, f"move {rel_path} to the trash") from None
        _fsync_directory(source.parent)
        _fsync_directory(target.parent)
        return target


def _trash_entries(root: Path) -> Iterator[tuple[str, Path, Path]]:
    """(entry name, entry folder, the note file in it) for every well-formed trash entry."""
    trash = root / TRASH_DIR
    if not trash.is_dir() or not trash.resolve().is_relative_to(root):
        return
    for entry in sorted(trash.iterdir()):
        if not entry.is_dir() or entry.is_symlink() or _parse_timestamp(entry.name) is None:
            continue
        files = sorted(p for p in entry.rglob("*.md") if p.is_file() and not p.is_symlink())
        if files:
            yield entry.name, entry, files[0]


def list_trash(notes_dir: Path) -> list[TrashEntry]:
    """Deleted notes, most recently deleted first, with the title read from the file."""
    root = Path(notes_dir).resolve()
    entries = []
    for name, folder, path in _trash_entries(root):
        original = _rel(folder, path)
        try:
            title = notes_lib.parse_note(path.read_bytes(), original).title
        except (notes_lib.NoteError, OSError):
            title = path.stem
        entries.append(TrashEntry(name, original, _parse_timestamp(name), title, path))
    return sorted(entries, key=lambda e: e.name, reverse=True)


def restore_from_trash(notes_dir: Path, trash_name: str) -> Path:
    """Move a deleted note back to its old place (with `-2`, ... if that name was taken since)."""
    _refuse_if_readonly("restoring notes")
    root = _root(notes_dir)
    with _WRITE_LOCK:
        found = next(((folder, path) for name, folder, path in _trash_entries(root) if name == trash_name), None)
        if found is None:
            raise StorageError(f"There is no note '{trash_name}' in the trash (already restored?).")
        folder, source = found
        original = resolve_note_path(root, _rel(folder, source), existed=True)
        try:
            _make_folders(root, original.parent, _rel(folder, source))
            target = original.parent / _unique_name(original.parent, original.name)
            os.replace(source, target)
        except OSError as err:
            raise _wrap_os_error(err, f"restore {source.name}") from None
        _fsync_directory(target.parent)
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


# ---------------------------------------------------------------------------------------------
# Import and export


def import_file_name(filename: str) -> str:
    """A safe note name for an uploaded file: its last path part, slugified stem, `.md`.

    '../../etc/passwd.md' -> 'passwd.md', 'C:\\x\\CON.md' -> 'con-note.md', '합성곱.md' ->
    '합성곱.md'. Anything not ending in .md is refused (UnsafePathError).
    """
    base = re.split(r"[\\/]", filename.replace("\x00", ""))[-1].strip()
    if not base.lower().endswith(".md"):
        raise UnsafePathError(f"'{clean_line(filename)}' is not a markdown file: only .md notes can be imported.")
    return f"{slugify(base[:-3])}.md"


def import_note(notes_dir: Path, filename: str, data: bytes) -> SaveResult:
    """Add an uploaded .md file to the notes folder, exactly as uploaded, under a safe new name.

    The bytes are validated with the loader's own rules first (InvalidNoteError with the
    reason and line if they would not load); an existing note is never overwritten.
    """
    _refuse_if_readonly("importing notes")
    name = import_file_name(filename)
    check_loads(data, name)
    root = _root(notes_dir)
    with _WRITE_LOCK:
        return _write_new(root, root / _unique_name(root, name), data)


def import_notes(notes_dir: Path, files: list[tuple[str, bytes]]) -> list[ImportResult]:
    """Import several (filename, bytes) uploads; each one is saved whole or refused with a reason."""
    results = []
    for filename, data in files:
        try:
            results.append(ImportResult(filename, import_note(notes_dir, filename, data), None))
        except StorageError as err:
            results.append(ImportResult(filename, None, str(err)))
    return results


def export_note(notes_dir: Path, rel_path: str) -> bytes:
    """The bytes of one note, for download."""
    return read_note(notes_dir, rel_path)[0]


def export_zip(notes_dir: Path, folder_name: str = "notes") -> bytes:
    """Every note file (*.md outside dot-folders, links out of the folder skipped) in a zip,
    under `folder_name/` so that unzipping gives a notes folder."""
    root = Path(notes_dir).resolve()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel_path, _mtime, _size in notes_lib.fingerprint(root):
            path = root / rel_path
            if not path.resolve().is_relative_to(root):
                continue
            try:
                data = path.read_bytes()
                modified = dt.datetime.fromtimestamp(path.stat().st_mtime)
            except OSError:
                continue
            info = zipfile.ZipInfo(f"{folder_name}/{rel_path}", date_time=_zip_time(modified))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """Zip timestamps start in 1980."""
    moment = max(moment, dt.datetime(1980, 1, 1))
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
