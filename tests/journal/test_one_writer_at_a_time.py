"""One writer at a time per notes folder (core.journal.storage.locking): a writer that finds the
folder's lock held by another process waits for it, polling, and gives up after its timeout with a
message that says nothing happened.

The lock is held here through a second open file description of `.studylab/lock`, as another process
would hold it (flock locks belong to the open file, not the thread). Written against the mutants
`make mutate MODULE=core/journal/storage/locking.py` left alive (docs/mutation.md).
"""

from __future__ import annotations

import os
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


def test_a_thread_waiting_longer_than_its_timeout_is_refused_with_the_same_message(folder):
    inside, leave = threading.Event(), threading.Event()

    def holder():
        with locking.folder_lock(folder):
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert inside.wait(5)
        with pytest.raises(storage.LockTimeoutError) as raised:
            with locking.folder_lock(folder, timeout=0.1):
                pass
        assert str(raised.value) == TIMEOUT_MESSAGE
    finally:
        leave.set()
        thread.join()
