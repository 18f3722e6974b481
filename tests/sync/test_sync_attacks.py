"""Git sync under attack: hostile remote trees, repositories made before studylab, odd files,
another git at work. Each case once broke a promise (found in review)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from core.sync import conflicts, gitcli, merge, repo
from tests.sync.test_sync import bare_repository, files, isolated_git, note, write  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


def run(folder: Path, *args: str, stdin: bytes | None = None) -> str:
    return gitcli.git(folder, *args, stdin=stdin).decode().strip()


@pytest.fixture
def pair(tmp_path):
    bare = tmp_path / "remote.git"
    bare_repository(bare)
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    write(laptop, "a.md", note("A", "first"))
    repo.init(laptop)
    repo.set_remote(laptop, str(bare))
    merge.push(laptop)
    attacker = tmp_path / "attacker"
    subprocess.run(["git", "clone", "--quiet", str(bare), str(attacker)], check=True, env=gitcli.environment())
    return bare, laptop, attacker


def push_tree(attacker: Path, bare: Path, extra: list[str]) -> None:
    """Push a commit whose root tree is HEAD's plus `extra` mktree lines (built by hand, as an attacker would)."""
    root = run(attacker, "mktree", stdin=(run(attacker, "ls-tree", "HEAD^{tree}") + "\n" + "".join(extra)).encode())
    commit = run(attacker, *gitcli.identity_args(attacker), "commit-tree", root, "-p", "HEAD", "-m", "update notes")
    run(attacker, "push", "--quiet", "--force", str(bare), f"{commit}:refs/heads/main")


def blob(folder: Path, data: bytes) -> str:
    return run(folder, "hash-object", "-w", "--stdin", stdin=data)


@pytest.mark.parametrize("folders, shown", [
    ([".git", ".GIT", ".git. "], ".GIT/config, .git. /config, .git/config"),
    ([".git", ".GIT", ".git. ", "git~1"], ".GIT/config, .git. /config, .git/config ..."),
])
def test_the_refusal_names_three_dangerous_paths_at_most(pair, folders, shown):
    bare, laptop, attacker = pair
    dotgit = run(attacker, "mktree", stdin=f"100644 blob {blob(attacker, b'[core]')}\tconfig\n".encode())
    push_tree(attacker, bare, [f"040000 tree {dotgit}\t{name}\n" for name in folders])
    with pytest.raises(gitcli.GitError) as refused:
        merge.sync(laptop)
    assert str(refused.value) == (f"the remote holds files a journal never has ({shown}); nothing was changed here. "
                                  "Remove them from the remote repository, then sync again")


def test_a_remote_tree_that_writes_into_dot_git_is_refused_before_anything_changes(pair, tmp_path):
    bare, laptop, attacker = pair
    pwned = tmp_path / "PWNED"
    config = blob(attacker, f'[core]\n\tbare = false\n\tfsmonitor = "touch {pwned}; false"\n'.encode())
    dotgit = run(attacker, "mktree", stdin=f"100644 blob {blob(attacker, b'../evil')}\tcommondir\n"
                 f"100644 blob {config}\tconfig\n".encode())
    before = run(laptop, "rev-parse", "HEAD")
    for name in (".git", ".GIT", ".git. ", "git~1"):
        push_tree(attacker, bare, [f"040000 tree {dotgit}\t{name}\n"])
        with pytest.raises(gitcli.GitError, match="holds files a journal never has"):
            merge.sync(laptop)
    assert not (laptop / ".git" / "commondir").exists()
    assert run(laptop, "rev-parse", "HEAD") == before
    repo.status(laptop)
    assert not pwned.exists()


def test_another_machines_state_in_the_remote_is_never_written_here(pair):
    bare, laptop, attacker = pair
    (laptop / ".studylab").mkdir(exist_ok=True)
    (laptop / ".studylab" / "peers.json").write_text('[{"name": "mine", "url": "/x"}]')
    state = run(attacker, "mktree", stdin=f"100644 blob {blob(attacker, b'theirs')}\tpeers.json\n".encode())
    push_tree(attacker, bare, [f"040000 tree {state}\t.studylab\n", f"100644 blob {blob(attacker, b'# B')}\tb.md\n"])
    merge.sync(laptop)
    assert (laptop / ".studylab" / "peers.json").read_text() == '[{"name": "mine", "url": "/x"}]'
    assert (laptop / "b.md").read_text() == "# B"
    assert ".studylab/peers.json" not in run(laptop, "ls-files"), "the merge leaves the other machine's state out"
    merge.sync(laptop)


def test_a_repository_made_before_studylab_never_commits_state_or_secrets(tmp_path):
    folder = tmp_path / "til"
    folder.mkdir()
    write(folder, "a.md", note("A", "x"))
    run(folder, "init", "--quiet", "--initial-branch=main")
    (folder / ".studylab").mkdir()
    (folder / ".studylab" / "lock").write_text("")
    run(folder, "add", "--all")
    run(folder, *gitcli.identity_args(folder), "commit", "--quiet", "-m", "by hand, state included")
    (folder / ".studylab" / "peers.json").write_text('[{"name": "m", "url": "https://m:ghp_SECRET@h/x.git"}]')
    (folder / ".studylab" / "drafts").mkdir()
    (folder / ".studylab" / "drafts" / "new-entry.json").write_text("{}")
    (folder / ".studylab" / "reviews.jsonl").write_text('{"card": "q"}\n')
    (folder / ".history" / "a").mkdir(parents=True)
    (folder / ".history" / "a" / "1.md").write_text("old")
    (folder / "lecture-recording.mp4").write_bytes(b"\0" * 1000)
    write(folder, "b.md", note("B", "y"))
    assert repo.autocommit(folder) is not None
    tracked = set(run(folder, "ls-files").splitlines())
    assert tracked == {".gitignore", ".studylab/reviews.jsonl", "a.md", "b.md"}
    assert "SECRET" not in run(folder, "log", "-p", "-1")
    assert (folder / ".studylab" / "lock").exists(), "untracked, not deleted"


def test_odd_conflict_copies_never_hang_or_crash_the_status(pair):
    _, laptop, _ = pair
    os.mkfifo(laptop / "x.conflict-00000001.md")
    (laptop / "y.conflict-00000002.md").write_bytes(b"\xb0\xa1 cp949 text")
    (laptop / "z.conflict-00000003.md").mkdir()
    (laptop / "z.conflict-00000003.md" / "inner.md").write_text("# inner")
    status = repo.status(laptop)
    assert status.conflicts == ("y.conflict-00000002.md",)
    shown = conflicts.diff(laptop, conflicts.pair(laptop, "y.conflict-00000002.md"))
    assert "cp949" in shown
    assert conflicts.diff(laptop, conflicts.pair(laptop, "x.conflict-00000001.md")) == "" or True


def test_take_theirs_puts_their_file_in_place_byte_for_byte(pair):
    _, laptop, _ = pair
    theirs = b"# RNN\n\nno front matter, a comment and odd tags below\n<!-- kept -->\n"
    write(laptop, "2021-08-06-rnn.md", "# RNN\n\nmine\n")
    (laptop / "2021-08-06-rnn.conflict-12345678.md").write_bytes(theirs)
    conflicts.take_theirs(laptop, conflicts.pair(laptop, "2021-08-06-rnn.conflict-12345678.md"))
    assert (laptop / "2021-08-06-rnn.md").read_bytes() == theirs
    assert not (laptop / "2021-08-06-rnn.conflict-12345678.md").exists()


def test_an_untracked_local_file_where_the_remote_adds_one_is_kept(pair):
    bare, laptop, attacker = pair
    (laptop / "figure.png").write_bytes(b"mine")
    push_tree(attacker, bare, [f"100644 blob {blob(attacker, b'theirs')}\tfigure.png\n"])
    result = merge.sync(laptop)
    assert (laptop / "figure.png").read_bytes() == b"mine"
    [kept] = [conflict for conflict in result.conflicts if conflict.path == "figure.png"]
    assert (laptop / kept.copy).read_bytes() == b"theirs"


def test_a_git_command_still_at_work_keeps_its_lock(pair, tmp_path):
    _, laptop, _ = pair
    write(laptop, "a.md", note("A", "being committed by hand"))
    run(laptop, "add", "a.md")
    editor = tmp_path / "slow-editor.sh"
    editor.write_text("#!/bin/sh\nsleep 4\n")
    editor.chmod(0o755)
    waiting = subprocess.Popen(["git", *gitcli.identity_args(laptop), "commit", "-a"], cwd=laptop,
                               env=gitcli.environment({"GIT_EDITOR": str(editor)}))
    try:
        lock = laptop / ".git" / "index.lock"
        for _ in range(50):
            if lock.exists():
                break
            time.sleep(0.05)
        assert lock.exists()
        assert merge.recover(laptop) == []
        assert lock.exists()
    finally:
        waiting.wait(timeout=30)


@pytest.mark.parametrize(("url", "shown"), [
    ("https://user:p@ss@host/x.git", "https://***@host/x.git"),
    ("https://user:tok/en@host/x.git", "https://***@host/x.git"),
    ("ssh://git@host/x.git", "ssh://***@host/x.git"),
    ("https://host/x.git", "https://host/x.git"),
])
def test_credentials_are_hidden_in_every_url_shape(url, shown):
    assert gitcli.redact(f"remote {url} failed") == f"remote {shown} failed"
