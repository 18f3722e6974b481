"""AppTest: the Notes page says when the open note is not among the results (review finding 19),
counts every active filter, and its empty state leads to the Write page (finding 18)."""

from __future__ import annotations

import datetime as dt

from tests.pages.apptest import open_page

NOTES = "pages/notes.py"
CNN = "2021-08-05-cnn-first-steps"


def captions(at) -> list[str]:
    return [caption.value for caption in at.main.caption]


def test_a_search_without_matches_says_the_open_note_does_not_match(notes_dir):
    at = open_page(NOTES, note=CNN)
    at.text_input(key="notes_query").set_value("zzzqqq").run()
    assert not at.exception
    assert any("does not match your search or filters" in text for text in captions(at))
    assert not any("Highlighting matches of" in text for text in captions(at))
    at.button(key="notes_clear_search").click().run()
    assert at.text_input(key="notes_query").value == ""
    assert not any("does not match" in text for text in captions(at))


def test_a_note_filtered_out_of_the_list_says_so_and_the_filters_count_the_dates(notes_dir):
    (notes_dir / "2021-08-09-later.md").write_text("---\ntitle: Later\ndate: 2021-08-09\n---\nlater\n")
    at = open_page(NOTES, note=CNN)
    popover = next(p for p in at.get("popover") if p.proto.popover.label.startswith("Filters"))
    assert popover.proto.popover.label == "Filters"
    key = next(k for k in at.session_state if str(k).startswith("notes_dates_"))
    at.date_input(key=key).set_value((dt.date(2021, 8, 9), dt.date(2021, 8, 9))).run()
    assert not at.exception
    popover = next(p for p in at.get("popover") if p.proto.popover.label.startswith("Filters"))
    assert popover.proto.popover.label == "Filters · 1", "a narrowed date range is an active filter"
    assert any("does not match your search or filters" in text for text in captions(at))
    at.multiselect(key="notes_types").set_value(["til"]).run()
    popover = next(p for p in at.get("popover") if p.proto.popover.label.startswith("Filters"))
    assert popover.proto.popover.label == "Filters · 2"
    at.button(key="notes_clear_search").click().run()
    assert not at.exception
    popover = next(p for p in at.get("popover") if p.proto.popover.label.startswith("Filters"))
    assert popover.proto.popover.label == "Filters", "clearing resets the filters too"


def test_an_empty_journal_offers_to_write_the_first_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYLAB_NOTES_DIR", str(tmp_path))
    at = open_page(NOTES)
    assert "Write your first entry" in at.info[0].value
    links = [link for link in at.get("page_link") if link.proto.label == "Write today's entry"]
    assert links and links[0].proto.page.endswith("write"), [link.proto for link in at.get("page_link")]
