"""A pull says what it did, exactly, and talks to the remote it is given: a machine ahead of its
remote pulls nothing and makes no commit; a remote named otherwise than "origin" is the one
pulled from, pushed to and cleared of stale locks; read-only mode names what did not happen; the
commits a pull makes of this machine's changes say so."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from core.journal.storage import ReadOnlyError
from core.sync import gitcli, merge, repo
from tests.sync.test_sync import LOG, bare_repository, head, mergers, note, old_file, write

REVIEW = '{"v": 1, "card": "q", "at": "2021-08-05T09:00:00+00:00", "grade": 3, "kind": "card"}\n'

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


def journal(where: Path, text: str, remote: Path | None = None, name: str = repo.DEFAULT_REMOTE) -> Path:
    """A new journal at `where` holding a.md, a repository of its own, with `remote` as `name`."""
    where.mkdir()
    write(where, "a.md", note("A", text))
    repo.init(where)
    if remote is not None:
        repo.set_remote(where, str(remote), remote=name)
    return where


def test_a_machine_ahead_of_its_remote_pulls_nothing_and_makes_no_commit(laptop):
    write(laptop, "c.md", note("C", "written here, not sent yet"))
    ahead = repo.commit_all(laptop, "a note not sent yet")
    assert merge.pull(laptop) == merge.PullResult(up_to_date=True, fast_forward=False, commit=ahead)
    assert head(laptop) == ahead, "no merge commit for a remote this machine already holds"


def test_sync_pulls_from_and_pushes_to_the_remote_it_is_given(tmp_path):
    classmate = bare_repository(tmp_path / "classmate.git")
    mine = journal(tmp_path / "mine", "mine", classmate, "classmate")
    assert repo.remote_url(mine, repo.DEFAULT_REMOTE) is None, "no remote under the default name"
    merge.sync(mine, "classmate")
    assert head(classmate, "main") == head(mine)
    theirs = tmp_path / "theirs"
    subprocess.run(["git", "clone", "--quiet", str(classmate), str(theirs)], check=True, env=gitcli.environment())
    write(theirs, "b.md", note("B", "theirs"))
    repo.commit_all(theirs, "their note")
    merge.push(theirs)
    merge.sync(mine, "classmate")
    assert (mine / "b.md").read_text(encoding="utf-8") == note("B", "theirs")
    assert head(classmate, "main") == head(mine)


@pytest.mark.parametrize("action", [merge.pull, merge.sync])
def test_read_only_names_syncing_as_what_did_not_happen(laptop, monkeypatch, action):
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    with pytest.raises(ReadOnlyError) as refused:
        action(laptop)
    assert str(refused.value).startswith("Writing is turned off, so syncing did not happen. ")


def test_a_pull_commits_this_machines_changes_under_their_own_messages(laptop, monkeypatch):
    """What was typed before the pull, and what was typed while it fetched, each go into a commit
    that says so (the history a student reads with git log)."""
    write(laptop, "c.md", note("C", "typed before the pull"))
    real_fetch = merge.fetch

    def fetch_while_typing(folder, remote=repo.DEFAULT_REMOTE):
        real_fetch(folder, remote)
        write(laptop, "d.md", note("D", "typed while it fetched"))

    monkeypatch.setattr(merge, "fetch", fetch_while_typing)
    merge.pull(laptop)
    subjects = gitcli.text(laptop, "log", "-2", "--format=%s").splitlines()
    assert subjects == ["studylab: changes made on this machine while fetching",
                        "studylab: changes made on this machine"]
    assert gitcli.text(laptop, "show", "--name-only", "--format=", "HEAD").split() == ["d.md"]


def test_a_pull_clears_a_stale_lock_in_the_remote_it_is_given(tmp_path):
    """A killed git left a lock in the classmate remote (a repository on this machine, not under
    the default name): the pull from it clears that lock, as it would for "origin"."""
    classmate = bare_repository(tmp_path / "classmate.git")
    mine = journal(tmp_path / "mine", "mine", classmate, "classmate")
    merge.push(mine, "classmate")
    lock = old_file(classmate / "packed-refs.lock")
    merge.pull(mine, "classmate")
    assert not lock.exists()


def test_a_broken_origin_never_stops_a_sync_with_another_remote(tmp_path):
    """"origin" points at a plain folder (refused when used), the classmate remote at a real
    repository: a sync with the classmate goes through and never looks into the plain folder."""
    classmate = bare_repository(tmp_path / "classmate.git")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "index.lock").write_bytes(b"someone's file")
    mine = journal(tmp_path / "mine", "mine", plain)
    repo.set_remote(mine, str(classmate), remote="classmate")
    merge.sync(mine, "classmate")
    assert head(classmate, "main") == head(mine)
    assert (plain / "index.lock").read_bytes() == b"someone's file"
    with pytest.raises(gitcli.GitError, match="is not a git repository"):
        merge.sync(mine)


def test_a_pull_that_only_takes_the_remote_fast_forwards_and_says_so(laptop, desktop):
    """Nothing new here, the other machine added a note: the journal takes the remote's commit
    as it is (no merge commit), even though both hold a review log the pull merges by its own
    rule when it changes. A later pull with changes on both sides makes a merge commit."""
    (laptop / ".studylab").mkdir(exist_ok=True)
    write(laptop, LOG, REVIEW)
    merge.sync(laptop, merge_state=mergers(laptop))
    merge.pull(desktop, merge_state=mergers(desktop))
    write(desktop, "c.md", note("C", "from the desktop"))
    merge.sync(desktop, merge_state=mergers(desktop))
    result = merge.pull(laptop, merge_state=mergers(laptop))
    assert result.up_to_date is False and result.fast_forward is True
    assert result.commit == head(laptop) == head(desktop)
    write(laptop, "d.md", note("D", "from the laptop"))
    write(desktop, "e.md", note("E", "from the desktop"))
    merge.sync(desktop, merge_state=mergers(desktop))
    result = merge.pull(laptop, merge_state=mergers(laptop))
    assert result.up_to_date is False and result.fast_forward is False
    assert result.commit == head(laptop) and len(gitcli.text(laptop, "log", "-1", "--format=%P").split()) == 2


def test_a_submodule_in_this_machines_own_history_is_refused_too(laptop, desktop):
    gitcli.git(laptop, "update-index", "--add", "--cacheinfo", f"160000,{head(laptop)},vendor")
    gitcli.git(laptop, *gitcli.identity_args(laptop), "commit", "--quiet", "-m", "a submodule, by hand")
    write(desktop, "c.md", note("C", "from the desktop"))
    merge.sync(desktop)
    before = head(laptop)
    with pytest.raises(gitcli.GitError, match=r"holds a git submodule \(vendor\)"):
        merge.pull(laptop)
    assert head(laptop) == before


def test_a_commit_made_by_another_program_during_the_pull_is_never_overwritten(laptop, desktop, monkeypatch):
    """The branch moves only if it still points where the pull started: a commit git made from
    another program in the meantime makes the pull stop, and that commit stays."""
    write(desktop, "c.md", note("C", "from the desktop"))
    merge.sync(desktop)
    real_update = merge._update_files
    meanwhile = {}

    def update_then_commit_elsewhere(folder, old, new):
        done = real_update(folder, old, new)
        tree = gitcli.text(folder, "rev-parse", f"{old}^{{tree}}")
        meanwhile["commit"] = gitcli.text(folder, *gitcli.identity_args(folder), "commit-tree", tree, "-p", old,
                                          "-m", "another program")
        gitcli.git(folder, "update-ref", "refs/heads/main", meanwhile["commit"])
        return done

    monkeypatch.setattr(merge, "_update_files", update_then_commit_elsewhere)
    with pytest.raises(gitcli.GitError):
        merge.pull(laptop)
    assert head(laptop) == meanwhile["commit"]


@pytest.mark.parametrize("name", [repo.DEFAULT_REMOTE, "classmate"])
def test_a_pull_sets_the_branch_to_track_the_remote_it_came_from(tmp_path, name):
    """So `git status` in a terminal counts commits ahead and behind that remote."""
    bare = bare_repository(tmp_path / "remote.git")
    merge.push(journal(tmp_path / "first", "first", bare))
    second = journal(tmp_path / "second", "second", bare, name)
    merge.pull(second, name)
    assert gitcli.text(second, "rev-parse", "--abbrev-ref", "main@{upstream}") == f"{name}/main"


def test_a_merge_commit_says_what_it_merged_who_made_it_and_on_which_machine(laptop, desktop, tmp_path,
                                                                            monkeypatch):
    """Its subject names the remote branch (and the conflict copies, when there are some); its
    author is this journal's own git identity; its trailer names this machine. Nothing of the
    folder the app was started from is read or written for it."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not a repository: git run there by mistake fails or differs
    gitcli.git(laptop, "config", "user.name", "Minji")
    gitcli.git(laptop, "config", "user.email", "minji@example.org")
    write(laptop, "c.md", note("C", "from the laptop"))
    write(desktop, "d.md", note("D", "from the desktop"))
    merge.sync(desktop)
    merge.pull(laptop)
    assert gitcli.text(laptop, "log", "-1", "--format=%s|%an <%ae>") == \
        "studylab: sync with origin/main|Minji <minji@example.org>"
    trailer = gitcli.text(laptop, "log", "-1", f"--format=%(trailers:key={repo.MACHINE_TRAILER},valueonly)")
    assert trailer == repo.machine_name(laptop)
    write(laptop, "a.md", note("A", "the laptop's text"))
    write(desktop, "a.md", note("A", "the desktop's text"))
    merge.sync(desktop)
    result = merge.pull(laptop)
    assert len(result.conflicts) == 1
    assert gitcli.text(laptop, "log", "-1", "--format=%s") == "studylab: sync with origin/main (1 conflict copies)"
    assert not list(elsewhere.iterdir())


def test_a_merge_that_stops_halfway_leaves_the_journals_index_as_it_was(laptop, desktop, monkeypatch):
    """The merge is built in a private index: when it stops (here, just before its commit, with
    everything staged), the journal's own index still matches its last commit, so the next
    commit holds only what was typed here."""
    write(laptop, "a.md", note("A", "the laptop's text"))
    write(desktop, "a.md", note("A", "the desktop's text"))
    write(desktop, "c.md", note("C", "from the desktop"))
    merge.sync(desktop)

    def fail(*args, **kwargs):
        raise gitcli.GitError("stopped halfway")

    monkeypatch.setattr(merge, "identity_args", fail)
    with pytest.raises(gitcli.GitError, match="stopped halfway"):
        merge.pull(laptop)
    assert gitcli.text(laptop, "diff", "--cached", "--name-only") == ""
    assert not (laptop / "c.md").exists()


@pytest.mark.parametrize("action, did_not_happen", [
    (merge.fetch, "checking the remote"), (merge.push, "sending the journal to the remote")])
def test_read_only_names_what_fetch_and_push_did_not_do(laptop, monkeypatch, action, did_not_happen):
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    with pytest.raises(ReadOnlyError) as refused:
        action(laptop)
    assert str(refused.value).startswith(f"Writing is turned off, so {did_not_happen} did not happen. ")


@pytest.mark.parametrize("action, said", [
    (merge.fetch, "could not reach the remote 'origin' (git fetch took longer than 1 s and was stopped"),
    (merge.push, "git push took longer than 1 s and was stopped")])
def test_fetch_and_push_give_up_after_their_own_time_limit(laptop, monkeypatch, action, said):
    """A remote that never answers (ssh here waits 8 s) stops them after FETCH_TIMEOUT."""
    monkeypatch.setattr(merge, "FETCH_TIMEOUT", 1.0)
    monkeypatch.setenv("GIT_SSH_COMMAND", "sleep 8; true")  # git appends the host and command
    repo.set_remote(laptop, "ssh://example.invalid/journal.git")
    started = time.monotonic()
    with pytest.raises(gitcli.GitError) as stopped:
        action(laptop)
    assert str(stopped.value).startswith(said)
    assert time.monotonic() - started < 6


def test_an_unreachable_remote_is_named_with_git_s_reason_and_what_to_do(laptop, tmp_path):
    repo.set_remote(laptop, str(tmp_path / "gone.git"))
    with pytest.raises(gitcli.GitError) as refused:
        merge.fetch(laptop)
    sentence = str(refused.value)
    assert sentence.startswith("could not reach the remote 'origin' (git fetch failed: ")
    assert sentence.endswith("); the journal keeps working offline, sync again when you are connected")
    assert "gone.git" in sentence


def test_a_push_behind_the_remote_asks_for_a_pull_first(laptop, desktop):
    """Rejected because the remote moved on, whether this journal has not fetched its commits
    yet ("fetch first") or has fetched and not merged them ("non-fast-forward")."""
    write(desktop, "c.md", note("C", "from the desktop"))
    merge.sync(desktop)
    write(laptop, "d.md", note("D", "from the laptop"))
    repo.commit_all(laptop, "a note")
    for step in ("before fetching", "after fetching"):
        with pytest.raises(gitcli.GitError) as refused:
            merge.push(laptop)
        assert str(refused.value) == "the remote has commits this journal does not have yet: sync (pull) first", step
        merge.fetch(laptop)


def test_a_push_clears_a_stale_lock_in_the_remote_it_is_given(tmp_path):
    classmate = bare_repository(tmp_path / "classmate.git")
    mine = journal(tmp_path / "mine", "mine", classmate, "classmate")
    merge.push(mine, "classmate")
    write(mine, "b.md", note("B", "more"))
    repo.commit_all(mine, "more")
    lock = old_file(classmate / "refs" / "heads" / "main.lock")
    merge.push(mine, "classmate")
    assert head(classmate, "main") == head(mine)
    assert not lock.exists()


def test_a_push_the_remote_s_hook_declines_says_so_and_never_asks_for_a_pull(laptop, remote):
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the course repository is closed for the night' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    write(laptop, "c.md", note("C", "late"))
    repo.commit_all(laptop, "late")
    with pytest.raises(gitcli.GitError) as refused:
        merge.push(laptop)
    assert "pull" not in str(refused.value)
    assert str(refused.value).startswith("git push failed: ")


def test_a_hidden_file_committed_here_by_hand_leaves_the_merge_and_stays_on_disk(laptop, desktop):
    """A top-level hidden file (.env here) is this machine's own: committed by hand, it is left out
    of the next merge commit, so it never reaches the other machines, and stays on this disk."""
    write(laptop, ".env", "TOKEN=mine\n")
    gitcli.git(laptop, "add", "--force", ".env")
    gitcli.git(laptop, *gitcli.identity_args(laptop), "commit", "--quiet", "-m", "by hand")
    write(laptop, "c.md", note("C", "from the laptop"))
    write(desktop, "d.md", note("D", "from the desktop"))
    merge.sync(desktop)
    result = merge.pull(laptop)
    assert result.fast_forward is False
    assert ".env" not in gitcli.text(laptop, "ls-tree", "--name-only", "HEAD").split()
    assert (laptop / ".env").read_text(encoding="utf-8") == "TOKEN=mine\n"


def edit_while_writing(monkeypatch, folder, name: str, text: str) -> None:
    """Type `text` into `name` just as the pull starts writing the files (another program, or
    the student in an editor, between the pull's commit and its file updates)."""
    real_blobs = merge._blobs

    def blobs_then_edit(where, ids):
        found = real_blobs(where, ids)
        write(folder, name, text)
        return found

    monkeypatch.setattr(merge, "_blobs", blobs_then_edit)


def test_a_note_edited_while_the_pull_writes_is_kept_and_the_incoming_text_goes_to_a_copy(
        laptop, desktop, monkeypatch):
    write(desktop, "a.md", note("A", "the desktop's text"))
    merge.sync(desktop)
    edit_while_writing(monkeypatch, laptop, "a.md", note("A", "typed during the pull"))
    result = merge.pull(laptop)
    [kept] = result.conflicts
    assert (kept.path, kept.reason) == ("a.md", merge.KEPT_HERE)
    assert (laptop / "a.md").read_text(encoding="utf-8") == note("A", "typed during the pull")
    assert (laptop / kept.copy).read_text(encoding="utf-8") == note("A", "the desktop's text")


def test_a_note_edited_while_the_pull_deletes_it_is_kept(laptop, desktop, monkeypatch):
    (desktop / "b.md").unlink()
    merge.sync(desktop)
    edit_while_writing(monkeypatch, laptop, "b.md", note("B", "typed during the pull"))
    result = merge.pull(laptop)
    assert "b.md" not in result.taken
    assert (laptop / "b.md").read_text(encoding="utf-8") == note("B", "typed during the pull")


def test_a_branch_deleted_on_the_remote_leaves_this_journal_too(laptop, remote):
    """fetch prunes: a remote branch deleted there (a classmate's experiment) does not linger here."""
    gitcli.git(remote, "branch", "experiment", "main")
    merge.fetch(laptop)
    assert gitcli.succeeds(laptop, "rev-parse", "--verify", "--quiet", "refs/remotes/origin/experiment")
    gitcli.git(remote, "branch", "-D", "experiment")
    merge.fetch(laptop)
    assert not gitcli.succeeds(laptop, "rev-parse", "--verify", "--quiet", "refs/remotes/origin/experiment")


def notes_inside_a_project(outer: Path) -> tuple[Path, Path]:
    """A course project's repository at `outer` (one commit) and a notes folder inside it with one
    note and no `.git` of its own: (project, notes)."""
    outer.mkdir()
    gitcli.git(outer, "init", "--quiet", "--initial-branch=main")
    (outer / "README").write_text("project\n", encoding="utf-8")
    gitcli.git(outer, "add", "README")
    gitcli.git(outer, *gitcli.identity_args(outer), "commit", "--quiet", "-m", "project")
    notes = outer / "notes"
    notes.mkdir()
    write(notes, "a.md", note("A", "mine"))
    return outer, notes


def test_a_notes_folder_inside_another_repository_is_refused_before_git_touches_that_one(tmp_path):
    """The notes folder is not a repository of its own but sits in one (a course project): sync
    refuses with a sentence, and the repository around it is left exactly as it was."""
    outer, notes = notes_inside_a_project(tmp_path / "project")
    before = (head(outer), (outer / ".git" / "index").read_bytes(), sorted(p.name for p in notes.iterdir()))
    for action in (merge.pull, merge.push, merge.fetch, merge.sync):
        with pytest.raises(gitcli.GitError) as refused:
            action(notes)
        assert str(refused.value).startswith("the notes folder is not a git repository yet, so nothing was synced")
    assert (head(outer), (outer / ".git" / "index").read_bytes(), sorted(p.name for p in notes.iterdir())) == before


@pytest.mark.parametrize("project", ["project", "Course: ML"])
def test_no_git_call_in_a_notes_folder_without_its_own_repository_reaches_the_one_around_it(tmp_path, project):
    """Below the sync page's own check, every git call stops its search at the notes folder: a
    commit, a remote, a status or the autocommit in a folder that sits in a course project's
    repository fail as "not a git repository", and the project keeps its commits, index and config;
    also when the project's name holds a ":", which git's ceiling list cannot hold."""
    outer, notes = notes_inside_a_project(tmp_path / project)
    for folder in ("refs", "objects"):  # a student's folders of notes, named like a bare repository's
        (notes / folder).mkdir()
    project = outer / ".git"
    before = (head(outer), (project / "index").read_bytes(), (project / "config").read_bytes())
    calls = (lambda: repo.commit_all(notes, "notes"), lambda: repo.set_remote(notes, str(tmp_path / "remote")),
             lambda: repo.status(notes), lambda: gitcli.text(notes, "rev-parse", "--show-toplevel"))
    for call in calls:
        with pytest.raises(gitcli.GitError, match="not a git repository"):
            call()
    assert not gitcli.succeeds(notes, "rev-parse", "--git-dir")
    assert (head(outer), (project / "index").read_bytes(), (project / "config").read_bytes()) == before


def test_a_journal_in_a_folder_named_with_a_colon_syncs_as_any_other(tmp_path):
    """The colon rule changes nothing for a real repository or a bare remote: a journal under
    "Course: ML" is initialised, commits and syncs with a bare remote beside it."""
    course = tmp_path / "Course: ML"
    course.mkdir()
    remote = bare_repository(course / "remote.git")
    notes = journal(course / "notes", "mine", remote)
    merge.sync(notes)
    assert gitcli.text(remote, "log", "-1", "--format=%s", "main")
    assert merge.git_dir_of(remote) == remote.resolve()
    assert merge.git_dir_of(course) is None
