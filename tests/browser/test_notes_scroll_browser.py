"""Real browser: Back to a long note lands where the reader left it (the Notes page keeps each
note address's scroll position in sessionStorage and restores it after the run)."""

from __future__ import annotations

from tests.conftest import settled, wait_idle

LONG_NOTE = "2021-08-05-rnn-first-steps"
SCROLLER = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const scrolls = main && main.scrollHeight > main.clientHeight + 1 && getComputedStyle(main).overflowY !== "visible";
  return scrolls ? main : document.scrollingElement;
}"""


def scroll_top(page) -> float:
    return page.evaluate(f"({SCROLLER})().scrollTop")


def test_back_to_a_long_note_lands_where_the_reader_left_it(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/notes?note={LONG_NOTE}")
        wait_idle(page)
        links = page.locator(f'.st-key-notes_open a[href^="notes?note="]:not([href*="{LONG_NOTE}"])')
        link = links.last
        link.scroll_into_view_if_needed()
        page.mouse.wheel(0, 200)  # the reader scrolls on a little
        settled(page)
        left_at = scroll_top(page)
        assert left_at > 1000, f"a long note, read far down ({left_at}px)"
        link.scroll_into_view_if_needed()
        settled(page)
        left_at = scroll_top(page)
        link.click()
        page.wait_for_function(f"() => !location.search.includes('{LONG_NOTE}')")
        wait_idle(page)
        page.mouse.wheel(0, -20_000)  # the reader reads the linked note from its top
        page.wait_for_function(f"() => ({SCROLLER})().scrollTop === 0")
        settled(page)
        page.go_back()
        page.wait_for_function(f"() => location.search.includes('{LONG_NOTE}')")
        wait_idle(page)
        page.wait_for_function(f"() => Math.abs(({SCROLLER})().scrollTop - {left_at}) < 40", timeout=10_000)
        assert abs(scroll_top(page) - left_at) < 40
    finally:
        context.close()
