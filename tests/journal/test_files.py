"""Hostile entries in the notes folder: each is a problem with a reason, none blocks or crashes the
load, and the library never holds data too deep to copy or pickle."""

from __future__ import annotations

import os
import pickle
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from core.journal import files, storage
from core.journal import notes as notes_lib
from core.journal.notes import build_library, load_library, parse_note
from tests.deeptree import nest, remove_tree

GOOD = b"---\ntitle: Good\ndate: 2021-08-05\n---\nbody\n"


def in_time(function, seconds: float = 20.0):
    """Run `function` in a thread; fail (instead of hanging the test run) if it does not finish."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as err:  # handed to the test below
            outcome["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"blocked for more than {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def problems(folder: Path) -> dict[str, str]:
    return {problem.file: problem.reason for problem in in_time(lambda: load_library(folder)).problems}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "good.md").write_bytes(GOOD)
    return notes


def test_a_fifo_named_like_a_note_is_a_problem_and_never_blocks(folder):
    os.mkfifo(folder / "pipe.md")
    library = in_time(lambda: load_library(folder))
    assert [note.path for note in library.notes] == ["good.md"]
    assert "named pipe (FIFO)" in problems(folder)["pipe.md"]
    assert in_time(lambda: notes_lib.fingerprint(folder))


def test_a_fifo_swapped_in_after_the_scan_is_refused_when_opened(folder):
    os.mkfifo(folder / "late.md")
    with pytest.raises(files.SpecialFileError, match="named pipe"):
        in_time(lambda: files.read_regular(folder / "late.md", 100))


def test_a_link_swapped_in_after_the_scan_is_not_followed(folder, tmp_path):
    (tmp_path / "secret.md").write_bytes(b"secret")
    (folder / "swapped.md").symlink_to(tmp_path / "secret.md")
    with pytest.raises(OSError):
        files.read_regular(folder / "swapped.md", 100)


def test_a_socket_named_like_a_note_is_a_problem(tmp_path):
    short = Path(f"/tmp/sl-{os.getpid()}")
    short.mkdir()
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(short / "s.md"))
            assert "a socket" in problems(short)["s.md"]
    finally:
        for path in short.iterdir():
            path.unlink()
        short.rmdir()


def test_a_device_file_named_like_a_note_is_a_problem(folder):
    try:
        os.mknod(folder / "zero.md", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    assert "device file" in problems(folder)["zero.md"]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda f: (f / "loop.md").symlink_to(f / "loop.md"), "symlink loop"),
        (lambda f: ((f / "a.md").symlink_to(f / "b.md"), (f / "b.md").symlink_to(f / "a.md")), "symlink loop"),
        (lambda f: (f / "dangling.md").symlink_to(f / "nowhere.md"), "does not exist"),
        (lambda f: (os.mkfifo(f / ".fifo"), (f / "to-fifo.md").symlink_to(f / ".fifo")), "link to a named pipe"),
        (lambda f: (f / "to-folder.md").symlink_to(f, target_is_directory=True), "link to a folder"),
    ],
    ids=["self-loop", "two-link-loop", "dangling", "link-to-fifo", "link-to-folder"],
)
def test_bad_links_are_problems_with_a_reason(folder, make, reason):
    make(folder)
    found = problems(folder)
    assert found and all(reason in text for text in found.values()), found
    assert [note.path for note in load_library(folder).notes] == ["good.md"]


def test_a_link_to_a_note_inside_the_folder_still_loads(folder):
    (folder / "alias.md").symlink_to(folder / "good.md")
    library = load_library(folder)
    assert sorted(note.path for note in library.notes) == ["alias.md", "good.md"] and not library.problems


def test_a_folder_named_like_a_note_is_a_problem_and_its_notes_still_load(folder):
    (folder / "week1.md").mkdir()
    (folder / "week1.md" / "inside.md").write_bytes(GOOD)
    library = load_library(folder)
    assert "folder whose name ends in .md" in problems(folder)["week1.md"]
    assert sorted(note.path for note in library.notes) == ["good.md", "week1.md/inside.md"]


def test_paths_over_255_bytes_are_problems(folder):
    deep = folder / ("a" * 200) / ("b" * 60)
    deep.mkdir(parents=True)
    (deep / "note.md").write_bytes(GOOD)
    rel_path = f"{'a' * 200}/{'b' * 60}/note.md"
    assert "over the 255-byte limit" in problems(folder)[rel_path]
    near = folder / ("c" * 200)
    near.mkdir()
    (near / ("d" * 51 + ".md")).write_bytes(GOOD)  # exactly 255 bytes: a note
    assert f"{'c' * 200}/{'d' * 51}.md" in {note.path for note in load_library(folder).notes}


def test_front_matter_nested_500_deep_is_a_problem_and_the_library_pickles(folder):
    (folder / "deep.md").write_text("---\ntitle: deep\nx: " + "[" * 500 + "]" * 500 + "\n---\nbody\n")
    (folder / "nested-map.md").write_text("---\ny: " + "{a: " * 40 + "1" + "}" * 40 + "\n---\nbody\n")
    library = load_library(folder)
    found = {problem.file: problem for problem in library.problems}
    assert "nests lists or mappings more than 16 levels" in found["deep.md"].reason and found["deep.md"].line == 3
    assert "nested-map.md" in found
    assert pickle.loads(pickle.dumps(library)).notes == library.notes


def test_front_matter_nesting_up_to_the_limit_loads():
    limit = notes_lib.MAX_FRONT_MATTER_DEPTH
    ok = parse_note(f"---\nx: {'[' * limit}1{']' * limit}\n---\n".encode(), "ok.md")
    assert notes_lib.nesting_depth(ok.meta["x"]) == limit
    with pytest.raises(notes_lib.NoteError, match="more than 16 levels"):
        parse_note(f"---\nx: {'[' * (limit + 1)}1{']' * (limit + 1)}\n---\n".encode(), "deep.md")


def test_nesting_depth_counts_without_recursion():
    value: list = []
    for _ in range(100_000):
        value = [value]
    assert notes_lib.nesting_depth(value) == 100_001
    assert notes_lib.nesting_depth({"a": [1, {"b": 2}]}) == 3 and notes_lib.nesting_depth("x") == 0


def test_the_hidden_state_folder_is_never_read_as_notes(folder):
    state = folder / storage.STATE_DIR / "drafts"
    state.mkdir(parents=True)
    (state / "draft.md").write_bytes(GOOD)
    os.mkfifo(folder / storage.STATE_DIR / "pipe.md")
    library = in_time(lambda: load_library(folder))
    assert [note.path for note in library.notes] == ["good.md"] and not library.problems


def test_the_fingerprint_sees_hostile_entries_come_and_go(folder):
    before = notes_lib.fingerprint(folder)
    os.mkfifo(folder / "pipe.md")
    assert notes_lib.fingerprint(folder) != before


def duplicate_notes(count: int, shared: bool) -> list[notes_lib.Note]:
    return [parse_note(GOOD, f"folder{index}/{'til' if shared else f'til{index}'}.md") for index in range(count)]


def test_duplicate_slugs_are_numbered_in_linear_time():
    """Item 9: 4,000 notes sharing a slug index about as fast as 4,000 distinct ones (it was quadratic)."""
    shared, distinct = duplicate_notes(4000, True), duplicate_notes(4000, False)

    def best_of_three(notes) -> float:
        times = []
        for _ in range(3):
            began = time.perf_counter()
            build_library(notes, [])
            times.append(time.perf_counter() - began)
        return min(times)

    assert best_of_three(shared) < 10 * best_of_three(distinct) + 0.2
    slugs = set(build_library(shared, []).by_slug)
    assert slugs == {"til"} | {f"til-{n}" for n in range(2, 4001)}


def test_duplicate_slugs_step_over_a_real_note_with_a_numbered_name():
    notes = [parse_note(GOOD, path) for path in ("a/same.md", "b/same.md", "same-2.md", "c/same.md")]
    library = build_library(notes, [])
    assert sorted(library.by_slug) == ["same", "same-2", "same-2-2", "same-3"]
    assert sorted(note.path for note in library.by_slug.values()) == sorted(note.path for note in notes)


@pytest.fixture
def deep(folder: Path):
    """`nest` for this test; every tree it made is removed afterwards (see tests/deeptree.py)."""
    made: list[Path] = []
    yield lambda parent, depth: made.append(nest(parent, depth, note=GOOD))
    for top in made:
        remove_tree(top)


def test_a_thousand_nested_folders_are_one_problem_and_the_rest_loads(folder, deep):
    deep(folder, 1000)
    (folder / "d" / "shallow.md").write_bytes(GOOD)
    library = in_time(lambda: load_library(folder))
    assert sorted(note.path for note in library.notes) == ["d/shallow.md", "good.md"]
    too_deep = "/".join(["d"] * (files.MAX_DEPTH + 1))
    assert {problem.file: problem.message for problem in library.problems} == {too_deep: files.TOO_DEEP}
    assert storage.export_zip(folder)


def test_walk_does_not_recurse_and_stops_at_its_depth(folder, deep):
    deep(folder, 1500)
    walked = in_time(lambda: list(files.walk(folder)))
    assert len(walked) == files.MAX_DEPTH + 1 and walked[0] == (str(folder), ["d"], ["good.md"])
    assert [len(list(files.walk(folder, max_depth=depth))) for depth in (0, 3)] == [1, 4]


def test_deep_history_trash_and_stray_temp_files_never_exhaust_the_stack(folder, deep):
    for hidden in (".history/sub", ".trash/20210805T101500123456Z"):
        (folder / hidden).mkdir(parents=True)
        deep(folder / hidden, 1000)
    stray = folder / "sub" / f"{storage.TEMP_PREFIX}old{storage.TEMP_SUFFIX}"
    stray.parent.mkdir()
    stray.write_bytes(b"half a note")
    os.utime(stray, (0, 0))
    assert in_time(lambda: storage.history_counts(folder)) == {}
    assert in_time(lambda: storage.list_trash(folder)) == []
    assert in_time(lambda: storage.cleanup_stray_temp_files(folder)) == [stray]
