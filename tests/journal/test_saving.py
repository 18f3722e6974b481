"""Saving: the compare-and-swap catches a change between its check and its replace, special files
and over-long paths are refused with a message, and front matter round-trips every character."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
import unicodedata
import zipfile

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.journal import notes as notes_lib
from core.journal import storage
from core.journal.storage import durable
from tests.journal.test_files import in_time
from tests.journal.test_storage import DAY, meta, saved


def between_check_and_swap(monkeypatch, action) -> None:
    """Run `action()` once, right after the save checked the hash and kept the old version."""
    real, done = durable.write_temp, []

    def write_temp(directory, data, *args):
        if not done:
            done.append(True)
            action()
        return real(directory, data, *args)

    monkeypatch.setattr(durable, "write_temp", write_temp)


def test_an_editor_replacing_the_note_mid_save_gets_its_version_back_and_a_conflict(folder, monkeypatch):
    first = saved(folder, "Raced", body="version the editor loaded\n")
    original = first.path.read_bytes()

    def editor_saves():
        temp = folder / ".editor.swp"
        temp.write_text("---\ntitle: editor\n---\nthe editor's text\n")
        os.replace(temp, first.path)

    between_check_and_swap(monkeypatch, editor_saves)
    with pytest.raises(storage.ConflictError, match="changed on disk") as conflict:
        storage.save_note(folder, first.rel_path, meta("Raced"), "my text\n", expected_hash=first.content_hash)
    assert first.path.read_text() == "---\ntitle: editor\n---\nthe editor's text\n" == conflict.value.disk_text
    assert [version.path.read_bytes() for version in storage.list_history(folder, first.rel_path)] == [original]
    assert "my text" not in "".join(p.read_text() for p in folder.rglob("*.md"))
    assert not list(folder.rglob(".tmp-*"))
    disk_hash = conflict.value.disk_hash
    again = storage.save_note(folder, first.rel_path, meta("Raced"), "my text\n", expected_hash=disk_hash)
    assert "my text" in again.path.read_text()
    assert b"the editor's text" in storage.list_history(folder, first.rel_path)[0].path.read_bytes()


def test_a_note_deleted_mid_save_is_a_conflict_and_its_last_version_is_kept(folder, monkeypatch):
    first = saved(folder, "Vanishing", body="last words\n")
    between_check_and_swap(monkeypatch, lambda: first.path.unlink())
    with pytest.raises(storage.ConflictError, match="deleted or moved") as conflict:
        storage.save_note(folder, first.rel_path, meta("Vanishing"), "mine\n", expected_hash=first.content_hash)
    assert conflict.value.disk_text is None and not first.path.exists()
    assert b"last words" in storage.list_history(folder, first.rel_path)[0].path.read_bytes()
    assert not list(folder.rglob(".tmp-*"))


def test_an_editor_writing_in_place_mid_save_is_not_erased(folder, monkeypatch):
    first = saved(folder, "In place", body="loaded\n")
    between_check_and_swap(monkeypatch, lambda: first.path.write_text("---\ntitle: vim\n---\nwritten in place\n"))
    with pytest.raises(storage.ConflictError):
        storage.save_note(folder, first.rel_path, meta("In place"), "mine\n", expected_hash=first.content_hash)
    assert first.path.read_text().endswith("written in place\n")
    assert storage.list_history(folder, first.rel_path) == [], "no history entry may share the live file"


def test_a_restore_racing_an_editor_is_a_conflict_too(folder, monkeypatch):
    first = saved(folder, "Restore", body="one\n")
    second = storage.save_note(folder, first.rel_path, meta("Restore"), "two\n", expected_hash=first.content_hash)
    [version] = storage.list_history(folder, first.rel_path)
    between_check_and_swap(monkeypatch, lambda: first.path.write_text("---\ntitle: x\n---\nthird party\n"))
    with pytest.raises(storage.ConflictError):
        storage.restore_version(folder, first.rel_path, version.name, expected_hash=second.content_hash)
    assert first.path.read_text().endswith("third party\n")


# --- special files and long paths ------------------------------------------------------------------


def test_a_fifo_where_a_note_should_be_is_refused_without_blocking(folder):
    os.mkfifo(folder / "pipe.md")
    with pytest.raises(storage.StorageError, match="named pipe"):
        in_time(lambda: storage.read_note(folder, "pipe.md"))
    with pytest.raises(storage.StorageError, match="named pipe"):
        in_time(lambda: storage.save_note(folder, "pipe.md", meta("Pipe"), "x", expected_hash=None))
    with pytest.raises(storage.StorageError):
        in_time(lambda: storage.trash_note(folder, "pipe.md"))


def test_the_zip_export_skips_special_files_without_blocking(folder, tmp_path):
    first = saved(folder, "Exported")
    os.mkfifo(folder / "pipe.md")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "dangling.md").symlink_to(folder / "nowhere.md")
    (folder / "dir.md").mkdir()
    (folder / "dir.md" / "inside.md").write_text("---\ntitle: inside\n---\n")
    names = zipfile.ZipFile(io.BytesIO(in_time(lambda: storage.export_zip(folder)))).namelist()
    assert sorted(names) == sorted([f"notes/{first.rel_path}", "notes/dir.md/inside.md"])


LONG_NAME = "x" * 253 + ".md"  # 256 bytes: longer than any file name may be
LONG_PATH = "/".join(["y" * 100] * 3) + ".md"  # 305 bytes in names that each fit


@pytest.mark.parametrize("rel_path", [LONG_NAME, LONG_PATH, "합" * 85 + ".md"], ids=["name", "path", "korean"])
def test_over_long_paths_are_refused_with_a_message_not_an_os_error(folder, rel_path):
    calls = [
        lambda: storage.save_note(folder, rel_path, meta("Long"), "x", expected_hash=None),
        lambda: storage.read_note(folder, rel_path),
        lambda: storage.trash_note(folder, rel_path),
        lambda: storage.list_history(folder, rel_path),
        lambda: storage.restore_version(folder, rel_path, "v.md", expected_hash=None),
    ]
    for call in calls:
        with pytest.raises(storage.UnsafePathError, match="bytes"):
            call()


# --- front matter round trip -----------------------------------------------------------------------


LINE_BREAKS = ["\x85", "\u2028", "\u2029", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[f"U+{ord(b[0]):04X}" for b in LINE_BREAKS])
def test_line_breaks_in_kept_front_matter_values_survive_a_save(folder, brk):
    """Item 6: a value the app does not edit (here `mood`) is written back exactly."""
    (folder / "n.md").write_text(f'---\ntitle: Old\ndate: 2021-08-05\nmood: "{escape(f"a{brk}b")}"\n---\nbody\n')
    data, loaded = storage.read_note(folder, "n.md")
    old = notes_lib.parse_note(data, "n.md")
    assert old.meta["mood"] == f"a{brk}b"
    new_meta = storage.build_meta("New", old.date, "til", [], base=old.meta)
    result = storage.save_note(folder, "n.md", new_meta, "body", expected_hash=loaded)
    assert notes_lib.parse_note(result.path.read_bytes(), "n.md").meta["mood"] == f"a{brk}b"


def escape(text: str) -> str:
    """YAML double-quoted escapes for the test's hand-written note."""
    return "".join(f"\\u{ord(char):04x}" if not char.isprintable() or unicodedata.category(char)[0] == "Z"
                   and char != " " else char for char in text)


scalars = st.one_of(st.text(), st.integers(-10**6, 10**6), st.booleans(), st.dates(dt.date(1000, 1, 1)))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner,
                                                                                              max_size=3),
                      max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(title=st.text(), tags=st.lists(st.text(), max_size=4), course=st.text(), extra=values)
def test_any_unicode_in_front_matter_round_trips(title, tags, course, extra):
    """Item 6, over all of Unicode: titles, tags and the course read back as cleaned (one line, NFC),
    every other value exactly."""
    assume(storage.clean_line(title))
    meta_in = storage.build_meta(title, DAY, "til", tags, course=course, base={"extra": extra, "empty": ""})
    note = storage.draft_note(meta_in, "body", "2021-08-06-x.md")
    assert note.title == storage.clean_line(title)
    assert note.tags == tuple(dict.fromkeys(tag for tag in map(storage.clean_tag, tags) if tag))
    assert note.course == (storage.clean_line(course) or None)
    assert note.meta["extra"] == extra and note.meta["empty"] == ""
    assert storage.clean_line(note.title) == note.title, "cleaning is stable: a second save changes nothing"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(alphabet=st.characters(categories=["Zl", "Zp", "Cc", "Cf", "Zs", "Lo"]), min_size=1),
       extra=st.text(alphabet=st.characters(categories=["Zl", "Zp", "Cc", "Cf", "Zs"]), min_size=1))
def test_line_break_heavy_front_matter_round_trips_through_disk(folder, title, extra):
    assume(storage.clean_line(title))
    result = storage.save_note(folder, None, storage.build_meta(title, DAY, "til", [title], base={"x": extra}),
                               "body", expected_hash=None)
    note = notes_lib.parse_note(result.path.read_bytes(), result.rel_path)
    assert (note.title, note.meta["x"]) == (storage.clean_line(title), extra)
    storage.trash_note(folder, result.rel_path)


def test_threads_and_the_lock_do_not_deadlock(folder):
    first = saved(folder, "Busy")
    errors = []

    def edit(number: int) -> None:
        for _ in range(10):
            data, loaded = storage.read_note(folder, first.rel_path)
            try:
                storage.save_note(folder, first.rel_path, meta("Busy"), f"thread {number}", expected_hash=loaded)
            except storage.ConflictError:
                pass
            except Exception as err:  # collected for the assertion below
                errors.append(err)

    threads = [threading.Thread(target=edit, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and not any(thread.is_alive() for thread in threads)
