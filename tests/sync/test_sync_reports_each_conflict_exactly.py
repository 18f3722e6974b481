"""Each kind of conflict sync meets is reported as exactly what happened, with the note's path,
and the text that was changed survives; the line union keeps each line once.

Written against mutants `make mutate MODULE=core/sync/merge.py` left alive (docs/mutation.md):
the reports were only matched by their first words, and a note deleted here but changed on the
other machine was never checked to come back.
"""

from __future__ import annotations

import pytest

from core.sync import gitcli, merge
from tests.sync.test_sync import files, note, write

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


@pytest.mark.parametrize(("deleted_on", "reason"), [
    ("laptop", "deleted here, changed on the other machine: its version is back"),
    ("desktop", "deleted on the other machine, changed here: kept your version"),
])
def test_a_note_deleted_on_one_side_and_changed_on_the_other_keeps_the_changed_text(laptop, desktop, deleted_on,
                                                                                    reason):
    deleting, changing = (laptop, desktop) if deleted_on == "laptop" else (desktop, laptop)
    (deleting / "a.md").unlink()
    write(changing, "a.md", note("A", "the changed text"))
    merge.sync(desktop)
    result = merge.sync(laptop)
    assert result.conflicts == (merge.Conflict("a.md", None, reason),)
    assert "the changed text" in files(laptop)["a.md"]


def test_changed_on_both_keeps_this_version_and_theirs_in_a_named_copy(laptop, desktop):
    write(laptop, "a.md", note("A", "the laptop's words"))
    write(desktop, "a.md", note("A", "the desktop's words"))
    merge.sync(desktop)
    result = merge.sync(laptop)
    theirs = files(desktop)["a.md"].encode("utf-8")
    copy = merge.conflict_copy_name("a.md", theirs)
    assert result.conflicts == (
        merge.Conflict("a.md", copy, "changed on both machines: yours is kept, theirs is in the copy"),)
    assert "the laptop's words" in files(laptop)["a.md"] and files(laptop)[copy] == theirs.decode("utf-8")


@pytest.mark.parametrize(("ours", "theirs", "merged"), [
    (b"", b"", b""),
    (b"a\n", b"b\nb\n", b"a\nb\n"),
    (b"a\na\n", b"", b"a\na\n"),
    (b"", b"x\ny\nx\n", b"x\ny\n"),
])
def test_the_line_union_keeps_our_lines_and_each_new_line_of_theirs_once(ours, theirs, merged):
    assert merge.union_lines(ours, theirs) == merged
