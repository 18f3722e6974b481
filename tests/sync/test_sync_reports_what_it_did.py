"""A pull says what it did, exactly, and sync talks to the remote it is given: a machine ahead of
its remote pulls nothing and makes no commit; a remote with another name than "origin" is the
one pulled from and pushed to."""

from __future__ import annotations

import subprocess

import pytest

from core.sync import gitcli, merge, repo
from tests.sync.test_sync import note, write

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


def head(folder) -> str:
    return gitcli.text(folder, "rev-parse", "HEAD")


def test_a_machine_ahead_of_its_remote_pulls_nothing_and_makes_no_commit(laptop):
    write(laptop, "c.md", note("C", "written here, not sent yet"))
    ahead = repo.commit_all(laptop, "a note not sent yet")
    assert merge.pull(laptop) == merge.PullResult(up_to_date=True, fast_forward=False, commit=ahead)
    assert head(laptop) == ahead, "no merge commit for a remote this machine already holds"


def test_sync_pulls_from_and_pushes_to_the_remote_it_is_given(tmp_path):
    classmate = tmp_path / "classmate.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(classmate)], check=True)
    mine = tmp_path / "mine"
    mine.mkdir()
    write(mine, "a.md", note("A", "mine"))
    repo.init(mine)
    repo.set_remote(mine, str(classmate), remote="classmate")
    assert repo.remote_url(mine, repo.DEFAULT_REMOTE) is None, "no remote under the default name"
    merge.sync(mine, "classmate")
    assert gitcli.text(classmate, "rev-parse", "main") == head(mine)
    theirs = tmp_path / "theirs"
    subprocess.run(["git", "clone", "--quiet", str(classmate), str(theirs)], check=True, env=gitcli.environment())
    write(theirs, "b.md", note("B", "theirs"))
    repo.commit_all(theirs, "their note")
    merge.push(theirs)
    merge.sync(mine, "classmate")
    assert (mine / "b.md").read_text(encoding="utf-8") == note("B", "theirs")
    assert gitcli.text(classmate, "rev-parse", "main") == head(mine)
