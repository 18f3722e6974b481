"""Every version a save replaces is kept in `.history/` and can be read back; only listed versions are
(core.journal.storage.history).

Written for `make mutate MODULE=core/journal/storage/history.py` (docs/mutation.md).
"""

from __future__ import annotations

import errno

import pytest

from core.journal import storage
from core.journal.storage import history
from tests.journal.test_storage import meta, saved


def _two_versions(folder):
    first = saved(folder, "Kept", body="one\n")
    storage.save_note(folder, first.rel_path, meta("Kept"), "two\n", expected_hash=first.content_hash)
    return first


def test_an_unlisted_version_is_refused_naming_it_and_the_note(folder):
    first = _two_versions(folder)
    with pytest.raises(storage.StorageError) as raised:
        storage.read_version(folder, first.rel_path, "nope.md")
    assert str(raised.value) == f"There is no saved version 'nope.md' of '{first.rel_path}'."


def test_a_version_that_cannot_be_read_says_why(folder, monkeypatch):
    first = _two_versions(folder)
    [version] = storage.list_history(folder, first.rel_path)

    def failing(path, limit):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(history.files, "read_regular", failing)
    with pytest.raises(storage.StorageError) as raised:
        storage.read_version(folder, first.rel_path, version.name)
    assert str(raised.value) == f"Could not read the saved version '{version.name}': Input/output error."


def test_the_history_lists_only_timestamped_regular_md_files_newest_first(folder):
    first = _two_versions(folder)
    kept = storage.list_history(folder, first.rel_path)
    place = kept[0].path.parent
    (place / "notes.txt").write_text("x", encoding="utf-8")
    (place / "20210806T101500123456Z.txt").write_text("x", encoding="utf-8")
    (place / "not-a-time.md").write_text("x", encoding="utf-8")
    (place / "29990101T000000000000Z.md").mkdir()
    (place / "29990101T000000000001Z.md").symlink_to(kept[0].path)
    (place / "20000101T000000000000Z-2.md").write_text("older", encoding="utf-8")
    listed = storage.list_history(folder, first.rel_path)
    assert [v.name for v in listed] == [kept[0].name, "20000101T000000000000Z-2.md"]
    assert listed[1].size == 5 and listed[1].saved_at.year == 2000


def test_only_timestamped_md_files_count_and_never_through_a_linked_history(folder, tmp_path):
    first = _two_versions(folder)
    place = storage.list_history(folder, first.rel_path)[0].path.parent
    (place / "notes.md").write_text("x", encoding="utf-8")
    (place / "20000101T000000000000Zabc").write_text("x", encoding="utf-8")
    assert storage.history_counts(folder) == {first.rel_path: 1}
    assert [v.name for v in storage.list_history(folder, first.rel_path)] == [p.name for p in place.glob("2*.md")]
    elsewhere = tmp_path / "elsewhere"
    (folder / storage.HISTORY_DIR).rename(elsewhere)
    (folder / storage.HISTORY_DIR).symlink_to(elsewhere, target_is_directory=True)
    assert storage.history_counts(folder) == {}


def test_a_history_name_taken_meanwhile_is_skipped_for_the_next_free_one(folder, monkeypatch):
    """Another process kept a version under the same name between our choosing it and linking it:
    the version is kept under another name, never dropped."""
    note = folder / "a.md"
    note.write_text("first\n", encoding="utf-8")
    real_link = history.durable.hard_link
    tries = []

    def link_taken_once(source, target):
        tries.append(target)
        if len(tries) == 1:
            raise FileExistsError(errno.EEXIST, "File exists", str(target))
        return real_link(source, target)

    monkeypatch.setattr(history.durable, "hard_link", link_taken_once)
    kept = history.keep(folder.resolve(), "a.md", note)
    assert len(tries) == 2 and kept.path == tries[1] and kept.path.read_text(encoding="utf-8") == "first\n"


def test_a_history_folder_linked_out_of_the_notes_folder_is_refused_naming_the_note(folder, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (folder / history.HISTORY_DIR).symlink_to(outside, target_is_directory=True)
    note = folder / "week1" / "a.md"
    note.parent.mkdir()
    note.write_text("first\n", encoding="utf-8")
    with pytest.raises(storage.UnsafePathError) as raised:
        history.keep(folder.resolve(), "week1/a.md", note)
    assert f"'{history.HISTORY_DIR}/week1/a.md'" in str(raised.value)
    assert list(outside.iterdir()) == []
