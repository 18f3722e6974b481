"""AppTest for Journal › Write's `?new=<template>`: it opens THAT template; an older draft of the
new entry (a closed tab's, or text set aside) is offered with one banner, never put in its place."""

from __future__ import annotations

import datetime as dt

from core.journal import drafts, templates
from core.journal import notes as notes_lib
from tests.pages.apptest import open_page, opened

WRITE = "pages/write.py"


def template_body(key: str, notes_dir) -> str:
    return templates.new_entry(key, dt.date.today(), notes_lib.load_library(notes_dir).notes).body


def an_old_lecture_draft(notes_dir) -> drafts.Draft:
    """A lecture draft of the new entry that a closed tab left (its owner no session has)."""
    fields = {"title": "Half a lecture", "date": dt.date.today(), "type": "lecture", "tags": [], "course": "",
              "week": None, "day": None, "body": "Words from the lecture."}
    kept = drafts.Draft(None, fields, template="lecture", owner=drafts.new_owner())
    drafts.save_draft(notes_dir, kept)
    return kept


def banners(at) -> list[str]:
    return [element.value for element in [*at.info, *at.warning]] + [
        markdown.value for markdown in at.markdown if "older unsaved" in markdown.value]


def test_new_opens_the_asked_template_and_offers_an_older_draft_of_another(notes_dir):
    an_old_lecture_draft(notes_dir)
    at = opened(WRITE, {"new": "assignment"})  # a new tab
    assert at.selectbox(key="write_type").value == "assignment"
    assert at.text_area(key="write_body").value == template_body("assignment", notes_dir)
    assert at.query_params["new"] == "assignment", "the address keeps the template asked for"
    [banner] = banners(at)
    assert "older unsaved lecture note draft" in banner and "Half a lecture" in banner
    assert at.button(key="write_continue_older").label == "Continue the older lecture note draft"
    [kept] = drafts.drafts_of(notes_dir, None)
    assert kept.fields["body"] == "Words from the lecture.", "offered, not taken or touched"

    at.button(key="write_continue_older").click().run()
    assert at.text_area(key="write_body").value == "Words from the lecture."
    assert at.selectbox(key="write_type").value == "lecture"
    assert at.query_params["new"] == "lecture"
    assert not [button for button in at.button if button.key == "write_continue_older"]
    assert not [banner for banner in banners(at) if "older unsaved" in banner]


def test_new_with_a_draft_of_the_same_template_brings_it_back(notes_dir):
    an_old_lecture_draft(notes_dir)
    at = opened(WRITE, {"new": "lecture"})  # a reload while writing the lecture
    assert at.text_area(key="write_body").value == "Words from the lecture."
    assert not [button for button in at.button if button.key == "write_continue_older"]


def test_unsaved_text_is_set_aside_and_offered_when_another_template_is_asked_for(notes_dir):
    at = open_page(WRITE)
    at.text_input(key="write_title").set_value("My TIL")
    at.text_area(key="write_body").set_value("Typed in the TIL.").run()
    at.query_params["new"] = "peer-session"  # a link to /write?new=peer-session in this session
    at.switch_page(WRITE).run()
    assert not at.exception
    assert at.selectbox(key="write_type").value == "peer-session"
    assert at.text_area(key="write_body").value == template_body("peer-session", notes_dir)
    [banner] = banners(at)
    assert "older unsaved daily til draft" in banner and "My TIL" in banner
    assert [kept.fields["body"] for kept in drafts.drafts_of(notes_dir, None)] == ["Typed in the TIL."]

    at.text_area(key="write_body").set_value("Minutes typed since.").run()
    at.button(key="write_continue_older").click().run()
    assert at.text_area(key="write_body").value == "Typed in the TIL."
    assert sorted(kept.fields["body"] for kept in drafts.drafts_of(notes_dir, None)) == [
        "Minutes typed since.", "Typed in the TIL."], "the peer-session text is set aside in its turn"
    [banner] = banners(at)
    assert "older unsaved peer-session minutes draft" in banner
