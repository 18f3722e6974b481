"""Real browser: a recorded run's long title in a lab's sidebar is cut after two lines (never
mid-letter off the edge), and clicking blank space in the main area draws no focus frame."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer, copy_shipped, wait_idle


@pytest.fixture
def server(tmp_path):
    live = LiveServer(copy_shipped(tmp_path / "notes", records=True))
    yield live
    live.stop()


def test_sidebar_run_titles_wrap_to_two_lines_and_the_main_area_has_no_focus_frame(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/bptt_lab")
        wait_idle(page)
        title = page.locator('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"] p').filter(
            has_text="Truncation").first
        fits = title.evaluate("""(p) => {
          const line = parseFloat(getComputedStyle(p).lineHeight);
          return {lines: Math.round(p.clientHeight / line), cut: p.scrollWidth > p.clientWidth + 1};
        }""")
        assert fits == {"lines": 2, "cut": False}, fits

        page.mouse.click(1380, 880)  # blank space in the main area
        page.keyboard.press("Tab")  # keyboard use: the case where the page's focus rings show
        frame = page.evaluate("""() => {
          const main = document.querySelector('[data-testid="stMain"]');
          main.focus();
          return {ring: main.matches(':focus-visible'), outline: getComputedStyle(main).outlineStyle};
        }""")
        assert frame == {"ring": True, "outline": "none"}, frame
        page.locator('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]').first.focus()
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none", "controls keep it"
    finally:
        context.close()
