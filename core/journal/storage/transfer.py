"""Import of uploaded `.md` files and export of one note or the whole journal as a zip.

Imports are checked with the loader's own rules and created exclusively under a safe new name
(never over an existing note, also against another process). The zip holds only regular note
files: pipes, devices, folders named `*.md` and links that loop, dangle or lead out are skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.journal import files
from core.journal.storage.errors import StorageError, UnsafePathError, refuse_if_readonly
from core.journal.storage.frontmatter import check_loads, clean_line
from core.journal.storage.paths import root, slugify
from core.journal.storage.saving import MAX_READ_BYTES, SaveResult, create_new, read_note
from core.messages import _


@dataclass(frozen=True)
class ImportResult:
    """The outcome for one uploaded file: `saved` on success, else `error` says why not."""

    filename: str
    saved: SaveResult | None
    error: str | None


def import_file_name(filename: str) -> str:
    """A safe note name for an uploaded file: its last path part, slugified stem, `.md`.

    '../../etc/passwd.md' -> 'passwd.md', 'C:\\x\\CON.md' -> 'con-note.md', '합성곱.md' ->
    '합성곱.md'. Anything not ending in .md is refused (UnsafePathError).
    """
    base = re.split(r"[\\/]", filename.replace("\x00", ""))[-1].strip()
    if not base.lower().endswith(".md"):
        raise UnsafePathError(_("'{name}' is not a markdown file: only .md notes can be imported.").format(
            name=clean_line(filename)))
    return f"{slugify(base[:-3])}.md"


def import_note(notes_dir: Path, filename: str, data: bytes) -> SaveResult:
    """Add an uploaded .md file to the notes folder, exactly as uploaded, under a safe new name.

    The bytes are validated with the loader's own rules first (InvalidNoteError with the
    reason and line if they would not load); an existing note is never overwritten.
    """
    refuse_if_readonly("importing notes")
    name = import_file_name(filename)
    check_loads(data, name)
    root_dir = root(notes_dir)
    return create_new(root_dir, root_dir, name, data)


def import_notes(notes_dir: Path, uploads: list[tuple[str, bytes]]) -> list[ImportResult]:
    """Import several (filename, bytes) uploads; each one is saved whole or refused with a reason."""
    results = []
    for filename, data in uploads:
        try:
            results.append(ImportResult(filename, import_note(notes_dir, filename, data), None))
        except StorageError as err:
            results.append(ImportResult(filename, None, str(err)))
    return results


def export_note(notes_dir: Path, rel_path: str) -> bytes:
    """The bytes of one note, for download."""
    return read_note(notes_dir, rel_path)[0]


def export_zip(notes_dir: Path, folder_name: str = "notes") -> bytes:
    """Every regular note file (*.md outside dot-folders, links inside the folder followed) in a
    zip, under `folder_name/` so that unzipping gives a notes folder. Special files are skipped."""
    root_dir = Path(notes_dir).resolve()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in files.scan(root_dir):
            if entry.problem is not None:
                continue
            try:
                data = files.read_regular(entry.path, MAX_READ_BYTES)
                modified = dt.datetime.fromtimestamp(os.stat(entry.path).st_mtime)
            except OSError:
                continue
            if len(data) > MAX_READ_BYTES:
                continue
            info = zipfile.ZipInfo(f"{folder_name}/{entry.rel_path}", date_time=_zip_time(modified))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """Zip timestamps start in 1980."""
    moment = max(moment, dt.datetime(1980, 1, 1))
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
