"""AppTest for the app frame, the dashboard and the Notes page."""

from __future__ import annotations

import datetime as dt
import time

from streamlit.testing.v1 import AppTest

from tests.conftest import APP


def markdown_text(at) -> str:
    return "\n".join(element.value for element in at.markdown)


def test_dashboard_renders_with_metrics_calendar_and_recent_entries(app):
    assert [metric.label for metric in app.metric] == ["Notes", "Current streak", "Longest streak", "Study days"]
    assert app.metric[0].value == "6"
    assert app.metric[2].value == "1 day"
    assert app.selectbox(key="dashboard_year").value == 2021
    assert len(app.get("vega_lite_chart")) == 2
    assert "No journal entry yet today" in markdown_text(app)  # issue 22: the Today block says it
    assert [link.proto.label for link in app.get("page_link") if link.proto.page == "write"] == [
        "Write today's TIL"
    ]
    assert "Notes-folder problems" not in [subheader.value for subheader in app.subheader]


def test_sidebar_names_the_notes_folder_on_every_journal_page(app, notes_dir):
    assert str(notes_dir) in [code.value for code in app.sidebar.code]
    app.switch_page("pages/notes.py").run()
    assert str(notes_dir) in [code.value for code in app.sidebar.code], "pages run inside app.py's frame"


def test_dashboard_lists_bad_files_with_reasons(notes_dir):
    (notes_dir / "broken.md").write_bytes(b"---\ntitle: [oops\n---\n")
    (notes_dir / "binary.md").write_bytes(b"\x00\x01\x02")
    (notes_dir / "latin1.md").write_bytes(b"caf\xe9")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert sorted(frame["file"]) == ["binary.md", "broken.md", "latin1.md"]
    assert any("3 problems in 3 files: 3 files could not be read as notes." in warning.value for warning in at.warning)
    assert at.metric[0].value == "6"


def test_dashboard_today_prompt_disappears_with_an_entry_today(notes_dir):
    today = dt.date.today().isoformat()
    (notes_dir / f"{today}-til.md").write_text(f"---\ndate: {today}\ntype: til\n---\n# Today\n")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "No entry for today" not in markdown_text(at)
    assert at.metric[1].value == "1 day"


def test_empty_notes_folder_renders_every_journal_page(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYLAB_NOTES_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.metric[0].value == "0"
    at.switch_page("pages/notes.py").run()
    assert not at.exception
    assert "No notes yet" in at.info[0].value


def test_notes_page_search_narrows_the_list(app):
    app.switch_page("pages/notes.py").run()
    assert not app.exception
    assert app.main.caption[0].value == "6 of 6 notes"
    app.text_input(key="notes_query").set_value("합성곱").run()
    assert app.main.caption[0].value == "2 of 6 notes", "the CNN note, and the RNN note via 'convolution'"
    assert ":orange-background[**합성곱**]" in "\n".join(caption.value for caption in app.main.caption)
    assert "CNN first steps" in markdown_text(app)
    app.text_input(key="notes_query").set_value("no such word anywhere").run()
    assert app.main.caption[0].value == "0 of 6 notes"
    assert "No note matches" in app.info[0].value


def test_notes_page_filters_by_type_and_tag(app):
    app.switch_page("pages/notes.py").run()
    app.multiselect(key="notes_types").set_value(["lecture"]).run()
    assert app.main.caption[0].value == "2 of 6 notes"
    app.multiselect(key="notes_tags").set_value(["convolution"]).run()
    assert app.main.caption[0].value == "1 of 6 notes"


def test_query_param_opens_the_note_with_chips_and_backlinks(app):
    app.switch_page("pages/notes.py")
    app.query_params["note"] = "2021-08-05-bptt-linear-rnn"
    app.run()
    assert not app.exception
    text = markdown_text(app)
    assert ":blue-badge[:material/calculate: assignment]" in text
    assert "#rnn" in text
    assert "Linked from" in text
    assert "(notes?note=2021-08-05-rnn-first-steps)" in text


def test_unknown_note_param_warns_instead_of_failing(app):
    app.switch_page("pages/notes.py")
    app.query_params["note"] = "../../etc/passwd"
    app.run()
    assert not app.exception
    assert "There is no note named" in app.warning[0].value


def test_note_edited_on_disk_shows_on_next_rerun(app, notes_dir):
    app.switch_page("pages/notes.py")
    app.query_params["note"] = "2021-08-05-retrospective"
    app.run()
    path = notes_dir / "2021-08-05-retrospective.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAN EDIT MADE ON DISK\n", encoding="utf-8")
    time.sleep(0.01)
    app.run()
    assert "AN EDIT MADE ON DISK" in markdown_text(app)


def test_raw_html_in_a_note_is_not_marked_safe(notes_dir):
    (notes_dir / "2021-08-07-html.md").write_text("---\ndate: 2021-08-07\n---\n<script>alert(1)</script>\n")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/notes.py")
    at.query_params["note"] = "2021-08-07-html"
    at.run()
    assert not any(element.allow_html for element in at.markdown)


def test_notes_page_moves_a_note_to_the_trash(app, notes_dir):
    app.switch_page("pages/notes.py")
    app.query_params["note"] = "2021-08-05-mentor-meeting"
    app.run()
    app.button(key="notes_delete").click().run()
    assert not app.exception
    assert not (notes_dir / "2021-08-05-mentor-meeting.md").exists()
    assert list((notes_dir / ".trash").rglob("*mentor-meeting*"))
    assert "5 of 5 notes" in [caption.value for caption in app.main.caption]


def test_readonly_hides_edit_and_delete(notes_dir, monkeypatch):
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/notes.py").run()
    assert not at.exception
    assert not [button for button in at.button if button.key == "notes_delete"]
