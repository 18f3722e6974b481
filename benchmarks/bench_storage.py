"""Issue 9's slow paths, measured: duplicate slugs at scale and the Trash & history diff.

1. Loading 10,000 notes that share a slug (`til.md` in 10,000 folders) against the same folders
   with 10,000 distinct names (the reference), and the slug numbering alone, now and with the
   old quadratic loop (measured at smaller sizes: at 10,000 it took 21 s).
2. A Trash & history rerun (AppTest) for a ~370 kB note of 100,000 short lines with one earlier
   version, for three kinds of change, against the same page for a small note (the reference);
   and difflib over the whole texts, as the page did before (cut off after CUTOFF seconds).

Prints markdown tables of medians. Run: .venv/bin/python benchmarks/bench_storage.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_notes import median_time  # noqa: E402

from core.journal import storage  # noqa: E402
from core.journal.notes import Note, build_library, load_library  # noqa: E402

NOTES = 10_000
LINES = 100_000
CUTOFF = 120.0
NOTE_TEXT = "---\ntitle: TIL {index}\ndate: {day}\ntype: til\ntags: [daily]\n---\n# TIL {index}\n\nShort entry.\n"


def interleaved(first, second, repeats: int) -> tuple[float, float]:
    """Medians of `first` and `second` timed in turns, so that a change in the machine's load
    between them does not show up as a difference."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for function, bucket in zip((first, second), times, strict=True):
            began = time.perf_counter()
            function()
            bucket.append(time.perf_counter() - began)
    return statistics.median(times[0]), statistics.median(times[1])


def make_folders(folder: Path, shared: bool) -> None:
    start = dt.date(2021, 8, 1)
    for index in range(NOTES):
        day = start + dt.timedelta(days=index % 900)
        sub = folder / f"{day.isoformat()}-{index}"
        sub.mkdir()
        name = "til.md" if shared else f"til-{index}.md"
        (sub / name).write_text(NOTE_TEXT.format(index=index, day=day.isoformat()), encoding="utf-8")


def old_build(notes: list[Note]) -> None:
    """The slug numbering before issue 9: a `while slug in by_slug` from 2 for every note."""
    by_slug: dict[str, Note] = {}
    for note in reversed(notes):
        slug, counter = note.slug, 2
        while slug in by_slug:
            slug, counter = f"{note.slug}-{counter}", counter + 1
        by_slug[slug] = replace(note, slug=slug) if slug != note.slug else note


def loader_table(tmp: Path) -> None:
    shared, distinct = tmp / "shared", tmp / "distinct"
    shared.mkdir()
    distinct.mkdir()
    make_folders(shared, True)
    make_folders(distinct, False)
    library = load_library(shared)
    assert len(library.notes) == NOTES and not library.problems and len(library.by_slug) == NOTES
    load_shared, load_distinct = interleaved(lambda: load_library(shared), lambda: load_library(distinct), 5)
    # as parsed, before numbering: every shared note's slug is "til" again
    notes_shared = [replace(note, slug=Path(note.path).stem) for note in library.notes]
    notes_distinct = [replace(note, slug=Path(note.path).stem) for note in load_library(distinct).notes]
    build_shared, build_distinct = interleaved(
        lambda: build_library(notes_shared, []), lambda: build_library(notes_distinct, []), 5
    )
    old = {size: median_time(lambda s=size: old_build(notes_shared[:s]), 1) for size in (1_000, 2_000, 4_000)}

    print(f"### Loader: {NOTES:,} notes in {NOTES:,} folders\n")
    print("| measurement | median | reference (distinct names) | ratio | target |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| load_library, all named til.md (medians of 5, in turns) | {load_shared * 1000:.0f} ms "
          f"| {load_distinct * 1000:.0f} ms "
          f"| {load_shared / load_distinct:.2f}x | <= 2000 ms |")
    print(f"| slug numbering + index (build_library) | {build_shared * 1000:.1f} ms "
          f"| {build_distinct * 1000:.1f} ms | {build_shared / build_distinct:.2f}x | |")
    for size, seconds in old.items():
        print(f"| old quadratic numbering, {size:,} shared slugs | {seconds * 1000:.0f} ms | | | |")
    print()


def huge_versions(kind: str) -> tuple[str, str]:
    """(earlier body, current body) of a ~370 kB note of 100,000 short lines."""
    body = "\n".join(str(index % 500) for index in range(LINES)) + "\n"
    if kind == "one line changed":
        return body, body.replace("\n123\n", "\nchanged\n", 1)
    if kind == "a third of the lines changed":
        return body, body.replace("1", "7")
    lines = body.splitlines()
    random.Random(0).shuffle(lines)
    return "\n".join(lines) + "\n", body


OLD_DIFF = """
import difflib, sys, time
old, new = (open(path, encoding="utf-8").read() for path in sys.argv[1:3])
began = time.perf_counter()
"\\n".join(difflib.unified_diff(old.splitlines(), new.splitlines(), "version", "current", lineterm=""))
print(time.perf_counter() - began)
"""


def old_diff_seconds(tmp: Path, old: str, new: str) -> float | None:
    """difflib over the whole texts, as the page did before (in a child process, so it can be
    stopped); None when it passed CUTOFF seconds."""
    (tmp / "old.txt").write_text(old, encoding="utf-8")
    (tmp / "new.txt").write_text(new, encoding="utf-8")
    try:
        output = subprocess.run([sys.executable, "-c", OLD_DIFF, str(tmp / "old.txt"), str(tmp / "new.txt")],
                                capture_output=True, text=True, timeout=CUTOFF, check=True)
    except subprocess.TimeoutExpired:
        return None
    return float(output.stdout)


def archive_rerun(notes: Path, slug: str) -> tuple[float, float]:
    """(first render, median warm rerun) of Trash & history showing `slug`'s history, in seconds."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.query_params["history"] = slug
    began = time.perf_counter()
    at.switch_page("pages/archive.py").run()
    first = time.perf_counter() - began
    assert not at.exception, at.exception
    return first, median_time(at.run, 5)


def diff_table(tmp: Path) -> None:
    notes = tmp / "journal"
    shutil.copytree(ROOT / "notes", notes)
    os.environ["STUDYLAB_NOTES_DIR"] = str(notes)
    small = "2021-08-05-cnn-first-steps.md"
    data, loaded = storage.read_note(notes, small)
    storage.atomic_write(notes / small, data + b"\nOne more line.\n")
    _, loaded = storage.read_note(notes, small)
    storage.save_note(notes, small, storage.build_meta("CNN first steps", dt.date(2021, 8, 5), "lecture", []),
                      "Rewritten.\n", expected_hash=loaded)
    reference_first, reference = archive_rerun(notes, small[:-3])

    print(f"### Trash & history: a note of {LINES:,} short lines with one earlier version\n")
    print(f"Reference: the same page for a small note with one earlier version: {reference * 1000:.0f} ms per "
          f"rerun (first render {reference_first * 1000:.0f} ms).\n")
    print("| change between the versions | note size | shown | first render | rerun (median of 5) "
          "| rerun / reference | before: difflib on the whole texts | target |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for number, kind in enumerate(("one line changed", "a third of the lines changed", "lines reordered")):
        earlier, current = huge_versions(kind)
        meta = storage.build_meta(f"Huge {number}", dt.date(2021, 8, 7), "til", [])
        first = storage.save_note(notes, None, meta, earlier, expected_hash=None)
        storage.save_note(notes, first.rel_path, meta, current, expected_hash=first.content_hash)
        size = first.path.stat().st_size
        old_text = storage.list_history(notes, first.rel_path)[0].path.read_text(encoding="utf-8")
        result = storage.bounded_diff(old_text, first.path.read_text(encoding="utf-8"), "v", "c")
        shown = "diff" if result.complete else ("summary + downloads" if not result.text else "cut diff")
        cold, warm = archive_rerun(notes, first.rel_path[:-3])
        before = old_diff_seconds(tmp, old_text, first.path.read_text(encoding="utf-8"))
        before_text = f"{before:.1f} s" if before is not None else f"> {CUTOFF:.0f} s (stopped)"
        print(f"| {kind} | {size / 1000:.0f} kB | {shown} | {cold * 1000:.0f} ms | {warm * 1000:.0f} ms "
              f"| {warm / reference:.2f}x | {before_text} | <= 1000 ms |")
    print()


def main() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Machine: {os.cpu_count()} cores, load average {load:.1f} at the start\n")
    with tempfile.TemporaryDirectory() as tmp:
        loader_table(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        diff_table(Path(tmp))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Load average {load:.1f} at the end")


if __name__ == "__main__":
    main()
