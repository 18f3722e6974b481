"""Several processes writing one notes folder at once: nothing reported saved is ever lost, every
loser of a race gets a conflict (or the next free name), and an editor that does not take the
app's lock is caught by the compare-and-swap. Real processes (multiprocessing, spawn), not threads.
"""

from __future__ import annotations

import multiprocessing
import queue
from pathlib import Path

import pytest

from core.journal import notes as notes_lib
from core.journal import storage
from tests.journal import race_workers

ROUNDS = 50
SPAWN = multiprocessing.get_context("spawn")
WAIT = 120


def kept_texts(folder: Path) -> set[str]:
    """Every text in the notes folder and its history (what was not lost)."""
    paths = [*folder.glob("*.md"), *(folder / storage.HISTORY_DIR).rglob("*.md")]
    return {path.read_text(encoding="utf-8") for path in paths}


def body_of(text: str) -> str:
    return text.split("---\n\n", 1)[-1]


class Pair:
    """Two worker processes running `target`, fed one job per round, meeting at a barrier."""

    def __init__(self, target, folder: Path):
        self.jobs = [SPAWN.Queue(), SPAWN.Queue()]
        self.results = SPAWN.Queue()
        self.barrier = SPAWN.Barrier(2)  # kept: the children open it after this returns
        self.processes = [
            SPAWN.Process(target=target, args=(str(folder), worker, self.jobs[worker], self.results, self.barrier))
            for worker in (0, 1)
        ]
        for process in self.processes:
            process.start()

    def round(self, job_for) -> list[tuple]:
        for worker in (0, 1):
            self.jobs[worker].put(job_for(worker))
        outcomes = sorted([self.results.get(timeout=WAIT), self.results.get(timeout=WAIT)], key=lambda o: o[1])
        assert all(outcome[2] != "error" for outcome in outcomes), outcomes
        return outcomes

    def close(self) -> None:
        for worker in (0, 1):
            self.jobs[worker].put(None)
        for process in self.processes:
            process.join(WAIT)
            assert process.exitcode == 0


def test_two_processes_saving_the_same_note_never_lose_a_text(folder):
    """Item 3: both saves expect the same hash; one wins, the other gets a conflict with the winner's
    text, and every text reported saved is on disk or in the history."""
    first = storage.save_note(folder, None, race_workers_meta(), "round start\n", expected_hash=None)
    pair = Pair(race_workers.save_rounds, folder)
    reported_saved = []
    try:
        for round_number in range(ROUNDS):
            _, expected = storage.read_note(folder, first.rel_path)
            outcomes = pair.round(lambda worker, r=round_number, e=expected: (r, first.rel_path, e))
            kinds = sorted(outcome[2] for outcome in outcomes)
            assert kinds == ["conflict", "saved"], (round_number, outcomes)
            winner = next(o for o in outcomes if o[2] == "saved")
            loser = next(o for o in outcomes if o[2] == "conflict")
            assert body_of(loser[4]) == winner[3], "the loser is shown the winner's text"
            reported_saved.append(winner[3])
    finally:
        pair.close()
    bodies = {body_of(text) for text in kept_texts(folder)}
    assert set(reported_saved) <= bodies
    assert len(storage.list_history(folder, first.rel_path)) == ROUNDS


def race_workers_meta() -> dict:
    return storage.build_meta("Shared", race_workers.DAY, "til", [])


@pytest.mark.parametrize("kind", ["save", "import", "restore"])
def test_two_processes_creating_the_same_name_get_two_files(folder, kind):
    """Item 4: two processes creating a note under the same name at the same moment (same title,
    same upload name, two trashed notes from the same place) get two files, never one."""
    pair = Pair(race_workers.create_rounds, folder)
    try:
        for round_number in range(ROUNDS):
            argument = {"save": f"Same title {round_number}", "import": f"same-{round_number}.md"}.get(kind)
            if kind == "restore":
                argument = [trashed(folder, round_number, copy) for copy in range(2)]
            outcomes = pair.round(lambda worker, r=round_number, a=argument: (r, kind, a))
            names = [outcome[4] for outcome in outcomes]
            assert len(set(names)) == 2, (round_number, outcomes)
            texts = {(folder / name).read_text(encoding="utf-8") for name in names}
            if kind == "restore":
                assert {text.split("---\n")[-1] for text in texts} == {f"copy {c}\n" for c in range(2)}
            else:
                assert all(any(outcome[3] in text for text in texts) for outcome in outcomes), (texts, outcomes)
    finally:
        pair.close()
    assert len(notes_lib.load_library(folder).notes) == 2 * ROUNDS


def trashed(folder: Path, round_number: int, copy: int) -> str:
    """Create and trash a note at `restore-<round>.md`; return its trash entry's name."""
    rel_path = f"restore-{round_number}.md"
    (folder / rel_path).write_text(f"---\ntitle: trashed {round_number}\n---\ncopy {copy}\n", encoding="utf-8")
    return storage.trash_note(folder, rel_path).relative_to(folder.resolve() / storage.TRASH_DIR).parts[0]


def run_editor_race(folder: Path, outside: Path, editor, seed: int) -> tuple[list[tuple], list[tuple], str]:
    """The app saves one note ROUNDS times while `editor` writes it at random moments."""
    first = storage.save_note(folder, None, race_workers_meta(), "start\n", expected_hash=None)
    initial = first.path.read_text(encoding="utf-8")
    app_results, editor_results, stop = SPAWN.Queue(), SPAWN.Queue(), SPAWN.Event()
    editor_args = (str(folder), first.rel_path, *([str(outside)] if editor is race_workers.careful_editor else []))
    processes = [
        SPAWN.Process(target=race_workers.app_saver, args=(str(folder), first.rel_path, ROUNDS, seed, app_results)),
        SPAWN.Process(target=editor, args=(*editor_args, seed + 1, stop, editor_results)),
    ]
    for process in processes:
        process.start()
    app_log = drain(app_results)
    stop.set()
    editor_log = drain(editor_results)
    for process in processes:
        process.join(WAIT)
        assert process.exitcode == 0
    assert not [entry for entry in app_log if entry[0] == "error"], app_log
    return app_log, editor_log, initial


def drain(results) -> list[tuple]:
    log = []
    while True:
        try:
            entry = results.get(timeout=WAIT)
        except queue.Empty:
            pytest.fail(f"a worker stopped answering; got {log}")
        if entry[0] == "done":
            return log
        log.append(entry)


def test_an_editor_swapping_its_version_in_is_never_erased(folder, tmp_path):
    """Item 5, rename-style editors: a write between the app's check and its replace makes the save a
    conflict; every text anyone wrote is on disk, in the history, or where the editor put the
    version it displaced itself."""
    outside = tmp_path / "editor-displaced"
    outside.mkdir()
    app_log, editor_log, initial = run_editor_race(folder, outside, race_workers.careful_editor, seed=5)
    saved = [entry for entry in app_log if entry[0] == "saved"]
    conflicts = [entry for entry in app_log if entry[0] == "conflict"]
    assert editor_log and conflicts, "the editor must have raced the app"
    for _, _, loaded_hash, kept, _ in saved:
        assert storage.content_hash(kept) == loaded_hash, "a save replaced only the version it expected"
    present = {body_of(text) for text in kept_texts(folder)}
    present |= {path.read_text(encoding="utf-8") for path in outside.glob("*.md")}
    present |= {body_of(text) for text in present}
    written = {body_of(initial)} | {entry[1] for entry in saved} | {entry[1] for entry in editor_log}
    assert written - present == set(), f"lost: {sorted(written - present)[:5]}"


def test_an_editor_writing_in_place_is_never_erased(folder, tmp_path):
    """Item 5, in-place editors: the last text written into every file (by the app or the editor)
    is still on disk or in the history; an in-place write racing a save is a conflict or lands
    in the kept version."""
    app_log, editor_log, _ = run_editor_race(folder, tmp_path, race_workers.inplace_editor, seed=11)
    assert editor_log and any(entry[0] == "conflict" for entry in app_log), "the editor must have raced the app"
    last_text: dict[int, str] = {}
    for kind, text, _, _, inode in app_log:
        if kind == "saved":
            last_text[inode] = text
    for _, text, inode in editor_log:
        last_text[inode] = text
    present = {body_of(text) for text in kept_texts(folder)} | kept_texts(folder)
    lost = {inode: text for inode, text in last_text.items() if text not in present}
    assert not lost, f"lost: {list(lost.values())[:5]}"


def test_the_folder_lock_excludes_another_process(folder):
    ready, release, results = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
    holder = SPAWN.Process(target=race_workers.hold_lock, args=(str(folder), ready, release))
    holder.start()
    try:
        assert ready.wait(WAIT)
        waiter = SPAWN.Process(target=race_workers.try_lock, args=(str(folder), 0.5, results))
        waiter.start()
        assert results.get(timeout=WAIT)[0] == "timeout"
        waiter.join(WAIT)
        with pytest.raises(storage.LockTimeoutError, match="taking unusually long"):
            with storage.folder_lock(folder, timeout=0.3):
                pass
    finally:
        release.set()
        holder.join(WAIT)
    waiter = SPAWN.Process(target=race_workers.try_lock, args=(str(folder), 5.0, results))
    waiter.start()
    assert results.get(timeout=WAIT)[0] == "locked"
    waiter.join(WAIT)


def test_appends_from_two_processes_are_never_interleaved(folder):
    barrier = SPAWN.Barrier(2)
    workers = [SPAWN.Process(target=race_workers.append_records, args=(str(folder), worker, 300, barrier))
               for worker in (0, 1)]
    (folder / storage.STATE_DIR).mkdir()
    for process in workers:
        process.start()
    for process in workers:
        process.join(WAIT)
        assert process.exitcode == 0
    lines = (folder / storage.STATE_DIR / "log.jsonl").read_text().splitlines()
    assert len(lines) == 600
    assert all(line.startswith('{"worker": ') and line.endswith('"}') for line in lines)
    for worker in (0, 1):
        mine = [line for line in lines if line.startswith(f'{{"worker": {worker},')]
        numbers = [int(line.split('"n": ')[1].split(",")[0]) for line in mine]
        assert numbers == list(range(300))
