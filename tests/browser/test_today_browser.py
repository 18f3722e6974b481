"""Real browser: the Dashboard's Today block sits inside the first screen, wide and on a phone,
and a calendar day opens that day's notes."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer, copy_shipped, wait_idle


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    notes = tmp_path_factory.mktemp("today") / "notes"
    copy_shipped(notes, records=True)
    running = LiveServer(notes)
    yield running
    running.stop()


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_the_today_block_is_inside_the_first_screen(browser, server, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(server.url)
        wait_idle(page)
        block = page.locator(".st-key-today_block")
        block.wait_for()
        box = block.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (box, width)
        for label in ("Review", "Write today's TIL", "Reopen in the"):
            assert label in block.inner_text(), label
        reopen = block.get_by_role("link", name="Reopen in the")
        assert "tab=" in (reopen.get_attribute("href") or "")
    finally:
        context.close()
