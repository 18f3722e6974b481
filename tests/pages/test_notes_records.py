"""AppTest for Journal › Notes: experiment records are grouped apart under Records, so recorded
runs never push the lectures down the default list."""

from __future__ import annotations

import pytest

from core.journal import notes as notes_lib
from core.journal.render import escape_markdown
from tests.conftest import copy_shipped, use_notes_folder
from tests.pages.apptest import open_page

NOTES = "pages/notes.py"


@pytest.fixture
def with_records(tmp_path, monkeypatch):
    folder = copy_shipped(tmp_path / "notes", records=True)
    return use_notes_folder(folder, monkeypatch)


def listed(at) -> str:
    return " ".join(markdown.value for markdown in at.main.markdown)


def test_records_are_hidden_from_the_default_list_and_shown_under_records(with_records):
    library = notes_lib.load_library(with_records)
    records = [note for note in library.notes if note.type == "experiment"]
    lectures = [note for note in library.notes if note.type != "experiment"]
    assert len(records) == 3 and len(lectures) == 6

    at = open_page(NOTES)
    section = at.segmented_control(key="notes_section")
    assert section.value == "Notes" and section.format_func("Records") == "Records · 3"
    assert at.main.caption[0].value == "6 of 6 notes"
    assert library.by_slug[at.query_params["note"]].type != "experiment", "the first note opened is not a record"
    assert "· experiment]" not in listed(at), "no record among the listed entries"

    section.set_value("Records").run()
    assert at.main.caption[0].value == "3 of 3 records"
    assert library.by_slug[at.query_params["note"]].type == "experiment", "picking Records opens its first record"
    assert all(escape_markdown(record.title) in listed(at) for record in records)
    assert listed(at).count("· experiment]") == 3


def test_a_link_to_a_record_opens_the_records_section(with_records):
    record = next(note for note in notes_lib.load_library(with_records).notes if note.type == "experiment")
    at = open_page(NOTES, note=record.slug)
    assert at.segmented_control(key="notes_section").value == "Records"
    assert at.query_params["note"] == record.slug


def test_a_journal_without_records_shows_no_sections(notes_dir):
    at = open_page(NOTES)
    assert not [control for control in at.segmented_control if control.key == "notes_section"]
    assert at.main.caption[0].value == "6 of 6 notes"
