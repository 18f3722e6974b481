"""Every page renders with hostile files in the notes folder (issue 9, items 1, 2 and 8); each one
is on the dashboard's problems list with a reason; the Import tab refuses what the loader refuses;
Trash & history stays fast and useful for a huge note."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.journal import storage
from tests.conftest import APP

PAGES = ["pages/dashboard.py", "pages/notes.py", "pages/write.py", "pages/conv_lab.py", "pages/bptt_lab.py",
         "pages/archive.py"]
DEEP = ("---\ntitle: deep\nx: " + "[" * 500 + "]" * 500 + "\n---\nbody\n").encode()
LONG_FOLDER = "a" * 200


@pytest.fixture
def hostile(notes_dir: Path) -> dict[str, str]:
    """The shipped notes plus one of each hostile entry; {file: words its problem must contain}."""
    (notes_dir / "deep.md").write_bytes(DEEP)
    os.mkfifo(notes_dir / "pipe.md")
    (notes_dir / "loop.md").symlink_to(notes_dir / "loop.md")
    (notes_dir / "dangling.md").symlink_to(notes_dir / "gone.md")
    (notes_dir / "folder.md").mkdir()
    os.mkfifo(notes_dir / ".hidden-fifo")
    (notes_dir / "to-fifo.md").symlink_to(notes_dir / ".hidden-fifo")
    (notes_dir / LONG_FOLDER / ("b" * 60)).mkdir(parents=True)
    (notes_dir / LONG_FOLDER / ("b" * 60) / "long.md").write_text("---\ntitle: long\n---\n")
    return {
        "deep.md": "more than 16 levels",
        "pipe.md": "named pipe",
        "loop.md": "symlink loop",
        "dangling.md": "does not exist",
        "folder.md": "folder whose name ends in .md",
        "to-fifo.md": "link to a named pipe",
        f"{LONG_FOLDER}/{'b' * 60}/long.md": "255-byte limit",
    }


def test_every_page_renders_and_the_dashboard_lists_each_hostile_file(hostile):
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    reasons = dict(zip(frame["file"], frame["reason"], strict=True))
    for name, words in hostile.items():
        assert words in reasons[name], (name, reasons.get(name))
    assert at.metric[0].value == "6"
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)


def test_the_import_tab_refuses_deep_nesting_and_every_page_still_renders(notes_dir):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/archive.py").run()
    at.file_uploader[0].set_value([("deep.md", DEEP, "text/markdown")]).run()
    at.button(key="archive_import").click().run()
    assert "more than 16 levels" in "\n".join(error.value for error in at.error)
    assert not (notes_dir / "deep.md").exists()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)


def huge_note(notes_dir: Path, edit) -> None:
    """A 100,000-line note (about 370 kB) saved through storage, then saved again with `edit` applied
    to its body: one earlier version in the history."""
    body = "\n".join(str(index % 500) for index in range(100_000)) + "\n"
    meta = storage.build_meta("Huge", dt.date(2021, 8, 7), "til", [])
    first = storage.save_note(notes_dir, None, meta, body, expected_hash=None)
    assert first.rel_path == "2021-08-07-huge.md" and first.path.stat().st_size > 350_000
    storage.save_note(notes_dir, first.rel_path, meta, edit(body), expected_hash=first.content_hash)


def archive_at(notes_dir: Path, slug: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.query_params["history"] = slug
    at.switch_page("pages/archive.py").run()
    assert not at.exception, at.exception
    return at


def test_a_huge_note_with_changes_everywhere_gets_a_summary_and_downloads(notes_dir):
    huge_note(notes_dir, lambda text: text.replace("1", "7"))
    at = archive_at(notes_dir, "2021-08-07-huge")
    summary = "\n".join(warning.value for warning in at.warning)
    assert "Too many changes to compare line by line" in summary and "100,007 lines" in summary
    assert at.download_button(key="archive_download_version") and at.download_button(key="archive_download_current")
    assert "too long to show here" in "\n".join(caption.value for caption in at.caption)


def test_a_huge_note_with_one_change_shows_the_diff_with_its_line_numbers(notes_dir):
    huge_note(notes_dir, lambda text: text.replace("\n123\n", "\nchanged\n", 1))
    at = archive_at(notes_dir, "2021-08-07-huge")
    diff = at.code[0].value
    assert "\n-123\n+changed\n" in diff
    assert "@@ -128,7 +128,7 @@" in diff, diff[:300]  # the note's own line numbers: 7 front-matter lines, then 123
    assert not [button for button in at.get("download_button") if button.key == "archive_download_version"]
