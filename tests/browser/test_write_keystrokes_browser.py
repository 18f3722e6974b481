"""Real browser: Write keeps every keystroke. A reload right after typing (before the idle
autosave) asks first, sends the text, and the reloaded page has it back."""

from __future__ import annotations

from tests.conftest import wait_idle


def test_a_reload_right_after_typing_keeps_the_text(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    asked = []

    def answer(dialog) -> None:
        asked.append(dialog.type)
        dialog.accept()  # "Leave": the reload goes ahead

    page.on("dialog", answer)
    try:
        page.goto(f"{live_server.url}/write?edit=2021-08-05-mentor-meeting")
        wait_idle(page)
        body = page.locator(".st-key-write_body textarea")
        body.click()
        page.keyboard.press("Control+End")
        page.keyboard.type(" Typed just before the reload.", delay=5)
        page.reload()
        wait_idle(page)
        assert asked == ["beforeunload"], "unsent keystrokes: leaving asks first"
        page.locator(".st-key-write_body textarea").wait_for()
        assert page.locator(".st-key-write_body textarea").input_value().endswith(" Typed just before the reload.")
    finally:
        context.close()
