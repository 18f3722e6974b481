"""Deleting moves a note to the trash and restoring moves it back, never over another note and never
for good (core.journal.storage.trash); each refusal says what did not happen.

Written against the mutants `make mutate MODULE=core/journal/storage/trash.py` left alive (see
docs/mutation.md): each test here notices one way the trash could be written wrong.
"""

from __future__ import annotations

import errno

import pytest

from core import messages
from core.journal import storage
from core.journal.storage import durable, trash
from tests.journal.test_storage import saved


def test_a_missing_note_is_refused_by_name(folder):
    with pytest.raises(storage.StorageError) as raised:
        storage.trash_note(folder, "missing.md")
    assert str(raised.value) == "'missing.md' is not in the notes folder any more, so there is nothing to delete."


def test_an_unknown_trash_entry_is_refused_by_name(folder):
    with pytest.raises(storage.StorageError) as raised:
        storage.restore_from_trash(folder, "nope")
    assert str(raised.value) == "There is no note 'nope' in the trash (already restored?)."


@pytest.mark.parametrize(("act", "action"), [
    (lambda folder: storage.trash_note(folder, "a.md"), "deleting notes"),
    (lambda folder: storage.restore_from_trash(folder, "20210806T101500123456Z"), "restoring notes"),
])
def test_read_only_mode_names_what_did_not_happen(folder, monkeypatch, act, action):
    monkeypatch.setenv(storage.READONLY_ENV, "1")
    with pytest.raises(storage.ReadOnlyError) as raised:
        act(folder)
    assert str(raised.value).startswith(f"Writing is turned off, so {action} did not happen. ")


def test_a_move_the_disk_refuses_leaves_the_note_and_says_so(folder, monkeypatch):
    note = saved(folder, "Stays")

    def failing(source, target):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(durable, "rename_exclusive", failing)
    with pytest.raises(storage.StorageError) as raised:
        storage.trash_note(folder, note.rel_path)
    assert str(raised.value) == (f"Could not move {note.rel_path} to the trash: Input/output error. "
                                 "Nothing was changed on disk.")
    assert note.path.exists()


def test_a_trash_name_taken_meanwhile_is_skipped_for_the_next(folder, monkeypatch):
    note = saved(folder, "Raced")
    real = durable.rename_exclusive
    taken = []

    def first_taken(source, target):
        if not taken:
            taken.append(target)
            raise FileExistsError(errno.EEXIST, "File exists")
        return real(source, target)

    monkeypatch.setattr(durable, "rename_exclusive", first_taken)
    target = storage.trash_note(folder, note.rel_path)
    assert target != taken[0] and target.exists() and not note.path.exists()
    [entry] = storage.list_trash(folder)
    assert entry.original_path == note.rel_path


def test_when_no_name_is_ever_free_the_move_gives_up(folder, monkeypatch):
    note = saved(folder, "Never")
    tries = []

    def always_taken(source, target):
        tries.append(target)
        raise FileExistsError(errno.EEXIST, "File exists")

    monkeypatch.setattr(durable, "rename_exclusive", always_taken)
    monkeypatch.setattr(trash, "_MAX_NAME_TRIES", 5)
    with pytest.raises(storage.StorageError, match="no free name"):
        storage.trash_note(folder, note.rel_path)
    assert len(tries) == 5 and note.path.exists()


def test_restoring_a_nested_note_removes_its_empty_trash_folders(folder):
    (folder / "week1" / "day2").mkdir(parents=True)
    (folder / "week1" / "day2" / "n.md").write_text("---\ntitle: Nested\n---\n", encoding="utf-8")
    storage.trash_note(folder, "week1/day2/n.md")
    [entry] = storage.list_trash(folder)
    assert (entry.original_path, entry.title) == ("week1/day2/n.md", "Nested")
    storage.restore_from_trash(folder, entry.name)
    assert list((folder / storage.TRASH_DIR).iterdir()) == []
    assert (folder / "week1" / "day2" / "n.md").exists()


def test_notes_deleted_in_the_same_instant_get_their_own_trash_entries(folder, monkeypatch):
    monkeypatch.setattr(trash, "timestamp", lambda: "20210806T101500123456Z")
    first, second = saved(folder, "First"), saved(folder, "Second")
    storage.trash_note(folder, first.rel_path)
    storage.trash_note(folder, second.rel_path)
    entries = storage.list_trash(folder)
    assert sorted(e.original_path for e in entries) == sorted([first.rel_path, second.rel_path])
    assert sorted(e.name for e in entries) == ["20210806T101500123456Z", "20210806T101500123456Z-2"]


def test_a_restore_the_disk_refuses_leaves_the_note_in_the_trash_and_says_so(folder, monkeypatch):
    note = saved(folder, "Stays deleted")
    storage.trash_note(folder, note.rel_path)
    [entry] = storage.list_trash(folder)

    def failing(source, target):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(durable, "rename_exclusive", failing)
    with pytest.raises(storage.StorageError) as raised:
        storage.restore_from_trash(folder, entry.name)
    assert str(raised.value) == f"Could not restore {note.path.name}: Input/output error. Nothing was changed on disk."
    assert storage.list_trash(folder) == [entry]


def fsync_fails_in(monkeypatch, failing_in: str) -> None:
    """Make the disk report an error when a folder in the notes ("notes") or in the trash ("trash")
    is made durable."""
    real = durable.fsync_directory

    def fsync_directory(directory):
        in_trash = storage.TRASH_DIR in str(directory)
        if in_trash == (failing_in == "trash"):
            raise OSError(errno.EIO, "Input/output error")
        return real(directory)

    monkeypatch.setattr(durable, "fsync_directory", fsync_directory)


@pytest.mark.parametrize("failing_in", ["notes", "trash"])
def test_a_restore_that_may_not_be_durable_names_the_place(folder, monkeypatch, failing_in):
    note = saved(folder, "Back")
    storage.trash_note(folder, note.rel_path)
    [entry] = storage.list_trash(folder)
    fsync_fails_in(monkeypatch, failing_in)
    with pytest.raises(storage.NotDurableError) as raised:
        storage.restore_from_trash(folder, entry.name)
    shown = note.rel_path if failing_in == "notes" else f"{storage.TRASH_DIR}/{entry.name}/{note.rel_path}"
    assert str(raised.value).startswith(f"'{shown}' was written, but the disk reported an error")
    assert note.path.exists()


def test_a_trash_folder_linked_out_is_refused_naming_the_place(folder, tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    (folder / storage.TRASH_DIR).symlink_to(outside, target_is_directory=True)
    monkeypatch.setattr(trash, "timestamp", lambda: "20210806T101500123456Z")
    note = saved(folder, "Linked trash")
    with pytest.raises(storage.UnsafePathError) as raised:
        storage.trash_note(folder, note.rel_path)
    assert str(raised.value) == (f"'{storage.TRASH_DIR}/20210806T101500123456Z/{note.rel_path}' points outside the "
                                 "notes folder (through a link), so it is not touched.")
    assert note.path.exists() and list(outside.iterdir()) == []


def test_a_deleted_file_that_does_not_load_is_listed_by_its_name(folder):
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    target = storage.trash_note(folder, "broken.md")
    [entry] = storage.list_trash(folder)
    assert (entry.title, entry.original_path, entry.path) == ("broken", "broken.md", target)


@pytest.mark.parametrize("failing_in", ["notes", "trash"])
def test_a_delete_that_may_not_be_durable_names_the_place(folder, monkeypatch, failing_in):
    note = saved(folder, "Gone")
    monkeypatch.setattr(trash, "timestamp", lambda: "20210806T101500123456Z")
    fsync_fails_in(monkeypatch, failing_in)
    with pytest.raises(storage.NotDurableError) as raised:
        storage.trash_note(folder, note.rel_path)
    shown = note.rel_path if failing_in == "notes" else f"{storage.TRASH_DIR}/20210806T101500123456Z/{note.rel_path}"
    assert str(raised.value).startswith(f"'{shown}' was written, but the disk reported an error")


def test_the_trash_lists_only_real_entries_and_their_real_notes(folder, tmp_path):
    note = saved(folder, "Real")
    place = folder / storage.TRASH_DIR
    real = storage.trash_note(folder, note.rel_path).relative_to(place.resolve()).parts[0]
    (place / "0-not-an-entry").mkdir()  # sorts first
    (place / "0-stray-file").write_text("x", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "n.md").write_text("---\ntitle: Elsewhere\n---\n", encoding="utf-8")
    (place / "20000101T000000000000Z").symlink_to(elsewhere, target_is_directory=True)
    odd = place / "20000102T000000000000Z"
    (odd / "a.md").mkdir(parents=True)  # a folder named like a note
    (odd / "b.md").write_text("---\ntitle: B\n---\n", encoding="utf-8")
    (odd / "0.md").symlink_to(odd / "b.md")
    listed = {entry.name: entry.original_path for entry in storage.list_trash(folder)}
    assert listed == {real: note.rel_path, "20000102T000000000000Z": "b.md"}


def test_a_refused_move_or_restore_is_one_korean_sentence_of_the_catalogue(folder, monkeypatch):
    """In Korean, each refusal is its own translated sentence, not the English one with the action
    named inside (the two read the same in English)."""
    note = saved(folder, "Korean refusals")
    storage.trash_note(folder, note.rel_path)
    [entry] = storage.list_trash(folder)
    other = saved(folder, "Still here")

    def failing(source, target):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(durable, "rename_exclusive", failing)
    messages.set_language("ko")
    try:
        moving = messages.gettext("Could not move {path} to the trash: {reason}. Nothing was changed on disk.")
        restoring = messages.gettext("Could not restore {name}: {reason}. Nothing was changed on disk.")
        with pytest.raises(storage.StorageError) as raised:
            storage.trash_note(folder, other.rel_path)
        assert str(raised.value) == moving.format(path=other.rel_path, reason="Input/output error")
        with pytest.raises(storage.StorageError) as raised:
            storage.restore_from_trash(folder, entry.name)
        assert str(raised.value) == restoring.format(name=note.path.name, reason="Input/output error")
    finally:
        messages.set_language("en")
    assert not moving.startswith("Could not") and not restoring.startswith("Could not")
