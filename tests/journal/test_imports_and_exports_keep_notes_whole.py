"""Import never overwrites and says why it refuses; export holds every readable note whole, with its
time (core.journal.storage.transfer).

Written against the mutants `make mutate MODULE=core/journal/storage/transfer.py` left alive (see
docs/mutation.md): each test here notices one way import or export could be written wrong.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
import zipfile

import pytest

from core.journal import storage
from core.journal.storage import transfer

NOTE = b"---\ntitle: N\ndate: 2021-08-07\ntype: til\n---\nbody\n"


def _zip_entries(data: bytes) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: info for info in archive.infolist()}


def _touch(path, moment: dt.datetime) -> None:
    stamp = time.mktime(moment.timetuple())  # local time, as the zip stores it
    os.utime(path, (stamp, stamp))


def test_each_note_keeps_its_time_in_the_zip_and_times_before_1980_start_it(folder):
    for name, moment in (("old.md", dt.datetime(1975, 6, 1, 8, 0, 0)),
                         ("first-day.md", dt.datetime(1980, 1, 1, 12, 0, 2)),
                         ("mid-january.md", dt.datetime(1980, 1, 15, 9, 30, 4)),
                         ("recent.md", dt.datetime(2021, 8, 7, 10, 15, 30))):
        (folder / name).write_bytes(NOTE)
        _touch(folder / name, moment)
    entries = _zip_entries(storage.export_zip(folder))
    assert entries["notes/old.md"].date_time == (1980, 1, 1, 0, 0, 0)
    assert entries["notes/first-day.md"].date_time == (1980, 1, 1, 12, 0, 2)
    assert entries["notes/mid-january.md"].date_time == (1980, 1, 15, 9, 30, 4)
    assert entries["notes/recent.md"].date_time == (2021, 8, 7, 10, 15, 30)


def test_a_note_that_cannot_be_read_is_left_out_and_the_rest_exported(folder, monkeypatch):
    for name in ("a.md", "b.md", "c.md"):
        (folder / name).write_bytes(NOTE)
    real = transfer.files.read_regular

    def read_regular(path, limit):
        if os.path.basename(path) == "a.md":
            raise PermissionError(13, "Permission denied")
        return real(path, limit)

    monkeypatch.setattr(transfer.files, "read_regular", read_regular)
    assert sorted(_zip_entries(storage.export_zip(folder))) == ["notes/b.md", "notes/c.md"]


def test_a_note_over_the_size_limit_is_left_out_and_one_at_the_limit_kept(folder, monkeypatch):
    monkeypatch.setattr(transfer, "MAX_READ_BYTES", len(NOTE))
    (folder / "a-too-big.md").write_bytes(NOTE + b"x")
    (folder / "b-at-the-limit.md").write_bytes(NOTE)
    (folder / "c.md").write_bytes(NOTE[:-1])
    entries = _zip_entries(storage.export_zip(folder, "journal"))
    assert sorted(entries) == ["journal/b-at-the-limit.md", "journal/c.md"]


@pytest.mark.parametrize(("filename", "name"), [("a\x00b.md", "ab.md"), ("x/\x00y.md", "y.md")])
def test_nul_bytes_in_an_upload_name_are_dropped(filename, name):
    assert transfer.import_file_name(filename) == name


def test_a_non_markdown_upload_is_refused_naming_it(folder):
    with pytest.raises(storage.UnsafePathError) as raised:
        storage.import_note(folder, "notes.txt", NOTE)
    assert str(raised.value) == "'notes.txt' is not a markdown file: only .md notes can be imported."


def test_read_only_mode_names_the_import_that_did_not_happen(folder, monkeypatch):
    monkeypatch.setenv(storage.READONLY_ENV, "1")
    with pytest.raises(storage.ReadOnlyError) as raised:
        storage.import_note(folder, "n.md", NOTE)
    assert str(raised.value).startswith("Writing is turned off, so importing notes did not happen. ")
    assert list(folder.iterdir()) == []


def test_each_import_result_names_its_upload(folder):
    results = storage.import_notes(folder, [("good.md", NOTE), ("bad.txt", NOTE)])
    assert [result.filename for result in results] == ["good.md", "bad.txt"]
    assert results[0].saved is not None and results[0].error is None
    assert results[1].saved is None and "not a markdown file" in results[1].error
