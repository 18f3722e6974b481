"""AppTest for Journal › Write: templates apply at once (asking before replacing typed text),
drafts are autosaved to the hidden state and restored in a new session, the status line is
honest, and the address bar names what the editor shows."""

from __future__ import annotations

import datetime as dt
import gc
import json
import subprocess
import sys

import pytest
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
    [kept] = drafts.drafts_of(notes_dir, f"{MENTOR}.md")
    assert kept.fields["body"] == "Unsaved words from yesterday."
    assert notes_lib.load_library(notes_dir).by_slug[MENTOR].body != "Unsaved words from yesterday.", "not a note"

    del at  # the tab is closed: its session, the live owner of its draft, is gone
    gc.collect()
    again = write_page(edit=MENTOR)
    assert again.text_area(key="write_body").value == "Unsaved words from yesterday."
    assert any("Restored your unsaved changes" in info.value for info in again.info)
    assert status(again)["state"] == "unsaved"

    again.button(key="write_discard").click().run()
    assert drafts.drafts_of(notes_dir, f"{MENTOR}.md") == [], "discarded only when the student says so"
    assert again.text_area(key="write_body").value == notes_lib.load_library(notes_dir).by_slug[MENTOR].body
    assert status(again)["state"] == "saved"


def test_the_new_entrys_draft_comes_back_when_returning_to_write(notes_dir):
    at = write_page()
    at.text_input(key="write_title").set_value("Half a thought")
    at.text_area(key="write_body").set_value("Kept across sessions.").run()
    del at  # the tab is closed: its session, the live owner of its draft, is gone
    gc.collect()
    fresh = AppTest.from_file(APP, default_timeout=60).run()
    fresh.switch_page(WRITE).run()
    assert fresh.text_input(key="write_title").value == "Half a thought"
    assert fresh.text_area(key="write_body").value == "Kept across sessions."


def test_saving_ends_the_draft_and_the_status_says_saved(notes_dir):
    at = write_page(edit=MENTOR)
    at.text_area(key="write_body").set_value("Final words.").run()
    at.button(key="write_save").click().run()
    assert not at.exception
    assert drafts.drafts_of(notes_dir, f"{MENTOR}.md") == []
    assert status(at)["state"] == "saved" and status(at)["label"].startswith("Saved at ")
    assert notes_lib.load_library(notes_dir).by_slug[MENTOR].body == "Final words.\n"


def test_a_restored_draft_whose_note_changed_since_is_a_conflict_not_an_overwrite(notes_dir):
    at = write_page(edit=MENTOR)
    at.text_area(key="write_body").set_value("Mine, typed yesterday.").run()
    path = notes_dir / f"{MENTOR}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nTheirs, saved elsewhere.\n", encoding="utf-8")
    theirs = path.read_bytes()

    del at  # the tab is closed: its session, the live owner of its draft, is gone
    gc.collect()
    again = write_page(edit=MENTOR)
    assert again.text_area(key="write_body").value == "Mine, typed yesterday."
    again.button(key="write_save").click().run()
    assert path.read_bytes() == theirs
    assert status(again)["state"] == "conflict"
    assert "changed on disk since you opened it" in "\n".join(error.value for error in again.error)


def test_start_todays_entry_from_the_dashboard_opens_a_til_for_today(notes_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    [link] = [link for link in at.get("page_link") if link.proto.label == "Write today's TIL"]
    assert link.proto.query_string == "new=til"
    at.query_params["new"] = "til"
    at.switch_page(WRITE).run()
    assert at.selectbox(key="write_type").value == "til"
    assert at.date_input(key="write_date").value == dt.date.today()
    assert at.text_area(key="write_body").value == template_body("til", notes_dir)


@pytest.mark.parametrize("template", ["retrospective", "lecture", "peer-session"])
def test_a_new_parameter_opens_that_template_in_a_fresh_session(notes_dir, template):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params["new"] = template
    at.switch_page(WRITE).run()
    assert not at.exception
    assert at.selectbox(key="write_type").value == templates.BY_KEY[template].type
    assert at.text_area(key="write_body").value == template_body(template, notes_dir)
    assert at.query_params["new"] == template, "the address keeps the template asked for"


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
    assert drafts.drafts_of(notes_dir, "2021-08-05-gone.md") == []
    [new_entry] = drafts.drafts_of(notes_dir, None)
    assert new_entry.fields["body"] == "Words that must not be lost."


def bodies_on_disk(notes_dir, rel_path: str | None) -> list[str]:
    """The body of every draft file of note `rel_path` (None: the new entry), read straight from disk."""
    kept = [json.loads(path.read_bytes()) for path in (notes_dir / drafts.DRAFTS_DIR).glob("*.json")]
    return sorted(raw["fields"]["body"] for raw in kept if raw["rel_path"] == rel_path)


def test_two_tabs_on_one_note_keep_separate_drafts_and_a_save_deletes_only_its_own(notes_dir):
    tab_a, tab_b = write_page(edit=MENTOR), write_page(edit=MENTOR)
    tab_b.text_area(key="write_body").set_value("Tab B: two paragraphs of unsaved thoughts.").run()
    tab_a.text_area(key="write_body").set_value("Tab A: something else.").run()
    assert bodies_on_disk(notes_dir, f"{MENTOR}.md") == ["Tab A: something else.",
                                                         "Tab B: two paragraphs of unsaved thoughts."]
    assert any("Another open tab has unsaved changes" in info.value for info in tab_a.info)

    tab_a.button(key="write_save").click().run()
    assert not tab_a.exception
    assert notes_lib.load_library(notes_dir).by_slug[MENTOR].body == "Tab A: something else.\n"
    assert bodies_on_disk(notes_dir, f"{MENTOR}.md") == ["Tab B: two paragraphs of unsaved thoughts."]
    tab_b.run()
    assert bodies_on_disk(notes_dir, f"{MENTOR}.md") == ["Tab B: two paragraphs of unsaved thoughts."]

    tab_c = write_page(edit=MENTOR)  # while B is open, its text stays B's
    assert tab_c.text_area(key="write_body").value == "Tab A: something else.\n"
    assert any("Another open tab has unsaved changes" in info.value for info in tab_c.info)

    del tab_b  # B's browser crashes: the next tab to open the note gets B's text back
    gc.collect()
    tab_d = write_page(edit=MENTOR)
    assert tab_d.text_area(key="write_body").value == "Tab B: two paragraphs of unsaved thoughts."
    assert any("Restored your unsaved changes" in info.value for info in tab_d.info)
    tab_d.button(key="write_save").click().run()
    assert status(tab_d)["state"] == "conflict", "B's text started from the version before A's save"


def test_two_tabs_writing_new_entries_never_touch_each_others_text(notes_dir):
    tab_a, tab_b = write_page(), write_page()
    tab_a.text_input(key="write_title").set_value("From tab A")
    tab_a.text_area(key="write_body").set_value("A's new entry.").run()
    tab_b.text_input(key="write_title").set_value("From tab B")
    tab_b.text_area(key="write_body").set_value("B's new entry.").run()
    assert bodies_on_disk(notes_dir, None) == ["A's new entry.", "B's new entry."]
    tab_a.button(key="write_save").click().run()
    assert bodies_on_disk(notes_dir, None) == ["B's new entry."]
    tab_a.button(key="write_new").click().run()
    assert tab_a.text_area(key="write_body").value != "B's new entry.", "B's text is not taken while B is open"
    assert bodies_on_disk(notes_dir, None) == ["B's new entry."]

    del tab_b
    gc.collect()
    reopened = write_page()
    assert reopened.text_input(key="write_title").value == "From tab B"
    assert reopened.text_area(key="write_body").value == "B's new entry."


def test_every_orphaned_draft_of_a_note_is_offered_newest_first(notes_dir):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])  # an app process that has since ended
    gone.wait()
    fields = editor_fields(notes_dir)
    for body, hour in (("older words", 9), ("newer words", 10)):
        drafts.save_draft(notes_dir, drafts.Draft(f"{MENTOR}.md", {**fields, "body": body},
                                                  saved_at=dt.datetime(2021, 8, 5, hour, tzinfo=dt.timezone.utc),
                                                  owner=f"{gone.pid}-{hour:016x}"))
    at = write_page(edit=MENTOR)
    assert at.text_area(key="write_body").value == "newer words", "the newest comes back in the editor"
    [expander] = [expander for expander in at.expander if expander.label.startswith("Unsaved drafts")]
    assert expander.label == "Unsaved drafts (1)"
    [adopt] = [button for button in at.button if button.key.startswith("write_adopt_")]
    adopt.click().run()
    assert at.text_area(key="write_body").value == "older words", "the other one opens as a new entry"
    assert bodies_on_disk(notes_dir, f"{MENTOR}.md") == ["newer words"]
    assert bodies_on_disk(notes_dir, None) == ["older words"]


def editor_fields(notes_dir) -> dict:
    note = notes_lib.load_library(notes_dir).by_slug[MENTOR]
    return {"title": note.title, "date": note.date, "type": note.type, "tags": list(note.tags), "course": "",
            "week": None, "day": None, "body": note.body}
