"""The journal tests' shared fixture: an empty notes folder, writable."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty notes folder (`tmp_path/notes`), with STUDYLAB_READONLY unset."""
    notes = tmp_path / "notes"
    notes.mkdir()
    monkeypatch.delenv("STUDYLAB_READONLY", raising=False)
    return notes
