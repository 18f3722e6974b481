"""AppTest: the glossary in the Notes page's sidebar, and search across Korean and English."""

from __future__ import annotations

import re

from core.journal import glossary


def test_the_notes_sidebar_shows_the_glossary(app):
    app.switch_page("pages/notes.py").run()
    assert not app.exception
    expander = next(e for e in app.sidebar.expander if "Glossary" in e.label)
    frame = expander.dataframe[0].value
    assert len(frame) == len(glossary.GLOSSARY)
    assert {"역전파", "기울기 소실", "잠재변수"} <= set(frame["한국어"])
    assert "backpropagation" in set(frame["English"])


def test_searching_in_either_language_finds_the_same_notes(app):
    app.switch_page("pages/notes.py").run()
    found = {}
    for query in ("역전파", "backpropagation", "기울기 소실", "vanishing gradient"):
        app.text_input(key="notes_query").set_value(query).run()
        assert not app.exception
        found[query] = app.main.caption[0].value
    assert found["역전파"] == found["backpropagation"] and found["역전파"] != "0 of 6 notes"
    assert found["기울기 소실"] == found["vanishing gradient"] == "1 of 6 notes"


def test_a_korean_query_shows_and_highlights_the_english_it_matched(app):
    """Review finding 13: 역전파 found notes through the glossary, but the snippets showed each
    note's start and nothing was highlighted."""
    app.switch_page("pages/notes.py").run()
    app.text_input(key="notes_query").set_value("역전파").run()
    assert not app.exception
    snippets = [caption.value for caption in app.main.caption if ":orange-background[" in caption.value]
    assert len(snippets) == 4 and all("ackpropagation**]" in snippet for snippet in snippets), snippets
    note_text = "\n".join(block.value for block in app.main.markdown)
    assert re.search(r":orange-background\[backpropagation\]", note_text, re.IGNORECASE), "marked in the open note"
