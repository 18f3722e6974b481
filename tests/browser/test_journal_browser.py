"""Real browser: reading and writing the journal feel like a notes app.

The address bar follows the note and Back/Forward step through the notes visited; a wikilink
stays in the tab and the session; the Write page's status turns to "Unsaved changes" while
typing, the draft survives a reload and Ctrl+S saves what was typed; the trash toast's Undo
works; no request leaves the machine; nothing important is cut off at 1400x900 or 390 px in
light or dark.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.journal import drafts
from tests.conftest import SERVE, LiveServer, copy_shipped, settled, wait_idle, wait_still

CNN, RNN, BPTT = "2021-08-05-cnn-first-steps", "2021-08-05-rnn-first-steps", "2021-08-05-bptt-linear-rnn"
LAUNCH = {"viewport": {"width": 1400, "height": 900}}
# Elements cut short: text clipped with an ellipsis or by a one-line overflow, inputs and widget
# fields whose content does not fit, a page that scrolls sideways, display math cut instead of
# scrolling in its own box. Hidden helper elements (1 px, KaTeX's MathML copy) are skipped.
CUT_OFF = """() => {
  const cut = [];
  const name = (el) => `${el.tagName.toLowerCase()}[${el.getAttribute("data-testid") || el.className}]`
    + ` "${(el.innerText || el.value || "").slice(0, 40)}" ${el.scrollWidth}>${el.clientWidth}`;
  for (const el of document.querySelectorAll('[data-testid="stMain"] *, [data-testid="stSidebar"] *,'
                                            + ' [data-testid="stPopoverBody"] *')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || el.clientWidth === 0 || box.right <= 0 || el.closest(".katex")) continue;
    const style = getComputedStyle(el);
    const clips = style.textOverflow === "ellipsis"
      || (style.whiteSpace === "nowrap" && ["hidden", "clip"].includes(style.overflowX));
    const field = el.tagName === "INPUT" || /FieldsScroller$/.test(el.getAttribute("data-testid") || "");
    if ((clips || field) && el.scrollWidth > el.clientWidth + 1) cut.push(name(el));
  }
  const main = document.querySelector('[data-testid="stMain"]');
  if (main.scrollWidth > main.clientWidth + 1) {
    cut.push(`page scrolls sideways ${main.scrollWidth}>${main.clientWidth}`);
  }
  for (const math of document.querySelectorAll(".katex-display")) {
    if (math.scrollWidth > math.clientWidth + 1 && !["auto", "scroll"].includes(getComputedStyle(math).overflowX)) {
      cut.push(`display math cut ${math.scrollWidth}>${math.clientWidth}`);
    }
  }
  return cut;
}"""


@pytest.fixture
def shared_server(live_server):
    """The app for the tests that only read (this process's shared one, on fresh notes)."""
    return live_server


@pytest.fixture
def page_on(browser):
    """page_on(server, path, **context options): a new tab on `path`, loaded and idle."""
    contexts = []

    def open_page(server: LiveServer, path: str, **options):
        context = browser.new_context(**{**LAUNCH, **options})
        contexts.append(context)
        page = context.new_page()
        page.goto(server.url + path)
        wait_idle(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


def eventually(check, page, timeout_ms: int = 20_000) -> bool:
    """Poll `check()` until it is true (the app answers asynchronously; the machine may be busy)."""
    for _ in range(timeout_ms // 250):
        if check():
            return True
        page.wait_for_timeout(250)
    return check()


def main(page):
    return page.locator('[data-testid="stMain"]')


def note_on_screen(page) -> str:
    """The open note's title (the first heading after the page's own "Notes")."""
    return main(page).locator("h1").nth(1).inner_text()


def query(page) -> str:
    return urlsplit(page.url).query


def test_back_and_forward_step_through_three_notes(shared_server, page_on):
    page = page_on(shared_server, "/")
    page.locator('[data-testid="stSidebarNav"] a', has_text="Notes").click()
    wait_idle(page)
    assert query(page) == f"note={CNN}", "the address bar names the note on screen"
    assert note_on_screen(page).startswith("CNN first steps")
    main(page).get_by_role("link", name="RNN first steps", exact=True).first.click()
    wait_idle(page)
    assert query(page) == f"note={RNN}" and note_on_screen(page).startswith("RNN first steps")
    main(page).get_by_role("link", name="Backpropagation for a linear RNN", exact=True).first.click()
    wait_idle(page)
    assert query(page) == f"note={BPTT}" and note_on_screen(page).startswith("Backpropagation for a linear RNN")

    for expected_query, title in ((f"note={RNN}", "RNN first steps"), (f"note={CNN}", "CNN first steps")):
        page.go_back()
        wait_idle(page)
        assert query(page) == expected_query and note_on_screen(page).startswith(title)
    page.go_back()
    wait_idle(page)
    assert urlsplit(page.url).path == "/", "one more Back leaves the Notes page (no bare /notes step)"
    for expected_query, title in ((f"note={CNN}", "CNN first steps"), (f"note={RNN}", "RNN first steps"),
                                  (f"note={BPTT}", "Backpropagation for a linear RNN")):
        page.go_forward()
        wait_idle(page)
        assert query(page) == expected_query and note_on_screen(page).startswith(title)
    page.reload()
    wait_idle(page)
    assert note_on_screen(page).startswith("Backpropagation for a linear RNN"), "a reload shows the same note"


def test_a_wikilink_click_stays_in_the_same_tab_and_session(shared_server, page_on):
    page = page_on(shared_server, f"/notes?note={RNN}")
    page.evaluate("window.__sameDocument = true")
    link = main(page).get_by_role("link", name="the linear-RNN backpropagation assignment")
    assert link.get_attribute("href") == f"notes?note={BPTT}"
    link.click()
    wait_idle(page)
    assert len(page.context.pages) == 1, "no new tab"
    assert page.evaluate("window.__sameDocument") is True, "no reload: the same page and Streamlit session"
    assert query(page) == f"note={BPTT}" and note_on_screen(page).startswith("Backpropagation for a linear RNN")
    with page.context.expect_page() as new_tab:
        main(page).get_by_role("link", name="RNN lecture").click(modifiers=["Control"])
    assert urlsplit(new_tab.value.url).query == f"note={RNN}", "Ctrl+click still opens a new tab"


def test_the_write_status_turns_unsaved_while_typing_the_draft_survives_a_reload_and_ctrl_s_saves(
    live_server, page_on
):
    page = page_on(live_server, "/write?edit=2021-08-05-mentor-meeting")
    status = page.locator(".st-key-write_status_line [data-status]")
    assert status.get_attribute("data-state") == "saved" and status.inner_text().startswith("Saved at ")
    body = page.locator(".st-key-write_body textarea")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Typed in the browser.", delay=20)
    assert status.inner_text() == "Unsaved changes", "changes from the first keystroke, before any rerun"

    def kept() -> list:
        return drafts.drafts_of(live_server.notes, "2021-08-05-mentor-meeting.md")

    assert eventually(lambda: bool(kept()), page), "a pause in typing autosaves the draft to the hidden state"
    assert eventually(lambda: "draft kept at" in status.inner_text(), page)
    assert body.evaluate("element => element === document.activeElement"), "the cursor stays in the editor"

    page.reload()
    wait_idle(page)
    assert page.locator(".st-key-write_body textarea").input_value().endswith(" Typed in the browser.")
    assert page.get_by_text("Restored your unsaved changes").count() == 1

    body = page.locator(".st-key-write_body textarea")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" And more.", delay=20)
    page.keyboard.press("Control+s")
    note_file = live_server.notes / "2021-08-05-mentor-meeting.md"
    assert eventually(lambda: note_file.read_text(encoding="utf-8").endswith(" Typed in the browser. And more.\n"),
                      page), "Ctrl+S saves the text typed just before it"
    # After the reload and the save, a stale copy of the status line can stay beside the live one on
    # a busy machine (seen in 2 of 4 full runs, not reproduced alone): the live line must say saved.
    # The states are read in one call: a line Streamlit removes between listing the lines and reading
    # one of them would leave Playwright waiting 30 s for it. Until editor_status.js remembered what it
    # had committed, about 1 run in 6 ended "unsaved" here: the text kept for a reload was put back
    # into the field right after the save.
    def states() -> list:
        return page.eval_on_selector_all(".st-key-write_status_line [data-status]",
                                         "lines => lines.map(line => line.dataset.state)")

    assert eventually(lambda: "saved" in states(), page), states()
    assert eventually(lambda: not kept(), page), "saving ends the draft"


def test_two_tabs_on_one_note_keep_their_own_drafts_and_a_closed_tabs_text_comes_back(live_server, page_on,
                                                                                     tmp_path):
    mentor = "2021-08-05-mentor-meeting"
    shots = Path(os.environ.get("STUDYLAB_SHOTS_DIR") or tmp_path)

    def type_into(page, words: str) -> None:
        body = page.locator(".st-key-write_body textarea")
        body.click()
        page.keyboard.press("Control+End")
        page.keyboard.type(words, delay=20)

    def bodies() -> list[str]:
        """How each kept draft of the note ends."""
        return sorted(kept.fields["body"][-12:] for kept in drafts.drafts_of(live_server.notes, f"{mentor}.md"))

    tab_a = page_on(live_server, f"/write?edit={mentor}")
    type_into(tab_a, " From tab A.")
    assert eventually(lambda: bodies() == [" From tab A."], tab_a)

    tab_b = page_on(live_server, f"/write?edit={mentor}")
    assert not tab_b.locator(".st-key-write_body textarea").input_value().endswith(" From tab A."), \
        "tab A is still open: its text stays A's"
    assert tab_b.get_by_text("Another open tab has unsaved changes to this note").count() == 1
    type_into(tab_b, " From tab B.")
    assert eventually(lambda: bodies() == [" From tab A.", " From tab B."], tab_b), "two tabs, two drafts"
    tab_b.screenshot(path=str(shots / "two-tabs-tab-b.png"), full_page=True)

    tab_a.context.close()  # tab A is closed without saving
    tab_b.reload()
    wait_idle(tab_b)
    assert tab_b.locator(".st-key-write_body textarea").input_value().endswith(" From tab B."), \
        "the reloaded tab gets its own text back (the newest of the closed tabs' drafts)"
    assert tab_b.get_by_text("Restored your unsaved changes").count() == 1
    tab_b.get_by_text("Unsaved drafts (1)").click()
    tab_b.get_by_role("button", name="Open as a new entry").click()
    wait_idle(tab_b)
    assert tab_b.locator(".st-key-write_body textarea").input_value().endswith(" From tab A."), \
        "the closed tab's text is offered, not lost"
    tab_b.screenshot(path=str(shots / "two-tabs-adopted.png"), full_page=True)


def test_moving_a_note_to_the_trash_confirms_with_a_toast_whose_undo_restores_it(live_server, page_on):
    page = page_on(live_server, "/notes?note=2021-08-05-mentor-meeting")
    main(page).get_by_role("button", name="Move to trash").click()
    page.get_by_role("button", name="Yes, move it to the trash").click()
    wait_idle(page)
    assert not (live_server.notes / "2021-08-05-mentor-meeting.md").exists()
    assert page.locator('[data-testid="stPopoverBody"]').count() == 0, "the confirmation popover closed"
    toast = page.locator('[data-testid="stToast"]')
    assert "Moved Mentor meeting to the trash." in toast.inner_text()
    assert query(page) != "note=2021-08-05-mentor-meeting", "the page moved on to another note"
    toast.get_by_role("link", name="Undo").click()
    wait_idle(page)
    assert (live_server.notes / "2021-08-05-mentor-meeting.md").exists()
    assert note_on_screen(page).startswith("Mentor meeting"), "the restored note is open again"


def test_no_request_leaves_the_machine_while_pages_load(shared_server, page_on):
    page = page_on(shared_server, "/")
    hosts: set[str] = set()
    local_schemes = {"data", "blob", "about"}  # never leave the browser
    page.on("request", lambda request: urlsplit(request.url).scheme in local_schemes
            or hosts.add(urlsplit(request.url).netloc))
    page.on("websocket", lambda socket: hosts.add(urlsplit(socket.url).netloc))
    paths = ["/", f"/notes?note={CNN}", "/write"] + [
        urlsplit(href).path for href in
        page.locator('[data-testid="stSidebarNav"] a').evaluate_all("links => links.map(link => link.href)")
    ]
    for path in paths:
        page.goto(shared_server.url + path)
        wait_idle(page)
        settled(page)
    assert hosts == {urlsplit(shared_server.url).netloc}, hosts
    icon = page.locator('link[rel~="icon"]').first.get_attribute("href")
    assert not urlsplit(icon).netloc or urlsplit(icon).netloc == urlsplit(shared_server.url).netloc, icon


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_nothing_important_is_cut_off(shared_server, page_on, tmp_path, scheme, width, height):
    shots = Path(os.environ.get("STUDYLAB_SHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    options = {"viewport": {"width": width, "height": height}, "color_scheme": scheme}
    for name, path in (("dashboard", "/"), ("notes", f"/notes?note={CNN}"), ("write", "/write")):
        page = page_on(shared_server, path, **options)
        settled(page)
        background = page.evaluate("getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor")
        red, green, blue = (int(part) for part in background[background.index("(") + 1:-1].split(",")[:3])
        assert (red + green + blue < 150) == (scheme == "dark"), background
        page.screenshot(path=str(shots / f"{name}-{width}-{scheme}.png"))
        assert page.evaluate(CUT_OFF) == [], f"{name} at {width}px, {scheme}"
        assert page.locator('[data-testid="stAppDeployButton"]').count() == 0, "no Deploy button"
        if name == "notes":
            main(page).get_by_role("button", name="Filters").click()
            page.locator('[data-testid="stPopoverBody"]').wait_for()
            wait_still(page, "JSON.stringify(document.querySelector('[data-testid=stPopoverBody]')"
                             ".getBoundingClientRect())")  # its opening animation has ended
            assert page.evaluate(CUT_OFF) == [], f"the Filters popover at {width}px, {scheme}"
        page.context.close()


@pytest.fixture(scope="module")
def served_server(tmp_path_factory):
    """The app as `make run` serves it (serve.py), read-only use."""
    notes = tmp_path_factory.mktemp("served") / "notes"
    copy_shipped(notes)
    server = LiveServer(notes, script=SERVE)
    yield server
    server.stop()


def test_opening_any_page_directly_makes_no_failing_request(served_server, page_on):
    """Opened at /notes, Streamlit's own code first probes /notes/_stcore/health (two 404s);
    serve.py names the server root so the first probe is the right one."""
    shared_server = served_server
    page = page_on(shared_server, "/")
    failures: list[str] = []
    page.on("response", lambda reply: reply.status >= 400 and failures.append(f"{reply.status} {reply.url}"))
    page.on("console", lambda message: message.type == "error" and failures.append(message.text))
    paths = [urlsplit(href).path for href in
             page.locator('[data-testid="stSidebarNav"] a').evaluate_all("links => links.map(link => link.href)")]
    assert len(paths) >= 6
    for path in paths + [f"/notes?note={CNN}", f"/write?edit={CNN}"]:
        page.goto(shared_server.url + path)
        wait_idle(page)
        assert page.locator('[data-testid="stSidebarNav"]').count() == 1
    assert failures == []


def test_an_address_write_that_waits_is_marked_until_it_lands(shared_server, page_on):
    """app_links.js holds back a write that only changes the parameters (DEFER_MS), and marks <html>
    meanwhile; wait_idle waits for the mark to go, so a test reads the address the app wrote."""
    page = page_on(shared_server, f"/notes?note={CNN}")
    page.wait_for_function("() => window.__studylabLinks?.installed")  # the component mounts after the run
    marked = page.evaluate("""() => {
        history.pushState({}, "", location.pathname + "?note=held-back");
        return [document.documentElement.hasAttribute("data-studylab-address-pending"), location.search];
    }""")
    assert marked == [True, f"?note={CNN}"], "the write waits, and says so"
    wait_idle(page)
    assert query(page) == "note=held-back"
    assert page.locator("html[data-studylab-address-pending]").count() == 0


def test_a_link_clicked_while_an_address_write_waits_keeps_its_own_address(shared_server, page_on):
    """A link click pushes its own address at once; a write still waiting from before would land after
    it and put the older note back in the address bar, so the click drops it."""
    page = page_on(shared_server, f"/notes?note={CNN}")
    page.wait_for_function("() => window.__studylabLinks?.installed")
    page.evaluate("""() => {
        history.pushState({}, "", location.pathname + "?note=held-back");
        document.querySelector('[data-testid="stMain"] a[href*="rnn-first-steps"]').click();
    }""")
    wait_idle(page)
    assert query(page) == f"note={RNN}" and note_on_screen(page).startswith("RNN first steps")
