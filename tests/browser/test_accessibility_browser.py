"""Accessibility and Korean in the browser: axe-core (WCAG 2.2 AA) on every page in both themes at
1400 and 390 px, keyboard-only paths, the Korean interface and font, and the Korean screenshots.

Run one browser file at a time (2 shared cores)."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, LiveServer, copy_shipped, settled, wait_idle

PAGES = ("", "notes", "write", "conv_lab", "bptt_lab", "review", "experiments", "sync", "archive")
BLOCKING = ("serious", "critical")
# Violations we proved to be Streamlit's own and out of the app's reach: none left. (The sidebar
# navigation's invalid list markup is fixed by ui/assets/app_links.js, part 5; see test below.)
STREAMLIT_OWN: dict[str, str] = {}
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    notes = copy_shipped(tmp_path_factory.mktemp("a11y") / "notes", records=True)
    live = LiveServer(notes)
    yield live
    live.stop()


def blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    settled(page)  # charts embedded; the accessibility fixes run on the frame after a change
    # resultTypes: axe still runs every rule, but details only the violations (not every passing
    # node), which is most of its time on a page this size
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
        "resultTypes": ["violations"]}).response
    return [f"{violation['id']} ({violation['impact']}): {node['target']} {node.get('failureSummary', '')[:160]}"
            for violation in results["violations"] if violation["impact"] in BLOCKING
            and violation["id"] not in STREAMLIT_OWN for node in violation["nodes"]]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_axe_violation_on_any_page(browser, server, scheme, lang):
    found = []
    for width in (1400, 390):
        context = browser.new_context(viewport={"width": width, "height": 1000}, color_scheme=scheme)
        page = context.new_page()
        for path in PAGES:
            page.goto(f"{server.url}/{path}?lang={lang}")
            wait_idle(page)
            found += [f"/{path} {scheme} {lang} {width}px: {line}" for line in blocking_violations(page)]
        context.close()
    assert not found, "\n".join(found)


def test_the_axe_check_reports_a_violation_put_on_the_page(browser, server):
    """The check above can fail: an image without a text alternative and a button without a name
    (both critical for axe), put on the dashboard, are both reported."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/")
    wait_idle(page)
    page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        main.insertAdjacentHTML('beforeend', '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">');
        main.insertAdjacentHTML('beforeend', '<button></button>');
    }""")
    found = " ".join(blocking_violations(page))
    assert "image-alt (critical)" in found and "button-name (critical)" in found, found
    context.close()


def test_navigation_lists_are_valid_and_wide_equations_scroll_by_keyboard(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/notes?note=2021-08-05-cnn-first-steps")
    wait_idle(page)
    settled(page)
    assert page.get_attribute('[data-testid="stSidebarNavItems"]', "role") == "none"
    boxes = page.locator('.katex-display[tabindex="0"][role="region"]')
    assert boxes.count() >= 1
    assert boxes.first.get_attribute("aria-label") == "Equation, scrolls sideways"
    boxes.first.focus()
    before = boxes.first.evaluate("e => e.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([box, before]) => box.scrollLeft > before",  # times out if it never scrolls
                           arg=[boxes.first.element_handle(), before], timeout=10_000)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    context.close()


def test_charts_have_a_text_alternative(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/bptt_lab")
    wait_idle(page)
    page.wait_for_selector('[data-testid="stVegaLiteChart"][aria-label]')  # the labels come with the embed
    settled(page)
    labels = page.eval_on_selector_all('[data-testid="stVegaLiteChart"][aria-label]',
                                       "es => es.map(e => e.getAttribute('aria-label'))")
    assert any("vertical axis" in label for label in labels), labels[:5]
    context.close()


def test_inspect_a_cell_with_the_keyboard_only(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/conv_lab?view=field")  # the receptive field view: index inputs beside the map
    wait_idle(page)
    live = page.locator('[aria-live="polite"].studylab-live')
    before = live.inner_text()
    row = page.get_by_label("Output height")
    row.focus()  # reached by Tab in a real session; focus() keeps the test short and exact
    page.keyboard.press("Control+a")
    page.keyboard.type("0")
    page.keyboard.press("Enter")
    wait_idle(page)
    assert "height 0" in live.inner_text() and live.inner_text() != before
    context.close()


def test_review_one_card_with_the_keyboard_only(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/review")
    wait_idle(page)
    # The student sees the card's button before pressing its key: on a loaded machine the page may
    # still be drawing the card when the first run's messages have all arrived.
    page.locator('[class*="st-key-reveal"] button').first.wait_for()
    page.keyboard.press("Space")  # Show answer (the button's shortcut)
    wait_idle(page)
    grade = page.locator('[class*="st-key-grade-3"] button').first
    grade.wait_for()
    grade.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    wait_idle(page)
    assert page.locator('[class*="st-key-reveal"] button').count() >= 1  # the next card, its answer hidden
    context.close()


def test_korean_interface_font_and_screenshots(browser, server, tmp_path):
    """The screenshots go to a temporary folder; STUDYLAB_SHOTS=1 writes them to docs/screenshots/
    (tests never change the repository on their own)."""
    shots = SCREENSHOTS if os.environ.get("STUDYLAB_SHOTS") else tmp_path
    with urllib.request.urlopen(f"{server.url}/app/static/fonts/noto-sans-kr-korean-400-normal.woff2") as response:
        assert response.status == 200 and len(response.read()) > 100_000
    shots.mkdir(parents=True, exist_ok=True)
    for name, path in (("dashboard", ""), ("note", "notes?note=2021-08-05-rnn-first-steps"),
                       ("conv-lab", "conv_lab"), ("bptt-explorer", "bptt_lab")):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
        page = context.new_page()
        page.goto(f"{server.url}/{path}{'&' if '?' in path else '?'}lang=ko")
        wait_idle(page)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "대시보드" in nav and "노트" in nav and "합성곱 실습" in nav
        page.wait_for_function("document.documentElement.lang == 'ko'")  # set by the link handler's next frame
        page.wait_for_function(
            "[...document.fonts].some(f => f.family.includes('Noto Sans KR') && f.status == 'loaded')",
            timeout=15_000)  # the Korean text on the page made the browser fetch and use it
        if name == "note":
            assert "RNN 첫걸음" in page.locator('[data-testid="stMain"]').inner_text()
        settled(page)
        out = shots / f"ko-{name}-1400.png"
        page.screenshot(path=str(out))
        assert out.stat().st_size < 300_000, out
        context.close()


def test_language_switch_is_remembered_for_the_notes_folder(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(server.url)
    wait_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("한국어", exact=True).click()
    wait_idle(page)
    assert "lang=ko" in page.url and "대시보드" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    stored = Path(server.notes) / ".studylab" / "preferences.json"
    assert '"language": "ko"' in stored.read_text(encoding="utf-8")
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    wait_idle(page)
    assert "lang=" not in page.url and "Dashboard" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    context.close()
