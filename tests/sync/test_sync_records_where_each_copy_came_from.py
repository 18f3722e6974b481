"""Each conflict copy's record in the synced conflict log says where both texts were typed: the
other machine and its commit, this machine and its commit, when, and the note's own name (Korean
as Korean); records this machine made before, not yet sent, are kept; the merge commit names
both parents and this machine; the working index is untouched while the merge is built; log lines
are ordered by their instants, read the same in every time zone.

Written against mutants `make mutate MODULE=core/sync/merge.py` left alive (docs/mutation.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from core.sync import gitcli, merge, repo
from tests.sync.test_sync import files, head, mergers, note, write

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


def committed_log(folder: Path) -> bytes:
    return gitcli.git(folder, "show", f"HEAD:{repo.CONFLICT_LOG}")


def clone(remote: Path, folder: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(remote), str(folder)], check=True, env=gitcli.environment())
    return folder


def test_each_copy_records_both_machines_both_commits_and_when(laptop, desktop, remote, tmp_path, monkeypatch):
    """Run from a folder that is no repository (the app may be started anywhere): every git
    command of the merge must run in the journal's folder."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    gitcli.git(laptop, "config", "user.name", "Laptop Owner")
    gitcli.git(laptop, "config", "user.email", "owner@laptop.example")
    started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    write(laptop, "a.md", note("A", "the laptop's a"))
    write(desktop, "a.md", note("A", "the desktop's a"))
    merge.sync(desktop)
    [first] = merge.pull(laptop).conflicts          # recorded here, not sent yet
    write(desktop, "b.md", note("B", "the desktop's b"))
    write(desktop, "노트.md", note("노트", "데스크톱에서"))
    write(desktop, "-dash.md", note("Dash", "the desktop's dash"))
    merge.sync(desktop)
    tablet = clone(remote, tmp_path / "tablet")     # the newest commit there touches only c.md
    write(tablet, "c.md", note("C", "from the tablet"))
    merge.sync(tablet)
    write(laptop, "b.md", note("B", "the laptop's b"))
    write(laptop, "노트.md", note("노트", "노트북에서"))
    write(laptop, "-dash.md", note("Dash", "the laptop's dash"))
    repo.commit_all(laptop, "the laptop's edits")
    ours = head(laptop)
    result = merge.pull(laptop)
    theirs = head(laptop, f"refs/remotes/{repo.DEFAULT_REMOTE}/main")

    assert sorted(conflict.path for conflict in result.conflicts) == ["-dash.md", "b.md", "노트.md"]
    assert head(laptop, "HEAD^1") == ours and head(laptop, "HEAD^2") == theirs
    subject = gitcli.text(laptop, "log", "-1", "--format=%s")
    assert subject == f"studylab: sync with {repo.DEFAULT_REMOTE}/main (3 conflict copies)"
    trailer = gitcli.text(laptop, "log", "-1", f"--format=%(trailers:key={repo.MACHINE_TRAILER},valueonly)")
    assert trailer == repo.machine_name(laptop)
    assert gitcli.text(laptop, "log", "-1", "--format=%an <%ae>") == "Laptop Owner <owner@laptop.example>"

    raw = committed_log(laptop)
    assert "노트".encode("utf-8") in raw and b"\\u" not in raw
    records = {record["note"]: record for record in map(json.loads, raw.splitlines())}
    assert set(records) == {"a.md", "b.md", "노트.md", "-dash.md"}
    assert records["a.md"]["copy"] == first.copy
    copies = {conflict.path: conflict.copy for conflict in result.conflicts}
    for path in ("b.md", "노트.md", "-dash.md"):
        record = records[path]
        assert record["copy"] == copies[path]
        assert record["copy_from"] == repo.machine_name(desktop), path
        assert (record["copy_commit"], record["kept_commit"]) == (theirs, ours)
        assert record["kept_from"] == repo.machine_name(laptop)
        at = dt.datetime.fromisoformat(record["at"])
        assert at.utcoffset() == dt.timedelta(0) and started <= at <= dt.datetime.now(dt.timezone.utc)
    merge.sync(laptop)
    merge.sync(desktop)
    assert committed_log(desktop) == committed_log(laptop) and files(desktop) == files(laptop)


def test_a_copy_typed_in_a_commit_without_a_machine_name_records_none(laptop, desktop):
    """The newest commit that changed the note there names no machine (an older one does): the
    copy's origin is unknown, never the older commit's machine."""
    write(desktop, "a.md", note("A", "synced from the desktop"))
    merge.sync(desktop)
    write(desktop, "a.md", note("A", "committed with plain git"))
    gitcli.git(desktop, "-c", "user.name=Plain", "-c", "user.email=plain@example.org", "commit", "--quiet", "-am",
               "by hand")
    gitcli.git(desktop, "push", "--quiet", repo.DEFAULT_REMOTE, "HEAD")
    write(laptop, "a.md", note("A", "typed on the laptop"))
    [conflict] = merge.sync(laptop).conflicts
    [record] = map(json.loads, committed_log(laptop).splitlines())
    assert record["note"] == "a.md" and record["copy"] == conflict.copy and record["copy_from"] is None


def test_the_working_index_is_untouched_while_the_merge_is_built(laptop, desktop, monkeypatch):
    write(laptop, "a.md", note("A", "the laptop's a"))
    write(desktop, "a.md", note("A", "the desktop's a"))
    merge.sync(desktop)
    index = laptop / ".git" / "index"
    seen = {}
    real_changes, real_stage = merge._changes, merge._stage

    def changes(*args):
        seen.setdefault("before", index.read_bytes())
        return real_changes(*args)

    def stage(*args):
        seen["staging"] = index.read_bytes()
        return real_stage(*args)

    monkeypatch.setattr(merge, "_changes", changes)
    monkeypatch.setattr(merge, "_stage", stage)
    merge.sync(laptop)
    assert seen["staging"] == seen["before"]


def test_a_journal_started_apart_records_where_its_copy_came_from(laptop, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    write(other, "a.md", note("A", "the other machine's own a"))
    repo.init(other)
    repo.set_remote(other, str(repo.remote_url(laptop, repo.DEFAULT_REMOTE)))
    [conflict] = merge.sync(other).conflicts
    [record] = map(json.loads, committed_log(other).splitlines())
    assert record["copy"] == conflict.copy and record["copy_from"] == repo.machine_name(laptop)


def test_sha256_journals_started_apart_join(tmp_path):
    bare = tmp_path / "remote256.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--object-format=sha256", "--initial-branch=main", str(bare)],
                   check=True)
    journals = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        gitcli.git(folder, "init", "--quiet", "--object-format=sha256", "--initial-branch=main")
        write(folder, f"{name}.md", note(name, f"typed in {name}"))
        repo.commit_all(folder, "start")
        repo.set_remote(folder, str(bare))
        journals.append(folder)
    merge.sync(journals[0])
    merge.sync(journals[1])
    merge.sync(journals[0])
    assert files(journals[0]) == files(journals[1]) and set(files(journals[0])) >= {"first.md", "second.md"}


def deep(opening: str, closing: str, depth: int) -> str:
    return opening * depth + "1" + closing * depth


@pytest.mark.parametrize(("nested", "parsed"), [
    (deep("[", "]", merge.MAX_NESTED - 1), True),   # with the record's own brace: exactly MAX_NESTED
    (deep("[", "]", merge.MAX_NESTED), False),
    (deep('{"k": ', "}", merge.MAX_NESTED - 1), True),
    (deep('{"k": ', "}", merge.MAX_NESTED), False),
])
def test_a_line_nested_beyond_the_limit_is_never_parsed_and_keeps_the_key_before_it(nested, parsed):
    later = b'{"at": "2021-08-05T10:00:00+00:00", "n": 1}'
    earlier = f'{{"at": "2021-08-05T09:00:00+00:00", "x": {nested}}}'.encode()
    ordered = merge.union_lines(later + b"\n", earlier + b"\n")
    assert ordered == ((earlier + b"\n" + later) if parsed else (later + b"\n" + earlier)) + b"\n"


def test_an_instant_reads_the_same_in_every_time_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Seoul")
    time.tzset()
    try:
        assert merge._instant("2021-08-05T00:00:00") == 1628121600.0           # naive: UTC
        assert merge._instant("2021-08-05T09:00:00+09:00") == 1628121600.0
        assert merge._instant("not a time") == float("-inf")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_merge_without_copies_says_only_where_it_synced_with(laptop, desktop):
    """Also: a note deleted there (and untouched here) is deleted here by the merge, and a name
    that is not UTF-8 (made by hand there) arrives byte for byte."""
    write(laptop, "a.md", note("A", "changed on the laptop"))
    (laptop / os.fsdecode(b"na\xefve.md")).write_text(note("Naive", "a Latin-1 name here"), encoding="utf-8")
    (desktop / "b.md").unlink()
    odd = os.fsdecode(b"caf\xe9.md")
    (desktop / odd).write_text(note("Cafe", "a Latin-1 name"), encoding="utf-8")
    gitcli.git(desktop, "add", "--all")
    gitcli.git(desktop, "-c", "user.name=Plain", "-c", "user.email=plain@example.org", "commit", "--quiet", "-m",
               "by hand")
    gitcli.git(desktop, "push", "--quiet", repo.DEFAULT_REMOTE, "HEAD")
    result = merge.sync(laptop)
    assert result.conflicts == () and not result.fast_forward
    assert gitcli.text(laptop, "log", "-1", "--format=%s") == f"studylab: sync with {repo.DEFAULT_REMOTE}/main"
    tree = gitcli.git(laptop, "ls-tree", "-r", "-z", "--name-only", "HEAD").split(b"\0")
    assert b"b.md" not in tree and {b"caf\xe9.md", b"na\xefve.md", b"a.md"} <= set(tree)


def test_records_the_other_machine_made_are_kept_when_a_conflict_is_met_here(laptop, desktop, tmp_path,
                                                                               monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    write(laptop, "a.md", note("A", "the laptop's a"))
    merge.sync(laptop)
    write(desktop, "a.md", note("A", "the desktop's a"))
    [theirs_first] = merge.sync(desktop).conflicts       # recorded there and sent
    write(desktop, "b.md", note("B", "the desktop's b"))
    merge.sync(desktop)
    write(laptop, "b.md", note("B", "the laptop's b"))
    [here] = merge.sync(laptop).conflicts
    records = [json.loads(line) for line in committed_log(laptop).splitlines()]
    assert sorted((record["note"], record["copy"]) for record in records) == sorted(
        [("a.md", theirs_first.copy), ("b.md", here.copy)])


@pytest.mark.parametrize("gitignore, own_commit", [(None, True), ("*\n", False)])
def test_an_empty_repository_joins_a_remote_holding_another_machines_hidden_state(laptop, remote, tmp_path,
                                                                                  gitignore, own_commit):
    """A repository made by hand (`git init`, nothing committed) pulls a journal whose history
    holds one machine's hidden state, committed by hand: the notes and the review log arrive, the
    hidden state never does. The pull commits this machine's .gitignore first, so the merge has
    an "ours"; unless that .gitignore ignores everything, itself included: then the pull has
    nothing of its own to commit and merges with no "ours" at all (theirs the only parent)."""
    (laptop / ".studylab").mkdir(exist_ok=True)
    write(laptop, ".studylab/settings.json", "{}\n")
    write(laptop, LOG, review_line)
    gitcli.git(laptop, "add", "--force", ".studylab/settings.json", LOG)
    gitcli.git(laptop, "-c", "user.name=Plain", "-c", "user.email=plain@example.org", "commit", "--quiet", "-m",
               "by hand")
    gitcli.git(laptop, "push", "--quiet", repo.DEFAULT_REMOTE, "HEAD")
    empty = tmp_path / "empty"
    empty.mkdir()
    gitcli.git(empty, "init", "--quiet", "--initial-branch=main")
    if gitignore is not None:
        (empty / ".gitignore").write_text(gitignore, encoding="utf-8")
    repo.set_remote(empty, str(remote))
    merge.pull(empty, merge_state=mergers(empty))
    assert set(files(empty)) >= {"a.md", "b.md"} and "first text of a" in files(empty)["a.md"]
    assert (empty / LOG).read_text(encoding="utf-8") == review_line
    assert not (empty / ".studylab" / "settings.json").exists()
    assert ".studylab/settings.json" not in gitcli.text(empty, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    parents = gitcli.text(empty, "log", "-1", "--format=%P").split()
    theirs = gitcli.text(laptop, "rev-parse", "HEAD")
    assert len(parents) == 2 if own_commit else parents == [theirs]


LOG = ".studylab/reviews.jsonl"
review_line = '{"v": 1, "card": "q", "at": "2021-08-05T09:00:00+00:00", "grade": 3, "kind": "card"}\n'
