"""Sync's conflict log (.studylab/conflicts.jsonl, synced) keeps every conflict either machine
ever met, and git never reads the terminal the app was started from.

Written against mutants `make mutate MODULE=core/sync/merge.py` left alive (docs/mutation.md):
a merge that read neither side's earlier log dropped the first conflict's record when the second
conflict was met, and nothing noticed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from core.sync import gitcli, merge, repo
from tests.sync.test_sync import note, write

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


def logged(folder: Path) -> list[dict]:
    """The conflict log as committed on the journal's branch: one record per line."""
    raw = gitcli.text(folder, "show", f"HEAD:{repo.CONFLICT_LOG}", check=False)
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def test_a_second_conflict_keeps_the_first_ones_record(laptop, desktop):
    write(laptop, "a.md", note("A", "typed on the laptop"))
    write(desktop, "a.md", note("A", "typed on the desktop"))
    merge.sync(laptop)
    first = merge.sync(desktop).conflicts
    merge.sync(laptop)
    assert [record["note"] for record in logged(desktop)] == ["a.md"] == [c.path for c in first]

    write(laptop, "b.md", note("B", "the laptop's b"))
    write(desktop, "b.md", note("B", "the desktop's b"))
    merge.sync(desktop)
    second = merge.sync(laptop).conflicts
    assert [c.path for c in second] == ["b.md"]
    records = logged(laptop)
    assert sorted(record["note"] for record in records) == ["a.md", "b.md"]
    by_note = {record["note"]: record for record in records}
    assert by_note["a.md"]["copy"] == first[0].copy and by_note["b.md"]["copy"] == second[0].copy
    merge.sync(desktop)
    assert logged(desktop) == records, "both machines end with the same log"


def test_git_reads_no_input_unless_given_some(tmp_path):
    """A git command started without input gets an empty one, not the app's own stdin (a
    terminal, where git would wait for a key press): here stdin holds bytes git must not see."""
    gitcli.git(tmp_path, "init", "--quiet")
    empty_blob = gitcli.text(tmp_path, "hash-object", "--stdin", stdin=b"")
    read, write_end = os.pipe()
    os.write(write_end, b"what the terminal holds\n")
    os.close(write_end)
    saved = os.dup(0)
    try:
        os.dup2(read, 0)
        assert gitcli.text(tmp_path, "hash-object", "--stdin") == empty_blob
        assert merge._empty_tree(tmp_path) == gitcli.text(tmp_path, "hash-object", "-t", "tree", "--stdin",
                                                           stdin=b"")
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(read)


def test_a_conflict_copy_is_named_by_the_first_8_hex_digits_of_its_texts_sha256():
    text = "typed on the desktop\n".encode("utf-8")
    digest = hashlib.sha256(text).hexdigest()[:8]
    assert merge.conflict_copy_name("week1/a.md", text) == f"week1/a{repo.CONFLICT_MARK}{digest}.md"
    assert merge.conflict_copy_name("a.md", b"") == f"a{repo.CONFLICT_MARK}e3b0c442.md"
