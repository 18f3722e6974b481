"""The append-only review log: format, durability, torn and damaged lines, two writing processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.journal import storage
from core.review import log as review_log
from core.review.log import LogReader, Review, append_review, log_path, parse_line
from tests.conftest import ROOT

T0 = dt.datetime(2024, 5, 6, 14, 3, 12, 120000, tzinfo=dt.timezone.utc)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv(storage.READONLY_ENV, raising=False)
    return tmp_path


def age(path: Path, seconds: float = 10.0) -> None:
    """Make the log look older than the grace period for unfinished lines."""
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_a_review_is_one_json_line_in_the_hidden_state_folder(folder):
    append_review(folder, Review("q-0123456789abcdef", T0, 3, "card", "2021-08-05-cnn.md", 5230))
    path = folder / ".studylab" / "reviews.jsonl"
    assert path == log_path(folder)
    data = path.read_bytes()
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    assert json.loads(data) == {"v": 1, "card": "q-0123456789abcdef", "at": "2024-05-06T14:03:12.120000+00:00",
                                "grade": 3, "kind": "card", "note": "2021-08-05-cnn.md", "ms": 5230}
    assert parse_line(data.rstrip(b"\n")) == Review("q-0123456789abcdef", T0, 3, "card", "2021-08-05-cnn.md", 5230)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(card=st.text(min_size=1, max_size=60), grade=st.integers(1, 4), kind=st.sampled_from(review_log.KINDS),
       note=st.none() | st.text(max_size=40), ms=st.none() | st.integers(0, 10**9),
       moment=st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime.now() - dt.timedelta(days=1),
                           timezones=st.just(dt.timezone(dt.timedelta(hours=9)))))
def test_every_review_reads_back_exactly(card, grade, kind, note, ms, moment):
    review = Review(card, moment.astimezone(dt.timezone.utc), grade, kind, note, ms)
    line = review.to_line()
    assert line.count(b"\n") == 1, "no text can break a line"
    assert parse_line(line[:-1]) == review


@pytest.mark.parametrize(("raw", "reason"), [
    (b'{"v": 1, "card": "q-1", "at": "2024-05-06T14:03:12+00:00", "gra', "not a complete JSON line"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"card": "", "at": "2024-05-06T14:03:12+00:00", "grade": 3}', "no card id"),
    (b'{"card": "q", "at": "2024-05-06T14:03:12+00:00", "grade": 5}', "grade 5"),
    (b'{"card": "q", "at": "2024-05-06T14:03:12+00:00", "grade": true}', "grade True"),
    (b'{"card": "q", "at": "yesterday", "grade": 3}', "not an ISO 8601 time"),
    (b'{"card": "q", "at": "2024-05-06T14:03:12", "grade": 3}', "no UTC offset"),
    (b"\xff\xfe", "not a complete JSON line"),
    (b'{"card": "q", "at": "9999-12-31T23:59:00+00:00", "grade": 3}', "in the future"),
    (b'{"card": "q", "at": "0001-01-01T00:00:00+00:00", "grade": 3}', "before 1970"),
])
def test_damaged_lines_say_why(raw, reason):
    with pytest.raises(review_log.LogLineError, match=reason):
        parse_line(raw)


def test_other_offsets_become_utc_and_unknown_keys_are_ignored():
    review = parse_line(b'{"card": "q", "at": "2024-05-06T23:03:12+09:00", "grade": 2, "future": [1], "kind": "x"}')
    assert review.at == dt.datetime(2024, 5, 6, 14, 3, 12, tzinfo=dt.timezone.utc) and review.kind == "card"


def test_read_only_mode_refuses_and_writes_nothing(folder, monkeypatch):
    monkeypatch.setenv(storage.READONLY_ENV, "1")
    with pytest.raises(storage.ReadOnlyError):
        append_review(folder, Review("q", T0, 3))
    assert not (folder / ".studylab").exists()


def test_a_state_folder_that_is_a_link_or_a_file_is_refused(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (folder / ".studylab").symlink_to(outside, target_is_directory=True)
    with pytest.raises(storage.UnsafePathError):
        append_review(folder, Review("q", T0, 3))
    assert list(outside.iterdir()) == []
    (folder / ".studylab").unlink()
    (folder / ".studylab").write_text("a file")
    with pytest.raises(storage.UnsafePathError):
        append_review(folder, Review("q", T0, 3))


def test_a_log_file_that_is_a_link_is_not_followed(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "target.jsonl"
    outside.write_text("")
    (folder / ".studylab").mkdir()
    log_path(folder).symlink_to(outside)
    with pytest.raises(storage.StorageError):
        append_review(folder, Review("q", T0, 3))
    assert outside.read_text() == ""


def test_a_log_that_cannot_be_read_counts_as_empty_and_says_why(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "elsewhere.jsonl"
    outside.write_bytes(Review("secret", T0, 3).to_line())
    (folder / ".studylab").mkdir()
    log_path(folder).symlink_to(outside)
    poll = LogReader(log_path(folder)).poll()
    assert poll.reviews == [] and "cannot be read" in poll.error, "a link is not followed"
    log_path(folder).unlink()
    log_path(folder).mkdir()
    assert "cannot be read" in LogReader(log_path(folder)).poll().error
    assert LogReader(folder / "missing" / "reviews.jsonl").poll().error is None


def test_reader_reads_only_new_lines_and_survives_a_restart(folder):
    for grade in (1, 2):
        append_review(folder, Review("q", T0 + dt.timedelta(minutes=grade), grade))
    reader = LogReader(log_path(folder))
    assert [r.grade for r in reader.poll().reviews] == [1, 2]
    assert reader.poll().reviews == []
    append_review(folder, Review("q", T0 + dt.timedelta(minutes=3), 3))
    assert [r.grade for r in reader.poll().reviews] == [3]
    restarted = LogReader(log_path(folder))
    assert [r.grade for r in restarted.poll().reviews] == [1, 2, 3]


def test_a_torn_last_line_is_ignored_reported_and_later_appends_are_kept(folder):
    append_review(folder, Review("q-1", T0, 3))
    path = log_path(folder)
    with open(path, "ab") as handle:
        handle.write(b'{"v":1,"card":"q-2","at":"2024-05-06T14:0')      # the machine stopped here
    age(path)
    poll = LogReader(path).poll()
    assert [r.card for r in poll.reviews] == ["q-1"] and poll.torn and poll.damaged == []
    append_review(folder, Review("q-3", T0, 4))
    poll = LogReader(path).poll()
    assert [r.card for r in poll.reviews] == ["q-1", "q-3"], "the new review starts on a line of its own"
    assert not poll.torn
    assert [d.line for d in poll.damaged] == [2] and "not a complete JSON line" in poll.damaged[0].reason


def test_an_unfinished_line_younger_than_the_grace_period_is_not_reported_yet(folder):
    append_review(folder, Review("q-1", T0, 3))
    with open(log_path(folder), "ab") as handle:
        handle.write(b'{"v":1,"card"')
    assert not LogReader(log_path(folder)).poll().torn


def test_damaged_lines_in_the_middle_are_skipped_with_their_numbers(folder):
    append_review(folder, Review("q-1", T0, 3))
    with open(log_path(folder), "ab") as handle:
        handle.write(b"edited by hand\n\n" + b'{"card": "q", "at": "2024-05-06T14:03:12+00:00", "grade": 0}\n')
    append_review(folder, Review("q-2", T0, 1))
    poll = LogReader(log_path(folder)).poll()
    assert [r.card for r in poll.reviews] == ["q-1", "q-2"]
    assert [d.line for d in poll.damaged] == [2, 4], "the blank line 3 is no damage"


def test_a_replaced_or_shortened_log_is_read_again_from_the_start(folder):
    for card in ("a", "b", "c"):
        append_review(folder, Review(card, T0, 3))
    reader = LogReader(log_path(folder))
    assert len(reader.poll().reviews) == 3
    lines = log_path(folder).read_bytes().splitlines(keepends=True)
    storage.atomic_write(log_path(folder), b"".join(lines[:2]))              # a new inode, shorter
    poll = reader.poll()
    assert poll.reset and [r.card for r in poll.reviews] == ["a", "b"]
    with open(log_path(folder), "r+b") as handle:                     # same inode and size, last line edited
        handle.write(lines[0] + lines[1].replace(b'"grade":3', b'"grade":1'))
    poll = reader.poll()
    assert poll.reset and [(r.card, r.grade) for r in poll.reviews] == [("a", 3), ("b", 1)]
    log_path(folder).unlink()
    assert reader.poll().reset and reader.poll().reviews == []


def test_a_huge_unfinished_last_line_is_reported_once_and_never_read_again(folder, monkeypatch):
    append_review(folder, Review("q-1", T0, 3))
    path = log_path(folder)
    with open(path, "ab") as handle:
        handle.write(b"x" * (3 * review_log.READ_CHUNK_BYTES + 5))
    age(path)
    reader = LogReader(path)
    poll = reader.poll()
    assert [r.card for r in poll.reviews] == ["q-1"] and not poll.torn
    assert [d.line for d in poll.damaged] == [2] and "longer than 16384 bytes" in poll.damaged[0].reason
    assert reader.offset == path.stat().st_size, "the tail is skipped by offset"
    with open(path, "ab") as handle:
        handle.write(b"x" * 100)
    reads = []
    real_read = LogReader._read

    def counting_read(self, handle, info, *, reset):
        reads.append(info.st_size - self.offset)
        return real_read(self, handle, info, reset=reset)

    monkeypatch.setattr(LogReader, "_read", counting_read)
    poll = reader.poll()
    monkeypatch.undo()
    assert reads == [100] and poll.damaged == [] and poll.reviews == [], "only the new bytes, not reported again"
    append_review(folder, Review("q-3", T0, 4))
    poll = reader.poll()
    assert [r.card for r in poll.reviews] == ["q-3"] and poll.damaged == []
    assert [d.line for d in LogReader(path).poll().damaged] == [2], "a fresh reader numbers the same line"


def test_a_long_log_is_read_in_chunks_without_losing_a_line_at_a_chunk_edge(folder, monkeypatch):
    monkeypatch.setattr(review_log, "READ_CHUNK_BYTES", 37)
    for grade in (1, 2, 3, 4, 3, 2):
        append_review(folder, Review(f"q-{grade}", T0, grade))
    assert [r.grade for r in LogReader(log_path(folder)).poll().reviews] == [1, 2, 3, 4, 3, 2]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.binary(max_size=300))
def test_any_bytes_in_the_log_never_raise(folder, garbage):
    path = log_path(folder)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(garbage)
    age(path)
    poll = LogReader(path).poll()
    assert all(isinstance(review, Review) for review in poll.reviews)
    append_review(folder, Review("after", T0, 3))
    assert LogReader(path).poll().reviews[-1].card == "after"


WRITER = """
import datetime as dt, sys
sys.path.insert(0, {root!r})
from core.review.log import Review, append_review
name, count, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
start = dt.datetime.now(dt.timezone.utc)
for index in range(count):
    append_review(folder, Review(f"{{name}}-{{index}}", start, 1 + index % 4, "card", "x" * (index % 300)))
"""


def test_two_processes_appending_at_once_lose_nothing(folder):
    script = WRITER.format(root=str(ROOT))
    env = {k: v for k, v in os.environ.items() if k != storage.READONLY_ENV}
    count = 400
    writers = [subprocess.Popen([sys.executable, "-c", script, name, str(count), str(folder)], env=env)
               for name in ("tab-a", "tab-b", "process-c")]
    assert [writer.wait(timeout=240) for writer in writers] == [0, 0, 0]
    poll = LogReader(log_path(folder)).poll()
    assert poll.damaged == [] and not poll.torn
    cards = [review.card for review in poll.reviews]
    assert len(cards) == 3 * count
    for name in ("tab-a", "tab-b", "process-c"):
        assert [c for c in cards if c.startswith(name + "-")] == [f"{name}-{i}" for i in range(count)]


# Issue 20: a damaged line is bounded (size and nesting); two logs merge as a union by identity.

DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize("raw", [DEEP, b"[" * 9000, b'{"card": ' + b"{" * 40 + b"}" * 40 + b"}",
                                 b'{"a": "' + b"[" * 9000 + b'"}', b"x" * (review_log.MAX_LINE_BYTES + 1)])
def test_a_deep_or_huge_line_is_a_damaged_line_never_a_crash(raw):
    with pytest.raises(review_log.LogLineError):
        parse_line(raw)


def test_brackets_inside_strings_do_not_count_as_nesting():
    raw = b'{"card": "q-[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{", ' \
          b'"at": "2024-05-06T14:03:12+00:00", "grade": 3}'
    assert parse_line(raw).card.startswith("q-[[[")
    assert not review_log.too_deep(raw)


def test_a_deeply_nested_line_among_good_ones_is_one_damaged_line_with_its_number(folder):
    append_review(folder, Review("q-1", T0, 3))
    with open(log_path(folder), "ab") as handle:
        handle.write(DEEP + b"\n")
    append_review(folder, Review("q-2", T0, 4))
    poll = LogReader(log_path(folder)).poll()
    assert [review.card for review in poll.reviews] == ["q-1", "q-2"]
    assert [(damaged.line, "nested" in damaged.reason) for damaged in poll.damaged] == [(2, True)]


def lines_of(reviews) -> bytes:
    return b"".join(review.to_line() for review in reviews)


def test_merging_keeps_reviews_the_other_side_lost():
    six = [Review(f"q-{n}", T0 + dt.timedelta(minutes=n), 3) for n in range(6)]
    ours = lines_of(six)
    theirs = lines_of(six[:1])  # the other machine's log lost its tail
    merged = review_log.merge_logs(ours, theirs)
    assert merged == ours
    assert review_log.merge_logs(theirs, ours) == ours


def test_damaged_lines_are_left_out_of_a_merge_and_kept_in_quarantine(folder):
    good = [Review("q-1", T0, 3), Review("q-2", T0 + dt.timedelta(hours=1), 2)]
    theirs = good[1].to_line() + DEEP + b"\nhand edit\n" + good[0].to_line()[:20]
    merge = review_log.quarantining_merge(folder)
    merged = merge(good[0].to_line(), theirs)
    assert merged == lines_of(good)
    [kept] = review_log.quarantined(folder)
    text = kept.read_bytes()
    assert DEEP in text and b"hand edit" in text and good[0].to_line()[:20] in text
    assert b"theirs line 2" in text
    merge(good[0].to_line(), theirs)
    assert review_log.quarantined(folder) == [kept], "the same merge again writes the same file"


_moments = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2024, 1, 1),
                        timezones=st.just(dt.timezone.utc))
_reviews = st.builds(Review, card=st.sampled_from(["q-1", "q-2", "note:a.md", "practice:x"]), at=_moments,
                     grade=st.integers(1, 4), kind=st.sampled_from(review_log.KINDS),
                     note=st.none() | st.just("a.md"), ms=st.none() | st.integers(0, 10_000))


@st.composite
def _damaged_log(draw, reviews):
    """A log of `reviews` as another machine may hand it over: reordered, with damaged lines
    inserted, shortened at any byte (a torn last line) or not."""
    lines = [review.to_line() for review in draw(st.permutations(reviews))]
    for _ in range(draw(st.integers(0, 3))):
        junk = draw(st.sampled_from([DEEP + b"\n", b"hand edit\n", b"\xff\xfe\n", b"{\"card\": 1}\n", b"\n",
                                     b'{"card":"q","at":"2024-01-01T00:00:00+00:00","grade":9}\n']))
        lines.insert(draw(st.integers(0, len(lines))), junk)
    data = b"".join(lines)
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]
    return data


def _well_formed(data: bytes) -> set:
    found = set()
    for raw in data.split(b"\n"):
        try:
            found.add(parse_line(raw))
        except review_log.LogLineError:
            pass
    return found


def _merged_reviews(data: bytes) -> list[Review]:
    return [parse_line(raw) for raw in data.splitlines()]


@settings(max_examples=200, deadline=None)
@given(data=st.data(), shared=st.lists(_reviews, max_size=6), only_ours=st.lists(_reviews, max_size=6),
       only_theirs=st.lists(_reviews, max_size=6))
def test_every_well_formed_review_of_both_logs_survives_a_merge_once_in_time_order(data, shared, only_ours,
                                                                                    only_theirs):
    ours = data.draw(_damaged_log(shared + only_ours))
    theirs = data.draw(_damaged_log(shared + only_theirs))
    merged = review_log.merge_logs(ours, theirs)
    reviews = _merged_reviews(merged)  # every merged line is a review: nothing damaged spreads
    expected = {review_log.identity(review) for review in _well_formed(ours) | _well_formed(theirs)}
    keys = [review_log.identity(review) for review in reviews]
    assert sorted(keys) == sorted(expected) and len(keys) == len(set(keys)), "each review exactly once"
    assert [review.at for review in reviews] == sorted(review.at for review in reviews)
    assert review_log.merge_logs(merged, merged) == merged
    assert review_log.merge_logs(merged, theirs) == merged and review_log.merge_logs(ours, merged) == merged
    assert set(map(review_log.identity, _merged_reviews(review_log.merge_logs(theirs, ours)))) == set(keys)
