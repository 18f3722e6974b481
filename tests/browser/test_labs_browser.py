"""Real browser: the labs' controls and the pictures they change are on screen together at
1400x900 in every view; a phone width never overflows the page; clicking an output cell
inspects it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import wait_idle

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
CONV_VIEWS = ["Output", "Channels", "Receptive field", "Backward pass", "1D picture"]
# (tab, part, the main control of that part)
BPTT_PARTS = [
    ("Assignment: counting RNN", "Gradient and rules", "w_rec"),
    ("Assignment: counting RNN", "Truncation", "truncation window K"),
    ("Assignment: counting RNN", "Loss surface and training", "sequence length T"),
    ("Deep RNN (tanh)", "Decay", "spectral radius of W_hh"),
    ("Deep RNN (tanh)", "Truncation", "truncation window K"),
    ("Deep RNN (tanh)", "Monte Carlo", "Monte Carlo draws"),
    ("Gated cells", "Decay", "forget / update gate bias"),
    ("Gated cells", "Gate-bias sweep", "forget / update gate bias"),
]


def open_page(browser, server, path: str, viewport: dict):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{server.url}/{path}")
    wait_idle(page)
    return context, page


def choose(page, option: str) -> None:
    """Pick an option of a segmented control (a view, a tab or a part)."""
    group = page.locator('[data-testid="stButtonGroup"]').filter(has_text=option)
    group.get_by_role("radio", name=option, exact=True).first.click()
    wait_idle(page)


def slider(page, label: str):
    return page.locator('[data-testid="stSlider"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)).first


def inside(box, viewport: dict) -> bool:
    return (box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            and box["y"] + box["height"] <= viewport["height"])


def first_picture(page):
    """The first chart of the pictures column (the main area's first chart after the controls)."""
    charts = page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]')
    charts.first.wait_for()
    return charts.first


def assert_no_horizontal_overflow(page, where: str) -> None:
    overflow = page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        return {page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                main: main.scrollWidth - main.clientWidth};
    }""")
    assert overflow["page"] <= 0 and overflow["main"] <= 0, (where, overflow)


def assert_nothing_cut_off(page, width: int, where: str) -> None:
    """Every element of the main area ends inside the screen, or sits in a box that scrolls."""
    cut = page.evaluate("""(width) => {
        const scrolls = (element) => {
            for (let node = element.parentElement; node; node = node.parentElement) {
                const style = getComputedStyle(node);
                if (['auto', 'scroll'].includes(style.overflowX) && node.scrollWidth > node.clientWidth) return true;
            }
            return false;
        };
        const found = [];
        for (const element of document.querySelectorAll(
                '[data-testid="stMain"] [data-testid="stElementContainer"] > *, .katex-html, canvas')) {
            const box = element.getBoundingClientRect();
            if (box.width > 0 && box.right > width + 1 && !scrolls(element)) {
                found.push(element.className.toString().slice(0, 60) + ' ' + Math.round(box.right));
            }
        }
        return found;
    }""", width)
    assert not cut, (where, cut)


@pytest.mark.parametrize("view", CONV_VIEWS)
def test_conv_lab_controls_and_picture_share_the_screen(browser, live_server, view):
    context, page = open_page(browser, live_server, "conv_lab", DESKTOP)
    try:
        if view != "Output":
            choose(page, view)
        assert inside(slider(page, "Padding").bounding_box(), DESKTOP), "the padding slider is off screen"
        assert inside(first_picture(page).bounding_box(), DESKTOP), f"the first picture of {view} is off screen"
        assert_no_horizontal_overflow(page, view)
    finally:
        context.close()


def each_bptt_part(page):
    """Open every part of every tab of the BPTT explorer in turn: yields (tab, part, main control)."""
    shown_tab = "Assignment: counting RNN"
    for tab, part, control in BPTT_PARTS:
        if tab != shown_tab:
            choose(page, tab)
            shown_tab = tab
        choose(page, part)
        yield tab, part, control


def test_bptt_explorer_controls_and_pictures_share_the_screen(browser, live_server):
    context, page = open_page(browser, live_server, "bptt_lab", DESKTOP)
    try:
        for tab, part, control in each_bptt_part(page):
            assert inside(slider(page, control).bounding_box(), DESKTOP), (tab, part, control)
            assert inside(first_picture(page).bounding_box(), DESKTOP), (tab, part, "picture")
            assert_no_horizontal_overflow(page, f"{tab} / {part}")
    finally:
        context.close()


def test_a_phone_sees_every_view_without_overflow(browser, live_server):
    context, page = open_page(browser, live_server, "conv_lab", PHONE)
    try:
        for view in CONV_VIEWS:
            if view != "Output":
                choose(page, view)
            page.wait_for_timeout(300)
            assert_no_horizontal_overflow(page, view)
            assert_nothing_cut_off(page, PHONE["width"], view)
        page.goto(f"{live_server.url}/bptt_lab")
        wait_idle(page)
        for tab, part, _ in each_bptt_part(page):
            page.wait_for_timeout(300)
            assert_no_horizontal_overflow(page, f"{tab} / {part}")
            assert_nothing_cut_off(page, PHONE["width"], f"{tab} / {part}")
    finally:
        context.close()


def inspected(page) -> tuple[int, ...]:
    """The inspected cell, from the sum's formula under the maps: output[c, r, q] = ..."""
    page.locator(".katex").first.wait_for()
    text = " ".join(page.evaluate("() => Array.from(document.querySelectorAll('.katex')).map(e => e.textContent)"))
    found = re.search(r"\\text\{output\}\[(\d+), (\d+), (\d+)\]", text)
    assert found, text[:300]
    return tuple(int(group) for group in found.groups())


def test_clicking_an_output_cell_inspects_it_and_it_survives_a_smaller_output(browser, live_server):
    context, page = open_page(browser, live_server, "conv_lab", DESKTOP)
    output = '[class*="st-key-conv_pick_output"] canvas'
    try:
        assert inspected(page) == (0, 13, 13)
        box = page.locator(output).first.bounding_box()
        start = (box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.35)
        page.mouse.click(*start)
        wait_idle(page)
        first = inspected(page)
        assert first != (0, 13, 13), "a click picks the cell under the pointer"
        cell = 320 / 26                                                          # the map is 320 pixels wide
        page.locator(output).first.wait_for()
        page.mouse.click(start[0] + 5 * cell, start[1] + 3 * cell)               # 5 cells right, 3 down
        wait_idle(page)
        assert inspected(page) == (0, first[1] + 3, first[2] + 5)
        page.mouse.click(*start)                                                 # back: a click is always new
        wait_idle(page)
        assert inspected(page) == first
        page.mouse.click(start[0] + 12 * cell, start[1] + 12 * cell)             # near the bottom right
        wait_idle(page)
        near_edge = inspected(page)
        assert near_edge[1] >= 7 and near_edge[2] >= 7
        thumb = slider(page, "Stride").locator('input[type="range"]')
        thumb.focus()
        thumb.press("End")                                                       # stride 4: a 7x7 output
        wait_idle(page)
        assert inspected(page) == (0, 6, 6), "clamped to the new edge, not reset to the middle"
    finally:
        context.close()
