"""Unsaved editor text, autosaved so a reload, a crash or a closed tab never loses it.

A draft is what the Write page shows for one note (or for the new entry) while it differs
from the saved note: the editor's fields, the content hash of the note version it started
from (so saving it later still detects a conflict) and when it was written. Drafts live in
the notes folder's hidden state, `DRAFTS_DIR` (one JSON file each), which the loader never
reads as notes (dot-folder) and export leaves out. Writes are atomic (`storage.atomic_write`)
and refused in read-only mode; a draft file that is damaged or was edited by hand is ignored,
never trusted: every field is checked on load.

This module is the only one that knows where drafts live and the only one that writes them;
every call into `storage` is here. No streamlit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.journal import storage
from core.journal.notes import DEFAULT_TYPE, NOTE_TYPES

DRAFTS_NAME = "drafts"
DRAFTS_DIR = f"{storage.STATE_DIR}/{DRAFTS_NAME}"
NEW_ENTRY_FILE = "new-entry.json"
DRAFT_FORMAT = 1
MAX_DRAFT_BYTES = 4_000_000
FIELD_NAMES = ("title", "date", "type", "tags", "course", "week", "day", "body")


@dataclass(frozen=True)
class Draft:
    """Unsaved text for note `rel_path` (None: the new entry).

    `fields` holds the editor's values: title, course and body (str), date (dt.date or None),
    type (one of NOTE_TYPES), tags (list of str), week and day (int or None). `base_hash` is
    the content hash of the note text the editing started from (None for a new entry),
    `template` the template a new entry came from, `saved_at` when the draft was written (UTC).
    """

    rel_path: str | None
    fields: dict[str, Any]
    base_hash: str | None = None
    template: str | None = None
    saved_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


def drafts_folder(notes_dir: Path) -> Path:
    """Where the drafts of this notes folder live (not created here)."""
    return Path(notes_dir).resolve() / DRAFTS_DIR


def draft_file_name(rel_path: str | None) -> str:
    """`new-entry.json` for the new entry, else a digest of the note path (paths may hold any
    character; the digest is a safe, fixed-length file name)."""
    if rel_path is None:
        return NEW_ENTRY_FILE
    return hashlib.sha256(rel_path.encode("utf-8")).hexdigest()[:32] + ".json"


def save_draft(notes_dir: Path, draft: Draft) -> Path:
    """Write `draft` atomically, replacing the previous draft of the same note; return its file.

    Raises storage.ReadOnlyError in read-only mode and storage.StorageError when the disk
    refuses (the message says so; the editor keeps the text in the session either way).
    """
    refusal = storage.write_refusal()
    if refusal:
        raise storage.ReadOnlyError(f"Drafts are not kept on disk while the journal is read-only. {refusal}")
    try:
        folder = storage.state_folder(notes_dir, DRAFTS_NAME)
        target = folder / draft_file_name(draft.rel_path)
        storage.atomic_write(target, json.dumps(_encode(draft), ensure_ascii=False, indent=1).encode("utf-8"))
    except OSError as err:
        raise storage.StorageError(
            f"Could not keep your draft on disk ({err.strerror or err}); it stays in this browser tab until you save."
        ) from None
    return target


def load_draft(notes_dir: Path, rel_path: str | None) -> Draft | None:
    """The draft kept for note `rel_path` (None: the new entry), or None when there is none or
    its file cannot be trusted (damaged, wrong shape, another note's draft)."""
    draft = _read(drafts_folder(notes_dir) / draft_file_name(rel_path), Path(notes_dir))
    return draft if draft is not None and draft.rel_path == rel_path else None


def discard_draft(notes_dir: Path, rel_path: str | None) -> bool:
    """Delete the draft of note `rel_path` (None: the new entry); True if there was one."""
    if storage.write_refusal():
        return False
    path = drafts_folder(notes_dir) / draft_file_name(rel_path)
    if not _inside(path, Path(notes_dir)):
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as err:
        raise storage.StorageError(f"Could not discard the draft: {err.strerror or err}.") from None
    return True


def list_drafts(notes_dir: Path) -> list[Draft]:
    """Every trustworthy draft of this notes folder, most recently written first."""
    folder = drafts_folder(notes_dir)
    if not folder.is_dir() or not _inside(folder, Path(notes_dir)):
        return []
    drafts = []
    for path in folder.glob("*.json"):
        draft = _read(path, Path(notes_dir))
        if draft is not None and path.name == draft_file_name(draft.rel_path):
            drafts.append(draft)
    return sorted(drafts, key=lambda draft: draft.saved_at, reverse=True)


def _inside(path: Path, notes_dir: Path) -> bool:
    """`path` resolves inside the notes folder (a hidden folder linked elsewhere is not trusted)."""
    try:
        return path.resolve().is_relative_to(notes_dir.resolve())
    except OSError:
        return False


def _read(path: Path, notes_dir: Path) -> Draft | None:
    if not _inside(path, notes_dir) or path.is_symlink():
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_DRAFT_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_DRAFT_BYTES:
        return None
    try:
        return _decode(json.loads(data.decode("utf-8")))
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
        return None


def _encode(draft: Draft) -> dict[str, Any]:
    fields = dict(draft.fields)
    day = fields.get("date")
    fields["date"] = day.isoformat() if isinstance(day, dt.date) else None
    return {
        "format": DRAFT_FORMAT,
        "rel_path": draft.rel_path,
        "base_hash": draft.base_hash,
        "template": draft.template,
        "saved_at": draft.saved_at.astimezone(dt.timezone.utc).isoformat(),
        "fields": {name: fields.get(name) for name in FIELD_NAMES},
    }


def _decode(raw: dict[str, Any]) -> Draft:
    """A Draft from parsed JSON; ValueError/TypeError/KeyError for anything out of shape."""
    if raw["format"] != DRAFT_FORMAT:
        raise ValueError("unknown draft format")
    fields = raw["fields"]
    saved_at = dt.datetime.fromisoformat(raw["saved_at"])
    if saved_at.tzinfo is None:
        saved_at = saved_at.replace(tzinfo=dt.timezone.utc)
    return Draft(
        rel_path=_optional_text(raw["rel_path"]),
        base_hash=_optional_text(raw["base_hash"]),
        template=_optional_text(raw.get("template")),
        saved_at=saved_at,
        fields={
            "title": _text(fields["title"]),
            "date": dt.date.fromisoformat(fields["date"]) if fields["date"] is not None else None,
            "type": fields["type"] if fields["type"] in NOTE_TYPES else DEFAULT_TYPE,
            "tags": [_text(tag) for tag in _list(fields["tags"])],
            "course": _text(fields["course"]),
            "week": _whole_number(fields["week"]),
            "day": _whole_number(fields["day"]),
            "body": _text(fields["body"]),
        },
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("draft text field is not text")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("draft tags are not a list")
    return value


def _whole_number(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("draft week/day is not a number")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ValueError("draft week/day is not a whole number")
    return int(value)

