"""AppTest for the Sync panel: not a repo, clean, ahead, behind, conflict, offline, read-only."""

from __future__ import annotations

import subprocess

import pytest
from streamlit.testing.v1 import AppTest

from core.sync import gitcli, merge, repo
from tests.conftest import APP
from tests.sync.test_sync import bare_repository

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
    bare_repository(bare)
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
    assert "Synced: nothing new arrived; 1 commit sent to the remote." in messages(at) and "Up to date" in messages(at)
    at.button(key="sync_now").click().run()
    assert "Synced: nothing new arrived; nothing needed sending." in messages(at)


def test_the_remote_is_saved_with_one_click_from_a_plain_text_field(notes_dir, remote):
    repo.init(notes_dir)
    at = sync_page()
    field = at.text_input(key="sync_remote_url")
    assert field.proto.type == field.proto.DEFAULT, "a plain field: the student can check what they typed"
    field.input(str(remote))  # typed, not yet sent: the form sends it with the click
    at.button(key="sync_set_remote").click().run()
    assert not at.exception
    assert repo.remote_url(notes_dir) == str(remote)
    assert "Remote saved." in messages(at)
    assert at.text_input(key="sync_remote_url").value == "", "the field is cleared, never echoing the URL"
    at.button(key="sync_set_remote").click().run()
    assert "Type the remote's URL first." in messages(at) and repo.remote_url(notes_dir) == str(remote)


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
    assert "1 file updated from the remote, 1 conflict copy to resolve" in messages(at)
    assert "1 conflict copy to resolve below" in messages(at)
    assert any("from the other one" in code.value for code in at.code)
    keep = next(button for button in at.button if button.key.startswith("sync_keep_"))
    keep.click().run()
    assert not at.exception
    assert "Kept your" in messages(at) and "to resolve below" not in messages(at)


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


@pytest.fixture
def peer(notes_dir, tmp_path):
    """A classmate's journal (one note and a link), pulled as the study-group peer 'minji'."""
    from core.sync import peers

    theirs = tmp_path / "minji-journal"
    theirs.mkdir()
    (theirs / "2021-08-05-minji-til.md").write_text(
        "---\ntitle: Minji's TIL\ndate: 2021-08-05\ntype: til\n---\n# Minji's TIL\n\nSee [[2021-08-05-minji-peer]].\n")
    (theirs / "2021-08-05-minji-peer.md").write_text(
        "---\ntitle: Peer session minutes\ndate: 2021-08-05\ntype: peer-session\n---\n# Peer session minutes\n")
    repo.init(theirs)
    peers.add_peer(notes_dir, "minji", str(theirs))
    assert peers.pull_all(notes_dir) == {"minji": None}
    return theirs


def test_a_peer_journal_appears_on_the_notes_page_read_only(notes_dir, peer):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/notes.py").run()
    assert not at.exception
    assert at.session_state["notes_owner"] == "My journal"
    assert "Minji's TIL" not in "\n".join(md.value for md in at.markdown), "never mixed into one's own notes"
    at.segmented_control(key="notes_owner").set_value("minji").run()
    assert not at.exception
    text = "\n".join(md.value for md in at.markdown)
    assert "Peer session minutes" in text and "notes?owner=minji&note=2021-08-05-minji-til" in text
    assert at.query_params["owner"] in ("minji", ["minji"])
    assert not [button for button in at.button if button.key == "notes_delete"], "no trash for a peer's note"
    assert not [link for link in at.get("page_link") if link.proto.page == "write"], "no edit for a peer's note"
    at.segmented_control(key="notes_owner").set_value("My journal").run()
    assert "owner" not in at.query_params


def test_an_owner_link_opens_the_peer_note(notes_dir, peer):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/notes.py")
    at.query_params["owner"] = "minji"
    at.query_params["note"] = "2021-08-05-minji-peer"
    at.run()
    assert not at.exception
    assert "Peer session minutes" in "\n".join(md.value for md in at.markdown)
    at.query_params["owner"] = "nobody"
    at.run()
    assert any("no study-group journal named 'nobody'" in warning.value for warning in at.warning)


def test_the_dashboard_lists_conflict_copies(synced, remote, tmp_path):
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "--quiet", str(remote), str(other)], check=True, env=gitcli.environment())
    (other / "2021-08-05-retrospective.md").write_text("---\ntitle: R\ndate: 2021-08-05\n---\nthere\n")
    merge.sync(other)
    (synced / "2021-08-05-retrospective.md").write_text("---\ntitle: R\ndate: 2021-08-05\n---\nhere\n")
    assert merge.sync(synced).conflicts
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("changed on two machines" in warning.value for warning in at.warning)
    assert any(link.proto.page == "sync" for link in at.get("page_link"))


@pytest.mark.parametrize("kind", ["fifo", "binary", "folder"])
def test_odd_conflict_copies_never_break_the_sync_page(synced, kind):
    import os

    path = synced / "x.conflict-00000002.md"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "binary":
        path.write_bytes(b"\xb0\xa1\xb0\xa2 not utf-8")
    else:
        path.mkdir()
        (path / "inner.md").write_text("# inner")
    at = sync_page()
    assert not at.exception


def test_take_theirs_on_a_note_without_front_matter_works_or_explains(synced):
    (synced / "2021-08-06-rnn.md").write_text("# RNN\n\nmine\n")
    (synced / "2021-08-06-rnn.conflict-12345678.md").write_text("# RNN\n\ntheirs\n")
    at = sync_page()
    take = next(button for button in at.button if button.key.startswith("sync_take_"))
    take.click().run()
    assert not at.exception
    assert (synced / "2021-08-06-rnn.md").read_text() == "# RNN\n\ntheirs\n"


def test_switching_back_from_an_empty_peer_journal(notes_dir, tmp_path):
    from core.sync import peers

    empty = tmp_path / "empty-journal"
    empty.mkdir()
    (empty / "README.txt").write_text("no notes yet")
    repo.init(empty)
    gitcli.git(empty, "add", "README.txt")
    gitcli.git(empty, *gitcli.identity_args(empty), "commit", "--quiet", "-m", "readme")
    peers.add_peer(notes_dir, "jun", str(empty))
    assert peers.pull_all(notes_dir) == {"jun": None}
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/notes.py").run()
    at.segmented_control(key="notes_owner").set_value("jun").run()
    assert "jun's journal has no notes yet" in at.info[0].value
    at.segmented_control(key="notes_owner").set_value("My journal").run()
    assert not at.exception


def test_leaving_the_notes_page_and_coming_back_keeps_my_journal(notes_dir, peer):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/notes.py").run()
    at.switch_page("pages/dashboard.py").run()
    at.switch_page("pages/notes.py").run()
    assert not at.exception
    assert at.session_state["notes_owner"] == "My journal"
    assert "owner" not in at.query_params


def test_git_actions_recheck_the_visitor_rule_when_they_run(synced, remote, monkeypatch, tmp_path):
    """The page was drawn for this machine; then the session's requests come from elsewhere: the
    controls drawn before still run their callbacks, and every git write refuses."""
    from core.sync import peers
    from ui import access

    where = {"ip": None, "host": "localhost:8501"}
    monkeypatch.setattr(access, "client_address", lambda: (where["ip"], {"host": where["host"]}))
    peers.add_peer(synced, "minji", str(remote))
    at = sync_page()
    where.update(ip="192.0.2.7", host="192.0.2.2:8501")
    at.text_input(key="sync_remote_url").input("/somewhere/else.git")
    at.button(key="sync_set_remote").click().run()
    assert not at.exception
    assert repo.remote_url(synced) == str(remote), "origin is not re-pointed"
    assert "Visitors from other machines can read this journal" in messages(at)
    for key in ("sync_pull_peers", "sync_now", "sync_fetch"):
        where.update(ip=None, host="localhost:8501")
        at = sync_page()
        where.update(ip="192.0.2.7", host="192.0.2.2:8501")
        at.button(key=key).click().run()
        assert not at.exception
        assert "Visitors from other machines" in messages(at), key
    assert not peers.peer_folder(synced, "minji").exists(), "the group's journals were not pulled"
    assert not (synced / ".git" / "FETCH_HEAD").exists(), "nothing was fetched"


def test_read_only_refuses_git_writes_from_controls_drawn_before(synced, monkeypatch):
    at = sync_page()
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    at.toggle(key="sync_autocommit").set_value(False).run()
    assert not at.exception
    assert repo.autocommit_enabled(synced)
    assert "STUDYLAB_READONLY" in messages(at)


def test_after_a_failed_sync_the_page_shows_one_state_the_failure(synced, tmp_path, remote):
    repo.set_remote(synced, str(tmp_path / "unplugged.git"))
    at = sync_page()
    assert "Up to date" in messages(at) or "remote" in messages(at)
    at.button(key="sync_now").click().run()
    assert not at.exception
    assert "could not reach the remote" in messages(at)
    assert "Up to date" not in messages(at), "no green line beside the red one"
    assert [element.value for element in at.success] == []
    repo.set_remote(synced, str(remote))
    at.button(key="sync_now").click().run()
    assert "could not reach the remote" not in messages(at) and "Up to date" in messages(at)
