"""AppTest for Journal › Write: templates apply at once (asking before replacing typed text),
drafts are autosaved to the hidden state and restored in a new session, the status line is
honest, and the address bar names what the editor shows."""

from __future__ import annotations

import datetime as dt
import json

from streamlit.testing.v1 import AppTest

from core.journal import drafts, templates
from core.journal import notes as notes_lib
from tests.conftest import APP
from tests.pages.apptest import open_page

WRITE = "pages/write.py"
MENTOR = "2021-08-05-mentor-meeting"


def write_page(**query: str) -> AppTest:
    return open_page(WRITE, **query)


def status(at: AppTest) -> dict:
    [line] = [element for element in at.get("bidi_component") if element.proto.component_name.endswith("status")]
    return json.loads(line.proto.json)


def template_body(key: str, notes_dir) -> str:
    return templates.new_entry(key, dt.date.today(), notes_lib.load_library(notes_dir).notes).body


def test_a_template_applies_as_soon_as_it_is_picked(notes_dir):
    at = write_page()
    assert at.query_params["new"] == "til" and status(at)["state"] == "new"
    at.selectbox(key="write_template").set_value("peer-session").run()
    assert at.text_area(key="write_body").value == template_body("peer-session", notes_dir)
    assert at.selectbox(key="write_type").value == "peer-session"
    assert at.text_input(key="write_title").value == "Peer session"
    assert at.query_params["new"] == "peer-session", "the address bar names the new entry's template"
    assert status(at)["label"] == "New entry · not saved yet"


def test_picking_a_template_over_typed_text_asks_first(notes_dir):
    at = write_page()
    at.text_area(key="write_body").set_value("My own words.").run()
    at.selectbox(key="write_template").set_value("lecture").run()
    assert at.text_area(key="write_body").value == "My own words.", "nothing is replaced before the answer"
    assert at.button(key="write_replace").label == "Replace with the template"
    at.button(key="write_keep").click().run()
    assert at.text_area(key="write_body").value == "My own words."
    assert at.selectbox(key="write_template").value == "til", "the picker goes back to the entry's template"
    assert not [button for button in at.button if button.key == "write_replace"]

    at.selectbox(key="write_template").set_value("lecture").run()
    at.button(key="write_replace").click().run()
    assert at.text_area(key="write_body").value == template_body("lecture", notes_dir)
    assert at.selectbox(key="write_type").value == "lecture"


def test_a_draft_is_autosaved_and_restored_in_a_new_session(notes_dir):
    at = write_page(edit=MENTOR)
    at.text_area(key="write_body").set_value("Unsaved words from yesterday.").run()
    assert status(at)["state"] == "unsaved" and "draft kept at" in status(at)["label"]
    kept = drafts.load_draft(notes_dir, f"{MENTOR}.md")
    assert kept.fields["body"] == "Unsaved words from yesterday."
    assert notes_lib.load_library(notes_dir).by_slug[MENTOR].body != "Unsaved words from yesterday.", "not a note"

    again = write_page(edit=MENTOR)
    assert again.text_area(key="write_body").value == "Unsaved words from yesterday."
    assert any("Restored your unsaved changes" in info.value for info in again.info)
    assert status(again)["state"] == "unsaved"

    again.button(key="write_discard").click().run()
    assert drafts.load_draft(notes_dir, f"{MENTOR}.md") is None, "discarded only when the student says so"
    assert again.text_area(key="write_body").value == notes_lib.load_library(notes_dir).by_slug[MENTOR].body
    assert status(again)["state"] == "saved"


def test_the_new_entrys_draft_comes_back_when_returning_to_write(notes_dir):
    at = write_page()
    at.text_input(key="write_title").set_value("Half a thought")
    at.text_area(key="write_body").set_value("Kept across sessions.").run()
    fresh = AppTest.from_file(APP, default_timeout=60).run()
    fresh.switch_page(WRITE).run()
    assert fresh.text_input(key="write_title").value == "Half a thought"
    assert fresh.text_area(key="write_body").value == "Kept across sessions."


def test_saving_ends_the_draft_and_the_status_says_saved(notes_dir):
    at = write_page(edit=MENTOR)
    at.text_area(key="write_body").set_value("Final words.").run()
    at.button(key="write_save").click().run()
    assert not at.exception
    assert drafts.load_draft(notes_dir, f"{MENTOR}.md") is None
    assert status(at)["state"] == "saved" and status(at)["label"].startswith("Saved at ")
    assert notes_lib.load_library(notes_dir).by_slug[MENTOR].body == "Final words.\n"


def test_a_restored_draft_whose_note_changed_since_is_a_conflict_not_an_overwrite(notes_dir):
    at = write_page(edit=MENTOR)
    at.text_area(key="write_body").set_value("Mine, typed yesterday.").run()
    path = notes_dir / f"{MENTOR}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nTheirs, saved elsewhere.\n", encoding="utf-8")
    theirs = path.read_bytes()

    again = write_page(edit=MENTOR)
    assert again.text_area(key="write_body").value == "Mine, typed yesterday."
    again.button(key="write_save").click().run()
    assert path.read_bytes() == theirs
    assert status(again)["state"] == "conflict"
    assert "changed on disk since you opened it" in "\n".join(error.value for error in again.error)


def test_start_todays_entry_from_the_dashboard_opens_a_til_for_today(notes_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    [link] = [link for link in at.get("page_link") if link.proto.label == "Start today's entry"]
    assert link.proto.query_string == "new=til"
    at.query_params["new"] = "til"
    at.switch_page(WRITE).run()
    assert at.selectbox(key="write_type").value == "til"
    assert at.date_input(key="write_date").value == dt.date.today()
    assert at.text_area(key="write_body").value == template_body("til", notes_dir)


def test_the_address_bar_follows_the_editor(notes_dir):
    at = write_page(edit=MENTOR)
    assert at.query_params["edit"] == MENTOR
    at.button(key="write_new").click().run()
    assert "edit" not in at.query_params and at.query_params["new"] == "til"
    at.text_input(key="write_title").set_value("Brand new")
    at.button(key="write_save").click().run()
    saved = next(note for note in notes_lib.load_library(notes_dir).notes if note.title == "Brand new")
    assert at.query_params["edit"] == saved.slug and "new" not in at.query_params


def test_a_draft_of_a_note_that_is_gone_can_be_opened_as_a_new_entry(notes_dir):
    orphan = drafts.Draft("2021-08-05-gone.md", {"title": "Lost note", "date": dt.date(2021, 8, 5), "type": "til",
                                                 "tags": [], "course": "", "week": None, "day": None,
                                                 "body": "Words that must not be lost."})
    drafts.save_draft(notes_dir, orphan)
    at = write_page()
    assert any(expander.label == "Unsaved drafts (1)" for expander in at.expander)
    [adopt] = [button for button in at.button if button.key.startswith("write_adopt_")]
    adopt.click().run()
    assert at.text_area(key="write_body").value == "Words that must not be lost."
    assert drafts.load_draft(notes_dir, "2021-08-05-gone.md") is None
    assert drafts.load_draft(notes_dir, None).fields["body"] == "Words that must not be lost."
