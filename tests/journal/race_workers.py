"""Processes for the multi-process storage tests (test_storage_races.py).

Each function runs in its own process (multiprocessing, spawn), so nothing is shared with the
test but the notes folder and the queues: what one app process holds (threads, locks) the
other cannot see, exactly like two app instances, a script and an editor on one machine.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import random
import time
from pathlib import Path

DAY = dt.date(2021, 8, 6)


def _storage():
    os.environ.pop("STUDYLAB_READONLY", None)
    from core.journal import storage

    return storage


def slow_disk(seconds: float) -> None:
    """Make every fsync of this process take `seconds` longer, like a real disk under load: the time
    between a save's check and its replace grows, so a racing writer lands in it more often."""
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        time.sleep(seconds)
        real_fsync(fd)

    os.fsync = fsync


def save_rounds(folder: str, worker: int, jobs, results, barrier) -> None:
    """For each (round, rel_path, expected_hash) job: wait for the other worker, then save this
    worker's text over the note, expecting that hash; report what happened."""
    storage = _storage()
    slow_disk(0.001)
    while (job := jobs.get()) is not None:
        round_number, rel_path, expected = job
        text = f"worker {worker} round {round_number}\n"
        meta = storage.build_meta("Shared", DAY, "til", [])
        barrier.wait()
        try:
            result = storage.save_note(folder, rel_path, meta, text, expected_hash=expected)
            results.put((round_number, worker, "saved", text, result.content_hash))
        except storage.ConflictError as err:
            results.put((round_number, worker, "conflict", text, err.disk_text))
        except Exception as err:  # reported, so the test shows it instead of hanging
            results.put((round_number, worker, "error", text, repr(err)))


def create_rounds(folder: str, worker: int, jobs, results, barrier) -> None:
    """For each (round, kind, argument) job: wait for the other worker, then create a note the same
    way the other worker does at the same moment (save with a title, import, restore from the trash)."""
    storage = _storage()
    slow_disk(0.001)
    while (job := jobs.get()) is not None:
        round_number, kind, argument = job
        text = f"worker {worker} round {round_number}"
        barrier.wait()
        try:
            if kind == "save":
                meta = storage.build_meta(argument, DAY, "til", [])
                rel_path = storage.save_note(folder, None, meta, text, expected_hash=None).rel_path
            elif kind == "import":
                data = f"---\ntitle: {text}\n---\n{text}\n".encode()
                rel_path = storage.import_note(folder, argument, data).rel_path
            else:
                restored = storage.restore_from_trash(folder, argument[worker])
                rel_path = restored.relative_to(Path(folder).resolve()).as_posix()
            results.put((round_number, worker, "created", text, rel_path))
        except Exception as err:
            results.put((round_number, worker, "error", text, repr(err)))


def app_saver(folder: str, rel_path: str, saves: int, seed: int, results) -> None:
    """The app: read the note, wait a moment (the student types), save with the hash it read."""
    storage = _storage()
    slow_disk(0.002)
    rng = random.Random(seed)
    meta = storage.build_meta("Edited", DAY, "til", [])
    for number in range(saves):
        data, loaded = storage.read_note(folder, rel_path)
        time.sleep(rng.uniform(0, 0.003))
        text = f"app save {number}\n"
        try:
            result = storage.save_note(folder, rel_path, meta, text, expected_hash=loaded)
        except storage.ConflictError as err:
            results.put(("conflict", text, loaded, err.disk_text, None))
            continue
        except Exception as err:
            results.put(("error", text, loaded, repr(err), None))
            continue
        inode = os.stat(result.path).st_ino
        kept = result.history_path.read_bytes() if result.history_path else None
        results.put(("saved", text, loaded, kept, inode))
    results.put(("done", None, None, None, None))


def _exchange(first: str, second: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.renameat2(-100, os.fsencode(first), -100, os.fsencode(second), 2) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _edit_at_random_moments(seed: int, stop, results, write_one) -> None:
    """Call `write_one(number) -> (text, inode)` at random moments until `stop`; report each write."""
    rng = random.Random(seed)
    number = 0
    while not stop.is_set():
        time.sleep(rng.uniform(0, 0.004))
        text, inode = write_one(number)
        results.put(("wrote", text, inode))
        number += 1
    results.put(("done", None, None))


def careful_editor(folder: str, rel_path: str, outside: str, seed: int, stop, results) -> None:
    """An editor or sync client that does not take the app's lock: it writes its own version next to
    the note and swaps it in atomically (rename-style save), at random moments. It never loses
    anything itself: the version it displaces is moved to `outside`, so any text that goes
    missing was lost by the app."""
    note = Path(folder) / rel_path

    def write_one(number: int) -> tuple[str, None]:
        text = f"---\ntitle: Editor {number}\n---\neditor write {number}\n"
        temp = Path(folder) / f".editor-{number}.swp"
        temp.write_text(text, encoding="utf-8")
        _exchange(str(temp), str(note))
        os.replace(temp, Path(outside) / f"displaced-{number}.md")
        return text, None

    _edit_at_random_moments(seed, stop, results, write_one)


def inplace_editor(folder: str, rel_path: str, seed: int, stop, results) -> None:
    """An editor that saves by truncating and rewriting the note file in place, at random moments;
    reports which file (inode) each text went into."""
    note = Path(folder) / rel_path

    def write_one(number: int) -> tuple[str, int]:
        text = f"---\ntitle: In place {number}\n---\nin-place write {number}\n"
        fd = os.open(note, os.O_WRONLY | os.O_TRUNC)
        try:
            inode = os.fstat(fd).st_ino
            os.write(fd, text.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        return text, inode

    _edit_at_random_moments(seed, stop, results, write_one)


def hold_lock(folder: str, ready, release) -> None:
    """Take the notes folder's lock, say so, and keep it until told to let go."""
    storage = _storage()
    with storage.folder_lock(folder):
        ready.set()
        release.wait(30)


def try_lock(folder: str, timeout: float, results) -> None:
    """Try to take the notes folder's lock within `timeout` seconds; report the outcome."""
    storage = _storage()
    began = time.monotonic()
    try:
        with storage.folder_lock(folder, timeout=timeout):
            results.put(("locked", time.monotonic() - began))
    except storage.LockTimeoutError:
        results.put(("timeout", time.monotonic() - began))


def append_records(folder: str, worker: int, count: int, barrier) -> None:
    """Append `count` one-line records to the same log as another process, all at once."""
    storage = _storage()
    log = Path(folder) / ".studylab" / "log.jsonl"
    barrier.wait()
    for number in range(count):
        storage.append_durably(log, f'{{"worker": {worker}, "n": {number}, "pad": "{"x" * 200}"}}\n'.encode())
