"""The review log's exact promises, written against mutants that survived the earlier tests
(docs/mutation.md): the bounds are where the docstrings put them (a line of exactly
MAX_LINE_BYTES bytes, exactly MAX_DEPTH levels, 1970 and a day ahead are still reviews), each
damaged line says its own sentence, a merge reports what it left out exactly and keeps our
bytes, and the quarantine file is named and written as documented."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import types

import pytest

from core.journal import storage
from core.review import log as review_log
from core.review.log import DamagedLine, LogLineError, LogReader, Review, append_review, log_path, parse_line

T0 = dt.datetime(2024, 5, 6, 14, 3, 12, 120000, tzinfo=dt.timezone.utc)
LINE = b'{"card":"q","at":"2024-05-06T14:03:12+00:00","grade":3}'


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv(storage.READONLY_ENV, raising=False)
    return tmp_path


def reason(raw: bytes) -> str:
    with pytest.raises(LogLineError) as raised:
        parse_line(raw)
    return str(raised.value)


def test_a_line_of_exactly_the_maximum_size_is_a_review():
    padded = LINE[:-1] + b" " * (review_log.MAX_LINE_BYTES - len(LINE)) + b"}"
    assert len(padded) == review_log.MAX_LINE_BYTES and parse_line(padded).card == "q"
    assert reason(padded + b" ") == "longer than 16384 bytes, so not a review"


def test_exactly_the_maximum_nesting_is_allowed():
    deep = b"[" * review_log.MAX_DEPTH + b"]" * review_log.MAX_DEPTH
    assert not review_log.too_deep(deep)
    assert review_log.too_deep(b"[" + deep + b"]")
    assert reason(b'{"x": ' + b"[" * 33 + b"]" * 33 + b"}") == "nested more than 32 levels deep, so not a review"
    closed = (b"[]" * 40)                      # many brackets, never deep: closing ones count down
    assert not review_log.too_deep(closed)
    assert not review_log.too_deep(b"]" * 40 + b"[" * 32), "a stray closing bracket never goes below zero"
    assert review_log.too_deep(b"{" * 33, limit=32) and not review_log.too_deep(b"{" * 33, limit=33)
    assert not review_log.too_deep(b'"' + b"[" * 40 + b'"'), "brackets in a string do not count"


@pytest.mark.parametrize("raw, words", [
    (b'{"card": "q", "at": "2024-05-06T14:03:12+00:00", "gra',
     "not a complete JSON line (cut off by a crash, or edited by hand)"),
    (b"[1]", "not a JSON object"),
    (b'{"at": "2024-05-06T14:03:12+00:00", "grade": 3}', "no card id"),
    (b'{"card": 7, "at": "2024-05-06T14:03:12+00:00", "grade": 3}', "no card id"),
    (b'{"card": "q", "at": "2024-05-06T14:03:12+00:00"}', "grade None is not 1, 2, 3 or 4"),
    (b'{"card": "q", "at": "2024-05-06T14:03:12+00:00", "grade": 3.0}', "grade 3.0 is not 1, 2, 3 or 4"),
    (b'{"card": "q", "grade": 3}', "no review time"),
    (b'{"card": "q", "at": 5, "grade": 3}', "no review time"),
    (b'{"card": "q", "at": "soon", "grade": 3}', "review time 'soon' is not an ISO 8601 time"),
    (b'{"card": "q", "at": "2024-05-06T14:03:12", "grade": 3}', "review time '2024-05-06T14:03:12' has no UTC offset"),
    (b'{"card": "q", "at": "1969-12-31T23:59:59+00:00", "grade": 3}',
     "review time '1969-12-31T23:59:59+00:00' is before 1970 or in the future"),
])
def test_each_damaged_line_says_its_own_sentence(raw, words):
    assert reason(raw) == words


def test_the_first_moment_of_1970_and_a_day_ahead_are_reviews():
    assert parse_line(b'{"card": "q", "at": "1970-01-01T00:00:00+00:00", "grade": 1}').at == review_log.EARLIEST
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=23, minutes=50)
    assert parse_line(json.dumps({"card": "q", "at": soon.isoformat(), "grade": 4}).encode()).at == soon
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1, minutes=10)
    assert "in the future" in reason(json.dumps({"card": "q", "at": later.isoformat(), "grade": 4}).encode())


def test_optional_fields_of_the_wrong_type_are_dropped_and_defaults_kept():
    review = parse_line(b'{"card": "q", "at": "2024-05-06T14:03:12+00:00", "grade": 2, "note": 5, "ms": true}')
    assert review == Review("q", dt.datetime(2024, 5, 6, 14, 3, 12, tzinfo=dt.timezone.utc), 2, "card", None, None)
    review = parse_line(b'{"card": "q", "at": "2024-05-06T16:03:12+02:00", "grade": 2, "kind": "quiz", '
                        b'"note": "a.md", "ms": 12}')
    assert review == Review("q", dt.datetime(2024, 5, 6, 14, 3, 12, tzinfo=dt.timezone.utc), 2, "quiz", "a.md", 12)
    assert review.at.tzinfo is dt.timezone.utc
    assert parse_line(LINE).at.tzinfo is dt.timezone.utc


def test_a_review_line_over_the_limit_is_refused_when_written():
    with pytest.raises(ValueError, match="over the 16384-byte limit"):
        Review("q", T0, 3, note="n" * review_log.MAX_LINE_BYTES).to_line()
    assert Review("q", T0, 3).to_line() == (b'{"v":1,"card":"q","at":"2024-05-06T14:03:12.120000+00:00",'
                                            b'"grade":3,"kind":"card"}\n')


def test_identity_is_card_utc_time_grade_and_kind():
    local = T0.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert review_log.identity(Review("q", local, 3, "quiz", "x.md", 5)) == (
        "q", "2024-05-06T14:03:12.120000+00:00", 3, "quiz")


def test_a_merge_reports_each_left_out_line_with_side_number_bytes_and_reason():
    ours = Review("q-1", T0, 3).to_line() + b"\nhand edit\n"
    theirs = b"[1]\n" + Review("q-2", T0, 3).to_line()
    merged = review_log.merge_report(ours, theirs)
    assert merged.damaged == (
        ("ours", 3, b"hand edit", "not a complete JSON line (cut off by a crash, or edited by hand)"),
        ("theirs", 1, b"[1]", "not a JSON object"),
    )
    assert merged.data == Review("q-1", T0, 3).to_line() + Review("q-2", T0, 3).to_line()


def test_a_merge_keeps_our_bytes_of_a_review_both_hold_and_orders_ties_by_identity():
    ours = b'{"card":"q","at":"2024-05-06T14:03:12+00:00","grade":3,"mine":1}\n'
    theirs = b' {"card":"q","at":"2024-05-06T16:03:12+02:00","grade":3,"theirs":1}\n'
    assert review_log.merge_logs(ours, theirs) == ours
    assert review_log.merge_logs(theirs, ours) == theirs.strip() + b"\n"
    b_line, a_line = Review("q-b", T0, 3).to_line(), Review("q-a", T0, 3).to_line()
    assert review_log.merge_logs(b_line, a_line) == a_line + b_line
    assert review_log.merge_logs(b"", b"") == b"" and review_log.merge_report(b"\n \n", b"").damaged == ()


def test_the_quarantine_file_is_named_by_its_content_and_says_where_each_line_came_from(folder):
    merge = review_log.quarantining_merge(folder)
    assert merge(Review("q", T0, 3).to_line(), b"oops\n") == Review("q", T0, 3).to_line()
    kept = b"# theirs line 1: not a complete JSON line (cut off by a crash, or edited by hand)\noops\n"
    name = f"reviews-{hashlib.sha256(kept).hexdigest()[:8]}.jsonl"
    [path] = review_log.quarantined(folder)
    assert path == folder / ".studylab" / "quarantine" / name and path.read_bytes() == kept
    clean = review_log.quarantining_merge(folder / "clean")
    (folder / "clean").mkdir()
    clean(Review("q", T0, 3).to_line(), b"")
    assert not (folder / "clean" / ".studylab").exists(), "no damage, no quarantine folder"
    assert review_log.quarantined(folder / "clean") == []


def test_a_quarantine_folder_that_is_a_link_is_not_listed(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "reviews-00000000.jsonl").write_bytes(b"x\n")
    (folder / ".studylab").mkdir()
    (folder / ".studylab" / "quarantine").symlink_to(outside, target_is_directory=True)
    assert review_log.quarantined(folder) == []


def test_a_missing_notes_folder_and_a_file_for_the_state_folder_are_refused_with_sentences(folder):
    with pytest.raises(storage.StorageError, match="does not exist; set STUDYLAB_NOTES_DIR"):
        append_review(folder / "missing", Review("q", T0, 3))
    (folder / ".studylab").write_text("a file")
    with pytest.raises(storage.UnsafePathError, match="is a link or a file, not the app's folder"):
        append_review(folder, Review("q", T0, 3))


def test_an_append_after_a_clean_line_adds_no_blank_line(folder):
    append_review(folder, Review("q-1", T0, 3))
    append_review(folder, Review("q-2", T0, 3))
    assert log_path(folder).read_bytes() == Review("q-1", T0, 3).to_line() + Review("q-2", T0, 3).to_line()
    log_path(folder).write_bytes(b"torn")
    append_review(folder, Review("q-3", T0, 3))
    assert log_path(folder).read_bytes() == b"torn\n" + Review("q-3", T0, 3).to_line()
    log_path(folder).write_bytes(b"")
    append_review(folder, Review("q-4", T0, 3))
    assert log_path(folder).read_bytes() == Review("q-4", T0, 3).to_line()


def test_a_poll_of_a_missing_log_is_empty_without_error_or_reset(folder):
    poll = LogReader(log_path(folder)).poll()
    assert poll == review_log.Poll()
    append_review(folder, Review("q-1", T0, 3))
    reader = LogReader(log_path(folder))
    assert len(reader.poll().reviews) == 1 and reader.offset == log_path(folder).stat().st_size
    assert reader.next_line == 2
    log_path(folder).unlink()
    assert reader.poll() == review_log.Poll(reset=True) and reader.offset == 0


def test_damaged_lines_carry_their_number_and_reason(folder):
    append_review(folder, Review("q-1", T0, 3))
    with open(log_path(folder), "ab") as handle:
        handle.write(b"[1]\n")
    poll = LogReader(log_path(folder)).poll()
    assert poll.damaged == [DamagedLine(2, "not a JSON object")] and not poll.reset and not poll.torn


# Written against the survivors of the first measured run (docs/mutation.md, core/review/log.py).

@pytest.fixture
def tokyo(monkeypatch):
    """The machine's local time is UTC+9 (a POSIX TZ string: no time zone database needed)."""
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_review_is_logged_and_identified_in_utc_whatever_the_machine_s_time_zone(tokyo):
    assert dt.datetime(2024, 5, 6, 12).astimezone().utcoffset() == dt.timedelta(hours=9), "TZ took effect"
    local = T0.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert Review("q", local, 3).to_line() == Review("q", T0, 3).to_line()
    assert b'"at":"2024-05-06T14:03:12.120000+00:00"' in Review("q", local, 3).to_line()
    assert review_log.identity(Review("q", local, 3)) == ("q", "2024-05-06T14:03:12.120000+00:00", 3, "card")


def test_a_line_is_utf_8_text_not_escaped_ascii_and_exactly_the_maximum_is_allowed():
    line = Review("q-ü", T0, 3, note="Übung/α.md").to_line()
    assert '"card":"q-ü"'.encode() in line and '"note":"Übung/α.md"'.encode() in line and b"\\u" not in line
    base = len(Review("q", T0, 3, note="").to_line())
    assert len(Review("q", T0, 3, note="n" * (review_log.MAX_LINE_BYTES - base)).to_line()) == review_log.MAX_LINE_BYTES


def test_a_review_time_exactly_a_day_ahead_is_still_a_review(monkeypatch):
    now = dt.datetime(2030, 1, 1, 12, tzinfo=dt.timezone.utc)

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return now

    monkeypatch.setattr(review_log, "dt", types.SimpleNamespace(
        datetime=Frozen, timezone=dt.timezone, timedelta=dt.timedelta))
    limit = now + review_log.FUTURE_SLACK
    assert parse_line(json.dumps({"card": "q", "at": limit.isoformat(), "grade": 3}).encode()).at == limit
    later = (limit + dt.timedelta(microseconds=1)).isoformat()
    assert reason(json.dumps({"card": "q", "at": later, "grade": 3}).encode()) == (
        f"review time '{later}' is before 1970 or in the future")


@pytest.mark.parametrize("raw, deep", [
    (b"[" * 32 + b"]" * 32 + b"[]", False),     # 33 brackets in all, never more than 32 open
    (b"[[]" + b"[" * 32, True),                 # a closing bracket takes back one level, not two
    (b"[]" + b"[" * 32, False),                 # closing the only open bracket goes back to 0
    (b"[" * 33, True),
])
def test_nesting_is_counted_bracket_by_bracket_past_the_quick_count(raw, deep):
    assert raw.count(b"[") > review_log.MAX_DEPTH and review_log.too_deep(raw) is deep


def test_the_quarantine_file_holds_each_damaged_line_after_its_origin(folder):
    merged = review_log.quarantining_merge(folder)(b"one\n" + Review("q", T0, 3).to_line(), b"[2]\n")
    assert merged == Review("q", T0, 3).to_line()
    [path] = review_log.quarantined(folder)
    assert path.read_bytes() == (b"# ours line 1: not a complete JSON line (cut off by a crash, or edited by hand)\n"
                                 b"one\n# theirs line 1: not a JSON object\n[2]\n")


def test_appends_refused_or_failed_say_why_in_a_sentence(folder, monkeypatch, tmp_path_factory):
    monkeypatch.setenv(storage.READONLY_ENV, "1")
    with pytest.raises(storage.ReadOnlyError) as refused:
        append_review(folder, Review("q", T0, 3))
    assert str(refused.value) == (
        "Reviews are not recorded while the journal is read-only. This journal is read-only "
        "(STUDYLAB_READONLY is set). Restart the app without STUDYLAB_READONLY to write.")
    monkeypatch.delenv(storage.READONLY_ENV)
    log_path(folder).mkdir(parents=True)
    with pytest.raises(storage.StorageError) as failed:
        append_review(folder, Review("q", T0, 3))
    assert str(failed.value) == "Could not record the review: a folder, not a regular file. Nothing was logged."
    linked = tmp_path_factory.mktemp("linked")
    (linked / ".studylab").symlink_to(folder / ".studylab", target_is_directory=True)
    with pytest.raises(storage.UnsafePathError) as unsafe:
        append_review(linked, Review("q", T0, 3))
    assert str(unsafe.value) == ("'.studylab' in the notes folder is a link or a file, not the app's folder, "
                                 "so reviews are not recorded.")


def test_a_log_that_is_a_folder_says_so_in_its_poll(folder):
    log_path(folder).mkdir(parents=True)
    assert LogReader(log_path(folder)).poll() == review_log.Poll(error="cannot be read (a folder, not a regular file)")


def test_a_poll_of_a_readable_log_is_no_reset(folder):
    append_review(folder, Review("q", T0, 3))
    reader = LogReader(log_path(folder))
    assert reader.poll() == review_log.Poll(reviews=[Review("q", T0, 3)])
    assert reader.poll() == review_log.Poll()
    assert reader.poll().reset is False


def test_a_log_of_one_blank_line_that_disappears_is_a_reset(folder):
    (folder / ".studylab").mkdir()
    log_path(folder).write_bytes(b"\n")
    reader = LogReader(log_path(folder))
    assert reader.poll() == review_log.Poll() and reader.offset == 1
    log_path(folder).unlink()
    assert reader.poll() == review_log.Poll(reset=True)


def test_a_log_replaced_by_a_longer_copy_is_read_again_from_the_start(folder):
    append_review(folder, Review("q-1", T0, 3))
    reader = LogReader(log_path(folder))
    assert len(reader.poll().reviews) == 1
    storage.atomic_write(log_path(folder), Review("q-1", T0, 3).to_line() + Review("q-2", T0, 3).to_line())
    poll = reader.poll()
    assert poll.reset and [r.card for r in poll.reviews] == ["q-1", "q-2"]


def test_a_log_that_cannot_be_opened_as_a_stream_is_reported_and_its_descriptor_closed(folder, monkeypatch):
    append_review(folder, Review("q", T0, 3))
    closed = []
    real_close = os.close

    def refuse(fd, mode):
        raise OSError(24, "Too many open files")

    def close(fd):
        closed.append(fd)
        real_close(fd)

    monkeypatch.setattr(review_log, "open", refuse, raising=False)
    monkeypatch.setattr(review_log.os, "close", close)
    poll = LogReader(log_path(folder)).poll()
    monkeypatch.undo()
    assert poll == review_log.Poll(error="cannot be read (Too many open files)") and len(closed) == 1


def test_the_log_is_read_a_chunk_at_a_time(folder, monkeypatch):
    sizes = []

    class Recording:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def fileno(self):
            return self.handle.fileno()

        def seek(self, offset):
            return self.handle.seek(offset)

        def read(self, size=-1):
            sizes.append(size)
            return self.handle.read(size)

    for grade in (1, 2, 3):
        append_review(folder, Review(f"q-{grade}", T0, grade))
    monkeypatch.setattr(review_log, "READ_CHUNK_BYTES", 50)
    monkeypatch.setattr(review_log, "open", lambda fd, mode: Recording(open(fd, mode)), raising=False)
    assert [r.grade for r in LogReader(log_path(folder)).poll().reviews] == [1, 2, 3]
    assert len(sizes) > 3 and set(sizes) == {50}


def test_an_unfinished_line_of_exactly_the_maximum_size_is_not_damage_yet(folder):
    append_review(folder, Review("q-1", T0, 3))
    padded = LINE[:-1] + b" " * (review_log.MAX_LINE_BYTES - len(LINE)) + b"}"
    with open(log_path(folder), "ab") as handle:
        handle.write(padded)
    reader = LogReader(log_path(folder))
    assert reader.poll().damaged == []
    with open(log_path(folder), "ab") as handle:
        handle.write(b"\n")
    assert [r.card for r in reader.poll().reviews] == ["q"]


def test_an_unfinished_line_exactly_as_old_as_the_grace_period_is_torn(folder, monkeypatch):
    append_review(folder, Review("q-1", T0, 3))
    with open(log_path(folder), "ab") as handle:
        handle.write(b'{"v":1,"card"')
    written = 1_700_000_000.0
    os.utime(log_path(folder), (written, written))
    monkeypatch.setattr(review_log, "time", types.SimpleNamespace(time=lambda: written + review_log.TORN_GRACE_SECONDS))
    assert LogReader(log_path(folder)).poll().torn


def test_lines_after_a_huge_one_keep_their_numbers_in_later_polls(folder, monkeypatch):
    monkeypatch.setattr(review_log, "READ_CHUNK_BYTES", 4 * review_log.MAX_LINE_BYTES)
    append_review(folder, Review("q-1", T0, 3))
    with open(log_path(folder), "ab") as handle:
        handle.write(b"x" * (6 * review_log.MAX_LINE_BYTES))             # line 2, over more than one chunk
    reader = LogReader(log_path(folder))
    assert [d.line for d in reader.poll().damaged] == [2]
    with open(log_path(folder), "ab") as handle:
        handle.write(b"x\n[3]\n" + Review("q-4", T0, 3).to_line())
    poll = reader.poll()
    assert poll.damaged == [DamagedLine(3, "not a JSON object")] and [r.card for r in poll.reviews] == ["q-4"]
    with open(log_path(folder), "ab") as handle:
        handle.write(b"[5]\n")
    assert reader.poll().damaged == [DamagedLine(5, "not a JSON object")]
