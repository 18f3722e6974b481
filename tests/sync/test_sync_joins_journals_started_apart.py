"""Two journals started apart (each `repo.init`ed on its own machine, no common commit) synced with one
remote keep both machines' notes: the merge then counts every file against the empty tree.

Written against the mutants `make mutate MODULE=core/sync/merge.py` left with no test (docs/mutation.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.sync import gitcli, merge, repo
from tests.sync.test_sync import files, note, write

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


def test_a_journal_started_on_its_own_joins_the_remote_and_keeps_its_notes(laptop, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    write(other, "c.md", note("C", "typed on the other machine"))
    write(other, "a.md", note("A", "the other machine's own a"))
    repo.init(other)
    repo.set_remote(other, str(repo.remote_url(laptop, repo.DEFAULT_REMOTE)))
    result = merge.sync(other)
    assert not result.up_to_date and not result.fast_forward
    mine = files(other)
    assert "typed on the other machine" in mine["c.md"] and "first text of b" in mine["b.md"]
    assert mine["a.md"] == note("A", "the other machine's own a")
    [conflict] = result.conflicts
    assert conflict.path == "a.md" and "first text of a" in mine[conflict.copy]
    merge.sync(laptop)
    assert files(laptop) == mine
