"""Korean in the browser: every page opened with `?lang=ko` shows no English interface word.

The test reads what a user sees (the visible text of the sidebar and the page, plus the
aria-labels, titles and placeholders a screen reader announces) and leaves out math (KaTeX), code,
the body of an opened note (the student's own writing, not the interface), the texts Streamlit
draws itself and the app cannot change (`ui.i18n.STREAMLIT_OWN_TEXTS`), and the allow-list of
names, course terms and units (`tests.i18n.korean_text.ALLOWED`). Any other word in Latin letters
is English the catalogue missed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core import messages
from tests.conftest import LiveServer, copy_shipped, settled, wait_idle
from tests.i18n.korean_text import english_words
from ui.i18n import STREAMLIT_OWN_TEXTS, SWITCH_LABEL

PAGES = ("", "notes", "notes?note=2021-08-05-cnn-first-steps", "notes?note=2021-08-05-bptt-linear-rnn",
         "write", "write?edit=2021-08-05-retrospective", "conv_lab", "conv_lab?view=field", "bptt_lab",
         "review", "experiments", "sync", "archive")

# Visible text and announced labels, without math, code and the opened note's own body.
SHOWN = """() => {
  const skip = '.katex, .katex-display, pre, code, [data-testid="stCode"], .st-key-note_body, style, script, textarea, '
    + '.st-key-write_preview, [data-tag], '
    + '[data-testid="stIconMaterial"], [data-testid="stIconEmoji"], [translate="no"]';  // icons: ligatures, not words
  const parts = [];
  for (const root of document.querySelectorAll('[data-testid="stSidebar"], [data-testid="stMain"]')) {
    const copy = root.cloneNode(true);
    copy.querySelectorAll(skip).forEach((node) => node.remove());
    document.body.appendChild(copy);  // innerText needs a rendered node for its line breaks
    copy.style.position = 'absolute'; copy.style.left = '-99999px';
    parts.push(copy.innerText);
    copy.remove();
    for (const node of root.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (node.closest(skip)) continue;
      for (const name of ['aria-label', 'title', 'placeholder']) {
        const value = node.getAttribute(name);
        if (value) parts.push(value);
      }
    }
  }
  return parts.join('\\n');
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    notes = copy_shipped(tmp_path_factory.mktemp("korean") / "notes", records=True)
    live = LiveServer(notes)
    yield live
    live.stop()


def note_titles(folder: Path) -> list[str]:
    """The titles of the notes that have no Korean side: the student's words (here the shipped
    example records' English ones). A translated note must show its Korean title, so it is not here."""
    titles = []
    for path in folder.glob("*.md"):
        front = path.read_text(encoding="utf-8").split("\n---", 1)[0]
        if "\ntranslation:" in front:
            continue
        titles += [line.removeprefix("title:").strip().strip("'\"") for line in front.splitlines()
                   if line.startswith("title:")][:1]
    return titles


def english_on(page, titles: list[str]) -> dict[str, list[str]]:
    """{shown line: its English words} for every line of the page with some."""
    text = page.evaluate(SHOWN)
    # the language switch is labelled in both languages on purpose, and names each language in its own
    for own in sorted([*STREAMLIT_OWN_TEXTS, SWITCH_LABEL, *messages.NAMES.values(), *titles], key=len, reverse=True):
        text = text.replace(own, " ")
    return {line.strip()[:100]: words for line in text.splitlines() if (words := english_words(line))}


@pytest.mark.parametrize("width", [1400, 390])
def test_every_page_in_korean_shows_no_english_interface_word(browser, server, width):
    context = browser.new_context(viewport={"width": width, "height": 1000}, locale="en-US")
    page = context.new_page()
    found = {}
    titles = note_titles(Path(server.notes))
    for path in PAGES:
        page.goto(f"{server.url}/{path}{'&' if '?' in path else '?'}lang=ko")
        wait_idle(page)
        settled(page)
        words = english_on(page, titles)
        if words:
            found[f"/{path}"] = words
    context.close()
    assert not found, "\n".join(f"{path}: {line!r} {words}" for path, lines in found.items()
                                 for line, words in lines.items())
