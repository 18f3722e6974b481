"""The journal pages in Korean (`?lang=ko`): Write (a new entry, an existing note being edited),
Notes (the list, an opened note shown in its Korean translation, a search), Trash & history
(each tab, a note's history) and the glossary in the Notes sidebar leave no English interface
word. A note's own text is the student's content, not the interface: it is skipped."""

from __future__ import annotations

import pytest

from core import messages
from core.journal import notes as notes_lib
from core.journal import storage, templates
from tests.i18n import korean_text
from tests.i18n.korean_text import shown_texts
from tests.pages.apptest import opened

KO = {"lang": "ko"}
CNN = "2021-08-05-cnn-first-steps"
# A note with a translation and no quiz or practice block (those are the Review page's share).
MASTERCLASS = "2021-08-05-masterclass-ai-and-math"


@pytest.fixture(autouse=True)
def _korean_test_thread():
    """AppTest formats a widget's options again in the test's own thread (to find the chosen one):
    that thread speaks Korean too, as the app's did."""
    messages.set_language("ko")
    yield
    messages.set_language("en")


# The sidebar's language switch names both languages in their own words on purpose (ui/i18n).
SWITCH = {"Language · 언어", "English"}


def content_words() -> set[str]:
    """The Latin words of the notes' own front matter (titles, tags, course): the student's content,
    which the interface quotes (chips, lists, links, questions about a note)."""
    words = set()
    for note in notes_lib.load_library(notes_lib.notes_dir()).by_slug.values():
        for text in (note.title, note.course or "", *note.tags):
            words |= set(korean_text._WORD.findall(text))
    for template in templates.TEMPLATES:  # a new entry's tags come from its template
        words |= {word for tag in template.tags for word in korean_text._WORD.findall(tag)}
    return words


def english_left(at, allowed=(), skip=()) -> dict[str, list[str]]:
    """korean_text.english_left with the notes' own words allowed, leaving out the frame's <style>
    sheet (CSS, which no one reads) and the language switch."""
    styles = {text for text in shown_texts(at) if text.lstrip().startswith("<style>")}
    return korean_text.english_left(at, allowed={*allowed, *content_words()}, skip={*skip, *styles, *SWITCH})


def note_texts(at, *slugs: str) -> set[str]:
    """The shown texts that are a note's own words: any shown text found in one of the notes'
    files (titles, headings, body paragraphs, tags), as the note renders them."""
    files = [path.read_text(encoding="utf-8") for path in notes_lib.notes_dir().glob("*.md")
             if any(path.stem == slug for slug in slugs)]
    return {text for text in shown_texts(at) if text.strip() and any(text.strip() in source for source in files)}


def body_texts(at, *slugs: str) -> set[str]:
    """Shown texts that hold a whole line of one of the notes' bodies (a rendered section of the
    note: its markdown, with the interface's highlighting or links added around the words)."""
    lines = {line.strip() for path in notes_lib.notes_dir().glob("*.md") if path.stem in slugs
             for line in path.read_text(encoding="utf-8").split("\n---", 2)[-1].splitlines() if len(line.strip()) > 12}
    return {text for text in shown_texts(at) if any(line in text for line in lines)}


def test_write_a_new_entry_in_korean(notes_dir):
    at = opened("pages/write.py", {**KO, "new": "til"})
    assert english_left(at) == {}


def test_write_editing_an_existing_korean_note(notes_dir):
    slug = f"{MASTERCLASS}.ko"
    at = opened("pages/write.py", {**KO, "edit": slug})
    assert at.text_input(key="write_title").value
    assert english_left(at, skip=note_texts(at, slug) | body_texts(at, slug)) == {}


def test_write_with_unsaved_changes_in_korean(notes_dir):
    at = opened("pages/write.py", {**KO, "edit": f"{MASTERCLASS}.ko"})
    at.text_input(key="write_title").set_value("바뀐 제목").run()
    assert not at.exception
    assert english_left(at, skip=note_texts(at, f"{MASTERCLASS}.ko") | body_texts(at, f"{MASTERCLASS}.ko")) == {}


def test_notes_list_and_an_opened_note_in_korean(notes_dir):
    at = opened("pages/notes.py", {**KO, "note": MASTERCLASS})
    shown = "\n".join(shown_texts(at))
    assert "마스터클래스" in shown, "the note opens in its Korean translation"
    assert english_left(at, skip=body_texts(at, f"{MASTERCLASS}.ko")) == {}


@pytest.mark.parametrize("query", ["역전파", "마스터클래스"])
def test_notes_search_in_korean(notes_dir, query):
    """A search, the open note outside its results ("역전파") or among them and highlighted."""
    at = opened("pages/notes.py", {**KO, "note": MASTERCLASS})
    at.text_input(key="notes_query").set_value(query).run()
    assert not at.exception
    # The snippets under each result quote the note's own words (highlighted): content, not interface.
    snippets = {text for text in shown_texts(at) if ":orange-background[" in text}
    assert english_left(at, skip=body_texts(at, f"{MASTERCLASS}.ko") | snippets) == {}


def test_the_glossary_in_korean(notes_dir):
    """The glossary in the Notes sidebar: its heading and caption in Korean (its table is the
    glossary itself, both languages side by side)."""
    at = opened("pages/notes.py", {**KO, "note": MASTERCLASS})
    expander = next(e for e in at.sidebar.expander if "용어집" in e.label)
    assert english_left(at, skip=body_texts(at, f"{MASTERCLASS}.ko")) == {}
    assert expander.caption[0].value.startswith("그날 배운")


def test_trash_and_history_in_korean(notes_dir):
    path = f"{CNN}.md"
    data, loaded = storage.read_note(notes_dir, path)
    old = notes_lib.parse_note(data, path)
    meta = storage.build_meta(old.title, old.date, old.type, old.tags, base=old.meta)
    storage.save_note(notes_dir, path, meta, old.body + "\nOne more line.\n", expected_hash=loaded)
    storage.trash_note(notes_dir, "2021-08-05-mentor-meeting.md")
    at = opened("pages/archive.py", {**KO, "history": CNN})
    titles = {note.title for note in notes_lib.load_library(notes_dir).notes} | {"Mentor meeting"}
    skip = {text for text in shown_texts(at) if any(title in text for title in titles)}
    assert english_left(at, skip=skip) == {}
