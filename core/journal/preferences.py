"""The notes folder's interface preferences (for now: the interface language), kept in
`<notes>/.studylab/preferences.json` so the choice follows the journal, not the browser.

Written atomically through `storage` (refused in read-only mode and for visitors, like every
write); a missing or damaged file reads as "no preference", never as an error.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.journal import storage

FILE_NAME = "preferences.json"
MAX_BYTES = 4096


def load(notes_dir: Path) -> dict:
    """The stored preferences (a dict of plain values), {} when there are none or the file is damaged."""
    path = Path(notes_dir) / storage.STATE_DIR / FILE_NAME
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {key: value for key, value in data.items() if isinstance(value, (str, int, float, bool))} \
        if isinstance(data, dict) else {}


def stored_language(notes_dir: Path, known: tuple[str, ...]) -> str | None:
    """The interface language chosen for this notes folder, if it is one of `known`."""
    value = load(notes_dir).get("language")
    return value if value in known else None


def save_language(notes_dir: Path, language: str) -> None:
    """Remember `language` for this notes folder (ReadOnlyError when writing is off)."""
    preferences = {**load(notes_dir), "language": language}
    data = json.dumps(preferences, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    folder = storage.state_folder(Path(notes_dir))
    with storage.folder_lock(Path(notes_dir)):
        storage.atomic_write(folder / FILE_NAME, data)
