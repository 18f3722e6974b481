"""Drafts: unsaved editor text kept in the notes folder's hidden state, never as a note."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.journal import drafts, storage
from core.journal.notes import NOTE_TYPES, load_library

FIELDS = {"title": "합성곱: part 2", "date": dt.date(2021, 8, 5), "type": "lecture", "tags": ["cnn", "새-태그"],
          "course": "AI Math", "week": 1, "day": 4, "body": "Unsaved $x$ text\n[[link]]\n"}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("STUDYLAB_READONLY", raising=False)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("---\ntitle: A\n---\nbody\n", encoding="utf-8")
    return notes


def test_a_draft_round_trips_for_a_note_and_for_the_new_entry(folder):
    note_draft = drafts.Draft("sub/a.md", FIELDS, base_hash="abc")
    new_draft = drafts.Draft(None, {**FIELDS, "date": None, "week": None}, template="lecture")
    drafts.save_draft(folder, note_draft)
    drafts.save_draft(folder, new_draft)
    assert drafts.load_draft(folder, "sub/a.md") == note_draft
    assert drafts.load_draft(folder, None) == new_draft
    assert drafts.load_draft(folder, "other.md") is None
    names = sorted(p.name for p in (folder / drafts.DRAFTS_DIR).iterdir())
    assert names == sorted([drafts.NEW_ENTRY_FILE, drafts.draft_file_name("sub/a.md")])
    assert all(name.endswith(".json") and "/" not in name for name in names)


def test_drafts_live_in_hidden_state_and_are_never_notes_or_exported(folder):
    drafts.save_draft(folder, drafts.Draft("a.md", FIELDS))
    assert drafts.DRAFTS_DIR.startswith(".")
    library = load_library(folder)
    assert [note.path for note in library.notes] == ["a.md"] and not library.problems
    names = zipfile.ZipFile(io.BytesIO(storage.export_zip(folder))).namelist()
    assert names == ["notes/a.md"]


def test_saving_again_replaces_and_discard_removes(folder):
    drafts.save_draft(folder, drafts.Draft("a.md", FIELDS))
    drafts.save_draft(folder, drafts.Draft("a.md", {**FIELDS, "body": "second"}))
    assert drafts.load_draft(folder, "a.md").fields["body"] == "second"
    assert drafts.discard_draft(folder, "a.md") is True
    assert drafts.load_draft(folder, "a.md") is None
    assert drafts.discard_draft(folder, "a.md") is False
    assert not [p for p in (folder / drafts.DRAFTS_DIR).iterdir()], "no temporary file left behind"


def test_list_drafts_newest_first(folder):
    older = drafts.Draft("a.md", FIELDS, saved_at=dt.datetime(2021, 8, 5, 9, tzinfo=dt.timezone.utc))
    newer = drafts.Draft(None, FIELDS, saved_at=dt.datetime(2021, 8, 5, 10, tzinfo=dt.timezone.utc))
    drafts.save_draft(folder, older)
    drafts.save_draft(folder, newer)
    assert drafts.list_drafts(folder) == [newer, older]


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[]", b'{"format": 2}', b"\xff\xfe", b'{"format": 1, "rel_path": 3}',
     json.dumps({"format": 1, "rel_path": "a.md", "base_hash": None, "saved_at": "yesterday", "fields": {}}).encode()],
)
def test_damaged_or_hand_edited_draft_files_are_ignored(folder, content):
    drafts.save_draft(folder, drafts.Draft("a.md", FIELDS))
    path = folder / drafts.DRAFTS_DIR / drafts.draft_file_name("a.md")
    path.write_bytes(content)
    assert drafts.load_draft(folder, "a.md") is None
    assert drafts.list_drafts(folder) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", 5), ("tags", "cnn"), ("tags", [1]), ("week", 1.5), ("week", "1"), ("day", True), ("date", "05/08"),
     ("body", None)],
)
def test_every_field_is_checked_on_load(folder, field, value):
    drafts.save_draft(folder, drafts.Draft("a.md", FIELDS))
    path = folder / drafts.DRAFTS_DIR / drafts.draft_file_name("a.md")
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["fields"][field] = value
    path.write_text(json.dumps(raw), encoding="utf-8")
    loaded = drafts.load_draft(folder, "a.md")
    assert loaded is None or (field == "body" and loaded.fields["body"] == "")


def test_an_unknown_type_loads_as_til_and_a_draft_for_another_note_is_not_taken(folder):
    drafts.save_draft(folder, drafts.Draft("a.md", {**FIELDS, "type": "essay"}))
    assert drafts.load_draft(folder, "a.md").fields["type"] == "til"
    path = folder / drafts.DRAFTS_DIR / drafts.draft_file_name("a.md")
    os.replace(path, folder / drafts.DRAFTS_DIR / drafts.draft_file_name("b.md"))
    assert drafts.load_draft(folder, "b.md") is None, "a file under b's name holding a's draft is not b's draft"
    assert drafts.list_drafts(folder) == []


def test_an_oversized_draft_file_is_ignored(folder):
    drafts.save_draft(folder, drafts.Draft("a.md", {**FIELDS, "body": "x" * (drafts.MAX_DRAFT_BYTES + 10)}))
    assert drafts.load_draft(folder, "a.md") is None


def test_read_only_mode_keeps_no_drafts(folder, monkeypatch):
    drafts.save_draft(folder, drafts.Draft("a.md", FIELDS))
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    with pytest.raises(storage.ReadOnlyError):
        drafts.save_draft(folder, drafts.Draft(None, FIELDS))
    assert drafts.discard_draft(folder, "a.md") is False
    assert drafts.load_draft(folder, "a.md") is not None


def test_a_hidden_state_folder_linked_outside_the_notes_folder_is_refused(folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (folder / ".studylab").symlink_to(outside, target_is_directory=True)
    with pytest.raises(storage.UnsafePathError):
        drafts.save_draft(folder, drafts.Draft("a.md", FIELDS))
    assert list(outside.iterdir()) == []
    (outside / "drafts").mkdir()
    (outside / "drafts" / drafts.NEW_ENTRY_FILE).write_text("{}")
    assert drafts.load_draft(folder, None) is None and drafts.list_drafts(folder) == []
    assert drafts.discard_draft(folder, None) is False
    assert (outside / "drafts" / drafts.NEW_ENTRY_FILE).exists()


def test_a_failed_write_keeps_the_previous_draft(folder, monkeypatch):
    drafts.save_draft(folder, drafts.Draft("a.md", FIELDS))

    def refuse(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(storage.StorageError, match="No space left"):
        drafts.save_draft(folder, drafts.Draft("a.md", {**FIELDS, "body": "new"}))
    monkeypatch.undo()
    assert drafts.load_draft(folder, "a.md").fields["body"] == FIELDS["body"]
    assert len(list((folder / drafts.DRAFTS_DIR).iterdir())) == 1


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rel_path=st.one_of(st.none(), texts.filter(bool)),
    title=texts, body=texts, course=texts, tags=st.lists(texts, max_size=4),
    date=st.one_of(st.none(), st.dates()), week=st.one_of(st.none(), st.integers(-10**6, 10**6)),
    note_type=st.sampled_from(NOTE_TYPES), template=st.one_of(st.none(), st.sampled_from(["til", "lecture"])),
)
def test_any_editor_content_round_trips_exactly(folder, rel_path, title, body, course, tags, date, week, note_type,
                                                template):
    fields = {"title": title, "date": date, "type": note_type, "tags": tags, "course": course, "week": week,
              "day": None, "body": body}
    draft = drafts.Draft(rel_path, fields, base_hash="h", template=template)
    drafts.save_draft(folder, draft)
    assert drafts.load_draft(folder, rel_path) == draft


def test_each_owner_keeps_its_own_file_and_discards_only_its_own(folder):
    tab_a, tab_b = drafts.new_owner(), drafts.new_owner()
    assert tab_a != tab_b and tab_a.startswith(f"{os.getpid()}-")
    drafts.save_draft(folder, drafts.Draft("a.md", {**FIELDS, "body": "A"}, owner=tab_a))
    drafts.save_draft(folder, drafts.Draft("a.md", {**FIELDS, "body": "B"}, owner=tab_b))
    drafts.save_draft(folder, drafts.Draft(None, {**FIELDS, "body": "new B"}, owner=tab_b))
    assert drafts.load_draft(folder, "a.md", tab_a).fields["body"] == "A"
    assert drafts.load_draft(folder, "a.md", tab_b).fields["body"] == "B"
    assert sorted(d.fields["body"] for d in drafts.drafts_of(folder, "a.md")) == ["A", "B"]
    assert drafts.discard_draft(folder, "a.md", tab_a) is True
    assert [d.owner for d in drafts.drafts_of(folder, "a.md")] == [tab_b]
    assert drafts.discard_draft(folder, None, tab_a) is False
    assert [d.fields["body"] for d in drafts.drafts_of(folder, None)] == ["new B"]


def test_a_draft_is_claimed_by_one_owner_only(folder):
    left = drafts.Draft("a.md", FIELDS, owner=drafts.new_owner())
    drafts.save_draft(folder, left)
    me, other = drafts.new_owner(), drafts.new_owner()
    [found] = drafts.drafts_of(folder, "a.md")
    claimed = drafts.claim(folder, found, me)
    assert claimed is not None and claimed.owner == me
    assert drafts.claim(folder, found, other) is None, "already taken"
    assert drafts.load_draft(folder, "a.md", me) == claimed and drafts.load_draft(folder, "a.md", left.owner) is None


def test_files_from_before_owners_are_still_found_and_have_no_owner(folder):
    (folder / drafts.DRAFTS_DIR).mkdir(parents=True)
    drafts.save_draft(folder, drafts.Draft("a.md", FIELDS))
    assert (folder / drafts.DRAFTS_DIR / drafts.draft_file_name("a.md")).name.count("-") == 0
    [old] = drafts.drafts_of(folder, "a.md")
    assert old.owner is None and not drafts.owner_alive(None, lambda owner: True)


def test_an_owner_is_alive_while_its_session_or_process_is():
    mine = drafts.new_owner()
    assert drafts.owner_alive(mine, lambda owner: owner == mine)
    assert not drafts.owner_alive(mine, lambda owner: False)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert drafts.owner_alive(f"{running.pid}-{'0' * 16}", lambda owner: False)
    finally:
        running.kill()
        running.wait()
    assert not drafts.owner_alive(f"{running.pid}-{'0' * 16}", lambda owner: True), "its process has ended"
    assert not drafts.owner_alive("../x", lambda owner: True)
