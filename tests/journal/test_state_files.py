"""The app's own files in `.studylab/` (review log, review settings, peers, drafts) when they are not
what the app wrote: a FIFO never hangs a reader or a writer holding the folder lock, and JSON that
is nested too deeply, overflows or is a link that loops is reported and replaced by the default."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core.journal import drafts, files, storage
from core.review import log as review_log
from core.review import schedule
from core.sync import peers
from tests.conftest import ROOT

DEEP_JSON = b"[" * 20_000 + b"]" * 20_000
HUGE_DEEP_JSON = b"[" * 200_000 + b"]" * 200_000
NOTE = "2021-08-06-n.md"
SAVE_IN_ANOTHER_PROCESS = """
import datetime as dt, sys, time
from core.journal import storage
folder = sys.argv[1]
_, expected = storage.read_note(folder, "2021-08-06-n.md")
meta = storage.build_meta("N", dt.date(2021, 8, 6), "til", [])
started = time.monotonic()
storage.save_note(folder, "2021-08-06-n.md", meta, "saved by the other process\\n", expected_hash=expected)
print(f"saved in {time.monotonic() - started:.1f} s")
"""


@pytest.fixture
def state(folder: Path) -> Path:
    """The notes folder's `.studylab/drafts/`, created."""
    (folder / ".studylab" / "drafts").mkdir(parents=True)
    return folder / ".studylab"


def run_bounded(function, *args, seconds: float = 10.0):
    """Call `function(*args)` in a daemon thread; (finished in time, its result or exception)."""
    outcome: list = []

    def call() -> None:
        try:
            outcome.append(function(*args))
        except BaseException as err:  # the test looks at what was raised
            outcome.append(err)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive(), (outcome[0] if outcome else None)


def release(fifo: Path) -> None:
    """Give a FIFO a reader and a writer for a moment, so a thread blocked on it (before the fix) ends."""
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    threading.Event().wait(0.5)
    os.close(fd)


def test_a_fifo_review_log_is_refused_at_once_and_another_process_still_saves(folder, state):
    meta = storage.build_meta("N", dt.date(2021, 8, 6), "til", [])
    storage.save_note(folder, None, meta, "x\n", expected_hash=None)
    fifo = state / review_log.LOG_NAME
    os.mkfifo(fifo)
    review = review_log.Review("practice:conv-output-size", dt.datetime.now(dt.timezone.utc), 3, "practice")
    try:
        finished, outcome = run_bounded(review_log.append_review, folder, review)
        assert finished, "checking a practice answer hung on the FIFO while holding the folder lock"
        assert isinstance(outcome, storage.StorageError) and "named pipe" in str(outcome)
        other = subprocess.run([sys.executable, "-c", SAVE_IN_ANOTHER_PROCESS, str(folder)], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
        assert other.returncode == 0 and other.stdout.startswith("saved"), other.stderr[-600:]
    finally:
        release(fifo)
    assert (folder / NOTE).read_text(encoding="utf-8").endswith("saved by the other process\n")


def test_append_durably_refuses_a_fifo_with_or_without_a_reader(folder):
    fifo = folder / "log"
    os.mkfifo(fifo)
    finished, outcome = run_bounded(storage.append_durably, fifo, b"line\n")
    assert finished and isinstance(outcome, OSError)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        finished, outcome = run_bounded(storage.append_durably, fifo, b"line\n")
        assert finished and isinstance(outcome, files.SpecialFileError) and "named pipe" in str(outcome)
        assert os.read(reader, 100) == b"", "nothing was written into the pipe"
    finally:
        os.close(reader)


@pytest.mark.parametrize("name", [review_log.LOG_NAME, schedule.SETTINGS_NAME, peers.PEERS_FILE, "drafts/x.json",
                                  f"drafts/{drafts.NEW_ENTRY_FILE}"])
def test_a_fifo_in_the_state_folder_never_blocks_a_reader(folder, state, name):
    fifo = state / name
    os.mkfifo(fifo)
    try:
        finished, settings = run_bounded(schedule.load_settings, folder)
        assert finished and isinstance(settings, tuple)
        finished, book = run_bounded(lambda: schedule.ReviewStore(folder, schedule.ReviewSettings()).book())
        assert finished and book.total == 0
        finished, found = run_bounded(peers.peers, folder)
        assert finished and found == []
        finished, kept = run_bounded(drafts.list_drafts, folder)
        assert finished and kept == []
        finished, _ = run_bounded(drafts.load_draft, folder, None)
        assert finished
    finally:
        release(fifo)
    kept = drafts.read_drafts(folder)
    if name == review_log.LOG_NAME:
        assert "named pipe" in book.error
    if name == schedule.SETTINGS_NAME:
        assert settings[0] == schedule.ReviewSettings() and "named pipe" in settings[1]
    if name.startswith("drafts/"):
        assert kept.unusable == [(Path(name).name, "it is a named pipe (FIFO), not a file")]


@pytest.mark.parametrize(("content", "reason"), [
    (DEEP_JSON, "nested too deeply"),
    (HUGE_DEEP_JSON, "larger than"),
    (b'{"desired_retention": 0.9, "learning_steps": [1e400], "relearning_steps": [], "new_per_day": 1}',
     "not a finite number"),
    (b'{"desired_retention": NaN, "learning_steps": [], "relearning_steps": [], "new_per_day": 1}',
     "not a finite number"),
    (b'{"desired_retention": 0.9, "learning_steps": [60], "relearning_steps": [], "new_per_day": 1e300}',
     "new cards a day"),
    (b'{"desired_retention": 0.9, "learning_steps": "60", "relearning_steps": [], "new_per_day": 1}',
     "steps must be a list"),
    (b'{"desired_retention": true, "learning_steps": [], "relearning_steps": [], "new_per_day": 1}',
     "not a finite number"),
    (b"[1, 2]", "not a JSON object"),
    (b"\xff\xfe", "not valid JSON"),
])
def test_unusable_review_settings_fall_back_to_the_defaults_with_a_reason(folder, state, content, reason):
    (state / schedule.SETTINGS_NAME).write_bytes(content)
    settings, warning = schedule.load_settings(folder)
    assert settings == schedule.ReviewSettings()
    assert reason in warning and "using the defaults" in warning


def test_review_settings_that_are_a_link_loop_fall_back_to_the_defaults(folder, state):
    (state / schedule.SETTINGS_NAME).symlink_to(schedule.SETTINGS_NAME)
    settings, warning = schedule.load_settings(folder)
    assert settings == schedule.ReviewSettings() and "link" in warning


@pytest.mark.parametrize("make", [
    lambda path: path.write_bytes(DEEP_JSON),
    lambda path: path.write_bytes(HUGE_DEEP_JSON),
    lambda path: path.symlink_to(path.name),
    lambda path: path.write_text('{"name": "minji"}'),
    lambda path: path.write_text("5"),
])
def test_unusable_peers_files_count_as_no_peers(folder, state, make):
    make(state / peers.PEERS_FILE)
    assert peers.peers(folder) == []


@pytest.mark.parametrize(("make", "reason"), [
    (lambda path: path.write_bytes(DEEP_JSON), "nested too deeply"),
    (lambda path: path.write_bytes(HUGE_DEEP_JSON), "nested too deeply"),
    (lambda path: path.symlink_to(path.name), "it is a link"),
    (lambda path: path.mkdir(), "a folder"),
    (lambda path: path.write_text('{"format": 1}'), "not a draft the editor wrote"),
])
def test_unusable_draft_files_are_reported_and_never_raise(folder, state, make, reason):
    make(state / "drafts" / "x.json")
    kept = drafts.read_drafts(folder)
    assert kept.drafts == [] and len(kept.unusable) == 1
    name, why = kept.unusable[0]
    assert name == "x.json" and reason in why
