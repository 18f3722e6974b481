"""Real browser: every page opens from the navigation without an exception box, and HTML or
script inside a note never runs."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, settled, wait_idle

EVIL_NOTE = """---
title: Evil note
date: 2021-08-07
type: til
---
# Evil note
<script>window.__studylabPwned = "script";</script>
<img src="x" onerror="window.__studylabPwned = 'onerror'">
[click](javascript:window.__studylabPwned='link')
Plain text after the HTML.
"""


@pytest.fixture
def evil_server(live_server):
    """The shared app with the evil note beside the shipped ones."""
    (live_server.notes / "2021-08-07-evil.md").write_text(EVIL_NOTE, encoding="utf-8")
    return live_server


def nav_links(page):
    return page.locator('[data-testid="stSidebarNav"] a')


def test_every_page_opens_from_the_navigation(browser_page, tmp_path):
    page = browser_page
    browser_errors: list[str] = []
    page.on("pageerror", lambda error: browser_errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and "Duplicate data set" in message.text
            and browser_errors.append(message.text))
    titles = [link.inner_text().split("\n")[-1].strip() for link in nav_links(page).all()]
    assert titles == re.findall(r'\("pages/\w+\.py", N_\("([^"]+)"\)', (ROOT / "app.py").read_text()), titles
    for index, title in enumerate(titles):
        nav_links(page).nth(index).click()
        wait_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, f"exception on {title}"
        assert page.locator('[data-testid="stMain"]').inner_text().strip(), f"{title} is blank"
        for chart in page.locator('[data-testid="stVegaLiteChart"]').all():
            chart.scroll_into_view_if_needed()
            box = chart.bounding_box()
            assert box and box["width"] > 50 and box["height"] > 50, f"an empty chart on {title}"
        page.screenshot(path=str(tmp_path / f"page-{index}.png"), full_page=True)
    assert not browser_errors, browser_errors


def test_dashboard_shows_calendar_and_notes(browser_page):
    page = browser_page
    page.locator(".vega-embed").first.wait_for()
    assert page.locator(".vega-embed").count() == 2, "the calendar and the notes-by-type chart"
    assert page.locator(".vega-embed").first.get_by_text("Study calendar 2021").count() == 1
    assert page.get_by_text("CNN first steps").count() >= 1


def test_note_html_and_scripts_never_run(browser, evil_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{evil_server.url}/notes?note=2021-08-07-evil")
    wait_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text(str(evil_server.notes)).wait_for(timeout=15_000)
    titles = [text.split("\n")[-1].strip() for text in nav_links(page).all_inner_texts()]
    assert "Dashboard" in titles, f"a shared link opened first must still get the app's navigation: {titles}"
    page.get_by_text("Plain text after the HTML.").wait_for()
    settled(page)
    for link in page.get_by_text("click").all():
        if link.is_visible():
            link.click()
    wait_idle(page)
    settled(page)
    assert page.evaluate("window.__studylabPwned") is None
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()
