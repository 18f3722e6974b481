"""Real browser: the labs' controls and the pictures they change are on screen together at
1400x900 in every view; a phone width never overflows the page; clicking an output cell
inspects it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import settled, wait_idle

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
CONV_VIEWS = ["Output", "Channels", "Receptive field", "Backward pass", "1D picture"]
SEQUENCE = "Your sequence X_1 … X_T (0s and 1s, or any numbers)"
# (tab, part, the main control of that part)
BPTT_PARTS = [
    ("Assignment: counting RNN", "Gradient and rules", "w_rec"),
    ("Assignment: counting RNN", "Truncation", "truncation window K"),
    ("Assignment: counting RNN", "Loss surface and training", "sequence length T"),
    ("Assignment: counting RNN", "Step by step", SEQUENCE),
    ("Deep RNN (tanh)", "Decay", "spectral radius of W_hh"),
    ("Deep RNN (tanh)", "Truncation", "truncation window K"),
    ("Deep RNN (tanh)", "Monte Carlo", "Monte Carlo draws"),
    ("Deep RNN (tanh)", "Two paths", "step t"),
    ("Gated cells", "Decay", "forget / update gate bias"),
    ("Gated cells", "Gate-bias sweep", "forget / update gate bias"),
]
TABLE_PARTS = {"Step by step"}  # parts whose picture is a table (the loop's trace), not a chart


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


def control(page, label: str):
    """Any widget by its label (a slider, a text box, a segmented control ...)."""
    return page.locator('[data-testid="stElementContainer"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)).first


def keyed(page, key_prefix: str):
    """The element whose widget key starts with key_prefix (Streamlit marks it st-key-<key>)."""
    return page.locator(f'[class*="st-key-{key_prefix}"]').first


def inside(box, viewport: dict) -> bool:
    return (box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            and box["y"] + box["height"] <= viewport["height"])


def first_picture(page, kind: str = "stVegaLiteChart"):
    """The first chart of the pictures column (the main area's first chart after the controls),
    or with kind="stDataFrame" its first table."""
    pictures = page.locator(f'[data-testid="stMain"] [data-testid="{kind}"]')
    pictures.first.wait_for()
    return pictures.first


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
        for tab, part, label in each_bptt_part(page):
            assert inside(control(page, label).bounding_box(), DESKTOP), (tab, part, label)
            kind = "stDataFrame" if part in TABLE_PARTS else "stVegaLiteChart"
            assert inside(first_picture(page, kind).bounding_box(), DESKTOP), (tab, part, "picture")
            assert_no_horizontal_overflow(page, f"{tab} / {part}")
    finally:
        context.close()


def test_a_phone_sees_every_view_without_overflow(browser, live_server):
    context, page = open_page(browser, live_server, "conv_lab", PHONE)
    try:
        for view in CONV_VIEWS:
            if view != "Output":
                choose(page, view)
            settled(page)
            assert_no_horizontal_overflow(page, view)
            assert_nothing_cut_off(page, PHONE["width"], view)
        page.goto(f"{live_server.url}/bptt_lab")
        wait_idle(page)
        for tab, part, _ in each_bptt_part(page):
            settled(page)
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
        press(page, "Stride", "End")                                             # stride 4: a 7x7 output
        assert inspected(page) == (0, 6, 6), "clamped to the new edge, not reset to the middle"
    finally:
        context.close()


def test_the_1d_example_fits_the_screen_and_takes_typed_numbers(browser, live_server):
    context, page = open_page(browser, live_server, "conv_lab", DESKTOP)
    try:
        choose(page, "1D picture")
        for part in (keyed(page, "conv_ex_x_table_"), control(page, "Follow an input's paths"), first_picture(page)):
            assert inside(part.bounding_box(), DESKTOP), part
        first_row = until(lambda: numbers_row(page, 1), ["1", "4", "1", "1"], page)
        assert first_row == ["1", "4", "1", "1"]                         # i, O_1, dL/dX_1, dL/dW_1
        for _attempt in range(2):  # a keystroke into the grid's editor can be lost on a loaded machine
            type_into_x3(page, "7")
            outputs = until(lambda: [numbers_row(page, i)[1] for i in (1, 2, 3)], ["-3", "12", "12"], page)
            if outputs == ["-3", "12", "12"]:
                break
        assert outputs == ["-3", "12", "12"], "X3 = 7 enters every output"
        assert_no_horizontal_overflow(page, "1D picture after typing")
    finally:
        context.close()


def type_into_x3(page, text: str) -> None:
    """Double-click the example's X3 cell to open its editor, type `text` and press Enter."""
    table = keyed(page, "conv_ex_x_table_").locator("canvas").first
    box = table.bounding_box()
    page.mouse.dblclick(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.75)
    cell_editor = page.locator('[id^="gdg-overlay-"] input').first
    cell_editor.wait_for()
    cell_editor.press("Control+A")
    cell_editor.type(text)
    cell_editor.press("Enter")
    wait_idle(page)


def until(read, expected, page, timeout: float = 15_000):
    """read() once it returns expected, or its last value after timeout ms: an edit in a data
    editor reaches the server a moment after the key press, so the run it starts can begin after
    wait_idle has already seen the app idle."""
    waited = 0
    shown = read()
    while shown != expected and waited < timeout:
        page.wait_for_timeout(250)
        waited += 250
        wait_idle(page)
        shown = read()
    return shown


def numbers_row(page, i: int) -> list[str]:
    """Row i of the 1D example's table of numbers (i, O_i, dL/dX_i, dL/dW_i) as shown."""
    table = page.locator('[data-testid="stMarkdownContainer"] table').filter(has_text="dL/dX_i")
    return [cell.inner_text().strip() for cell in table.locator("tbody tr").nth(i - 1).locator("td").all()]


def press(page, label: str, key: str, times: int = 1) -> None:
    """Move a slider from the keyboard, as a student would."""
    for _ in range(times):
        thumb = slider(page, label).locator('input[type="range"]')
        thumb.focus()
        thumb.press(key)
        wait_idle(page)


def test_a_phone_sees_the_general_formulas_and_a_long_example_without_overflow(browser, live_server):
    """Padding 6, stride 2, dilation 2: the longest backward formulas and, in the 1D picture, eight
    upstream gradients; nothing may run off a 390 px screen."""
    context, page = open_page(browser, live_server, "conv_lab", PHONE)
    try:
        press(page, "Padding", "End")
        press(page, "Stride", "ArrowRight")
        press(page, "Dilation", "ArrowRight")
        views = (("Backward pass", "\\operatorname{dilate}_{2}(\\delta)"), ("1D picture", "0_{\\text{pad}}"))
        for view, shown in views:
            choose(page, view)
            settled(page)
            assert shown in " ".join(page.evaluate(
                "() => Array.from(document.querySelectorAll('.katex')).map(e => e.textContent)")), view
            assert_no_horizontal_overflow(page, view)
            assert_nothing_cut_off(page, PHONE["width"], view)
        assert page.get_by_text("one per output (7)").is_visible()     # (5 + 12 - 4 - 1) // 2 + 1 gradients
    finally:
        context.close()


def katex_text(page) -> str:
    """Every formula's text on the page, its TeX source included."""
    page.locator(".katex").first.wait_for()
    return " ".join(page.evaluate("() => Array.from(document.querySelectorAll('.katex')).map(e => e.textContent)"))


def appears(page, text: str) -> None:
    """Wait (up to 30 s: the machine is shared) until an element with this text is visible."""
    page.get_by_text(text).first.wait_for(state="visible", timeout=30_000)


def markdown_starting(page, start: str) -> str:
    return page.locator('[data-testid="stMarkdownContainer"]').filter(has_text=start).first.inner_text()


def test_step_by_step_walks_the_loop_when_its_slider_moves(browser, live_server):
    context, page = open_page(browser, live_server, "bptt_lab", DESKTOP)
    try:
        choose(page, "Step by step")
        assert until(lambda: "the loss at }k = T" in katex_text(page), True, page), "the loop starts at k = T = 5"
        press(page, "loop step k (the loop runs k = T, T−1, …, 1: right to left)", "ArrowLeft", times=2)
        assert until(lambda: "Rule 1, from step 4" in katex_text(page), True, page), "k = 3: dL/dS_3 from step 4"
        before = markdown_starting(page, "Last row")
        press(page, "w_rec", "ArrowRight", times=5)
        assert until(lambda: markdown_starting(page, "Last row") != before, True, page), "w_rec moves the last row"
        assert "closed form" in markdown_starting(page, "Last row")
        appears(page, "Verified · Last row of the loop = closed form")
        assert_no_horizontal_overflow(page, "Step by step")
    finally:
        context.close()


def test_two_paths_follow_the_step_slider(browser, live_server):
    context, page = open_page(browser, live_server, "bptt_lab", DESKTOP)
    try:
        choose(page, "Deep RNN (tanh)")
        choose(page, "Two paths")
        appears(page, "dL/dh_90 unit by unit")
        press(page, "step t", "ArrowRight", times=3)
        appears(page, "dL/dh_93 unit by unit")
        press(page, "step t", "End")
        appears(page, "dL/dh_100 unit by unit")
        appears(page, "Verified · dL/dh_t = the two paths, against full BPTT")
        assert_no_horizontal_overflow(page, "Two paths")
    finally:
        context.close()



def runs_started(frames: list) -> int:
    """How many script runs the server started in these websocket frames (each run begins with
    a new_session message)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    runs = 0
    for payload in frames:
        message = ForwardMsg()
        message.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        runs += message.WhichOneof("type") == "new_session"
    return runs


@pytest.mark.parametrize("path, label", [("conv_lab", "Padding"), ("bptt_lab", "w_rec"),
                                         ("bptt_lab?tab=deep", "sequence length T"),
                                         ("bptt_lab?tab=gated", "forget / update gate bias")])
def test_a_lab_control_is_one_run_of_its_fragment_alone(browser, live_server, path, label):
    """A lab's controls and pictures are one fragment: a key press on a slider is one script run
    (a callback asking for a fragment's rerun would cost two), and the page's caption, outside
    the fragment, is not sent again."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    frames: list = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(payload)))
    page.goto(f"{live_server.url}/{path}")
    wait_idle(page)
    thumb = slider(page, label).locator('input[type="range"]').first
    for key in ("ArrowRight", "ArrowLeft"):
        frames.clear()
        thumb.focus()
        thumb.press(key)
        wait_idle(page)
        assert runs_started(frames) == 1, key
        assert not any(b"Kernels slide over an input" in frame or b"Gradients through time for" in frame
                       for frame in frames if isinstance(frame, bytes)), "the page's caption was drawn again"
    context.close()
