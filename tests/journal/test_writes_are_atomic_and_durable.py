"""Every byte the journal writes is atomic and durable (core.journal.storage.durable): the folder is
fsynced after a new name and its error named, new files get 0644, links are never followed, a copy
keeps the file's mode, and only the app's own stray temp files are ever cleaned up.

Written against the mutants `make mutate MODULE=core/journal/storage/durable.py` left alive (see
docs/mutation.md): each test here notices one way the primitives could be written wrong.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import stat
import sys
from pathlib import Path

import pytest

from core.journal import files, storage
from core.journal.storage import durable


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.skipif(not sys.platform.startswith("linux") or durable._renameat2 is None, reason="renameat2: Linux")
def test_renameat2_is_loaded_with_its_errno_and_its_result(folder):
    renameat2 = durable._load_renameat2()
    assert renameat2 is not None
    source, target = folder / "a", folder / "b"
    source.write_bytes(b"a")
    target.write_bytes(b"b")
    ctypes.set_errno(0)
    assert renameat2(-100, bytes(source), -100, bytes(target), 1) == -1
    assert ctypes.get_errno() == errno.EEXIST
    target.unlink()
    assert renameat2(-100, bytes(source), -100, bytes(target), 1) == 0
    assert target.read_bytes() == b"a" and not source.exists()


@pytest.mark.parametrize(("write", "action"), [
    (lambda path: durable.append_durably(path, b"x\n"), "appending to a file"),
    (lambda path: durable.atomic_write(path, b"x"), "writing a file"),
    (lambda path: durable.create_exclusive(path, b"x"), "creating a file"),
    (lambda path: durable.rename_exclusive(path.parent / "other", path), "renaming a file"),
])
def test_read_only_mode_names_the_write_that_did_not_happen(folder, monkeypatch, write, action):
    monkeypatch.setenv(storage.READONLY_ENV, "1")
    with pytest.raises(storage.ReadOnlyError) as raised:
        write(folder / "state.jsonl")
    assert str(raised.value).startswith(f"Writing is turned off, so {action} did not happen. ")
    assert list(folder.iterdir()) == []


def test_a_new_log_file_is_0644_and_its_folder_fsynced_once(folder, monkeypatch, umask_022):
    synced = []
    monkeypatch.setattr(durable, "fsync_directory", synced.append)
    log = folder / "log.jsonl"
    durable.append_durably(log, b"one\n")
    assert stat.S_IMODE(log.stat().st_mode) == 0o644
    assert synced == [folder]
    durable.append_durably(log, b"two\n")
    assert synced == [folder], "appending to an existing file adds no new name to fsync"
    assert log.read_bytes() == b"one\ntwo\n"


def _failing_fsync(directory):
    raise OSError(errno.EIO, "Input/output error")


@pytest.mark.parametrize("write", [
    lambda path: durable.append_durably(path, b"x\n"),
    lambda path: durable.atomic_write(path, b"x"),
    lambda path: durable.create_exclusive(path, b"x"),
])
def test_a_folder_fsync_error_names_the_file_written(folder, monkeypatch, write):
    monkeypatch.setattr(durable, "fsync_directory", _failing_fsync)
    with pytest.raises(storage.NotDurableError) as raised:
        write(folder / "log.jsonl")
    assert str(raised.value) == ("'log.jsonl' was written, but the disk reported an error while making it permanent "
                                 "(Input/output error), so it may not survive a crash or a power cut. Check the disk "
                                 "(free space, errors), then save again.")


def test_appending_to_a_fifo_is_refused_naming_it(folder):
    fifo = folder / "log.jsonl"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # with a reader, the open for appending succeeds
    try:
        with pytest.raises(files.SpecialFileError) as raised:
            durable.append_durably(fifo, b"x\n")
        assert raised.value.filename == str(fifo) and str(raised.value.kind) == "a named pipe (FIFO)"
        assert os.read(reader, 10) == b""
    finally:
        os.close(reader)


def test_a_hard_link_to_a_symbolic_link_is_the_link_itself(folder):
    (folder / "real.md").write_bytes(b"real")
    (folder / "link.md").symlink_to("real.md")
    assert durable.hard_link(folder / "link.md", folder / "second.md")
    assert (folder / "second.md").is_symlink() and os.readlink(folder / "second.md") == "real.md"


def test_without_hard_links_the_copy_aside_keeps_the_files_mode(folder, monkeypatch, umask_022):
    monkeypatch.setattr(durable, "_renameat2", None)
    monkeypatch.setattr(durable, "hard_link", lambda source, target: False)
    target, new = folder / "note.md", folder / "new.md"
    target.write_bytes(b"old")
    target.chmod(0o600)
    new.write_bytes(b"new")
    aside = durable.swap_in(new, target)
    assert aside.read_bytes() == b"old" and stat.S_IMODE(aside.stat().st_mode) == 0o600


def test_a_failed_swap_leaves_no_name_aside(folder, monkeypatch):
    monkeypatch.setattr(durable, "_renameat2", None)

    def failing_replace(source, target):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(durable.os, "replace", failing_replace)
    target, new = folder / "note.md", folder / "new.md"
    target.write_bytes(b"old")
    new.write_bytes(b"new")
    with pytest.raises(OSError, match="Input/output error"):
        durable.swap_in(new, target)
    assert sorted(p.name for p in folder.iterdir()) == ["new.md", "note.md"]


def _temp(folder: Path, name: str, age: float) -> Path:
    path = folder / name
    path.write_bytes(b"partial")
    moment = path.stat().st_mtime - age
    os.utime(path, (moment, moment))
    return path


def test_stray_temp_files_go_from_exactly_their_age_on(folder, monkeypatch):
    temp = _temp(folder, ".tmp-0123456789abcdef.tmp", 0)
    made = temp.lstat().st_mtime
    monkeypatch.setattr(durable.time, "time", lambda: made + 30)
    assert durable.cleanup_stray_temp_files(folder, older_than=30.5) == []
    assert durable.cleanup_stray_temp_files(folder, older_than=30) == [temp]


def test_only_names_with_both_the_temp_prefix_and_suffix_are_cleaned(folder):
    kept = [_temp(folder, ".tmp-notes.md", 3600), _temp(folder, "draft.tmp", 3600), _temp(folder, "x.tmp-.md", 3600)]
    gone = _temp(folder, ".tmp-0123456789abcdef.tmp", 3600)
    assert durable.cleanup_stray_temp_files(folder) == [gone]
    assert all(path.exists() for path in kept)


def test_a_temp_file_that_cannot_be_removed_does_not_stop_the_cleanup(folder, monkeypatch):
    temps = {_temp(folder, f".tmp-{n:016x}.tmp", 3600) for n in range(3)}
    real_unlink = Path.unlink
    refused = []

    def unlink(self, missing_ok=False):
        if not refused:
            refused.append(self)
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    removed = durable.cleanup_stray_temp_files(folder)
    assert set(removed) == temps - set(refused) and len(removed) == 2


@pytest.mark.skipif(durable._renameat2 is None, reason="renameat2: Linux")
def test_renameat2_refusing_a_taken_name_is_an_error_not_a_fallback(folder):
    source, target = folder / "a", folder / "b"
    source.write_bytes(b"a")
    target.write_bytes(b"b")
    with pytest.raises(FileExistsError) as raised:
        durable._rename2(source, target, durable._RENAME_NOREPLACE)
    assert raised.value.strerror == os.strerror(errno.EEXIST)
    assert (raised.value.filename, raised.value.filename2) == (str(source), str(target))
    assert source.read_bytes() == b"a" and target.read_bytes() == b"b"


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP])
def test_a_file_system_without_renameat2_falls_back_and_still_renames(folder, monkeypatch, code):
    def unsupported(*args):
        ctypes.set_errno(code)
        return -1

    monkeypatch.setattr(durable, "_renameat2", unsupported)
    source, target = folder / "a", folder / "b"
    source.write_bytes(b"a")
    assert durable._rename2(source, target, durable._RENAME_NOREPLACE) is False
    durable.rename_exclusive(source, target)
    assert target.read_bytes() == b"a" and not source.exists()


def test_without_renameat2_or_hard_links_a_taken_name_is_still_refused(folder, monkeypatch):
    monkeypatch.setattr(durable, "_renameat2", None)
    monkeypatch.setattr(durable, "hard_link", lambda source, target: False)
    source, target = folder / "a", folder / "b"
    source.write_bytes(b"a")
    target.write_bytes(b"b")
    with pytest.raises(FileExistsError):
        durable.rename_exclusive(source, target)
    assert source.read_bytes() == b"a" and target.read_bytes() == b"b"
    target.unlink()
    durable.rename_exclusive(source, target)
    assert target.read_bytes() == b"a" and not source.exists()


def test_a_temp_name_already_taken_is_never_written_through(folder, tmp_path, monkeypatch):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    (folder / ".tmp-taken.tmp").symlink_to(outside)
    names = iter([folder / ".tmp-taken.tmp", folder / ".tmp-free.tmp"])
    monkeypatch.setattr(durable, "temp_name", lambda directory: next(names))
    path = durable.write_temp(folder, b"new")
    assert path == folder / ".tmp-free.tmp" and path.read_bytes() == b"new"
    assert outside.read_bytes() == b"keep" and (folder / ".tmp-taken.tmp").is_symlink()


def test_temp_names_are_the_prefix_16_random_hex_digits_and_the_suffix(folder):
    names = {durable.temp_name(folder) for _ in range(20)}
    assert len(names) == 20
    assert all(re.fullmatch(r"\.tmp-[0-9a-f]{16}\.tmp", path.name) and path.parent == folder for path in names)


def test_a_temp_file_is_private_while_it_is_written(folder, monkeypatch, umask_022):
    modes = []
    real_fsync = os.fsync

    def fsync(fd):
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fsync(fd)

    monkeypatch.setattr(durable.os, "fsync", fsync)
    path = durable.write_temp(folder, b"secret", 0o644)
    assert modes == [0o600] and stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_temp_file_whose_fsync_fails_is_removed(folder, monkeypatch):
    def failing_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(durable.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output error"):
        durable.write_temp(folder, b"lost")
    assert list(folder.iterdir()) == []


def test_only_a_folder_is_fsynced_as_a_folder(folder):
    (folder / "note.md").write_bytes(b"x")
    with pytest.raises(NotADirectoryError):
        durable.fsync_directory(folder / "note.md")
    durable.fsync_directory(folder)
