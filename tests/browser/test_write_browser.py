"""Real browser: write a note on the Write page, preview it, save it, and find it on disk and on
the Notes page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

from core.journal import notes as notes_lib
from core.journal import storage
from tests.conftest import wait_idle

TITLE = "브라우저 노트: part 2"
BODY = "Written in a real browser.\n\nThe output size is $O = H - K + 1$.\n"


def test_write_preview_and_save_a_note_through_the_real_page(browser_page, live_server, tmp_path):
    page = browser_page
    page.goto(f"{live_server.url}/write")
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0

    title = page.get_by_label("Title", exact=True)
    title.fill(TITLE)
    title.press("Enter")
    wait_idle(page)
    body = page.locator("textarea").first
    body.fill(BODY)
    title.click()
    wait_idle(page)
    preview = page.locator('[data-testid="stColumn"]').filter(has_text="Preview").filter(
        has_text="Written in a real browser.")
    assert preview.count() == 1, "the preview beside the editor shows the text once it reaches the server"
    assert preview.locator(".katex").count() >= 1, "the preview renders math like the Notes page"
    page.screenshot(path=str(tmp_path / "write-preview.png"), full_page=True)

    page.get_by_role("button", name="Save", exact=False).first.click()
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    expected = f"{dt.date.today().isoformat()}-{storage.slugify(TITLE)}.md"
    assert page.get_by_text(f"Saved {expected}").count() == 1
    path = live_server.notes / expected
    note = notes_lib.parse_note(path.read_bytes(), expected)
    assert (note.title, note.type, note.date) == (TITLE, "til", dt.date.today())
    assert note.body == BODY
    assert f"edit={note.slug}" in unquote(page.url)

    page.get_by_role("link", name="See it on the Notes page").click()
    wait_idle(page)
    assert page.get_by_role("heading", name=TITLE).count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
