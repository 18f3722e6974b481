"""Real browser: every relative link to a page of the app stays in the tab and the session (a
study-group peer's note links, lab links written in notes), while Ctrl+click still opens a new
tab; a list click on a phone brings the note into view; a reloaded #section link lands on its
heading; the Write page's "Saving…" always ends; a read-only journal has no Write entry in the
menu and a Write link explains itself."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from core.sync import gitcli, peers, repo
from tests.conftest import SHIPPED_NOTES, LiveServer, fresh_notes, settled, wait_idle

RNN, CNN = "2021-08-05-rnn-first-steps", "2021-08-05-cnn-first-steps"
PEER_TIL = """---
title: Minji's TIL
date: 2021-08-05
type: til
---
# Minji's TIL

See [[2021-08-05-minji-peer|our peer session]].
"""
PEER_SESSION = """---
title: Peer session minutes
date: 2021-08-05
type: peer-session
---
# Peer session minutes

We went through BPTT together.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The shipped notes plus the study-group peer 'minji' (two notes, one linking the other)."""
    root = tmp_path_factory.mktemp("links")
    notes = root / "notes"
    shutil.copytree(SHIPPED_NOTES, notes)
    if gitcli.executable() is not None:
        theirs = root / "minji-journal"
        theirs.mkdir()
        (theirs / "2021-08-05-minji-til.md").write_text(PEER_TIL, encoding="utf-8")
        (theirs / "2021-08-05-minji-peer.md").write_text(PEER_SESSION, encoding="utf-8")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("GIT_CONFIG_GLOBAL", str(root / "no-global-gitconfig"))
            repo.init(theirs)
            peers.add_peer(notes, "minji", str(theirs))
            assert peers.pull_all(notes) == {"minji": None}
    live = LiveServer(notes)
    yield live
    live.stop()


@pytest.fixture
def open_tab(browser):
    contexts = []

    def open_page(live: LiveServer, path: str, width: int = 1400, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.goto(live.url + path)
        wait_idle(page)
        page.evaluate("window.__sameDocument = true")
        return page

    yield open_page
    for context in contexts:
        context.close()


def shots() -> Path:
    folder = Path(os.environ.get("STUDYLAB_SHOTS_DIR") or "/tmp/studylab-shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def main(page):
    return page.locator('[data-testid="stMain"]')


def stayed(page) -> bool:
    """No new tab and no reload: the same document, so the same Streamlit session."""
    return len(page.context.pages) == 1 and page.evaluate("window.__sameDocument === true")


@pytest.mark.skipif(gitcli.executable() is None, reason="git is not installed")
def test_a_link_in_a_peers_note_stays_in_the_tab(server, open_tab):
    page = open_tab(server, "/notes?owner=minji&note=2021-08-05-minji-til")
    link = main(page).get_by_role("link", name="our peer session")
    assert link.get_attribute("href") == "notes?owner=minji&note=2021-08-05-minji-peer"
    link.click()
    wait_idle(page)
    assert stayed(page), "the peer's note opens in the same tab and session"
    assert parse_qs(urlsplit(page.url).query) == {"owner": ["minji"], "note": ["2021-08-05-minji-peer"]}
    assert main(page).get_by_text("We went through BPTT together.").count() == 1


def test_a_lab_link_written_in_a_note_stays_in_the_tab_and_ctrl_click_still_opens_a_new_one(server, open_tab):
    page = open_tab(server, f"/notes?note={RNN}")
    link = main(page).get_by_role("link", name="Deep RNN tab")
    assert link.get_attribute("href") == "bptt_lab?tab=deep&radius=1.5"
    with page.context.expect_page() as new_tab:
        link.click(modifiers=["Control"])
    assert urlsplit(new_tab.value.url).path == "/bptt_lab", "Ctrl+click keeps the browser's new tab"
    new_tab.value.close()
    link.click()
    wait_idle(page)
    assert stayed(page), "the lab opens in the same tab and session"
    assert urlsplit(page.url).path == "/bptt_lab"
    chosen = main(page).get_by_role("radio", name="Deep RNN (tanh)", exact=True).first
    assert chosen.get_attribute("aria-checked") == "true", "the tab the link names is open"
    assert "radius=1.5" in page.url and main(page).get_by_text("1.50", exact=True).count() >= 1, "with its settings"


def test_on_a_phone_a_list_click_brings_the_note_into_view(server, open_tab):
    page = open_tab(server, "/notes", width=390, height=844)
    entry = main(page).locator(".st-key-notes_list").get_by_role("link", name="RNN first steps").first
    entry.scroll_into_view_if_needed()
    entry.click()
    wait_idle(page)
    settled(page)  # the scroll to the note has landed
    top = page.locator(".st-key-notes_open").evaluate("element => element.getBoundingClientRect().top")
    page.screenshot(path=str(shots() / "phone-note-after-list-click.png"))
    assert -5 <= top < 844 * 0.5, f"the note starts in the upper half of the screen (top at {top:.0f} px)"
    assert stayed(page)


def test_a_reloaded_section_link_lands_on_its_heading(server, open_tab):
    page = open_tab(server, f"/notes?note={CNN}")
    heading = main(page).locator("h2[id], h3[id]").nth(4)
    anchor = heading.get_attribute("id")
    page.goto(f"{server.url}/notes?note={CNN}#{anchor}")
    wait_idle(page)
    settled(page)
    top = page.locator(f"[id='{anchor}']").evaluate("element => element.getBoundingClientRect().top")
    page.screenshot(path=str(shots() / "reloaded-section-link.png"))
    assert -5 <= top < 200, f"the heading is at the top of the screen, not above it (top at {top:.0f} px)"


def test_saving_twice_in_a_minute_still_ends_saving(worker_server, open_tab):
    live = fresh_notes(worker_server, records=True)
    page = open_tab(live, "/write?edit=2021-08-05-mentor-meeting")
    status = page.locator(".st-key-write_status_line [data-status]")
    save = page.locator(".st-key-write_save button").first

    def state_becomes(wanted: str) -> bool:
        """Waits on the status line's state (a locator: the line lives in a component's shadow root)."""
        try:
            expect(status).to_have_attribute("data-state", wanted, timeout=20_000)
        except AssertionError:
            return False
        return True

    assert status.get_attribute("data-state") == "saved"
    for attempt in range(2):  # the second answer is the same "Saved at HH:MM" as the first
        save.click()
        wait_idle(page)
        assert state_becomes("saved"), f"save {attempt + 1} ends in 'Saved', not '{status.inner_text()}'"
    page.locator(".st-key-write_title input").fill("")
    page.locator(".st-key-write_title input").press("Tab")
    wait_idle(page)
    save.click()
    wait_idle(page)
    assert state_becomes("refused"), status.inner_text()
    assert status.inner_text().startswith("Not saved")
    page.screenshot(path=str(shots() / "write-refused-save.png"))


def test_read_only_has_no_write_entry_and_a_write_link_explains(tmp_path, open_tab):
    notes = tmp_path / "notes"
    shutil.copytree(SHIPPED_NOTES, notes)
    live = LiveServer(notes, extra_env={"STUDYLAB_READONLY": "1"})
    try:
        page = open_tab(live, "/")
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_role("link", name="Notes").count() == 1
        assert nav.get_by_role("link", name="Write").count() == 0, "Write is not in the menu"
        page.goto(f"{live.url}/write?edit=2021-08-05-mentor-meeting")
        wait_idle(page)
        assert page.get_by_text("Page not found").count() == 0
        assert main(page).get_by_text("Writing is turned off here.").count() == 1
        page.screenshot(path=str(shots() / "read-only-write-link.png"))
        main(page).get_by_role("link", name="on the Notes page").click()
        wait_idle(page)
        assert urlsplit(page.url).path == "/notes"
    finally:
        live.stop()


def test_after_a_trash_the_next_note_opens_at_its_top(worker_server, open_tab):
    live = fresh_notes(worker_server, records=True)
    notes = live.notes
    page = open_tab(live, f"/notes?note={CNN}")
    main(page).get_by_role("button", name="Move to trash").click()  # at the end of a long note
    page.get_by_role("button", name="Yes, move it to the trash").click()
    wait_idle(page)
    settled(page)
    assert not (notes / f"{CNN}.md").exists()
    top = page.locator(".st-key-notes_open").evaluate("element => element.getBoundingClientRect().top")
    page.screenshot(path=str(shots() / "next-note-after-trash.png"))
    assert -5 <= top < 450, f"the next note starts on screen, not scrolled to its end (top at {top:.0f} px)"
