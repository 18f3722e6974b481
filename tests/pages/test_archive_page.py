"""AppTest for Records › Trash & history: restore deleted notes and versions, import, export."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from streamlit.testing.v1 import AppTest

from core.journal import notes as notes_lib
from core.journal import storage
from tests.pages.apptest import open_page

ARCHIVE = "pages/archive.py"
CNN = "2021-08-05-cnn-first-steps.md"


def archive_page(**query: str) -> AppTest:
    return open_page(ARCHIVE, **query)


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def edit_twice(notes_dir) -> list[bytes]:
    """Save CNN twice through storage; return the bytes of the three versions, oldest first."""
    versions = [(notes_dir / CNN).read_bytes()]
    for body in ("second version\n", "third version\n"):
        data, loaded = storage.read_note(notes_dir, CNN)
        old = notes_lib.parse_note(data, CNN)
        meta = storage.build_meta(old.title, old.date, old.type, old.tags, base=old.meta)
        versions.append(storage.save_note(notes_dir, CNN, meta, body, expected_hash=loaded).path.read_bytes())
    return versions


def test_empty_trash_and_no_history_say_so(notes_dir):
    at = archive_page()
    captions = texts(at.caption)
    assert "The trash is empty." in captions
    assert "No earlier versions of this note yet" in captions


def test_trash_lists_deleted_notes_and_restores_them(notes_dir):
    data = (notes_dir / CNN).read_bytes()
    storage.trash_note(notes_dir, CNN)
    at = archive_page()
    assert "**CNN first steps** · `2021-08-05-cnn-first-steps.md`" in texts(at.markdown)
    [entry] = storage.list_trash(notes_dir)
    at.button(key=f"archive_restore_{entry.name}").click().run()
    assert not at.exception
    assert "Restored `2021-08-05-cnn-first-steps.md`." in texts(at.success)
    assert (notes_dir / CNN).read_bytes() == data
    assert "The trash is empty." in texts(at.caption)


def test_history_shows_a_diff_against_the_current_text_and_restores_a_version(notes_dir):
    first, second, third = edit_twice(notes_dir)
    at = archive_page(history="2021-08-05-cnn-first-steps")
    assert at.selectbox(key="archive_note").value == CNN
    versions = storage.list_history(notes_dir, CNN)
    assert at.selectbox(key="archive_version").options == [
        at.selectbox(key="archive_version").format_func(v.name) for v in versions
    ]
    diff = at.code[0].value
    assert "-second version" in diff and "+third version" in diff

    at.selectbox(key="archive_version").set_value(versions[1].name).run()
    assert "+third version" in at.code[0].value and "-# CNN first steps" in at.code[0].value
    at.button(key="archive_restore_version").click().run()
    assert not at.exception
    assert "Restored the version" in texts(at.success)
    assert (notes_dir / CNN).read_bytes() == first
    assert storage.list_history(notes_dir, CNN)[0].path.read_bytes() == third


def test_restoring_a_version_after_the_note_changed_elsewhere_is_refused(notes_dir):
    edit_twice(notes_dir)
    at = archive_page(history="2021-08-05-cnn-first-steps")
    (notes_dir / CNN).write_text("---\ntitle: changed meanwhile\n---\n", encoding="utf-8")
    at.button(key="archive_restore_version").click().run()
    assert "changed on disk" in texts(at.error)
    assert (notes_dir / CNN).read_text(encoding="utf-8") == "---\ntitle: changed meanwhile\n---\n"


def test_import_saves_good_files_and_refuses_bad_ones_with_the_reason(notes_dir):
    good = "---\ntitle: Imported\ndate: 2021-08-09\ntype: til\n---\n# Imported\n".encode()
    at = archive_page()
    at.file_uploader[0].set_value([
        ("../../escape.md", good, "text/markdown"),
        ("broken.md", b"---\ntitle: [oops\n---\n", "text/markdown"),
        ("binary.md", b"\x00\x01", "text/markdown"),
    ]).run()
    at.button(key="archive_import").click().run()
    assert not at.exception
    assert "was imported as `escape.md`" in texts(at.success)
    errors = texts(at.error)
    assert "broken" in errors and "not valid YAML" in errors and "binary" in errors
    assert (notes_dir / "escape.md").read_bytes() == good
    assert not (notes_dir.parent / "escape.md").exists()
    assert not (notes_dir / "broken.md").exists() and not (notes_dir / "binary.md").exists()
    assert "Imported" in {n.title for n in notes_lib.load_library(notes_dir).notes}


def test_export_offers_the_zip_and_single_notes(notes_dir):
    at = archive_page()
    assert at.download_button(key="archive_export_zip").label.startswith("Download the whole journal")
    assert at.download_button(key="archive_export_one")
    assert f"CNN first steps ({CNN})" in at.selectbox(key="archive_export_note").options
    assert at.selectbox(key="archive_export_note").value == notes_lib.load_library(notes_dir).notes[0].path
    archive = zipfile.ZipFile(io.BytesIO(storage.export_zip(notes_dir)))
    assert f"notes/{CNN}" in archive.namelist() and len(archive.namelist()) == 12  # six notes, six translations


def test_read_only_mode_shows_but_does_not_offer_changes(notes_dir, monkeypatch):
    edit_twice(notes_dir)
    storage.trash_note(notes_dir, "2021-08-05-mentor-meeting.md")
    monkeypatch.setenv("STUDYLAB_READONLY", "true")
    at = archive_page(history="2021-08-05-cnn-first-steps")
    assert "read-only" in texts(at.info)
    assert "Mentor meeting" in texts(at.markdown)
    assert "+third version" in at.code[0].value
    assert [b.key for b in at.button] == []
    assert len(at.file_uploader) == 0
    assert at.download_button(key="archive_export_zip")


def test_history_of_a_note_that_was_never_saved_from_the_app(notes_dir):
    at = archive_page(history="2021-08-05-rnn-first-steps")
    assert at.selectbox(key="archive_note").value == "2021-08-05-rnn-first-steps.md"
    assert "No earlier versions" in texts(at.caption)
    assert dt.date(2021, 8, 5).isoformat() in at.selectbox(key="archive_note").format_func(
        "2021-08-05-rnn-first-steps.md"
    )


def test_history_shows_the_restored_note_after_a_restore_from_the_trash(notes_dir):
    edit_twice(notes_dir)
    at = archive_page()
    at.selectbox(key="archive_note").set_value("2021-08-05-rnn-first-steps.md").run()
    storage.trash_note(notes_dir, CNN)
    at.run()
    [entry] = storage.list_trash(notes_dir)
    at.button(key=f"archive_restore_{entry.name}").click().run()
    assert not at.exception
    assert at.selectbox(key="archive_note").value == CNN
    versions = storage.list_history(notes_dir, CNN)
    assert len(versions) == 2
    assert at.selectbox(key="archive_version").options == [
        at.selectbox(key="archive_version").format_func(v.name) for v in versions
    ]
    assert "No earlier versions" not in texts(at.caption)


def test_the_history_link_of_another_note_switches_the_history_tab(notes_dir):
    edit_twice(notes_dir)
    at = archive_page(history="2021-08-05-rnn-first-steps")
    assert at.selectbox(key="archive_note").value == "2021-08-05-rnn-first-steps.md"
    at.query_params["history"] = "2021-08-05-cnn-first-steps"
    at.run()
    assert at.selectbox(key="archive_note").value == CNN


def open_tab(at: AppTest) -> str:
    """The label of the tab the Trash & history page shows open."""
    [container] = [block for block in at.main.children.values() if block.type == "tab_container"]
    return at.tabs[container.proto.tab_container.default_tab_index].label


def test_a_history_link_opens_the_history_tab_and_it_stays_open_after_a_restore(notes_dir):
    edit_twice(notes_dir)
    assert open_tab(archive_page()) == "Trash"
    at = archive_page(history="2021-08-05-cnn-first-steps")
    assert open_tab(at) == "History"
    at.button(key="archive_restore_version").click().run()
    assert "Restored the version" in texts(at.success)
    assert open_tab(at) == "History", "a restore keeps the History tab open"


def test_the_tab_the_reader_chose_survives_a_message(notes_dir):
    storage.trash_note(notes_dir, CNN)
    at = archive_page()
    at.session_state["archive_tab"] = "Import"  # what a click on the Import tab sends
    at.run()
    assert open_tab(at) == "Import"
    [entry] = storage.list_trash(notes_dir)
    at.button(key=f"archive_restore_{entry.name}").click().run()
    assert "Restored" in texts(at.success)
    assert open_tab(at) == "Import"


def test_an_empty_journals_history_tab_says_what_to_do(notes_dir):
    for note in notes_dir.glob("*.md"):
        note.unlink()
    at = archive_page()
    assert "no notes yet" in texts(at.info)
    assert [link.proto.label for link in at.get("page_link")] == ["Write your first entry"]
