"""Sync clears a lock file only when no git is at work on it: a lock still held open, a git command
working in that repository, or (where processes cannot be listed) a lock younger than
repo.STALE_LOCK_SECONDS stays.

Written against the mutants `make mutate MODULE=core/sync/merge.py` left alive (docs/mutation.md).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from core.sync import gitcli, merge, repo
from tests.sync.test_sync import old_file

pytestmark = pytest.mark.skipif(gitcli.executable() is None or not Path("/proc/self/cwd").exists(),
                                reason="needs git and /proc")


@pytest.fixture
def lock(tmp_path: Path) -> Path:
    path = tmp_path / "index.lock"
    path.write_bytes(b"")
    return path


def test_where_processes_cannot_be_listed_a_lock_is_stale_from_its_age_on(lock, monkeypatch):
    made = lock.stat().st_mtime
    monkeypatch.setattr(merge.time, "time", lambda: made + repo.STALE_LOCK_SECONDS)
    assert merge._is_stale(lock, None)
    monkeypatch.setattr(merge.time, "time", lambda: made + repo.STALE_LOCK_SECONDS - 1)
    assert not merge._is_stale(lock, None)


def test_a_fresh_lock_is_not_stale_where_processes_cannot_be_listed(lock):
    assert not merge._is_stale(lock, None)


def test_a_lock_a_process_holds_open_is_not_stale_and_one_nobody_holds_is(lock, tmp_path):
    assert not merge._is_stale(lock, {str(lock.resolve())})
    assert merge._is_stale(lock, {str(tmp_path / "other.lock")})


def test_a_lock_gone_meanwhile_is_not_stale(tmp_path):
    assert not merge._is_stale(tmp_path / "gone.lock", None)
    assert not merge._is_stale(tmp_path / "gone.lock", set())


def _waiting(command: list[str], cwd: Path) -> subprocess.Popen:
    """A process that waits on its stdin, in `cwd`, until the test closes it.

    Popen returns once the child's exec has closed its close-on-exec pipe, which Linux does before
    it renames the process: /proc/PID/comm can still read "python" for a moment. Wait for the new
    name, so the process is listed as what it runs."""
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=gitcli.environment())
    name = Path(command[0]).name[:15]
    deadline = time.monotonic() + 10
    while Path(f"/proc/{process.pid}/comm").read_text().strip() != name:
        assert time.monotonic() < deadline, f"{command[0]} did not start within 10 s"
        os.sched_yield()
    return process


def _stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.stdin.close()
        process.kill()
        process.wait()


def test_only_a_git_working_in_the_bare_repository_itself_counts(tmp_path):
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    beside = tmp_path / "beside"
    beside.mkdir()
    neighbour = _waiting(["git", "hash-object", "--stdin"], beside)
    try:
        assert merge._git_at_work(bare) is False, "a git working beside the repository is not at work in it"
    finally:
        _stop(neighbour)
    inside = _waiting(["git", "hash-object", "--stdin"], bare)
    try:
        assert merge._git_at_work(bare) is True
    finally:
        _stop(inside)


def test_a_process_that_is_not_git_never_counts(tmp_path):
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    other = _waiting(["cat"], bare)
    try:
        assert merge._git_at_work(bare) is False
    finally:
        _stop(other)


def test_a_process_that_cannot_be_looked_at_is_skipped_not_the_end_of_the_search(tmp_path, monkeypatch):
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    hidden = _waiting(["git", "hash-object", "--stdin"], bare)  # started first: listed first in /proc
    working = _waiting(["git", "hash-object", "--stdin"], bare)
    real_readlink = os.readlink

    def readlink(path, *args, **kwargs):
        if str(path) == f"/proc/{hidden.pid}/cwd":
            raise PermissionError(13, "Permission denied")
        return real_readlink(path, *args, **kwargs)

    monkeypatch.setattr(merge.os, "readlink", readlink)
    try:
        assert hidden.pid < working.pid
        assert merge._git_at_work(bare) is True
    finally:
        _stop(hidden, working)


@pytest.mark.parametrize(("path", "too_long"), [
    ("a" * 255 + ".md", True), ("a" * 252 + ".md", False), ("a" * 253 + ".md", True),
    ("가" * 84 + ".md", False), ("week/" + "b" * 256, True), ("x" * 200 + "/" + "y" * 200 + ".md", False),
])
def test_a_name_over_255_bytes_is_too_long_for_this_file_system(path, too_long):
    assert merge._too_long(path) is too_long


def test_a_git_at_work_in_the_journal_never_stops_the_remote_s_stale_lock_being_cleared(laptop, remote):
    """recover looks at each repository on its own: the journal's lock stays while a git works
    there, and the remote's stale lock, with no git at work in the remote, is cleared."""
    here = laptop / ".git" / "index.lock"
    there = remote / "packed-refs.lock"
    for lock in (here, there):
        old_file(lock)
    working = _waiting(["git", "hash-object", "--stdin"], laptop)
    try:
        assert merge.recover(laptop) == [there]
    finally:
        _stop(working)
    assert here.exists() and not there.exists()


def test_read_only_clears_no_lock_at_all(laptop, remote, monkeypatch):
    lock = old_file(remote / "packed-refs.lock")
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    assert merge.recover(laptop) == []
    assert lock.exists()


def test_a_lock_that_goes_away_while_recover_looks_is_no_error(laptop, monkeypatch):
    """git finished and removed its own lock between recover's listing and its clearing."""
    lock = old_file(laptop / ".git" / "index.lock")
    real_is_stale = merge._is_stale

    def stale_then_gone(path, held):
        answer = real_is_stale(path, held)
        path.unlink(missing_ok=True)
        return answer

    monkeypatch.setattr(merge, "_is_stale", stale_then_gone)
    assert merge.recover(laptop) == [lock]
    assert not lock.exists()


def test_a_plain_folder_remote_inside_another_repository_is_refused_and_that_repository_untouched(
        laptop, tmp_path):
    """The remote is a plain folder that sits inside some other repository (a project of the
    student's): it is refused as a plain folder, and the project's old lock is never cleared,
    because git is never let to find the repository around the folder."""
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "--quiet", str(project)], check=True)
    their_lock = old_file(project / ".git" / "index.lock")
    shared = project / "shared"
    shared.mkdir()
    repo.set_remote(laptop, str(shared))
    with pytest.raises(gitcli.GitError, match="is not a git repository"):
        merge.sync(laptop)
    assert merge.git_dir_of(shared) is None
    assert their_lock.exists()


def test_a_plain_folder_named_by_a_file_url_is_refused_too(laptop, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    old_file(plain / "index.lock", b"someone's file")
    for url in (f"file://{plain}", f"file://localhost{plain}"):
        repo.set_remote(laptop, url)
        with pytest.raises(gitcli.GitError, match="is not a git repository"):
            merge.sync(laptop)
    assert (plain / "index.lock").read_bytes() == b"someone's file"


def test_a_lock_folder_that_is_a_link_is_never_followed_and_the_next_one_still_cleared(laptop, remote, tmp_path):
    """The remote's refs folder is a link to a folder elsewhere (made by hand, or by a hostile
    classmate): a lock-named file there is never removed; the stale lock in logs/ still is."""
    elsewhere = tmp_path / "elsewhere"
    (remote / "refs").rename(elsewhere)
    (remote / "refs").symlink_to(elsewhere, target_is_directory=True)
    outside = elsewhere / "heads" / "keep.lock"
    outside.write_bytes(b"not git's to clear")
    stale = remote / "logs" / "refs" / "heads" / "main.lock"
    stale.parent.mkdir(parents=True, exist_ok=True)
    for lock in (outside, stale):
        old_file(lock, lock.read_bytes() if lock.exists() else b"")
    assert merge.recover(laptop) == [stale]
    assert outside.read_bytes() == b"not git's to clear" and not stale.exists()


def test_an_old_lock_some_process_still_holds_open_stays_until_it_is_closed(laptop):
    """No git is at work, the lock is old, but a process (here this one) has it open: recover
    reads every process's open files and leaves it; once closed, it is stale and cleared."""
    lock = old_file(laptop / ".git" / "index.lock")
    with open(lock, "rb"):
        assert merge.recover(laptop) == []
        assert lock.exists()
    assert merge.recover(laptop) == [lock]


def test_a_process_or_file_that_cannot_be_read_is_skipped_not_the_end_of_the_listing(laptop, monkeypatch):
    """Processes come and go while recover lists their open files: one whose list cannot be read
    (here process 1's) and an open file that cannot be read (every fd 0) are skipped, and the
    lock this process holds open is still seen."""
    lock = old_file(laptop / ".git" / "index.lock")
    real_scandir, real_readlink = os.scandir, os.readlink

    def scandir(path, *args, **kwargs):
        if str(path) == "/proc/1/fd":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path, *args, **kwargs)

    def readlink(path, *args, **kwargs):
        if str(path).endswith("/fd/0"):
            raise FileNotFoundError(2, "No such file or directory")
        return real_readlink(path, *args, **kwargs)

    monkeypatch.setattr(merge.os, "scandir", scandir)
    monkeypatch.setattr(merge.os, "readlink", readlink)
    with open(lock, "rb"):
        assert merge.recover(laptop) == []
    assert lock.exists()


@pytest.mark.parametrize("url, local", [
    ("example.org:notes/journal.git", False), ("example.org:notes/a:b.git", False),
    ("https://example.org/journal.git", False), ("ssh://example.org/journal.git", False),
    ("../remote.git", True), ("/srv/notes/a:b.git", True), ("file:///srv/journal.git", True),
])
def test_a_remote_url_is_local_exactly_when_git_would_read_it_from_this_disk(tmp_path, url, local):
    """scp-like `host:path` (a colon before any slash, whatever colons follow) and `scheme://`
    URLs are other machines; plain paths and file:// URLs are this one."""
    assert (merge.local_path(url, tmp_path) is not None) is local
