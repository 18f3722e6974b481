"""Saving when the disk refuses (a full disk, no permission), writing a deleted note back to its
place, and conflicts against bytes that are not UTF-8: a message saying nothing was changed,
never a traceback, and the right path and hash for the next save."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from core import messages
from core.journal import storage
from core.journal.storage import durable, history, saving
from tests.journal.test_storage import listing, meta, saved

NO_SPACE = OSError(errno.ENOSPC, "No space left on device")
NO_ACCESS = PermissionError(errno.EACCES, "Permission denied")
NOTHING = "Nothing was changed on disk."


def failing(error: OSError):
    def fail(*args, **kwargs):
        raise error
    return fail


# --- the disk refuses -----------------------------------------------------------------------------

@pytest.mark.parametrize("error", [NO_SPACE, NO_ACCESS])
def test_a_new_note_refused_by_the_disk_says_nothing_was_changed(folder, monkeypatch, error):
    before = listing(folder)
    monkeypatch.setattr(durable, "create_exclusive", failing(error))
    with pytest.raises(storage.StorageError) as refused:
        saved(folder, "Full disk")
    assert str(refused.value) == f"Could not save 2021-08-06-full-disk.md: {error.strerror}. {NOTHING}"
    assert listing(folder) == before


def test_a_folder_that_cannot_be_made_says_nothing_was_changed(folder, monkeypatch):
    monkeypatch.setattr(saving, "make_folders", failing(NO_ACCESS))
    with pytest.raises(storage.StorageError, match=f"Permission denied. {NOTHING}"):
        saved(folder, "No access")
    assert list(folder.glob("*.md")) == []


def test_no_free_name_after_every_try_is_a_message(folder, monkeypatch):
    monkeypatch.setattr(saving, "_MAX_NAME_TRIES", 3)
    tried = []

    def taken(path, data):
        tried.append(Path(path).name)
        raise FileExistsError(errno.EEXIST, "File exists")

    monkeypatch.setattr(durable, "create_exclusive", taken)
    with pytest.raises(storage.StorageError) as refused:
        saved(folder, "Busy")
    assert str(refused.value) == "Could not find a free name for 2021-08-06-busy.md in 3 tries. Nothing was saved."
    assert len(tried) == 3


@pytest.mark.parametrize(("owner", "name"), [(history, "keep"), (durable, "write_temp"), (durable, "swap_in")])
@pytest.mark.parametrize("error", [NO_SPACE, NO_ACCESS])
def test_a_replace_refused_by_the_disk_at_any_step_changes_nothing(folder, monkeypatch, owner, name, error):
    first = saved(folder, "Refused", body="kept as it was\n")
    before = first.path.read_bytes()
    monkeypatch.setattr(owner, name, failing(error))
    with pytest.raises(storage.StorageError) as refused:
        storage.save_note(folder, first.rel_path, meta("Refused"), "mine\n", expected_hash=first.content_hash)
    assert not isinstance(refused.value, storage.ConflictError)
    assert str(refused.value) == f"Could not save {first.path.name}: {error.strerror}. {NOTHING}"
    assert first.path.read_bytes() == before
    assert storage.list_history(folder, first.rel_path) == [], "a refused save leaves no history entry"
    assert not [path for path in folder.rglob("*") if path.name.startswith(durable.TEMP_PREFIX)]


@pytest.mark.parametrize("error", [NO_SPACE, NO_ACCESS])
def test_writing_back_a_deleted_note_refused_by_the_disk_changes_nothing(folder, monkeypatch, error):
    first = saved(folder, "Gone")
    first.path.unlink()
    monkeypatch.setattr(durable, "create_exclusive", failing(error))
    with pytest.raises(storage.StorageError, match=f"Could not save {first.path.name}: {error.strerror}. {NOTHING}"):
        storage.save_note(folder, first.rel_path, meta("Gone"), "back\n", expected_hash=None)
    assert not first.path.exists()


def test_a_note_that_cannot_be_read_is_a_message(folder, monkeypatch):
    first = saved(folder, "Unreadable")
    monkeypatch.setattr(saving.files, "read_regular", failing(NO_ACCESS))
    with pytest.raises(storage.StorageError, match="^Could not read '2021-08-06-unreadable.md': Permission denied.$"):
        storage.read_note(folder, first.rel_path)


def test_a_note_over_the_size_limit_is_a_message(folder, monkeypatch):
    first = saved(folder, "Huge", body="x" * 100)
    monkeypatch.setattr(saving, "MAX_READ_BYTES", 50)
    with pytest.raises(storage.StorageError, match="is over 0 MB, far too large for a note"):
        storage.read_note(folder, first.rel_path)


def test_reading_a_missing_note_says_it_moved(folder):
    with pytest.raises(storage.StorageError, match="'x.md' is not in the notes folder any more"):
        storage.read_note(folder, "x.md")


def test_reading_a_note_gives_its_bytes_and_hash(folder):
    first = saved(folder, "Read me")
    data, digest = storage.read_note(folder, first.rel_path)
    assert data == first.path.read_bytes() and digest == first.content_hash == storage.content_hash(data)


# --- a deleted note written back to its old place ----------------------------------------------------

def test_writing_a_deleted_note_back_returns_its_path_and_hash_and_the_next_save_succeeds(folder):
    first = saved(folder, "Phoenix", body="first life\n")
    first.path.unlink()
    back = storage.save_note(folder, first.rel_path, meta("Phoenix"), "second life\n", expected_hash=None)
    assert back.rel_path == first.rel_path and back.path == first.path and back.created
    assert back.history_path is None
    assert back.content_hash == storage.content_hash(first.path.read_bytes())
    again = storage.save_note(folder, back.rel_path, meta("Phoenix"), "third life\n", expected_hash=back.content_hash)
    assert again.rel_path == first.rel_path and not again.created
    assert first.path.read_text().endswith("third life\n")
    assert again.history_path.read_text().endswith("second life\n")


def test_a_deleted_note_in_a_subfolder_is_written_back_with_its_folder(folder):
    sub = folder / "course" / "week-1"
    sub.mkdir(parents=True)
    first = saving.create_new(folder.resolve(), sub.resolve(), "a.md", b"---\ntitle: a\n---\nx\n")
    assert first.rel_path == "course/week-1/a.md" and first.created and first.history_path is None
    (folder / "course" / "week-1" / "a.md").unlink()
    (folder / "course" / "week-1").rmdir()
    back = storage.replace_note_bytes(folder, first.rel_path, b"---\ntitle: a\n---\ny\n", expected_hash=None)
    assert back.rel_path == "course/week-1/a.md" and (folder / back.rel_path).read_bytes().endswith(b"y\n")


def test_a_new_note_whose_name_is_taken_gets_the_next_free_name(folder):
    first = saved(folder, "Twin")
    second = saved(folder, "Twin")
    assert (first.rel_path, second.rel_path) == ("2021-08-06-twin.md", "2021-08-06-twin-2.md")
    assert second.created and second.content_hash == storage.content_hash(second.path.read_bytes())


# --- conflicts against bytes that are not UTF-8 ------------------------------------------------------

def test_a_conflict_against_non_utf8_bytes_still_shows_its_diff(folder):
    first = saved(folder, "Latin", body="café\n")
    raw = b"---\ntitle: Latin\n---\n\ncaf\xe9 au lait\n\xff\n"
    first.path.write_bytes(raw)
    with pytest.raises(storage.ConflictError) as conflict:
        storage.save_note(folder, first.rel_path, meta("Latin"), "my café\n", expected_hash=first.content_hash)
    disk_text = conflict.value.disk_text
    assert disk_text == raw.decode("utf-8", errors="replace") and "caf\ufffd au lait" in disk_text
    assert conflict.value.disk_hash == storage.content_hash(raw)
    diff = storage.diff_text(disk_text, "my café\n", "on disk now", "your text")
    assert "caf\ufffd au lait" in diff and "my café" in diff
    overwritten = storage.save_note(folder, first.rel_path, meta("Latin"), "my café\n",
                                    expected_hash=conflict.value.disk_hash)
    assert overwritten.history_path.read_bytes() == raw, "the bytes on disk are kept exactly"


def test_the_conflict_for_a_missing_note_has_no_text_and_no_hash():
    gone = saving.conflict("a.md", None)
    assert (gone.rel_path, gone.disk_text, gone.disk_hash) == ("a.md", None, None)
    assert str(gone).startswith("'a.md' was deleted or moved since you opened it")
    changed = saving.conflict("a.md", b"text")
    assert (changed.disk_text, changed.disk_hash) == ("text", storage.content_hash(b"text"))
    assert str(changed).startswith("'a.md' changed on disk since you opened it")


# --- the same refusals in Korean: each a whole sentence of the catalogue --------------------------

@pytest.fixture
def korean():
    messages.set_language("ko")
    yield
    messages.set_language("en")


def save_failed(name: str, error: OSError) -> str:
    """The refusal as the Korean catalogue words it (not the English sentence with a Korean head)."""
    sentence = messages.gettext(saving._SAVE_FAILED)
    assert sentence != saving._SAVE_FAILED
    return sentence.format(name=name, reason=error.strerror)


@pytest.mark.parametrize(("owner", "name"), [(history, "keep"), (durable, "write_temp"), (durable, "swap_in")])
def test_a_refused_replace_is_one_korean_sentence(folder, monkeypatch, korean, owner, name):
    first = saved(folder, "Refused")
    monkeypatch.setattr(owner, name, failing(NO_SPACE))
    with pytest.raises(storage.StorageError) as refused:
        storage.save_note(folder, first.rel_path, meta("Refused"), "mine\n", expected_hash=first.content_hash)
    assert str(refused.value) == save_failed(first.path.name, NO_SPACE)


def test_a_refused_new_note_and_a_refused_write_back_are_one_korean_sentence(folder, monkeypatch, korean):
    first = saved(folder, "Gone")
    first.path.unlink()
    monkeypatch.setattr(durable, "create_exclusive", failing(NO_ACCESS))
    with pytest.raises(storage.StorageError) as refused:
        storage.save_note(folder, first.rel_path, meta("Gone"), "back\n", expected_hash=None)
    assert str(refused.value) == save_failed(first.path.name, NO_ACCESS)
    with pytest.raises(storage.StorageError) as refused:
        saved(folder, "Full disk")
    assert str(refused.value) == save_failed("2021-08-06-full-disk.md", NO_ACCESS)


def test_a_missing_or_special_file_is_named_in_a_whole_sentence(folder):
    with pytest.raises(storage.StorageError) as refused:
        storage.read_note(folder, "week1/x.md")
    assert str(refused.value) == "'week1/x.md' is not in the notes folder any more (moved, renamed or deleted)."
    os.mkfifo(folder / "pipe.md")
    with pytest.raises(storage.StorageError) as refused:
        storage.read_note(folder, "pipe.md")
    assert str(refused.value) == "'pipe.md' is a named pipe (FIFO), not a note file, so it is never opened."


def test_a_windows_device_name_is_refused_naming_it(folder):
    with pytest.raises(storage.UnsafePathError) as refused:
        storage.resolve_note_path(folder, "week1/con.md")
    assert str(refused.value) == "'con.md' is a reserved device name on Windows; choose another name."
