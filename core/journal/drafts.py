"""Unsaved editor text, autosaved so a reload, a crash or a closed tab never loses it.

A draft is what the Write page shows for one note (or for the new entry) while it differs
from the saved note: the editor's fields, the content hash of the note version it started
from (so saving it later still detects a conflict) and when it was written. Drafts live in
the notes folder's hidden state, `DRAFTS_DIR` (one JSON file each), which the loader never
reads as notes (dot-folder) and export leaves out. Writes are atomic (`storage.atomic_write`)
and refused in read-only mode; a draft file that is damaged or was edited by hand is ignored,
never trusted: every field is checked on load, and the file is read with `files.read_json`, so a
FIFO, a link or a deeply nested file is reported (`read_drafts(...).unusable`), never waited on.

Each browser session (tab) writes its own file per note, named by the note and by its `owner`
token (`new_owner()`: this process's id and a random part), so two tabs editing the same note
never overwrite or delete each other's text. A session that opens a note takes over (`claim`)
the newest draft of it whose owner is gone (`owner_alive`): a reloaded or crashed tab's text
comes back, and the others stay listed until the student opens or discards them. Files from
before owners existed (`<digest>.json`, `new-entry.json`) have owner None and count as gone.

This module is the only one that knows where drafts live and the only one that writes them;
every call into `storage` is here. No streamlit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from core.journal import files, storage
from core.journal.notes import DEFAULT_TYPE, NOTE_TYPES
from core.messages import _

DRAFTS_NAME = "drafts"
DRAFTS_DIR = f"{storage.STATE_DIR}/{DRAFTS_NAME}"
NEW_ENTRY = "new-entry"
NEW_ENTRY_FILE = f"{NEW_ENTRY}.json"
DRAFT_FORMAT = 1
MAX_DRAFT_BYTES = 4_000_000
FIELD_NAMES = ("title", "date", "type", "tags", "course", "week", "day", "body")
_OWNER = r"[0-9]{1,10}-[0-9a-f]{16}"
_FILE_NAME = re.compile(rf"^(?:[0-9a-f]{{32}}|{NEW_ENTRY})(?:-({_OWNER}))?\.json$")


@dataclass(frozen=True)
class Draft:
    """Unsaved text for note `rel_path` (None: the new entry).

    `fields` holds the editor's values: title, course and body (str), date (dt.date or None),
    type (one of NOTE_TYPES), tags (list of str), week and day (int or None). `base_hash` is
    the content hash of the note text the editing started from (None for a new entry),
    `template` the template a new entry came from, `saved_at` when the draft was written (UTC),
    `owner` the session that keeps it (`new_owner()`; None for a file from before owners).
    """

    rel_path: str | None
    fields: dict[str, Any]
    base_hash: str | None = None
    template: str | None = None
    saved_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    owner: str | None = None


@dataclass(frozen=True)
class DraftFolder:
    """Every trustworthy draft (newest first) and every `*.json` file of the drafts folder that is
    not one, as (file name, reason)."""

    drafts: list[Draft]
    unusable: list[tuple[str, str]]


def new_owner() -> str:
    """A fresh owner token for one browser session: `<process id>-<16 hex digits>`."""
    return f"{os.getpid()}-{secrets.token_hex(8)}"


def owner_alive(owner: str | None, live_here: Callable[[str], bool]) -> bool:
    """Whether the session `owner` may still be editing: for this process, `live_here(owner)`
    decides; for another process, whether that process still runs. A file from before owners
    (None) has no session."""
    if owner is None or re.fullmatch(_OWNER, owner) is None:
        return False
    pid = int(owner.split("-")[0])
    if pid == os.getpid():
        return live_here(owner)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it runs, under another user
        return True
    return True


def drafts_folder(notes_dir: Path) -> Path:
    """Where the drafts of this notes folder live (not created here)."""
    return Path(notes_dir).resolve() / DRAFTS_DIR


def draft_file_name(rel_path: str | None, owner: str | None = None) -> str:
    """`new-entry-<owner>.json` for the new entry, else a digest of the note path (paths may hold
    any character; the digest is a safe, fixed-length file name) and the owner."""
    stem = NEW_ENTRY if rel_path is None else hashlib.sha256(rel_path.encode("utf-8")).hexdigest()[:32]
    return f"{stem}.json" if owner is None else f"{stem}-{owner}.json"


def save_draft(notes_dir: Path, draft: Draft) -> Path:
    """Write `draft` atomically, replacing the previous draft of the same note and owner; return its file.

    Raises storage.ReadOnlyError in read-only mode and storage.StorageError when the disk
    refuses (the message says so; the editor keeps the text in the session either way).
    """
    refusal = storage.write_refusal()
    if refusal:
        raise storage.ReadOnlyError(
            _("Drafts are not kept on disk while the journal is read-only. {refusal}").format(refusal=refusal))
    try:
        folder = storage.state_folder(notes_dir, DRAFTS_NAME)
        target = folder / draft_file_name(draft.rel_path, draft.owner)
        storage.atomic_write(target, json.dumps(_encode(draft), ensure_ascii=False, indent=1).encode("utf-8"))
    except OSError as err:
        raise storage.StorageError(
            _("Could not keep your draft on disk ({reason}); it stays in this browser tab until you save.")
            .format(reason=err.strerror or err)
        ) from None
    return target


def load_draft(notes_dir: Path, rel_path: str | None, owner: str | None = None) -> Draft | None:
    """The draft `owner` keeps for note `rel_path` (None: the new entry), or None when there is
    none or its file cannot be trusted (damaged, wrong shape, another note's draft)."""
    draft, _reason = _read(drafts_folder(notes_dir) / draft_file_name(rel_path, owner), Path(notes_dir))
    return draft if draft is not None and draft.rel_path == rel_path else None


def drafts_of(notes_dir: Path, rel_path: str | None) -> list[Draft]:
    """Every trustworthy draft of note `rel_path` (None: the new entry), whoever keeps it, newest first."""
    return [draft for draft in list_drafts(notes_dir) if draft.rel_path == rel_path]


def claim(notes_dir: Path, draft: Draft, owner: str) -> Draft | None:
    """Make `draft` (another session's) `owner`'s draft by renaming its file; the claimed Draft,
    or None when it is gone (another session took it first) or cannot be moved (then it stays
    where it is, still listed)."""
    if storage.write_refusal():
        return None
    folder = drafts_folder(notes_dir)
    if not _inside(folder, Path(notes_dir)):
        return None
    try:
        storage.rename_exclusive(folder / draft_file_name(draft.rel_path, draft.owner),
                                 folder / draft_file_name(draft.rel_path, owner))
    except OSError:
        return None
    return replace(draft, owner=owner)


def discard_draft(notes_dir: Path, rel_path: str | None, owner: str | None = None) -> bool:
    """Delete the draft `owner` keeps of note `rel_path` (None: the new entry); True if there was one."""
    if storage.write_refusal():
        return False
    path = drafts_folder(notes_dir) / draft_file_name(rel_path, owner)
    if not _inside(path, Path(notes_dir)):
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as err:
        raise storage.StorageError(
            _("Could not discard the draft: {reason}.").format(reason=err.strerror or err)) from None
    return True


def read_drafts(notes_dir: Path) -> DraftFolder:
    """Every trustworthy draft of this notes folder, most recently written first, and the
    `*.json` files in the drafts folder that are not usable drafts, with the reason."""
    folder = drafts_folder(notes_dir)
    if not folder.is_dir() or not _inside(folder, Path(notes_dir)):
        return DraftFolder([], [])
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(".json"))
    except OSError as err:
        return DraftFolder([], [(DRAFTS_DIR, _("cannot be listed ({reason})").format(reason=err.strerror or err))])
    found, unusable = [], []
    for name in names:
        draft, reason = _read(folder / name, Path(notes_dir))
        match = _FILE_NAME.match(name)
        if draft is not None and match and name == draft_file_name(draft.rel_path, match.group(1)):
            found.append(replace(draft, owner=match.group(1)))
        elif draft is not None or reason:
            unusable.append((name, reason or _("its name does not match the note it holds")))
    found.sort(key=lambda draft: draft.saved_at, reverse=True)
    return DraftFolder(found, unusable)


def list_drafts(notes_dir: Path) -> list[Draft]:
    """Every trustworthy draft of this notes folder, most recently written first."""
    return read_drafts(notes_dir).drafts


def _inside(path: Path, notes_dir: Path) -> bool:
    """`path` resolves inside the notes folder (a hidden folder linked elsewhere, or a link that
    loops, is not trusted)."""
    try:
        return path.resolve().is_relative_to(notes_dir.resolve())
    except (OSError, RuntimeError):
        return False


def _read(path: Path, notes_dir: Path) -> tuple[Draft | None, str | None]:
    """(the draft in file `path`, None) or (None, why it is not usable); (None, None) when it is gone."""
    if not _inside(path.parent, notes_dir):
        return None, _("the drafts folder is a link out of the notes folder")
    try:
        raw = files.read_json(path, MAX_DRAFT_BYTES)
    except FileNotFoundError:
        return None, None
    except files.UnusableFileError as err:
        return None, str(err)
    try:
        draft = _decode(raw)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
        return None, _("it is not a draft the editor wrote (damaged or edited by hand)")
    match = _FILE_NAME.match(path.name)
    return replace(draft, owner=match.group(1) if match else None), None


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

