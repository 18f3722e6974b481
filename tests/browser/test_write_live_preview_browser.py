"""Real browser: Write's preview follows typing (debounced), before the field is committed and
without the page rerunning around the cursor."""

from __future__ import annotations

from tests.conftest import wait_idle


def test_the_preview_follows_typing_before_the_text_is_committed(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/write?new=til")
        wait_idle(page)
        body = page.locator(".st-key-write_body textarea")
        body.click()
        # Hold the status line's idle commit (it waits while an IME composition is open), so only the
        # live preview can bring the text to the preview.
        page.evaluate("window.__studylabEditor.composing = true")
        page.keyboard.press("Control+End")
        page.keyboard.type("\n\nLive words in the preview.", delay=10)
        page.locator(".st-key-write_preview").get_by_text("Live words in the preview.").wait_for(timeout=15_000)
        assert page.evaluate("window.__studylabEditor.typed"), "the field was not committed: only the preview reran"
        assert page.evaluate("document.activeElement.closest('.st-key-write_body') !== null"), "the cursor stays"
        page.keyboard.type(" More.", delay=10)
        page.locator(".st-key-write_preview").get_by_text("Live words in the preview. More.").wait_for(timeout=15_000)
    finally:
        context.close()
