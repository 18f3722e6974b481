"""Every race branch of the compare-and-swap save (`saving.replace_checked`), one at a time.

Another program (an editor, a sync client) changes, deletes or creates the note at each step of
a save: before the check, between the check and the history link, between the link and the swap,
and between the swap and putting its version back. A hook injects the change at exactly that
step; each test checks the ConflictError (or the save) carries the text that is on disk, and that
no version is lost: the loaded one, the other program's and ours are all on disk or in history.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.journal import storage
from core.journal.storage import durable, history, saving
from tests.journal.test_storage import meta, saved

THEIRS = "---\ntitle: theirs\n---\nthe other program's text\n"
CHANGED = "changed on disk since you opened it"
GONE = "was deleted or moved since you opened it"


def texts_kept(folder: Path, rel_path: str) -> list[str]:
    """The note's text (if any) and every version in its history."""
    live = folder / rel_path
    kept = [version.path.read_text() for version in storage.list_history(folder, rel_path)]
    return ([live.read_text()] if live.exists() else []) + kept


def no_temp_files(folder: Path) -> bool:
    return not [path for path in folder.rglob("*") if path.name.startswith(durable.TEMP_PREFIX)]


def replace_with(path: Path, text: str) -> None:
    """Another program saves by writing a new file and renaming it over the note (a new inode)."""
    temp = path.with_name(".other-program.swp")
    temp.write_text(text)
    os.replace(temp, path)


def once_before(monkeypatch, owner, name: str, action, call: int = 1) -> list:
    """Run `action()` right before the `call`-th call of `owner.name`; returns the list of calls."""
    real, calls = getattr(owner, name), []

    def hooked(*args, **kwargs):
        calls.append(args)
        if len(calls) == call:
            action()
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, hooked)
    return calls


def save_over(folder: Path, first: storage.SaveResult, body: str = "my text\n") -> storage.SaveResult:
    return storage.save_note(folder, first.rel_path, meta("Raced"), body, expected_hash=first.content_hash)


@pytest.fixture
def first(folder: Path) -> storage.SaveResult:
    return saved(folder, "Raced", body="the loaded version\n")


# --- step 1: the check ---------------------------------------------------------------------------------

def test_a_note_changed_before_the_check_is_a_conflict_with_the_disk_text(folder, first):
    replace_with(first.path, THEIRS)
    with pytest.raises(storage.ConflictError, match=CHANGED) as conflict:
        save_over(folder, first)
    assert conflict.value.disk_text == THEIRS == first.path.read_text()
    assert conflict.value.disk_hash == storage.content_hash(THEIRS.encode())
    assert conflict.value.rel_path == first.rel_path
    assert storage.list_history(folder, first.rel_path) == []


def test_a_note_deleted_before_the_check_is_a_conflict_with_nothing_on_disk(folder, first):
    first.path.unlink()
    with pytest.raises(storage.ConflictError, match=GONE) as conflict:
        save_over(folder, first)
    assert conflict.value.disk_text is None and conflict.value.disk_hash is None and not first.path.exists()


def test_a_note_created_where_none_was_expected_is_a_conflict(folder, first):
    with pytest.raises(storage.ConflictError, match=CHANGED) as conflict:
        storage.save_note(folder, first.rel_path, meta("Raced"), "mine\n", expected_hash=None)
    assert conflict.value.disk_text == first.path.read_text()


def test_saving_the_same_bytes_changes_nothing(folder, first):
    data = first.path.read_bytes()
    inode = first.path.stat().st_ino
    result = storage.replace_note_bytes(folder, first.rel_path, data, expected_hash=first.content_hash)
    assert result.content_hash == first.content_hash and not result.created and result.history_path is None
    assert result.rel_path == first.rel_path and result.path == first.path
    assert first.path.stat().st_ino == inode and storage.list_history(folder, first.rel_path) == []


def test_a_normal_save_keeps_the_loaded_version_in_history(folder, first):
    loaded = first.path.read_text()
    result = save_over(folder, first)
    assert not result.created and result.history_path is not None
    assert result.history_path.read_text() == loaded
    assert result.content_hash == storage.content_hash(first.path.read_bytes())
    assert texts_kept(folder, first.rel_path) == [first.path.read_text(), loaded]
    assert no_temp_files(folder)


# --- a note expected to be missing, created meanwhile -------------------------------------------------

def test_a_note_created_by_another_program_while_writing_it_back_is_a_conflict(folder, first, monkeypatch):
    loaded = first.path.read_bytes()
    first.path.unlink()
    once_before(monkeypatch, durable, "create_exclusive", lambda: first.path.write_text(THEIRS))
    with pytest.raises(storage.ConflictError, match=CHANGED) as conflict:
        storage.replace_note_bytes(folder, first.rel_path, loaded, expected_hash=None)
    assert conflict.value.disk_text == THEIRS == first.path.read_text()
    assert no_temp_files(folder)


# --- step 2: between the check and the history link ----------------------------------------------------

def test_a_note_replaced_before_it_is_linked_into_history_is_a_conflict(folder, first, monkeypatch):
    once_before(monkeypatch, history, "keep", lambda: replace_with(first.path, THEIRS))
    with pytest.raises(storage.ConflictError, match=CHANGED) as conflict:
        save_over(folder, first)
    assert conflict.value.disk_text == THEIRS == first.path.read_text()
    assert storage.list_history(folder, first.rel_path) == [], "the link to their file is dropped again"
    assert no_temp_files(folder)


def test_a_note_deleted_before_it_is_linked_into_history_is_a_conflict(folder, first, monkeypatch):
    once_before(monkeypatch, history, "keep", lambda: first.path.unlink())
    with pytest.raises(storage.ConflictError, match=GONE) as conflict:
        save_over(folder, first)
    assert conflict.value.disk_text is None and not first.path.exists()
    assert no_temp_files(folder)


# --- step 3: between the history link and the swap ------------------------------------------------------

def test_a_note_replaced_before_the_swap_gets_its_version_back(folder, first, monkeypatch):
    loaded = first.path.read_text()
    once_before(monkeypatch, durable, "swap_in", lambda: replace_with(first.path, THEIRS))
    with pytest.raises(storage.ConflictError, match=CHANGED) as conflict:
        save_over(folder, first)
    assert conflict.value.disk_text == THEIRS == first.path.read_text()
    assert texts_kept(folder, first.rel_path) == [THEIRS, loaded]
    assert no_temp_files(folder)


def test_a_note_deleted_before_the_swap_is_a_conflict_and_its_last_version_is_kept(folder, first, monkeypatch):
    loaded = first.path.read_text()
    once_before(monkeypatch, durable, "swap_in", lambda: first.path.unlink())
    with pytest.raises(storage.ConflictError, match=GONE) as conflict:
        save_over(folder, first)
    assert conflict.value.disk_text is None and not first.path.exists()
    assert texts_kept(folder, first.rel_path) == [loaded]
    assert no_temp_files(folder)


def test_a_note_deleted_and_created_again_before_the_swap_is_put_back(folder, first, monkeypatch):
    loaded = first.path.read_text()

    def delete_and_create():
        first.path.unlink()
        first.path.write_text(THEIRS)

    once_before(monkeypatch, durable, "swap_in", delete_and_create)
    with pytest.raises(storage.ConflictError, match=CHANGED) as conflict:
        save_over(folder, first)
    assert conflict.value.disk_text == THEIRS == first.path.read_text()
    assert texts_kept(folder, first.rel_path) == [THEIRS, loaded]
    assert no_temp_files(folder)


def test_a_note_written_in_place_before_the_swap_stays_the_note(folder, first, monkeypatch):
    once_before(monkeypatch, durable, "swap_in", lambda: first.path.write_text(THEIRS))
    with pytest.raises(storage.ConflictError, match=CHANGED) as conflict:
        save_over(folder, first)
    assert conflict.value.disk_text == THEIRS == first.path.read_text()
    assert storage.list_history(folder, first.rel_path) == [], "no history entry may share the live file"
    assert no_temp_files(folder)


# --- step 4: putting their version back ------------------------------------------------------------------

def test_a_write_landing_while_their_version_is_put_back_is_kept_too(folder, first, monkeypatch):
    """After our swap, the live name holds our file; a program writing into it before their version
    is swapped back wrote into our file, which then is not ours any more: it goes to history."""
    loaded = first.path.read_text()
    once_before(monkeypatch, durable, "swap_in", lambda: replace_with(first.path, THEIRS))
    once_before(monkeypatch, history, "keep", lambda: first.path.write_text("a write in between\n"), call=2)
    with pytest.raises(storage.ConflictError, match=CHANGED) as conflict:
        save_over(folder, first)
    assert conflict.value.disk_text == THEIRS == first.path.read_text()
    kept = texts_kept(folder, first.rel_path)
    assert kept[0] == THEIRS and set(kept[1:]) == {loaded, "a write in between\n"}
    assert no_temp_files(folder)


def test_a_failure_putting_their_version_back_says_where_it_is(folder, first, monkeypatch):
    loaded = first.path.read_text()
    once_before(monkeypatch, durable, "swap_in", lambda: replace_with(first.path, THEIRS))
    real_swap = durable.swap_in
    calls = []

    def swap_in(new, target):
        calls.append(new)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return real_swap(new, target)

    monkeypatch.setattr(saving.durable, "swap_in", swap_in)
    with pytest.raises(storage.StorageError, match="putting that version back failed \\(Input/output error\\)") as err:
        save_over(folder, first)
    assert not isinstance(err.value, storage.ConflictError)
    assert "kept in the note's history" in str(err.value)
    kept = texts_kept(folder, first.rel_path)
    assert THEIRS in kept and loaded in kept


def test_after_a_conflict_the_disk_hash_saves(folder, first, monkeypatch):
    once_before(monkeypatch, durable, "swap_in", lambda: replace_with(first.path, THEIRS))
    with pytest.raises(storage.ConflictError) as conflict:
        save_over(folder, first)
    monkeypatch.undo()
    result = storage.save_note(folder, first.rel_path, meta("Raced"), "my text\n",
                               expected_hash=conflict.value.disk_hash)
    assert "my text" in result.path.read_text() and result.history_path.read_text() == THEIRS
