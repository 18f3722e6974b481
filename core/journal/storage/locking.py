"""One writer at a time per notes folder, across threads and processes.

`folder_lock(notes_dir)` holds an OS file lock (`fcntl.flock`, exclusive) on
`<notes>/.studylab/lock` for the whole of a read-check-write sequence. Streamlit runs each
browser session as a thread, a second app instance or a script is another process: both wait
for the lock, so the second writer sees the first one's result and gets a conflict instead of
overwriting it. Programs that do not take the lock (editors, sync tools) are caught by the
compare-and-swap in `saving`, not by the lock.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from core.journal.storage import paths
from core.journal.storage.errors import LockTimeoutError, StorageError, refuse_if_readonly
from core.messages import _

try:
    import fcntl
except ImportError:  # Windows: the thread lock below still orders one app's sessions
    fcntl = None

LOCK_FILE = "lock"
LOCK_TIMEOUT_SECONDS = 20.0
# flock is advisory and some network file systems do not have it: then only this process's
# threads are ordered, and the compare-and-swap still refuses what changed underneath.
_NO_FLOCK = frozenset({errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EINVAL})


class _FolderLock:
    """The lock of one notes folder inside this process: a re-entrant thread lock plus, while the
    outermost holder is inside, the open lock file carrying the flock."""

    def __init__(self) -> None:
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None


_locks: dict[str, _FolderLock] = {}
_locks_guard = threading.Lock()


def _lock_for(root: Path) -> _FolderLock:
    with _locks_guard:
        return _locks.setdefault(str(root), _FolderLock())


@contextmanager
def folder_lock(notes_dir: Path, *, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[Path]:
    """Hold the notes folder's write lock; yields the resolved notes folder.

    Use it around any read-check-write of files in the notes folder (the storage functions do):

        with storage.folder_lock(notes_dir) as root:
            ...  # read, decide, write with atomic_write / create_exclusive / append_durably

    Re-entrant in the same thread; ordered across threads (a thread lock) and processes
    (`fcntl.flock` on `.studylab/lock`, created on first use). Waits up to `timeout` seconds,
    then raises LockTimeoutError. Refuses with ReadOnlyError in read-only mode, since taking it
    creates the lock file.
    """
    refuse_if_readonly("writing")
    root = paths.root(notes_dir)
    lock = _lock_for(root)
    if not lock.thread_lock.acquire(timeout=timeout):
        raise _timeout()
    try:
        if lock.depth == 0:
            lock.fd = _open_lock_file(root)
            try:
                _flock(lock.fd, timeout)
            except BaseException:
                os.close(lock.fd)
                lock.fd = None
                raise
        lock.depth += 1
        try:
            yield root
        finally:
            lock.depth -= 1
            if lock.depth == 0 and lock.fd is not None:
                os.close(lock.fd)  # closing the only descriptor releases the flock
                lock.fd = None
    finally:
        lock.thread_lock.release()


def _open_lock_file(root: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(paths.state_folder(root) / LOCK_FILE, flags, 0o644)
    except OSError as err:
        raise StorageError(
            _("Could not open the notes folder's lock file ({file}): {reason}. Nothing was changed on disk.").format(
                file=f"{paths.STATE_DIR}/{LOCK_FILE}", reason=err.strerror or err)
        ) from None


def _flock(fd: int, timeout: float) -> None:
    """Take an exclusive flock on `fd`, polling so that the wait is bounded by `timeout`."""
    if fcntl is None:
        return
    deadline = time.monotonic() + timeout
    pause = 0.0005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise _timeout() from None
            time.sleep(pause)
            pause = min(pause * 2, 0.02)
        except OSError as err:
            if err.errno in _NO_FLOCK:
                return
            raise


def _timeout() -> LockTimeoutError:
    return LockTimeoutError(
        _("Another save to this notes folder (another tab, another copy of the app) is taking unusually long, so "
          "this one did not happen; your text is still here. Try again in a moment.")
    )
