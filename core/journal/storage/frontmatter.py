"""Front matter as it is written: cleaned user text, `yaml.safe_dump`-style YAML, and the proof
that the bytes load as a note (the loader's own rules) before anything is written.

Titles, tags and the course are single lines: `clean_line` (NFC, control and line-break
characters become spaces). Every other front-matter value of a note (keys the app does not
know) is written back exactly, line breaks of every kind included: `note_text` double-quotes
any string holding one, because PyYAML writes NEL (U+0085) raw inside single quotes, where
reading it back folds it into a space.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import PurePosixPath
from typing import Any

import yaml

from core.journal import notes as notes_lib
from core.journal.storage.errors import InvalidNoteError, StorageError
from core.journal.storage.paths import TEXT_BREAKERS
from core.messages import _

META_ORDER = ("title", "date", "type", "tags", "course", "week", "day", "labs")
# Characters YAML reads as a line break (YAML 1.1, which PyYAML follows).
_YAML_LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")


class _NoteDumper(yaml.SafeDumper):
    """yaml.safe_dump's dumper, except that strings holding a line break are double-quoted."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(char in _YAML_LINE_BREAKS for char in text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_NoteDumper.add_representer(str, _represent_str)


# Front matter
def clean_line(text: Any) -> str:
    """One line of user text as it will be stored: NFC, no control or line-break characters, stripped."""
    text = unicodedata.normalize("NFC", str(text))
    return "".join(" " if unicodedata.category(char) in TEXT_BREAKERS else char for char in text).strip()


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
        raise StorageError(_("A note needs a title."))
    date = meta.get("date")
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        raise StorageError(_("A note needs a date (YYYY-MM-DD)."))
    note_type = meta.get("type") or notes_lib.DEFAULT_TYPE
    if note_type not in notes_lib.NOTE_TYPES:
        raise StorageError(_("'{type}' is not a note type; use one of: {types}.").format(
            type=note_type, types=", ".join(notes_lib.NOTE_TYPES)))
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
                raise StorageError(
                    _("{key} must be a whole number, not '{value}'.").format(key=key, value=value)) from None
    if meta.get("labs") is not None:
        cleaned["labs"] = _text_list(meta["labs"])
    for key, value in meta.items():
        if key not in META_ORDER and value is not None:
            cleaned[str(key)] = value
    return cleaned


def note_text(meta: dict[str, Any], body: str) -> str:
    """The file text: `---`, front matter as yaml.safe_dump writes it, `---`, a blank line, the body.

    Lists of plain values are written inline (`tags: [cnn, 'no']`), as hand-written notes do,
    so the first save of a hand-written note changes only what the user changed.
    """
    front = yaml.dump(
        meta, Dumper=_NoteDumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100_000
    )
    return f"---\n{front}---\n\n{clean_body(body)}"


def encode_checked(meta: dict[str, Any], body: str, rel_path: str) -> bytes:
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
        name = PurePosixPath(rel_path).name
        message = (_("{name} would not load as a note: {reason} (line {line}).") if err.line
                   else _("{name} would not load as a note: {reason}."))
        raise InvalidNoteError(message.format(name=name, reason=err.reason, line=err.line), err.line) from None

