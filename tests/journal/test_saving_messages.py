"""What a save says, and about which note: the conflict and refusal sentences word for word, the
note's path in every message and ConflictError, and the small checks the compare-and-swap rests
on. Written against surviving mutants of core/journal/storage/saving.py (docs/mutation.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.journal import storage
from core.journal.storage import durable, history, saving
from tests.journal.test_saving_races import THEIRS, once_before, replace_with
from tests.journal.test_storage import meta

REL = "course/week-1/note.md"
BODY = b"---\ntitle: note\n---\n\nthe loaded version\n"


@pytest.fixture
def first(folder: Path) -> storage.SaveResult:
    (folder / "course" / "week-1").mkdir(parents=True)
    return storage.replace_note_bytes(folder, REL, BODY, expected_hash=None)


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    """Every path the save names to read_current, make_folders and sync_after_change."""
    names: list[str] = []

    def recording(owner, name, position):
        real = getattr(owner, name)

        def wrapper(*args):
            names.append(args[position])
            return real(*args)

        monkeypatch.setattr(owner, name, wrapper)

    recording(saving, "read_current", 1)
    recording(saving, "make_folders", 2)
    recording(durable, "sync_after_change", 1)
    return names


def test_the_changed_conflict_says_what_happened_and_what_to_do():
    assert str(saving.conflict("a.md", b"x")) == (
        "'a.md' changed on disk since you opened it (another tab, another editor, a git pull), so it was not saved. "
        "Your text is still in the editor: compare below, then save yours as a copy or overwrite the file knowingly.")


def test_the_deleted_conflict_says_what_happened_and_what_to_do():
    assert str(saving.conflict("a.md", None)) == (
        "'a.md' was deleted or moved since you opened it (another tab, the trash, a file manager). Your text is "
        "still in the editor: save it as a new note, or write it back to its old place.")


def test_a_normal_save_names_its_note_and_is_not_a_creation(folder, first, shown):
    result = storage.replace_note_bytes(folder, REL, BODY + b"more\n", expected_hash=first.content_hash)
    assert result.created is False and result.rel_path == REL
    assert set(shown) == {REL}


def test_a_note_written_back_names_its_note(folder, first, shown):
    first.path.unlink()
    (folder / "course" / "week-1").rmdir()
    result = storage.replace_note_bytes(folder, REL, BODY, expected_hash=None)
    assert result.created is True and result.rel_path == REL
    assert REL in shown and set(shown) <= {REL, "note.md"}


def test_a_note_created_meanwhile_where_it_was_written_back_names_its_note(folder, first, shown, monkeypatch):
    first.path.unlink()
    once_before(monkeypatch, durable, "create_exclusive", lambda: first.path.write_text(THEIRS))
    with pytest.raises(storage.ConflictError) as conflict:
        storage.replace_note_bytes(folder, REL, BODY, expected_hash=None)
    assert conflict.value.rel_path == REL and str(conflict.value).startswith(f"'{REL}' changed on disk")
    assert set(shown) <= {REL, "note.md"} and shown.count(REL) >= 3


def test_a_note_deleted_before_the_swap_names_its_note(folder, first, monkeypatch):
    once_before(monkeypatch, durable, "swap_in", lambda: first.path.unlink())
    with pytest.raises(storage.ConflictError) as conflict:
        storage.replace_note_bytes(folder, REL, BODY + b"x\n", expected_hash=first.content_hash)
    assert conflict.value.rel_path == REL and str(conflict.value).startswith(f"'{REL}' was deleted")


def test_a_note_replaced_before_the_swap_names_its_note(folder, first, shown, monkeypatch):
    once_before(monkeypatch, durable, "swap_in", lambda: replace_with(first.path, THEIRS))
    with pytest.raises(storage.ConflictError) as conflict:
        storage.replace_note_bytes(folder, REL, BODY + b"x\n", expected_hash=first.content_hash)
    assert conflict.value.rel_path == REL and conflict.value.disk_text == THEIRS
    assert set(shown) == {REL} and shown.count(REL) >= 3  # the check, the sync after putting back, the re-read


def test_a_failed_put_back_says_where_their_version_is(folder, first, monkeypatch):
    once_before(monkeypatch, durable, "swap_in", lambda: replace_with(first.path, THEIRS))
    real_keep, calls = history.keep, []

    def keep(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_keep(*args)

    monkeypatch.setattr(history, "keep", keep)
    with pytest.raises(storage.StorageError) as failed:
        storage.replace_note_bytes(folder, REL, BODY + b"x\n", expected_hash=first.content_hash)
    assert str(failed.value) == (
        f"'{REL}' was changed by another program while it was being saved, and putting that version back failed "
        "(No space left on device). The other version is kept in the note's history: compare it with the note in "
        "Trash & history.")


def test_a_read_error_during_a_save_names_the_note(folder, first, monkeypatch):
    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(saving.files, "read_regular", refuse)
    with pytest.raises(storage.StorageError, match=f"^Could not read '{REL}': Permission denied.$"):
        storage.replace_note_bytes(folder, REL, BODY + b"x\n", expected_hash=first.content_hash)


@pytest.mark.parametrize(("action", "words"), [
    (lambda folder, first: storage.replace_note_bytes(folder, REL, BODY, expected_hash=first.content_hash),
     "replacing notes"),
    (lambda folder, first: storage.restore_version(folder, REL, "x.md", expected_hash=first.content_hash),
     "restoring versions"),
    (lambda folder, first: storage.save_note(folder, REL, meta("n"), "x\n", expected_hash=first.content_hash),
     "saving notes"),
])
def test_readonly_mode_names_what_did_not_happen(folder, first, monkeypatch, action, words):
    monkeypatch.setenv(storage.READONLY_ENV, "1")
    with pytest.raises(storage.ReadOnlyError, match=f"^Writing is turned off, so {words} did not happen. "):
        action(folder, first)
    assert first.path.read_bytes() == BODY


# --- the checks the compare-and-swap rests on -------------------------------------------------------

def test_a_displaced_file_that_cannot_be_read_is_not_the_kept_version(folder, first):
    kept = history.keep(folder.resolve(), REL, first.path)
    assert saving._is_kept_version(first.path, kept, BODY)
    assert not saving._is_kept_version(folder / "missing.md", kept, BODY)
    assert not saving._is_kept_version(folder / "missing.md", history.Kept(kept.path, False), BODY)
    assert not saving._is_kept_version(first.path, kept, BODY + b"other")


def test_identity_is_the_links_own_not_its_targets(folder, first):
    link = folder / "link.md"
    link.symlink_to(first.path)
    assert saving._identity(link) != saving._identity(first.path)
    assert saving._identity(first.path) == (os.stat(first.path).st_dev, os.stat(first.path).st_ino)
    assert saving._identity_or_none(folder / "missing.md") is None
    assert saving._read_or_none(folder / "missing.md") is None


def test_a_new_note_names_itself_to_the_folder_check(folder, shown):
    result = storage.save_note(folder, None, meta("Fresh"), "x\n", expected_hash=None)
    assert result.rel_path == "2021-08-06-fresh.md" and result.created is True
    assert None not in shown and "2021-08-06-fresh.md" in shown


def test_saving_the_same_bytes_is_not_a_creation(folder, first):
    result = storage.replace_note_bytes(folder, REL, BODY, expected_hash=first.content_hash)
    assert result.created is False and result.history_path is None and result.rel_path == REL


def test_a_note_replaced_before_the_history_link_names_its_note(folder, first, shown, monkeypatch):
    once_before(monkeypatch, history, "keep", lambda: replace_with(first.path, THEIRS))
    with pytest.raises(storage.ConflictError) as conflict:
        storage.replace_note_bytes(folder, REL, BODY + b"x\n", expected_hash=first.content_hash)
    assert conflict.value.rel_path == REL and conflict.value.disk_text == THEIRS
    assert set(shown) == {REL}


def test_a_note_deleted_before_the_history_link_names_its_note(folder, first, monkeypatch):
    once_before(monkeypatch, history, "keep", lambda: first.path.unlink())
    with pytest.raises(storage.ConflictError) as conflict:
        storage.replace_note_bytes(folder, REL, BODY + b"x\n", expected_hash=first.content_hash)
    assert conflict.value.rel_path == REL and conflict.value.disk_text is None


def test_a_note_of_exactly_the_size_limit_is_read_and_one_byte_more_is_refused(folder, first, monkeypatch):
    monkeypatch.setattr(saving, "MAX_READ_BYTES", 2_000_000)
    first.path.write_bytes(b"x" * 2_000_000)
    assert len(storage.read_note(folder, REL)[0]) == 2_000_000
    first.path.write_bytes(b"x" * 2_000_001)
    with pytest.raises(storage.StorageError, match=f"^'{REL}' is over 2 MB, far too large for a note.$"):
        storage.read_note(folder, REL)


def test_a_displaced_copy_with_the_same_bytes_is_not_the_linked_version(folder, first):
    """Another program put an identical copy in place (a new file): the linked version is a
    different file, so the displaced one is theirs and goes back, even with the same bytes."""
    kept = history.keep(folder.resolve(), REL, first.path)
    copy = folder / "copy.md"
    copy.write_bytes(BODY)
    assert kept.linked and not saving._is_kept_version(copy, kept, BODY)
    assert saving._is_kept_version(copy, history.Kept(kept.path, False), BODY), "a copied version: bytes decide"
