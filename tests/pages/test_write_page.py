"""AppTest for Journal › Write: templates, editing, conflicts, today's entry, trash, read-only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.journal import notes as notes_lib
from core.journal import storage, templates
from tests.conftest import APP
from tests.pages.apptest import open_page

WRITE = "pages/write.py"


def write_page(edit: str | None = None) -> AppTest:
    return open_page(WRITE, **({"edit": edit} if edit else {}))


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def status(at: AppTest) -> dict:
    """What the Write page's status line shows: {"state": ..., "label": ...}."""
    [line] = [element for element in at.get("bidi_component") if element.proto.component_name.endswith("status")]
    return json.loads(line.proto.json)


def note_files(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.md")}


def library(folder: Path) -> notes_lib.Library:
    return notes_lib.load_library(folder)


def save(at: AppTest) -> AppTest:
    at.button(key="write_save").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("template", templates.TEMPLATES, ids=lambda t: t.key)
def test_create_a_note_from_each_template_and_see_it_on_the_notes_page(notes_dir, template):
    at = write_page()
    before = note_files(notes_dir)
    at.selectbox(key="write_template").set_value(template.key)
    at.button(key="write_new").click().run()
    assert at.selectbox(key="write_type").value == template.type
    assert at.text_area(key="write_body").value == templates.new_entry(
        template.key, dt.date.today(), library(notes_dir).notes
    ).body
    title = f"My {template.label}: part 2"
    at.text_input(key="write_title").set_value(title)
    at.multiselect(key="write_tags").set_value(["cnn", "새-태그"])
    save(at)

    [created] = note_files(notes_dir) - before
    assert created == f"{dt.date.today().isoformat()}-{storage.slugify(title)}.md"
    note = next(n for n in library(notes_dir).notes if n.path == created)
    assert (note.title, note.type, note.date) == (title, template.type, dt.date.today())
    assert set(note.tags) >= {"cnn", "새-태그"}
    assert at.query_params["edit"] == note.slug
    assert "Saved" in texts(at.success)

    notes_page = AppTest.from_file(APP, default_timeout=60).run()
    notes_page.query_params["note"] = note.slug
    notes_page.switch_page("pages/notes.py").run()
    assert not notes_page.exception
    assert title in texts(notes_page.title) + texts(notes_page.header) + texts(notes_page.markdown)


def test_edit_an_existing_note_keeps_history_and_shows_on_the_notes_page(notes_dir):
    slug = "2021-08-05-cnn-first-steps"
    at = write_page(edit=slug)
    assert at.text_input(key="write_title").value == "CNN first steps"
    assert at.selectbox(key="write_type").value == "lecture"
    assert "Editing" in texts(at.subheader)
    old_bytes = (notes_dir / f"{slug}.md").read_bytes()
    at.text_area(key="write_body").set_value(
        at.text_area(key="write_body").value + "\nAn added line about padding.\n"
    ).run()
    assert status(at)["state"] == "unsaved" and status(at)["label"].startswith("Unsaved changes")
    save(at)
    note = library(notes_dir).by_slug[slug]
    assert note.body.endswith("An added line about padding.\n")
    assert note.labs == notes_lib.parse_note(old_bytes, f"{slug}.md").labs
    [version] = storage.list_history(notes_dir, f"{slug}.md")
    assert version.path.read_bytes() == old_bytes
    assert status(at)["state"] == "saved" and status(at)["label"].startswith("Saved at ")

    notes_page = AppTest.from_file(APP, default_timeout=60).run()
    notes_page.query_params["note"] = slug
    notes_page.switch_page("pages/notes.py").run()
    assert "An added line about padding." in texts(notes_page.markdown)


def test_preview_renders_the_draft_like_the_notes_page(notes_dir):
    at = write_page()
    at.text_input(key="write_title").set_value("Preview me")
    at.text_area(key="write_body").set_value(
        "Math $O = H - K + 1$ and [[2021-08-05-cnn-first-steps]].\n<script>x</script>\n"
    ).run()
    rendered = texts(at.markdown)
    assert "Math $O = H - K + 1$" in rendered
    assert "[CNN first steps](notes?note=2021-08-05-cnn-first-steps)" in rendered
    assert not any(getattr(m.proto, "allow_html", False) for m in at.markdown)


def test_a_missing_title_is_refused_in_the_page_and_nothing_is_written(notes_dir):
    at = write_page()
    before = note_files(notes_dir)
    at.text_input(key="write_title").set_value("   ")
    save(at)
    assert "A note needs a title." in texts(at.error)
    assert status(at)["state"] == "refused" and status(at)["label"].startswith("Not saved")
    assert "Nothing to preview yet" not in texts(at.info), "the preview stands in a placeholder title"
    assert "needs a title" not in texts(at.caption), "the refusal says it once"
    assert "Untitled" in texts(at.title) + texts(at.markdown)
    assert note_files(notes_dir) == before
    at.run()
    assert status(at)["state"] != "refused", "'Not saved' answers that one save only"


def test_a_template_without_a_title_previews_with_a_placeholder_and_one_message(notes_dir):
    at = write_page()
    at.selectbox(key="write_template").set_value("lecture").run()
    assert at.text_input(key="write_title").value == ""
    assert "Nothing to preview yet" not in texts(at.info)
    assert [caption for caption in at.caption if "title" in caption.value.lower()], "one line says a title is due"
    assert not at.error


def test_the_status_line_is_sent_again_on_every_run_so_saving_always_ends(notes_dir):
    """The browser shows "Saving…" until the component hears from the server; a save answered
    with the same label as before ("Saved at HH:MM" twice in a minute) must still be heard."""
    at = write_page(edit="2021-08-05-mentor-meeting")
    first = status(at)
    save(at)
    second = status(at)
    assert (first["state"], first["label"]) == (second["state"], second["label"]) == ("saved", second["label"])
    assert first != second, "a nonce makes each run's data new"


def test_a_conflict_keeps_the_users_text_shows_a_diff_and_saves_a_copy(notes_dir):
    slug = "2021-08-05-mentor-meeting"
    path = notes_dir / f"{slug}.md"
    at = write_page(edit=slug)
    mine = at.text_area(key="write_body").value + "\nMy line from the browser.\n"
    at.text_area(key="write_body").set_value(mine).run()
    path.write_text(path.read_text(encoding="utf-8") + "\nA line from another editor.\n", encoding="utf-8")
    theirs = path.read_bytes()
    save(at)

    assert "changed on disk since you opened it" in texts(at.error)
    assert at.text_area(key="write_body").value == mine
    diff = texts(at.code)
    assert "+My line from the browser." in diff and "-A line from another editor." in diff
    assert path.read_bytes() == theirs

    at.button(key="write_copy").click().run()
    assert not at.exception
    assert path.read_bytes() == theirs
    copy = next(n for n in library(notes_dir).notes if n.path == f"{slug}-2.md")
    assert copy.body.endswith("My line from the browser.\n")
    assert at.query_params["edit"] == copy.slug
    assert "changed on disk" not in texts(at.error) and "Saved" in texts(at.success)


def save_into_a_conflict(notes_dir: Path, slug: str, widget, value: str) -> tuple[AppTest, bytes]:
    """Edit `slug` in the Write page, let another writer append to the file, then press Save.
    Returns the page (showing the conflict) and the other writer's bytes."""
    path = notes_dir / f"{slug}.md"
    at = write_page(edit=slug)
    widget(at).set_value(value).run()
    path.write_text(path.read_text(encoding="utf-8") + "\nTheirs.\n", encoding="utf-8")
    theirs = path.read_bytes()
    save(at)
    return at, theirs


def test_a_conflict_can_be_overwritten_knowingly_and_the_other_text_goes_to_history(notes_dir):
    slug = "2021-08-05-mentor-meeting"
    at, theirs = save_into_a_conflict(
        notes_dir, slug, lambda page: page.text_input(key="write_title"), "Mentor meeting (edited)"
    )
    at.button(key="write_overwrite").click().run()
    assert not at.exception
    assert library(notes_dir).by_slug[slug].title == "Mentor meeting (edited)"
    assert storage.list_history(notes_dir, f"{slug}.md")[0].path.read_bytes() == theirs


def test_a_conflict_can_be_resolved_by_loading_the_disk_version(notes_dir):
    slug = "2021-08-05-mentor-meeting"
    at, _ = save_into_a_conflict(notes_dir, slug, lambda page: page.text_area(key="write_body"), "mine")
    at.button(key="write_reload").click().run()
    assert at.text_area(key="write_body").value.endswith("Theirs.\n")
    assert not at.error


def test_open_todays_entry_opens_an_unsaved_draft_then_the_saved_entry(notes_dir):
    at = write_page()
    before = note_files(notes_dir)
    at.button(key="write_today").click().run()
    assert not at.exception
    assert note_files(notes_dir) == before, "nothing is written until the student saves"
    assert at.query_params["new"] == "til" and "edit" not in at.query_params
    assert at.selectbox(key="write_type").value == "til"
    assert at.date_input(key="write_date").value == dt.date.today()
    assert status(at)["state"] == "new"
    save(at)
    today = dt.date.today()
    [todays] = [n for n in library(notes_dir).notes if n.date == today]
    at.button(key="write_new").click().run()
    at.button(key="write_today").click().run()
    assert at.query_params["edit"] == todays.slug, "once saved, the button opens it"
    assert len([n for n in library(notes_dir).notes if n.date == today]) == 1


def test_a_draft_survives_switching_pages(notes_dir):
    at = write_page()
    at.text_input(key="write_title").set_value("Half written")
    at.text_area(key="write_body").set_value("Do not lose me.").run()
    at.switch_page("pages/notes.py").run()
    at.switch_page(WRITE).run()
    assert at.text_input(key="write_title").value == "Half written"
    assert at.text_area(key="write_body").value == "Do not lose me."


def test_trash_from_the_editor_then_restore_on_the_archive_page(notes_dir):
    slug = "2021-08-05-masterclass-ai-and-math"
    data = (notes_dir / f"{slug}.md").read_bytes()
    at = write_page(edit=slug)
    at.button(key="write_trash").click().run()
    assert not at.exception
    assert slug not in library(notes_dir).by_slug
    assert "Moved" in texts(at.success)
    assert "edit" not in at.query_params

    at.switch_page("pages/archive.py").run()
    [entry] = storage.list_trash(notes_dir)
    at.button(key=f"archive_restore_{entry.name}").click().run()
    assert not at.exception
    assert (notes_dir / f"{slug}.md").read_bytes() == data
    assert slug in library(notes_dir).by_slug
    at.query_params["note"] = slug
    at.switch_page("pages/notes.py").run()
    assert "AI and mathematics" in texts(at.markdown)


def test_trash_is_disabled_while_there_are_unsaved_changes(notes_dir):
    at = write_page(edit="2021-08-05-masterclass-ai-and-math")
    at.text_area(key="write_body").set_value("changed").run()
    assert at.button(key="write_trash").disabled


def test_an_unknown_edit_slug_falls_back_to_a_new_entry(notes_dir):
    at = write_page(edit="../../etc/passwd")
    assert "There is no note named" in texts(at.warning)
    assert "New entry" in texts(at.subheader)


def test_read_only_a_write_link_explains_and_points_to_the_note(notes_dir, monkeypatch):
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    at = open_page(WRITE, edit="2021-08-05-masterclass-ai-and-math")
    assert "Writing is turned off here." in texts(at.info) and "STUDYLAB_READONLY" in texts(at.info)
    assert not at.text_area and not at.button, "no editor, nothing to click but the way to the note"
    [link] = at.get("page_link")
    assert link.proto.query_string == "note=2021-08-05-masterclass-ai-and-math"


def test_an_editor_without_changes_follows_the_file_on_disk(notes_dir):
    slug = "2021-08-05-rnn-first-steps"
    path = notes_dir / f"{slug}.md"
    at = write_page(edit=slug)
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: RNN first steps", "title: RNN first steps (edited in vim)"),
        encoding="utf-8",
    )
    at.run()
    assert at.text_input(key="write_title").value == "RNN first steps (edited in vim)"
    at.text_area(key="write_body").set_value("my new body").run()
    save(at)
    assert not at.error
    assert library(notes_dir).by_slug[slug].body == "my new body\n"


def test_an_editor_with_changes_warns_when_the_file_changes_on_disk(notes_dir):
    slug = "2021-08-05-rnn-first-steps"
    path = notes_dir / f"{slug}.md"
    at = write_page(edit=slug)
    at.text_area(key="write_body").set_value("unsaved words").run()
    path.write_text(path.read_text(encoding="utf-8") + "\nfrom elsewhere\n", encoding="utf-8")
    at.run()
    assert "changed on disk" in texts(at.warning)
    assert at.text_area(key="write_body").value == "unsaved words"


def test_unsaved_text_survives_the_note_being_trashed_elsewhere(notes_dir):
    slug = "2021-08-05-cnn-first-steps"
    at = write_page(edit=slug)
    at.text_area(key="write_body").set_value("MY UNSAVED PARAGRAPH").run()
    storage.trash_note(notes_dir, f"{slug}.md")
    at.run()
    assert not at.exception
    assert at.text_area(key="write_body").value == "MY UNSAVED PARAGRAPH"
    assert "no longer in the notes folder" in at.warning[0].value
    save(at)
    at.button(key="write_copy").click().run()
    assert not at.exception
    saved = [note for note in library(notes_dir).notes if note.body.strip() == "MY UNSAVED PARAGRAPH"]
    assert len(saved) == 1


def test_the_template_box_shows_the_edited_notes_kind(notes_dir):
    at = write_page(edit="2021-08-05-mentor-meeting")
    assert at.selectbox(key="write_type").value == "peer-session"
    assert at.selectbox(key="write_template").value == "peer-session", "not 'Daily TIL' while a peer session is open"
    at = write_page(edit="2021-08-05-cnn-first-steps")
    assert at.selectbox(key="write_template").value == "lecture"
