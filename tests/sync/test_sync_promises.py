"""Sync never loses, leaks or hangs (issue 20): a remote that is a plain folder, a classmate's
hostile journal, read-only mode, names git allows but the disk does not, submodules, thousands
of long paths, and credentials in every shape git, ssh or a helper prints."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.journal.storage import ReadOnlyError
from core.sync import gitcli, merge, peers, repo
from tests.sync.test_sync import note, old_file, write
from tests.sync.test_sync_attacks import blob, push_tree, run

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")

PROJECT_LOCKS = {"Cargo.lock": b"# cargo\n[[package]]\n", "yarn.lock": b"# yarn lockfile v1\n",
                 "poetry.lock": b"[[package]]\nname = 'x'\n", "flake.lock": b'{"nodes": {}}\n',
                 "x/y.lock": b"nested\n", "index.lock": b"not git's\n", "refs/heads/main.lock": b"nor this\n"}


def plain_folder(where: Path) -> dict[str, bytes]:
    """A folder of someone's projects (not a git repository) full of lock files, all old."""
    for name, data in PROJECT_LOCKS.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        old_file(where / name, data)
    return PROJECT_LOCKS


def contents(where: Path) -> dict[str, bytes]:
    return {str(path.relative_to(where)): path.read_bytes() for path in where.rglob("*") if path.is_file()}


# 1. A remote that is a plain folder is refused; only git's own locks in git's own folders are cleared.

def test_a_plain_folder_as_the_remote_is_refused_and_every_file_in_it_survives(laptop, tmp_path):
    projects = tmp_path / "projects"
    projects.mkdir()
    expected = plain_folder(projects)
    repo.set_remote(laptop, str(projects))
    for action in (merge.sync, merge.pull, merge.push, merge.fetch, merge.recover):
        with pytest.raises(gitcli.GitError, match="is not a git repository.*nothing in that folder was touched"):
            action(laptop)
        assert contents(projects) == expected, f"{action.__name__} touched the folder"


def test_a_relative_remote_path_counts_from_the_notes_folder(laptop, remote, tmp_path, monkeypatch):
    """`../remote.git` is the remote next to the notes folder (as git reads it), not one next to the
    server's working folder: that one, a plain folder, is never touched; the real remote's stale
    ref lock is cleared so the push goes through."""
    decoy = tmp_path / "server" / "remote.git"
    decoy.mkdir(parents=True)
    expected = plain_folder(decoy)
    (tmp_path / "server" / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "server" / "cwd")
    repo.set_remote(laptop, "../remote.git")
    stale = remote / "refs" / "heads" / "main.lock"
    stale.write_text("")
    write(laptop, "a.md", note("A", "pushed past a stale lock"))
    merge.sync(laptop)
    assert not stale.exists()
    assert "pushed past a stale lock" in run(remote, "show", "main:a.md")
    assert contents(decoy) == expected


def test_a_linked_lock_file_is_never_followed(laptop, tmp_path):
    precious = tmp_path / "precious.lock"
    precious.write_bytes(b"keep me")
    (laptop / ".git" / "index.lock").symlink_to(precious)
    (laptop / ".git" / "refs" / "heads" / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    merge.recover(laptop)
    assert precious.read_bytes() == b"keep me"
    assert local_path_is("sub/../x", laptop) == laptop / "sub/../x"
    assert local_path_is("host:x.git", laptop) is None and local_path_is("https://h/x", laptop) is None


def local_path_is(url: str, folder: Path) -> Path | None:
    return merge.local_path(url, folder)


# 2. A classmate's journal never shows this machine's token.

def test_a_peers_link_to_its_git_config_never_shows_the_url_or_a_token(laptop, tmp_path):
    token = "ghp_S3CRETTOKEN"
    theirs = tmp_path / f"{token}" / "minji.git"
    theirs.mkdir(parents=True)
    write(theirs, "til.md", note("TIL", "an honest note"))
    repo.init(theirs)
    (theirs / "leak.md").symlink_to(".git/config")
    (theirs / "deep.md").symlink_to(".git/logs/HEAD")
    run(theirs, "add", "leak.md", "deep.md")
    run(theirs, *gitcli.identity_args(theirs), "commit", "--quiet", "-m", "links")
    peers.add_peer(laptop, "minji", str(theirs))
    assert peers.pull_all(laptop) == {"minji": None}
    assert peers.pull_all(laptop) == {"minji": None}, "and again, updating the copy"
    copy = peers.peer_folder(laptop, "minji")
    assert not any(path.is_symlink() for path in copy.rglob("*")), "the copy never holds a link"
    library = peers.peer_libraries(laptop)["minji"]
    assert "til" in {note.slug for note in library.notes}
    assert not any(token in note.body or token in note.title for note in library.notes)
    git_files = b"".join(path.read_bytes() for path in (copy / ".git").rglob("*")
                         if path.is_file() and "objects" not in path.parts)
    assert token.encode() not in git_files, "the peer's URL is never stored in the copy's .git"


def test_a_link_left_in_an_older_peer_copy_is_never_read(laptop, tmp_path):
    copy = peers.peer_folder(laptop, "jun")
    (copy / ".git").mkdir(parents=True)
    (copy / ".git" / "config").write_text("[remote]\n\turl = https://jun:s3cret@host/x\n")
    (copy / "leak.md").symlink_to(".git/config")
    write(copy, "ok.md", note("OK", "fine"))
    peers.add_peer(laptop, "jun", "https://example.invalid/jun.git")
    library = peers.peer_libraries(laptop)["jun"]
    assert [note.slug for note in library.notes] == ["ok"]
    assert [problem.file for problem in library.problems] == ["leak.md"]


def test_a_token_in_a_peer_url_is_never_written_to_the_copy(laptop):
    peers.add_peer(laptop, "minji", "https://minji:ghp_T0KEN@127.0.0.1:9/minji.git")
    outcome = peers.pull_all(laptop)
    assert outcome["minji"] and "ghp_T0KEN" not in outcome["minji"]
    config = peers.peer_folder(laptop, "minji") / ".git" / "config"
    assert config.exists() and "ghp_T0KEN" not in config.read_text()


# 3. Read-only mode covers every git write; the status writes nothing.

def test_read_only_refuses_every_git_write_before_it_runs(laptop, remote, tmp_path, monkeypatch):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    peers.add_peer(laptop, "minji", str(remote))
    write(laptop, "a.md", note("A", "typed before read-only"))
    before = contents(laptop / ".git"), contents(remote)
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    actions = {
        "init": lambda: repo.init(fresh), "remote": lambda: repo.set_remote(laptop, "/elsewhere"),
        "config": lambda: repo.set_autocommit(laptop, False), "commit": lambda: repo.commit_all(laptop, "x"),
        "fetch": lambda: merge.fetch(laptop), "pull": lambda: merge.pull(laptop), "push": lambda: merge.push(laptop),
        "sync": lambda: merge.sync(laptop), "peer add": lambda: peers.add_peer(laptop, "jun", str(remote)),
        "peer pull": lambda: peers.pull_peer(laptop, peers.peers(laptop)[0]),
        "peers pull": lambda: peers.pull_all(laptop),
        "peer remove": lambda: peers.remove_peer(laptop, "minji"),
    }
    for name, action in actions.items():
        with pytest.raises(ReadOnlyError, match="STUDYLAB_READONLY"):
            action()
        assert (contents(laptop / ".git"), contents(remote)) == before, name
    assert not (fresh / ".git").exists()
    assert repo.autocommit(laptop) is None
    assert merge.recover(laptop) == []
    assert not peers.peer_folder(laptop, "minji").exists()


def test_the_status_never_rewrites_the_index(laptop, monkeypatch):
    index = laptop / ".git" / "index"
    os.utime(laptop / "a.md", (2_000_000_000, 2_000_000_000))  # stat data git would refresh
    before, mtime = index.read_bytes(), index.stat().st_mtime_ns
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    assert repo.status(laptop).state == "clean"
    assert index.read_bytes() == before and index.stat().st_mtime_ns == mtime


# 4. Never stuck: a name the disk cannot hold, a submodule, thousands of long paths.

def test_a_remote_name_over_255_bytes_is_a_problem_and_the_rest_syncs(pair):
    bare, laptop, attacker = pair
    long_name = "가" * 90 + ".md"  # 273 bytes: fine for git, too long for this file system
    push_tree(attacker, bare, [f"100644 blob {blob(attacker, b'# Long')}\t{long_name}\n",
                               f"100644 blob {blob(attacker, b'# B')}\tb.md\n"])
    write(laptop, "c.md", note("C", "mine"))
    result = merge.sync(laptop)
    assert (laptop / "b.md").read_text() == "# B" and (laptop / "c.md").exists()
    [problem] = result.problems
    assert long_name in problem and "could not be written on this machine" in problem
    assert repo.status(laptop).state == "clean"
    write(laptop, "d.md", note("D", "later"))
    merge.sync(laptop)
    assert long_name in run(bare, "ls-tree", "-z", "--name-only", "main").split("\0"), "never deleted from the remote"


def test_a_too_long_note_changed_again_on_the_remote_is_a_problem_again(pair):
    """The second time the remote changes a note this disk cannot hold, the pull says so again,
    in the same words, and writes the rest."""
    bare, laptop, attacker = pair
    long_name = "가" * 90 + ".md"
    for version, other in ((b"# Long, first", "b.md"), (b"# Long, second", "c.md")):
        push_tree(attacker, bare, [f"100644 blob {blob(attacker, version)}\t{long_name}\n",
                                   f"100644 blob {blob(attacker, b'# other')}\t{other}\n"])
        run(attacker, "fetch", "--quiet", "origin")
        run(attacker, "reset", "--quiet", "--soft", "origin/main")  # its disk cannot hold the name either
        result = merge.sync(laptop)
        assert result.problems == (f"{long_name} could not be written on this machine (File name too long); it "
                                   "stays in the journal's repository, untouched, and the rest was synced",)
        assert (laptop / other).read_text() == "# other"


def test_a_note_too_long_for_this_disk_stays_in_the_repository_marked_skip_worktree(pair):
    """The guard behind "never deleted from the remote": each unwritable note, whatever bytes its
    name holds (here one not even UTF-8), is marked skip-worktree, so no git version or file
    system can take the missing file for a deletion."""
    bare, laptop, attacker = pair
    names = ["가" * 90 + ".md", "나" * 90 + "\udcff.md"]  # 273 and 274 bytes, the second not UTF-8
    listed = run(attacker, "ls-tree", "-z", "HEAD^{tree}").encode()
    entry = f"100644 blob {blob(attacker, b'# Long')}\t".encode()
    for name in names:
        listed += entry + name.encode("utf-8", "surrogateescape") + b"\0"
    root = run(attacker, "mktree", "-z", stdin=listed)
    commit = run(attacker, *gitcli.identity_args(attacker), "commit-tree", root, "-p", "HEAD", "-m", "long")
    run(attacker, "push", "--quiet", "--force", str(bare), f"{commit}:refs/heads/main")
    assert len(merge.sync(laptop).problems) == 2
    flags = gitcli.git(laptop, "ls-files", "-v", "-z").split(b"\0")
    for name in names:
        assert b"S " + name.encode("utf-8", "surrogateescape") in flags, name


def test_a_submodule_in_the_remote_is_refused_with_a_sentence(pair):
    bare, laptop, attacker = pair
    before = run(laptop, "rev-parse", "HEAD")
    push_tree(attacker, bare, [f"160000 commit {run(attacker, 'rev-parse', 'HEAD')}\tvendor\n"])
    with pytest.raises(gitcli.GitError, match=r"holds a git submodule \(vendor\).*nothing was changed here"):
        merge.sync(laptop)
    assert run(laptop, "rev-parse", "HEAD") == before


def test_a_submodule_deep_inside_folders_is_refused_too(pair):
    bare, laptop, attacker = pair
    before = run(laptop, "rev-parse", "HEAD")
    module = run(attacker, "mktree", stdin=f"160000 commit {run(attacker, 'rev-parse', 'HEAD')}\tmodule\n".encode())
    vendor = run(attacker, "mktree", stdin=f"040000 tree {module}\tvendor\n".encode())
    push_tree(attacker, bare, [f"040000 tree {vendor}\tlib\n"])
    with pytest.raises(gitcli.GitError, match=r"holds a git submodule \(lib/vendor/module\)"):
        merge.sync(laptop)
    assert run(laptop, "rev-parse", "HEAD") == before


@pytest.mark.parametrize("names, shown", [
    (["a", "b", "c"], "a, b, c"),
    (["a", "b", "c", "d"], "a, b, c ..."),
    (["tab\there"], "tab\there"),  # -z: git gives the name as it is, tab and all
])
def test_a_refused_submodule_sentence_names_three_at_most(pair, names, shown):
    bare, laptop, attacker = pair
    head = run(attacker, "rev-parse", "HEAD")
    listed = run(attacker, "ls-tree", "-z", "HEAD^{tree}").encode()  # each entry ends in NUL
    for name in names:
        listed += f"160000 commit {head}\t{name}\0".encode()
    root = run(attacker, "mktree", "-z", stdin=listed)
    commit = run(attacker, *gitcli.identity_args(attacker), "commit-tree", root, "-p", "HEAD", "-m", "modules")
    run(attacker, "push", "--quiet", "--force", str(bare), f"{commit}:refs/heads/main")
    with pytest.raises(gitcli.GitError) as refused:
        merge.sync(laptop)
    assert str(refused.value) == (
        f"the journal's repository holds a git submodule ({shown}), which a journal of notes cannot sync; nothing "
        "was changed here. Remove the submodule with git (git rm --cached <path>), then sync again")


def test_a_new_machine_with_nothing_yet_refuses_a_remote_with_a_submodule(pair, tmp_path):
    """The first pull into a journal with no commit of its own checks the remote's side too: its
    owner ran `git init` there with a .gitignore that ignores everything, itself included, so
    the pull has nothing of its own to commit first."""
    bare, _, attacker = pair
    push_tree(attacker, bare, [f"160000 commit {run(attacker, 'rev-parse', 'HEAD')}\tvendor\n"])
    newcomer = tmp_path / "newcomer"
    newcomer.mkdir()
    run(newcomer, "init", "--quiet", "--initial-branch=main")
    (newcomer / ".gitignore").write_text("*\n", encoding="utf-8")
    repo.set_remote(newcomer, str(bare))
    assert repo.head(newcomer) is None
    with pytest.raises(gitcli.GitError, match=r"holds a git submodule \(vendor\).*nothing was changed here"):
        merge.pull(newcomer)
    assert repo.head(newcomer) is None and not list(newcomer.glob("*.md"))


def test_an_object_missing_from_the_repository_is_named_in_a_sentence(laptop):
    """git cat-file answers "<id> missing" for an object the repository lacks (a damaged or
    shallow copy): sync stops with a sentence naming it, never a parse error."""
    present = blob(laptop, b"kept\n")
    absent = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(gitcli.GitError) as refused:
        merge._blobs(laptop, [present, absent])
    assert str(refused.value) == (f"the journal's repository lacks an object it needs ({absent} missing); "
                                  "nothing was changed here")
    assert merge._blobs(laptop, [present]) == {present: b"kept\n"}


def test_thousands_of_long_korean_paths_never_reach_the_command_line(laptop, desktop, monkeypatch):
    names = [f"{number:04d}-" + "한국어노트" * 16 + ".md" for number in range(300)]  # 246 bytes each
    for name in names:
        write(desktop, name, note("노트", "본문"))
    merge.sync(desktop)
    write(laptop, "a.md", note("A", "a local edit, so the pull merges"))
    longest = []
    real_run = gitcli.subprocess.run

    def recording_run(command, *args, **kwargs):
        longest.append(sum(len(os.fsencode(part)) for part in command))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(gitcli.subprocess, "run", recording_run)
    result = merge.sync(laptop)
    assert max(longest) < 4096, "paths go to git on stdin, never as arguments"
    assert set(names) <= set(result.taken) and all((laptop / name).exists() for name in names)


# 5. Credentials never survive redaction, whatever the URL scheme or message shape.

TOKEN_CHARS = string.ascii_letters + string.digits + "-._~%!$&*+,;=:/@"
SHAPES = (
    "fatal: unable to access '{scheme}://{user}:{token}@{host}/x.git/': Could not resolve host: {host}",
    "fatal: unable to look up {token}@{host} (port 9418) (Name or service not known)",
    "{user}:{token}@{host}: Permission denied (publickey).",
    "fatal: Authentication failed for '{scheme}://{token}@{host}/journal.git/'",
    "ssh: Could not resolve hostname {host}: {token}@{host}:journal.git",
    "fatal: '{token}@{host}:til.git' does not appear to be a git repository",
    "remote {scheme}://{token}@{host}/x.git failed",
    "warning: redirecting to {scheme}://{user}:{token}@{host}:8443/x?token={token}",
    "credential helper said: {scheme}://{token}@{host} <{token}@{host}>",
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scheme=st.sampled_from(["https", "http", "git", "ssh", "git+ssh", "ftp", "file", "svn+ssh", "HTTPS"]),
       user=st.text(TOKEN_CHARS, max_size=12), secret=st.text(TOKEN_CHARS, min_size=6, max_size=40),
       host=st.sampled_from(["github.com", "127.0.0.1", "[::1]", "gitlab.example.org"]),
       shape=st.sampled_from(SHAPES))
def test_a_token_never_survives_redaction(scheme, user, secret, host, shape):
    token = f"Zq9{secret}"
    shown = gitcli.redact(shape.format(scheme=scheme, user=user, token=token, host=host))
    assert token not in shown and "***" in shown
    if "@" not in token and "?" not in shape:
        assert host.strip("[]") in shown, "the host stays, so the message still says where"


# 7. Conflict copies know where their text was typed; Keep mine keeps this machine's text.

def test_keep_mine_keeps_the_text_typed_here_after_the_other_machine_merged(laptop, desktop):
    from core.sync import conflicts

    run(laptop, "config", repo.MACHINE_KEY, "laptop")
    run(desktop, "config", repo.MACHINE_KEY, "desktop")
    write(desktop, "a.md", note("A", "typed on the desktop"))
    merge.sync(desktop)
    write(laptop, "a.md", note("A", "typed on the laptop"))
    [conflict] = merge.sync(laptop).conflicts  # the laptop merges: its text stays, the desktop's is the copy
    write(desktop, "b.md", note("B", "the desktop moves on"))
    merge.sync(desktop)  # the desktop merges the laptop's merge: its own text arrives as "the copy"
    assert "typed on the desktop" in (desktop / conflict.copy).read_text()
    here = conflicts.pair(desktop, conflict.copy)
    assert here.copy_is_mine and here.copy_from == "desktop, this machine" and here.original_from == "laptop"
    assert "(typed on desktop, this machine)" in conflicts.diff(desktop, here)
    there = conflicts.pair(laptop, conflict.copy)
    assert not there.copy_is_mine and there.copy_from == "desktop"
    conflicts.keep_mine(desktop, here)
    assert "typed on the desktop" in (desktop / "a.md").read_text(), "Keep mine keeps the text typed here"
    assert not (desktop / conflict.copy).exists()
    merge.sync(desktop)
    merge.sync(laptop)
    assert "typed on the desktop" in (laptop / "a.md").read_text()
    history = "\n".join(path.read_text() for path in (desktop / ".history").rglob("*") if path.is_file())
    assert "typed on the laptop" in history, "the laptop's text went to the note's history, not lost"
