"""The message catalogue: every wrapped string is translated into Korean (not fuzzy), placeholders
agree between languages, and the files already wrapped send no bare English string to the page.

`unwrapped_strings(path)` is also the list the string-wrapping pass works from:
`python -m tests.i18n.test_catalogue` prints every file's unwrapped strings."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from core import messages

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "count": (2, 3)}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
# Files whose every string on the page goes through the catalogue; the wrapping pass adds to it.
WRAPPED = ("app.py", "ui/i18n.py", "ui/frame.py",
           "pages/write.py", "pages/notes.py", "pages/archive.py", "ui/write_editor.py", "ui/rendering.py",
           "ui/notes_folder.py", "ui/widgets.py", "ui/access.py", "ui/components.py",
           "pages/dashboard.py", "pages/review.py", "pages/sync.py", "pages/experiments.py",
           "ui/review.py", "ui/merge_screen.py", "ui/today.py",
           "pages/conv_lab.py", "ui/conv_lab.py", "pages/bptt_lab.py", "ui/bptt_lab.py", "ui/lab_state.py")
# st.* calls whose first argument (or label/help/placeholder keyword) reaches the page.
SHOWN_CALLS = {"title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning", "error",
               "success", "toast", "button", "page_link", "checkbox", "toggle", "radio", "selectbox", "multiselect",
               "segmented_control", "pills", "text_input", "text_area", "number_input", "slider", "select_slider",
               "date_input", "file_uploader", "download_button", "expander", "popover", "tabs", "metric",
               "form_submit_button", "link_button", "Page", "spinner", "status"}
SHOWN_KEYWORDS = {"label", "help", "placeholder", "title", "caption"}


def code_files() -> list[Path]:
    return sorted([ROOT / "app.py", *(ROOT / "core").rglob("*.py"), *(ROOT / "ui").rglob("*.py"),
                   *(ROOT / "pages").glob("*.py")])


def extracted() -> dict[str, tuple[str, ...]]:
    """Every message the code wraps: msgid -> (msgid,) or (singular, plural)."""
    found: dict[str, tuple[str, ...]] = {}
    for path in code_files():
        for _line, message, _comments, _context in extract_from_file("python", str(path), keywords=KEYWORDS):
            ids = message if isinstance(message, tuple) else (message,)
            if ids and ids[0]:
                found[ids[0]] = tuple(ids)
    return found


def catalogue(lang: str):
    with messages.po_path(lang).open("rb") as source:
        return read_po(source, locale=lang)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_wrapped_string_has_a_korean_translation_that_is_not_fuzzy():
    korean = catalogue("ko")
    problems = []
    for msgid in extracted():
        entry = korean.get(msgid)
        strings = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or not all(strings):
            problems.append(f"missing: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
    assert not problems, "run `make messages` and translate:\n" + "\n".join(problems)


def test_placeholders_agree_between_languages():
    for lang in messages.LANGUAGES:
        for entry in catalogue(lang):
            if not entry.id:
                continue
            ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            wanted = placeholders(ids[-1])
            assert placeholders(ids[0]) <= wanted | {"count"}, ids
            for string in strings:
                if string:
                    assert placeholders(string) == wanted, (lang, ids, string)


def test_english_catalogue_lists_every_message_and_korean_has_no_more():
    wrapped = set(extracted())
    english = {entry.id[0] if isinstance(entry.id, tuple) else entry.id for entry in catalogue("en") if entry.id}
    korean = {entry.id[0] if isinstance(entry.id, tuple) else entry.id for entry in catalogue("ko") if entry.id}
    assert wrapped <= english, sorted(wrapped - english)
    assert korean == english


def test_catalogue_speaks_the_language_of_the_thread():
    messages.set_language("ko")
    try:
        assert messages.gettext("Notes") == "노트"
        assert messages.count(3, "{count} note", "{count} notes") == "노트 3개"
    finally:
        messages.set_language("en")
    assert messages.gettext("Notes") == "Notes"
    assert messages.count(1, "{count} note", "{count} notes") == "1 note"
    assert messages.count(1234, "{count} note", "{count} notes") == "1,234 notes"
    assert messages.normalize("ko-KR") == "ko" and messages.normalize("fr") is None


def test_a_thread_never_told_its_language_asks_the_fallback():
    """A widget callback runs before the run chooses its language: it speaks the session's."""
    import threading

    heard = {}

    def callback():
        heard["text"] = messages.gettext("Notes")

    previous = messages._fallback
    messages.set_fallback(lambda: "ko-KR")
    try:
        thread = threading.Thread(target=callback)
        thread.start()
        thread.join()
    finally:
        messages.set_fallback(previous)
    assert heard["text"] == "노트"
    thread = threading.Thread(target=callback)  # the fallback gone (no session): English
    messages.set_fallback(None)
    try:
        thread.start()
        thread.join()
    finally:
        messages.set_fallback(previous)
    assert heard["text"] == "Notes"


def unwrapped_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal with letters that goes straight to the page: the
    first argument, or a label/help/placeholder keyword, of a `st.*` display or widget call (f-strings
    included), when it is not inside `_()`, `N_()`, `ngettext()` or `messages.count()`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def literal(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SHOWN_CALLS:
            continue
        shown = [*node.args[:1], *(kw.value for kw in node.keywords if kw.arg in SHOWN_KEYWORDS)]
        for argument in shown:
            text = literal(argument)
            if text and re.search(r"[A-Za-z]{2}", re.sub(r":material/\w+:|:\w+(-badge)?\[|<[^>]+>", "", text)):
                found.append((argument.lineno, text))
    return found


@pytest.mark.parametrize("relative", WRAPPED)
def test_wrapped_files_send_no_bare_string_to_the_page(relative):
    assert unwrapped_strings(ROOT / relative) == []


if __name__ == "__main__":  # the wrapping pass's to-do list
    for path in code_files():
        strings = unwrapped_strings(path)
        if strings:
            print(f"{path.relative_to(ROOT)}: {len(strings)}")
            if "-v" in sys.argv:
                for line, text in strings:
                    print(f"    {line}: {text[:80]!r}")
