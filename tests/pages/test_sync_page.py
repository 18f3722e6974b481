"""AppTest for the Sync panel: not a repo, clean, ahead, behind, conflict, offline, read-only."""

from __future__ import annotations

import subprocess

import pytest
from streamlit.testing.v1 import AppTest

from core.journal.sync import gitcli, merge, repo
from tests.conftest import APP

pytestmark = pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def sync_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/sync.py").run()
    assert not at.exception, at.exception
    return at


def messages(at) -> str:
    return "\n".join(element.value for kind in ("success", "info", "warning", "error") for element in getattr(at, kind))


@pytest.fixture
def remote(tmp_path):
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(bare)], check=True)
    return bare


@pytest.fixture
def synced(notes_dir, remote):
    repo.init(notes_dir)
    repo.set_remote(notes_dir, str(remote))
    merge.push(notes_dir)
    return notes_dir


def test_not_a_repository_offers_to_turn_it_into_one(notes_dir):
    at = sync_page()
    assert "is not a git repository" in messages(at)
    at.button(key="sync_init").click().run()
    assert not at.exception
    assert repo.is_git_mode(notes_dir)
    assert "Git mode is on" in messages(at)
    assert "No remote yet" in messages(at)


def test_clean_then_ahead_then_synced(synced):
    at = sync_page()
    assert "Up to date" in messages(at)
    (synced / "2021-08-05-retrospective.md").write_text("---\ntitle: R\ndate: 2021-08-05\n---\nedited\n")
    repo.commit_all(synced, "edit")
    at.run()
    assert "1 commit(s) the remote does not have yet" in messages(at)
    at.button(key="sync_now").click().run()
    assert "Synced" in messages(at) and "Up to date" in messages(at)


def test_behind_and_conflict(synced, remote, tmp_path):
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "--quiet", str(remote), str(other)], check=True, env=gitcli.environment())
    (other / "2021-08-05-retrospective.md").write_text("---\ntitle: R\ndate: 2021-08-05\n---\nfrom the other one\n")
    merge.sync(other)
    merge.fetch(synced)
    at = sync_page()
    assert "The remote has 1 commit(s)" in messages(at)
    (synced / "2021-08-05-retrospective.md").write_text("---\ntitle: R\ndate: 2021-08-05\n---\nfrom here\n")
    at.button(key="sync_now").click().run()
    assert "1 conflict copy(ies) to resolve" in messages(at)
    assert "conflict copy(ies) wait below" in messages(at)
    assert any("from the other one" in code.value for code in at.code)
    keep = next(button for button in at.button if button.key.startswith("sync_keep_"))
    keep.click().run()
    assert not at.exception
    assert "Kept your" in messages(at) and "conflict copy(ies) wait" not in messages(at)


def test_offline_remote_says_so_and_the_journal_keeps_working(synced, tmp_path):
    repo.set_remote(synced, str(tmp_path / "unplugged.git"))
    at = sync_page()
    at.button(key="sync_now").click().run()
    assert not at.exception
    assert "could not reach the remote" in messages(at) and "keeps working offline" in messages(at)
    at.switch_page("pages/notes.py").run()
    assert not at.exception


def test_read_only_turns_every_git_write_off(synced, monkeypatch):
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    at = sync_page()
    assert not [button for button in at.button if button.key in ("sync_now", "sync_fetch", "sync_init")]
    assert "syncing and every other git write is off" in messages(at)


def test_a_remote_url_with_credentials_is_never_shown(synced):
    repo.set_remote(synced, "https://student:s3cret@example.invalid/til.git")
    at = sync_page()
    shown = "\n".join(code.value for code in at.code) + messages(at) + "\n".join(md.value for md in at.markdown)
    assert "s3cret" not in shown and "https://***@example.invalid/til.git" in shown
