"""Syncing through git with local bare repositories as remotes (no network)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.journal.storage import durable
from core.sync import gitcli, merge, repo
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path):
    """No global or system git config: identity and settings come from studylab alone."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def note(title: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: 2021-08-05\ntype: til\n---\n# {title}\n\n{body}\n"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def old_file(path: Path, data: bytes = b"") -> Path:
    """`path` written with `data` and dated 2001 (a lock long left behind, say)."""
    path.write_bytes(data)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    return path


def bare_repository(where: Path) -> Path:
    """A new bare repository at `where` (branch main), as a remote on this machine."""
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(where)], check=True)
    return where


def head(folder: Path, rev: str = "HEAD") -> str:
    return gitcli.text(folder, "rev-parse", rev)


@pytest.fixture
def remote(tmp_path) -> Path:
    return bare_repository(tmp_path / "remote.git")


@pytest.fixture
def laptop(tmp_path, remote) -> Path:
    folder = tmp_path / "laptop"
    folder.mkdir()
    write(folder, "a.md", note("A", "first text of a"))
    write(folder, "b.md", note("B", "first text of b"))
    repo.init(folder)
    repo.set_remote(folder, str(remote))
    merge.push(folder)
    return folder


@pytest.fixture
def desktop(tmp_path, remote, laptop) -> Path:
    folder = tmp_path / "desktop"
    subprocess.run(["git", "clone", "--quiet", str(remote), str(folder)], check=True, env=gitcli.environment())
    return folder


def files(folder: Path) -> dict[str, str]:
    """The journal's files by relative path (not git's, and not the temp file a killed save leaves,
    which git ignores and the app deletes once it is old)."""
    return {str(path.relative_to(folder)): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*")) if path.is_file() and ".git" not in path.relative_to(folder).parts
            and not (path.name.startswith(durable.TEMP_PREFIX) and path.name.endswith(durable.TEMP_SUFFIX))}


def test_init_makes_a_repository_with_a_gitignore_and_a_first_commit(tmp_path):
    folder = tmp_path / "journal"
    folder.mkdir()
    write(folder, "a.md", note("A", "x"))
    assert not repo.is_git_mode(folder)
    repo.init(folder)
    assert repo.is_git_mode(folder) and repo.head(folder)
    ignored = (folder / ".gitignore").read_text().splitlines()
    assert ".history/" in ignored and ".trash/" in ignored
    status = repo.status(folder)
    assert status.state == "no-remote" and status.branch == "main" and not status.changes


def test_the_shipped_notes_folder_inside_another_repository_is_not_git_mode():
    assert not repo.is_git_mode(ROOT / "notes")


def test_edits_of_different_notes_on_two_machines_both_arrive(laptop, desktop):
    write(laptop, "a.md", note("A", "laptop edit of a"))
    write(desktop, "b.md", note("B", "desktop edit of b"))
    write(desktop, "c.md", note("C", "new on desktop"))
    merge.sync(laptop)
    result = merge.sync(desktop)
    assert not result.conflicts and result.taken == ("a.md",), "only what changed there is rewritten here"
    second = merge.sync(laptop)
    assert sorted(second.taken) == ["b.md", "c.md"]
    assert files(laptop) == files(desktop)
    assert "laptop edit of a" in files(desktop)["a.md"] and "desktop edit of b" in files(laptop)["b.md"]
    assert repo.status(laptop).state == "clean" and repo.status(desktop).state == "clean"


def test_the_same_note_changed_on_both_keeps_both_texts(laptop, desktop):
    write(laptop, "a.md", note("A", "laptop's version"))
    write(desktop, "a.md", note("A", "desktop's version"))
    merge.sync(laptop)
    result = merge.sync(desktop)
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert conflict.path == "a.md" and conflict.copy.startswith("a.conflict-") and conflict.copy.endswith(".md")
    desktop_files = files(desktop)
    assert "desktop's version" in desktop_files["a.md"] and "laptop's version" in desktop_files[conflict.copy]
    assert repo.status(desktop).state == "conflict" and repo.status(desktop).conflicts == (conflict.copy,)
    merge.sync(laptop)
    assert files(laptop) == files(desktop)


def test_deleted_on_one_side_and_changed_on_the_other_keeps_the_text(laptop, desktop):
    (laptop / "a.md").unlink()
    write(desktop, "a.md", note("A", "desktop changed a"))
    merge.sync(laptop)
    result = merge.sync(desktop)
    assert result.conflicts[0].reason.startswith("deleted on the other machine")
    assert "desktop changed a" in files(desktop)["a.md"]
    merge.sync(laptop)
    assert "desktop changed a" in files(laptop)["a.md"]


def test_append_only_logs_merge_by_taking_both_sides_lines(laptop, desktop):
    (laptop / ".studylab").mkdir(exist_ok=True)
    write(laptop, ".studylab/reviews.jsonl", '{"n": 1}\n')
    merge.sync(laptop)
    merge.sync(desktop)
    write(laptop, ".studylab/reviews.jsonl", '{"n": 1}\n{"n": "laptop"}\n')
    write(desktop, ".studylab/reviews.jsonl", '{"n": 1}\n{"n": "desktop"}\n')
    merge.sync(laptop)
    result = merge.sync(desktop)
    assert not result.conflicts
    log = ".studylab/reviews.jsonl"
    assert (desktop / log).read_text() == '{"n": 1}\n{"n": "desktop"}\n{"n": "laptop"}\n'
    merge.sync(laptop)
    assert (laptop / log).read_text() == (desktop / log).read_text()


def test_status_counts_commits_ahead_and_behind(laptop, desktop):
    write(laptop, "a.md", note("A", "one"))
    repo.commit_all(laptop, "one")
    write(laptop, "a.md", note("A", "two"))
    repo.commit_all(laptop, "two")
    assert (repo.status(laptop).ahead, repo.status(laptop).behind) == (2, 0)
    assert repo.status(laptop).state == "ahead"
    merge.push(laptop)
    merge.fetch(desktop)
    assert repo.status(desktop).state == "behind" and repo.status(desktop).behind == 2


def test_an_unreachable_remote_is_a_clear_message_and_nothing_changes(laptop, tmp_path):
    repo.set_remote(laptop, str(tmp_path / "gone.git"))
    write(laptop, "a.md", note("A", "offline edit"))
    with pytest.raises(gitcli.GitError, match="could not reach the remote 'origin'.*keeps working offline"):
        merge.pull(laptop)
    assert "offline edit" in files(laptop)["a.md"]


def test_credentials_in_a_remote_url_are_never_shown(laptop):
    repo.set_remote(laptop, "https://student:s3cret-token@127.0.0.1:9/journal.git")
    assert "s3cret" not in repo.status(laptop).remote_url and "***@127.0.0.1" in repo.status(laptop).remote_url
    with pytest.raises(gitcli.GitError) as failure:
        merge.pull(laptop)
    assert "s3cret" not in str(failure.value)
    assert gitcli.redact("see https://u:p@h/x?token=abc&b=1") == "see https://***@h/x?token=***&b=1"


def test_the_ext_protocol_that_runs_commands_is_refused(laptop, tmp_path):
    marker = tmp_path / "pwned"
    repo.set_remote(laptop, f"ext::sh -c touch% {marker}")
    with pytest.raises(gitcli.GitError):
        merge.pull(laptop)
    assert not marker.exists()


KILLED_SYNC = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from core.sync import merge
merge.sync(Path(sys.argv[1]))
"""


def test_a_pull_killed_at_random_points_then_synced_loses_nothing(laptop, desktop, tmp_path):
    rng = random.Random(7)
    script = tmp_path / "sync.py"
    script.write_text(KILLED_SYNC.format(root=str(ROOT)))
    killed = 0
    for round_number in range(25):
        laptop_text = f"laptop round {round_number}"
        desktop_text = f"desktop round {round_number}"
        write(laptop, f"l{round_number}.md", note(f"L{round_number}", laptop_text))
        write(laptop, "a.md", note("A", laptop_text))
        write(desktop, "a.md", note("A", desktop_text))
        merge.sync(laptop)
        process = subprocess.Popen([sys.executable, str(script), str(desktop)], env=gitcli.environment(),
                                   start_new_session=True)
        time.sleep(rng.uniform(0.05, 0.5))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            killed += 1
        process.wait()
        merge.sync(desktop)
        merge.sync(laptop)
        assert files(laptop) == files(desktop)
        everything = "\n".join(files(desktop).values())
        assert laptop_text in everything and desktop_text in everything, f"round {round_number} lost a text"
        assert f"l{round_number}.md" in files(desktop)
    assert killed >= 5, f"only {killed} of 25 syncs were killed mid-way; the test proves little"


def test_a_lock_file_left_by_a_killed_git_is_cleared(laptop, desktop):
    (desktop / ".git" / "index.lock").write_text("")
    write(laptop, "a.md", note("A", "after the crash"))
    merge.sync(laptop)
    merge.sync(desktop)
    assert "after the crash" in files(desktop)["a.md"]


def test_a_peer_journal_is_pulled_read_only_into_a_hidden_folder(laptop, desktop, remote):
    from core.journal.notes import load_library
    from core.sync import peers

    peers.add_peer(desktop, "minji", str(remote))
    assert peers.pull_all(desktop) == {"minji": None}
    copy = peers.peer_folder(desktop, "minji")
    assert (copy / "a.md").exists()
    own = load_library(desktop)
    assert {note.slug for note in own.notes} == {"a", "b"}, "peer notes never mix into one's own"
    assert {note.slug for note in peers.peer_libraries(desktop)["minji"].notes} == {"a", "b"}
    write(laptop, "c.md", note("C", "minji's new note"))
    merge.sync(laptop)
    (copy / "a.md").write_text("scribbled on the copy")
    assert peers.pull_all(desktop) == {"minji": None}
    assert (copy / "c.md").exists() and "first text of a" in (copy / "a.md").read_text(), "the copy mirrors the peer"
    assert not (desktop / "c.md").exists()
    assert repo.status(desktop).state == "clean", "peers live in the ignored .studylab/ folder"


@pytest.mark.parametrize(("name", "url", "message"), [
    ("Min Ji", "/x", "lowercase letters"),
    ("minji", "--upload-pack=touch /tmp/x", "does not look like a git URL"),
    ("minji", "ext::sh -c id", "run commands"),
    ("minji", "", "does not look like a git URL"),
])
def test_bad_peers_are_refused(laptop, name, url, message):
    from core.sync import peers

    with pytest.raises(ValueError, match=message):
        peers.add_peer(laptop, name, url)


def test_an_unreachable_peer_is_reported_not_fatal(laptop, tmp_path):
    from core.sync import peers

    peers.add_peer(laptop, "gone", "https://token:abc123@127.0.0.1:9/gone.git")
    outcome = peers.pull_all(laptop)
    assert outcome["gone"] and "abc123" not in outcome["gone"]
    assert peers.peers(laptop)[0].shown_url == "https://***@127.0.0.1:9/gone.git"


def test_autocommit_commits_each_save_unless_turned_off(laptop):
    write(laptop, "a.md", note("A", "saved in the app"))
    assert repo.autocommit(laptop) is not None
    assert gitcli.text(laptop, "log", "-1", "--format=%s") == "Edit a.md"
    repo.set_autocommit(laptop, False)
    write(laptop, "a.md", note("A", "saved again"))
    assert repo.autocommit(laptop) is None
    assert repo.status(laptop).state == "ahead" or repo.status(laptop).changes


def test_autocommit_outside_git_mode_does_nothing(tmp_path):
    assert repo.autocommit(tmp_path) is None


def test_a_conflict_is_resolved_either_way_and_nothing_is_lost(laptop, desktop):
    from core.sync import conflicts

    write(laptop, "a.md", note("A", "laptop's version"))
    write(desktop, "a.md", note("A", "desktop's version"))
    merge.sync(laptop)
    copy = merge.sync(desktop).conflicts[0].copy
    pair = conflicts.pair(desktop, copy)
    assert pair.original == "a.md" and pair.original_exists
    shown = conflicts.diff(desktop, pair)
    assert "+desktop's version" in shown and "-laptop's version" in shown, "+ is yours, app-wide"
    assert "--- the other machine's: " in shown and "+++ yours: a.md" in shown
    conflicts.take_theirs(desktop, pair)
    assert "laptop's version" in files(desktop)["a.md"] and copy not in files(desktop)
    assert any("desktop's version" in text for name, text in files(desktop).items() if name.startswith(".history"))
    assert repo.status(desktop).state != "conflict"


def test_a_sha256_repository_syncs_too(tmp_path):
    bare = tmp_path / "remote256.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--object-format=sha256", "--initial-branch=main", str(bare)],
                   check=True)
    first = tmp_path / "first"
    first.mkdir()
    gitcli.git(first, "init", "--quiet", "--object-format=sha256", "--initial-branch=main")
    write(first, "a.md", note("A", "one"))
    repo.commit_all(first, "start")
    repo.set_remote(first, str(bare))
    merge.push(first)
    second = tmp_path / "second"
    subprocess.run(["git", "clone", "--quiet", str(bare), str(second)], check=True, env=gitcli.environment())
    write(first, "a.md", note("A", "two from first"))
    write(second, "b.md", note("B", "from second"))
    merge.sync(first)
    merge.sync(second)
    merge.sync(first)
    assert files(first) == files(second) and "two from first" in files(second)["a.md"]


def test_review_logs_merge_in_time_order():
    ours = b'{"card": "a", "at": "2026-11-30T10:00:00+00:00"}\n{"card": "a", "at": "2026-11-30T12:00:00+00:00"}\n'
    theirs = b'{"card": "a", "at": "2026-11-30T10:00:00+00:00"}\n{"card": "b", "at": "2026-11-30T11:00:00+00:00"}\n'
    merged = merge.union_lines(ours, theirs).decode().splitlines()
    assert [line[10:11] for line in merged] == ["a", "b", "a"]
    assert len(merged) == 3


def test_the_review_log_is_synced_but_other_state_is_not(laptop):
    assert "!.studylab/reviews.jsonl" in (laptop / ".gitignore").read_text()
    (laptop / ".studylab").mkdir(exist_ok=True)
    (laptop / ".studylab" / "reviews.jsonl").write_text('{"card": "a"}\n')
    (laptop / ".studylab" / "lock").write_text("")
    paths = {change.path for change in repo.status(laptop).changes}
    assert paths == {".studylab/reviews.jsonl"}


def test_autocommit_names_the_changed_note():
    changes = [repo.Change("modified", "2021-08-05-retro.md")]
    assert repo.change_message(changes) == "Edit 2021-08-05-retro.md"
    assert repo.change_message([repo.Change("untracked", "x.md")]) == "Add x.md"
    many = [repo.Change("modified", f"{n}.md") for n in range(5)]
    assert repo.change_message(many) == "Update 5 notes: 0.md, 1.md, 2.md and 2 more"


LOG = ".studylab/reviews.jsonl"


def review_lines(count: int, card: str = "q", start: int = 0) -> bytes:
    return b"".join(b'{"v":1,"card":"%s-%d","at":"2024-05-06T14:%02d:00+00:00","grade":3,"kind":"card"}\n'
                    % (card.encode(), n, n) for n in range(start, start + count))


def mergers(folder: Path) -> dict:
    from core.review import log as review_log  # what the ui passes (sync never imports core.review)
    return {LOG: review_log.quarantining_merge(folder)}


def test_a_log_that_lost_its_tail_on_the_other_machine_never_drops_reviews_here(laptop, desktop):
    (laptop / ".studylab").mkdir(exist_ok=True)
    (laptop / LOG).write_bytes(review_lines(6))
    merge.sync(laptop, merge_state=mergers(laptop))
    merge.sync(desktop, merge_state=mergers(desktop))
    assert (desktop / LOG).read_bytes() == review_lines(6)
    (desktop / LOG).write_bytes(review_lines(1))  # the desktop's log lost its tail
    merge.sync(desktop)  # an app without the rule pushes the short log
    merge.sync(laptop, merge_state=mergers(laptop))
    assert (laptop / LOG).read_bytes() == review_lines(6), "6 stay 6"
    merge.sync(desktop, merge_state=mergers(desktop))
    assert (desktop / LOG).read_bytes() == review_lines(6)


def test_logs_changed_on_both_sides_merge_as_a_union_and_damage_is_quarantined(laptop, desktop):
    (laptop / ".studylab").mkdir(exist_ok=True)
    (laptop / LOG).write_bytes(review_lines(2))
    merge.sync(laptop, merge_state=mergers(laptop))
    merge.sync(desktop, merge_state=mergers(desktop))
    (laptop / LOG).write_bytes(review_lines(2) + review_lines(2, "laptop", 10))
    (desktop / LOG).write_bytes(review_lines(1) + b"[" * 9000 + b"\n" + review_lines(2, "desktop", 5)
                                + b'{"v":1,"card":"torn')
    merge.sync(desktop)  # the damage reaches the remote through an app without the rule
    result = merge.sync(laptop, merge_state=mergers(laptop))
    assert not result.conflicts
    expected = review_lines(2) + review_lines(2, "desktop", 5) + review_lines(2, "laptop", 10)
    assert (laptop / LOG).read_bytes() == expected
    [kept] = (laptop / ".studylab" / "quarantine").iterdir()
    assert b"[" * 9000 in kept.read_bytes() and b'"card":"torn' in kept.read_bytes()
    merge.sync(desktop, merge_state=mergers(desktop))
    assert (desktop / LOG).read_bytes() == expected


def test_a_deeply_nested_log_line_never_breaks_the_default_line_union():
    deep = b"[" * 9000 + b"]" * 9000
    merged = merge.union_lines(deep + b"\n" + review_lines(1), review_lines(2))
    assert merged.splitlines() == [deep, *review_lines(2).splitlines()]
