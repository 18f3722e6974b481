"""The storage primitives: read-only stops every public write, fsync errors are never swallowed,
new folders are fsynced through their parents, and the fallbacks for file systems without
renameat2 or hard links keep the same promises."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from core.journal import storage
from core.journal.storage import durable, saving
from tests.journal.test_storage import listing, meta, saved

WRITERS = {
    "append_durably", "atomic_write", "cleanup_stray_temp_files", "create_exclusive", "folder_lock", "import_note",
    "import_notes", "rename_exclusive", "replace_note_bytes", "restore_from_trash", "restore_version", "save_note",
    "state_folder",
    "trash_note",
}
READERS = {
    "bounded_diff", "build_meta", "check_loads", "clean_body", "clean_line", "clean_meta", "clean_tag",
    "content_hash", "diff_text", "draft_note", "export_note", "export_zip", "history_counts", "history_folder",
    "import_file_name", "is_readonly", "list_history", "list_trash", "note_file_name", "note_text", "read_note",
    "read_version", "resolve_note_path", "slugify", "write_refusal", "add_write_guard", "remove_write_guard",
}


def test_every_public_function_is_known_as_a_reader_or_a_writer():
    public = {name for name in storage.__all__ if callable(getattr(storage, name)) and name[0].islower()}
    assert public == WRITERS | READERS, "classify the new function, and test it below if it writes"


def prepared(folder: Path) -> dict:
    """A folder with a note, a kept version, a trashed note and an old temp file; what the writes need."""
    first = saved(folder, "Before")
    storage.save_note(folder, first.rel_path, meta("Before"), "v2", expected_hash=first.content_hash)
    trashed = storage.trash_note(folder, saved(folder, "Trashed").rel_path)
    stray = folder / ".tmp-old.tmp"
    stray.write_bytes(b"x")
    os.utime(stray, (0, 0))
    _, current = storage.read_note(folder, first.rel_path)
    return {"note": first.rel_path, "current": current, "trash": trashed.relative_to(
        folder.resolve() / storage.TRASH_DIR).parts[0], "version": storage.list_history(folder, first.rel_path)[0].name}


def write_attempts(folder: Path, ready: dict) -> dict:
    def locked():
        with storage.folder_lock(folder):
            (folder / "inside-lock.md").write_text("never")

    return {
        "append_durably": lambda: storage.append_durably(folder / "log.txt", b"x\n"),
        "atomic_write": lambda: storage.atomic_write(folder / ready["note"], b"overwritten"),
        "create_exclusive": lambda: storage.create_exclusive(folder / "new.md", b"new"),
        "folder_lock": locked,
        "import_note": lambda: storage.import_note(folder, "new.md", b"---\ntitle: x\n---\n"),
        "replace_note_bytes": lambda: storage.replace_note_bytes(
            folder, ready["note"], b"---\ntitle: x\n---\nbytes\n", expected_hash=ready["current"]),
        "rename_exclusive": lambda: storage.rename_exclusive(folder / ready["note"], folder / "renamed.md"),
        "restore_from_trash": lambda: storage.restore_from_trash(folder, ready["trash"]),
        "restore_version": lambda: storage.restore_version(
            folder, ready["note"], ready["version"], expected_hash=ready["current"]),
        "save_note": lambda: storage.save_note(folder, ready["note"], meta("Before"), "v3",
                                               expected_hash=ready["current"]),
        "save_note (new)": lambda: saved(folder, "New"),
        "state_folder": lambda: storage.state_folder(folder, "drafts"),
        "trash_note": lambda: storage.trash_note(folder, ready["note"]),
    }


def assert_every_write_refused(folder: Path, ready: dict, message: str) -> None:
    before = {path.relative_to(folder).as_posix() for path in folder.rglob("*")}
    attempts = write_attempts(folder, ready)
    assert {name.split(" ")[0] for name in attempts} | {"import_notes", "cleanup_stray_temp_files"} == WRITERS
    for name, attempt in attempts.items():
        with pytest.raises(storage.ReadOnlyError, match=message):
            attempt()
        assert {path.relative_to(folder).as_posix() for path in folder.rglob("*")} == before, name
    [result] = storage.import_notes(folder, [("new.md", b"---\ntitle: x\n---\n")])
    assert result.saved is None and message.split("|")[0] in result.error
    assert storage.cleanup_stray_temp_files(folder, older_than=0) == []
    assert {path.relative_to(folder).as_posix() for path in folder.rglob("*")} == before


def test_read_only_mode_refuses_every_public_write_function(folder, monkeypatch):
    ready = prepared(folder)
    contents = listing(folder)
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    assert_every_write_refused(folder, ready, "read-only")
    assert listing(folder) == contents
    assert storage.read_note(folder, ready["note"]) and storage.export_zip(folder)


def test_read_only_from_the_start_creates_not_even_the_state_folder(folder, monkeypatch):
    monkeypatch.setenv("STUDYLAB_READONLY", "yes")
    with pytest.raises(storage.ReadOnlyError):
        saved(folder, "Nope")
    assert list(folder.iterdir()) == []


def test_a_write_guard_refuses_every_write_while_it_says_so(folder):
    ready = prepared(folder)
    refusing = [True]

    def guard() -> str | None:
        return "Visitors may only read." if refusing[0] else None

    storage.add_write_guard(guard)
    try:
        assert_every_write_refused(folder, ready, "Visitors may only read")
        refusing[0] = False
        storage.save_note(folder, ready["note"], meta("Before"), "v3", expected_hash=ready["current"])
    finally:
        storage.remove_write_guard(guard)
    assert storage.write_refusal() is None


# --- fsync ---------------------------------------------------------------------------------------


def failing_directory_fsync(monkeypatch, code: int = errno.EIO) -> list[int]:
    """Make fsync of a folder fail with `code` (files still sync); return the inodes attempted."""
    real = os.fsync
    attempted = []

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            attempted.append(info.st_ino)
            raise OSError(code, os.strerror(code))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return attempted


def test_a_folder_fsync_error_after_the_rename_is_reported_not_swallowed(folder, monkeypatch):
    saved(folder, "Lock file first")  # so that only the new note's folder sync is left to fail
    attempted = failing_directory_fsync(monkeypatch)
    with pytest.raises(storage.NotDurableError, match="was written, but the disk reported an error"):
        saved(folder, "Not durable")
    assert attempted and (folder / "2021-08-06-not-durable.md").exists()
    with pytest.raises(storage.NotDurableError):
        storage.atomic_write(folder / "state.txt", b"x")
    with pytest.raises(OSError, match="Input/output error"):
        durable.fsync_directory(folder)


def test_folders_that_cannot_be_fsynced_at_all_are_not_an_error(folder, monkeypatch):
    failing_directory_fsync(monkeypatch, errno.EINVAL)
    durable.fsync_directory(folder)
    assert saved(folder, "Fine").path.exists()


def test_new_history_folders_are_fsynced_through_their_parents(folder, monkeypatch):
    (folder / "week1").mkdir()
    (folder / "week1" / "n.md").write_text("---\ntitle: nested\n---\n")
    _, loaded = storage.read_note(folder, "week1/n.md")
    real = os.fsync
    synced = []

    def spy(fd: int) -> None:
        synced.append(os.fstat(fd).st_ino)
        real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    storage.save_note(folder, "week1/n.md", meta("nested"), "changed", expected_hash=loaded)
    history = folder / storage.HISTORY_DIR
    for created_in in (folder, history, history / "week1", history / "week1" / "n"):
        assert created_in.stat().st_ino in synced, f"{created_in} was not fsynced after a folder was made in it"


# --- primitives ----------------------------------------------------------------------------------


def test_create_exclusive_never_replaces_a_name(folder):
    storage.create_exclusive(folder / "x.md", b"first")
    with pytest.raises(FileExistsError):
        storage.create_exclusive(folder / "x.md", b"second")
    assert (folder / "x.md").read_bytes() == b"first"
    assert not list(folder.glob(".tmp-*"))


def test_atomic_write_replaces_and_keeps_the_mode(folder):
    target = folder / "state.json"
    storage.atomic_write(target, b"one")
    assert stat.S_IMODE(target.stat().st_mode) == storage.NEW_FILE_MODE
    target.chmod(0o600)
    storage.atomic_write(target, b"two")
    assert target.read_bytes() == b"two" and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_append_durably_creates_then_appends_and_refuses_links(folder, tmp_path):
    log = storage.state_folder(folder, "review") / "log.jsonl"
    storage.append_durably(log, b"one\n")
    storage.append_durably(log, b"two\n")
    assert log.read_bytes() == b"one\ntwo\n"
    assert log.parent == folder.resolve() / storage.STATE_DIR / "review"
    (folder / "link.log").symlink_to(tmp_path / "elsewhere.log")
    with pytest.raises(OSError):
        storage.append_durably(folder / "link.log", b"x")
    assert not (tmp_path / "elsewhere.log").exists()


def test_state_folder_refuses_odd_names_and_links_out(folder, tmp_path):
    for parts in (("..",), ("a/b",), ("",), (".",)):
        with pytest.raises(storage.UnsafePathError):
            storage.state_folder(folder, *parts)
    (folder / storage.STATE_DIR).symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(storage.UnsafePathError):
        storage.state_folder(folder, "drafts")
    with pytest.raises(storage.StorageError):
        saved(folder, "No lock through a link")
    assert not (tmp_path / "drafts").exists() and not (tmp_path / storage.LOCK_FILE).exists()


def test_the_folder_lock_is_reentrant_and_yields_the_folder(folder):
    with storage.folder_lock(folder) as root:
        with storage.folder_lock(folder) as again:
            result = saved(folder, "Inside the lock")
    assert root == again == folder.resolve() and result.path.exists()
    assert (folder / storage.STATE_DIR / storage.LOCK_FILE).exists()


# --- fallbacks -----------------------------------------------------------------------------------


@pytest.fixture(params=["renameat2", "hard links", "copies"])
def file_system(request, monkeypatch):
    """The three ways storage can work: renameat2 (Linux), hard links only, neither."""
    if request.param != "renameat2":
        monkeypatch.setattr(durable, "_renameat2", None)
    if request.param == "copies":
        def no_links(*args, **kwargs):
            raise OSError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_links)
    return request.param


def test_every_way_keeps_versions_names_and_conflicts(folder, file_system):
    first = saved(folder, "Ways", body="one\n")
    version_one = first.path.read_bytes()
    second = storage.save_note(folder, first.rel_path, meta("Ways"), "two\n", expected_hash=first.content_hash)
    [kept] = storage.list_history(folder, first.rel_path)
    assert storage.read_version(folder, first.rel_path, kept.name) == version_one
    assert saved(folder, "Ways").rel_path == "2021-08-06-ways-2.md"
    with pytest.raises(storage.ConflictError):
        storage.save_note(folder, first.rel_path, meta("Ways"), "three\n", expected_hash=first.content_hash)
    trashed = storage.trash_note(folder, first.rel_path)
    saved(folder, "Ways", body="took the name\n")
    restored = storage.restore_from_trash(folder, trashed.parent.name)
    assert restored.name == "2021-08-06-ways-3.md" and b"two" in restored.read_bytes()
    assert second.history_path is not None and not list(folder.rglob(".tmp-*"))


def test_swap_in_hands_back_the_displaced_file(folder, file_system):
    target, new = folder / "note.md", folder / "new.md"
    target.write_bytes(b"old")
    new.write_bytes(b"new")
    displaced = durable.swap_in(new, target)
    assert target.read_bytes() == b"new" and displaced.read_bytes() == b"old"
    with pytest.raises(FileNotFoundError):
        durable.swap_in(displaced, folder / "missing.md")


def test_the_verified_swap_catches_a_change_in_every_way(folder, file_system, monkeypatch):
    first = saved(folder, "Raced", body="mine at load\n")
    real = durable.write_temp

    def editor_writes_first(directory, data, *args):
        first.path.write_text("---\ntitle: editor\n---\neditor text\n")  # in place, between check and swap
        return real(directory, data, *args)

    monkeypatch.setattr(durable, "write_temp", editor_writes_first)
    with pytest.raises(storage.ConflictError) as conflict:
        storage.save_note(folder, first.rel_path, meta("Raced"), "my new text\n", expected_hash=first.content_hash)
    assert "editor text" in conflict.value.disk_text and "editor text" in first.path.read_text()
    assert not list(folder.rglob(".tmp-*"))
    assert saving.read_current(first.path, first.rel_path) == first.path.read_bytes()
