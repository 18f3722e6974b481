"""One writer at a time per notes folder (core.journal.storage.locking): a writer that finds the
folder's lock held by another process waits for it, polling, and gives up after its timeout with a
message that says nothing happened.

The lock is held here through a second open file description of `.studylab/lock`, as another process
would hold it (flock locks belong to the open file, not the thread). Written against the mutants
`make mutate MODULE=core/journal/storage/locking.py` left alive (docs/mutation.md).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
import time

import pytest

from core.journal import storage
from core.journal.storage import locking, paths

fcntl = pytest.importorskip("fcntl")

TIMEOUT_MESSAGE = ("Another save to this notes folder (another tab, another copy of the app) is taking unusually "
                   "long, so this one did not happen; your text is still here. Try again in a moment.")


@pytest.fixture
def held(folder):
    """The folder's lock file, flocked by another open file (as another process would)."""
    fd = os.open(paths.state_folder(folder) / locking.LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    yield fd
    os.close(fd)


def test_a_lock_held_elsewhere_is_waited_for_then_refused_after_the_timeout(folder, held):
    started = time.monotonic()
    with pytest.raises(storage.LockTimeoutError) as raised:
        with locking.folder_lock(folder, timeout=0.3):
            pytest.fail("the lock was taken while another process held it")
    waited = time.monotonic() - started
    assert str(raised.value) == TIMEOUT_MESSAGE
    assert 0.3 <= waited < 0.9, f"waited {waited:.2f} s for a 0.3 s timeout"


def test_a_lock_released_while_waiting_is_taken(folder, held):
    releaser = threading.Timer(0.15, fcntl.flock, (held, fcntl.LOCK_UN))
    releaser.start()
    started = time.monotonic()
    try:
        with locking.folder_lock(folder, timeout=5) as root:
            waited = time.monotonic() - started
            assert root == folder.resolve()
    finally:
        releaser.join()
    assert 0.1 <= waited < 1.0, f"took {waited:.2f} s to notice the lock was free"


@contextlib.contextmanager
def held_by_another_thread(folder):
    """`folder`'s lock held by another thread of this process until the block ends."""
    inside, leave = threading.Event(), threading.Event()

    def holder():
        with locking.folder_lock(folder):
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert inside.wait(5)
        yield
    finally:
        leave.set()
        thread.join()


def test_a_thread_waiting_longer_than_its_timeout_is_refused_with_the_same_message(folder):
    with held_by_another_thread(folder):
        with pytest.raises(storage.LockTimeoutError) as raised:
            with locking.folder_lock(folder, timeout=0.1):
                pass
        assert str(raised.value) == TIMEOUT_MESSAGE


def test_a_waiting_writer_polls_from_half_a_millisecond_doubling_up_to_20_ms(folder, held, monkeypatch):
    pauses = []
    real_sleep = time.sleep

    def sleep(seconds):
        pauses.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(locking.time, "sleep", sleep)
    with pytest.raises(storage.LockTimeoutError):
        with locking.folder_lock(folder, timeout=0.1):
            pass
    assert pauses[:7] == [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.02]
    assert max(pauses) == 0.02


class _Fcntl:
    """fcntl with a flock that fails with `code`, as some file systems answer."""

    LOCK_EX, LOCK_NB, LOCK_UN = fcntl.LOCK_EX, fcntl.LOCK_NB, fcntl.LOCK_UN

    def __init__(self, code):
        self.code = code

    def flock(self, fd, operation):
        raise OSError(self.code, os.strerror(self.code))


@pytest.mark.parametrize("code", sorted(locking._NO_FLOCK))
def test_a_file_system_without_flock_still_lets_this_process_write(folder, monkeypatch, code):
    monkeypatch.setattr(locking, "fcntl", _Fcntl(code))
    with locking.folder_lock(folder) as root:
        assert root == folder.resolve()


def test_any_other_flock_error_stops_the_write(folder, monkeypatch):
    monkeypatch.setattr(locking, "fcntl", _Fcntl(5))  # EIO
    with pytest.raises(OSError, match="Input/output error"):
        with locking.folder_lock(folder):
            pytest.fail("the lock was taken although flock failed")


def test_two_folders_are_locked_independently(tmp_path, monkeypatch):
    monkeypatch.delenv(storage.READONLY_ENV, raising=False)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    with held_by_another_thread(first):
        with locking.folder_lock(second, timeout=0.5) as root:
            assert root == second.resolve()


def test_a_lock_file_that_is_a_link_is_never_followed(folder, tmp_path):
    outside = tmp_path / "outside-lock"
    (folder / storage.STATE_DIR).mkdir()
    (folder / storage.STATE_DIR / locking.LOCK_FILE).symlink_to(outside)
    with pytest.raises(storage.StorageError) as raised:
        with locking.folder_lock(folder):
            pytest.fail("the lock was taken through a link")
    assert str(raised.value) == ("Could not open the notes folder's lock file (.studylab/lock): "
                                 f"{os.strerror(errno.ELOOP)}. Nothing was changed on disk.")
    assert not outside.exists()


def test_the_lock_file_is_made_0644(folder):
    old = os.umask(0o022)
    try:
        with locking.folder_lock(folder):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((folder / storage.STATE_DIR / locking.LOCK_FILE).stat().st_mode) == 0o644
