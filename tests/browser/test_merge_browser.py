"""Real browser: Sync's merge screen merges a conflict by hunk and keeps both texts as chosen;
on a phone one side shows at a time, with a switch."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer, copy_shipped, wait_idle
from tests.pages.test_merge_screen import COPY, RETRO


@pytest.fixture
def conflict_server(tmp_path):
    notes = copy_shipped(tmp_path / "notes")
    text = (notes / RETRO).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    heading = next(i for i, line in enumerate(lines) if line.startswith("# "))
    theirs = "".join([*lines[:heading + 1], "Written on the laptop.\n", *lines[heading + 2:], "Try: redo BPTT.\n"])
    (notes / COPY).write_text(theirs, encoding="utf-8")
    server = LiveServer(notes)
    yield server, notes, text, theirs
    server.stop()


def test_a_merge_by_hunk_keeps_both_texts_as_chosen(browser, conflict_server):
    server, notes, mine, theirs = conflict_server
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/sync?merge={COPY}")
        wait_idle(page)
        hunks = page.locator('[class*="st-key-merge_hunk_"]')
        assert hunks.count() == 2
        assert page.locator(".st-key-merge_side_switch").is_hidden(), "no side switch on a wide screen"
        hunks.nth(0).get_by_role("radio", name="Both").click()
        wait_idle(page)
        hunks.nth(1).get_by_role("radio", name="Take theirs").click()
        wait_idle(page)
        page.get_by_role("button", name="Save the merge and resolve").click()
        wait_idle(page)
        assert "Merged:" in page.locator('[data-testid="stMain"]').inner_text()
    finally:
        context.close()
    saved = (notes / RETRO).read_text(encoding="utf-8")
    mine_line = mine.splitlines()[next(i for i, line in enumerate(mine.splitlines()) if line.startswith("# ")) + 1]
    assert "Written on the laptop." in saved and mine_line in saved, "both sides of the first hunk kept"
    assert saved.endswith("Try: redo BPTT.\n"), "theirs taken at the second hunk"
    assert not (notes / COPY).exists()


def test_on_a_phone_one_side_shows_at_a_time(browser, conflict_server):
    server = conflict_server[0]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/sync?merge={COPY}")
        wait_idle(page)
        assert page.locator(".st-key-merge_mine_pane_0").is_visible()
        assert page.locator(".st-key-merge_theirs_pane_0").is_hidden()
        page.locator(".st-key-merge_side_switch").get_by_role("radio", name="Theirs").click()
        wait_idle(page)
        assert page.locator(".st-key-merge_theirs_pane_0").is_visible()
        assert page.locator(".st-key-merge_mine_pane_0").is_hidden()
    finally:
        context.close()
