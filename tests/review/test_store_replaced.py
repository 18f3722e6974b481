"""The review store when the log changes under it, the schedule of a note, the step settings.

A ReviewStore reads the log incrementally; these tests replace the log between two reads (a new
inode, fewer lines, an empty file, something unreadable), as a sync client or a restored backup
would, and check the book is rebuilt from what is on disk now, never from what was read before.
"""

from __future__ import annotations

import datetime as dt
import os

import fsrs
import pytest

from core.journal import storage
from core.review import log as review_log
from core.review import schedule
from core.review.log import Review, append_review, log_path
from core.review.schedule import ReviewSettings, ReviewStore

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv(storage.READONLY_ENV, raising=False)
    notes = tmp_path / "notes"
    notes.mkdir()
    return notes


def review(card: str, minutes: int = 0, grade: int = 3, kind: str = "card") -> Review:
    return Review(card, T0 + dt.timedelta(minutes=minutes), grade, kind)


def lines(*reviews: Review) -> bytes:
    return b"".join(item.to_line() for item in reviews)


def replace_log(folder, data: bytes) -> None:
    """Put a new file with `data` in the log's place (a new inode), as a sync client does."""
    path = log_path(folder)
    temp = path.with_name("incoming.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def store_with(folder, *reviews: Review) -> ReviewStore:
    for item in reviews:
        append_review(folder, item)
    store = ReviewStore(folder, ReviewSettings(), tz=UTC)
    book = store.book()
    assert book.total == len(reviews)
    return store


def test_a_log_replaced_by_a_new_file_is_read_again_from_its_start(folder):
    store = store_with(folder, review("a"), review("b", 1))
    replace_log(folder, lines(review("c"), review("d", 1), review("e", 2)))
    book = store.book()
    assert set(book.progress) == {"c", "d", "e"} and book.total == 3
    assert book.per_day == {T0.date(): (3, 3)} and book.introduced == {(T0.date(), False): 3}


def test_a_log_replaced_by_one_with_the_same_size_but_other_lines_is_read_again(folder):
    store = store_with(folder, review("a"), review("b", 1))
    path = log_path(folder)
    data = path.read_bytes().replace(b'"a"', b'"x"')
    with open(path, "r+b") as handle:  # rewritten in place: same inode, same size
        handle.write(data)
    book = store.book()
    assert set(book.progress) == {"x", "b"} and book.total == 2


def test_a_log_with_fewer_lines_forgets_the_lines_gone(folder):
    store = store_with(folder, review("a"), review("b", 1), review("c", 2))
    replace_log(folder, lines(review("a")))
    book = store.book()
    assert set(book.progress) == {"a"} and book.total == 1 and book.per_day == {T0.date(): (1, 1)}


def test_a_shortened_log_in_place_is_read_again(folder):
    store = store_with(folder, review("a"), review("b", 1), review("c", 2))
    path = log_path(folder)
    first = lines(review("a"))
    with open(path, "r+b") as handle:
        handle.truncate(len(first))
    book = store.book()
    assert set(book.progress) == {"a"} and book.total == 1


def test_an_emptied_log_leaves_an_empty_book(folder):
    store = store_with(folder, review("a"), review("b", 1))
    replace_log(folder, b"")
    book = store.book()
    assert book.progress == {} and book.total == 0 and book.per_day == {} and book.error is None
    append_review(folder, review("z", 5))
    assert set(store.book().progress) == {"z"}


def test_a_deleted_log_leaves_an_empty_book_and_a_new_one_is_read(folder):
    store = store_with(folder, review("a"))
    log_path(folder).unlink()
    book = store.book()
    assert book.total == 0 and book.progress == {} and book.error is None
    append_review(folder, review("b", 1))
    assert set(store.book().progress) == {"b"}


def test_an_unreadable_log_is_reported_and_counts_as_empty(folder):
    store = store_with(folder, review("a"), review("b", 1))
    path = log_path(folder)
    path.unlink()
    path.mkdir()  # a folder in the log's place: cannot be read as a file
    book = store.book()
    assert book.error is not None and book.error.startswith("cannot be read")
    assert book.progress == {} and book.total == 0
    assert store.book() is book  # nothing changed since: the same book
    path.rmdir()
    replace_log(folder, lines(review("c")))
    book = store.book()
    assert book.error is None and set(book.progress) == {"c"}


def test_a_log_replaced_by_a_link_is_refused_not_followed(folder, tmp_path):
    store = store_with(folder, review("a"))
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_bytes(lines(review("secret")))
    path = log_path(folder)
    path.unlink()
    path.symlink_to(elsewhere)
    book = store.book()
    assert "secret" not in book.progress and book.error is not None


def test_the_book_is_rebuilt_only_when_something_changed(folder):
    store = store_with(folder, review("a"))
    first = store.book()
    assert store.book() is first
    append_review(folder, review("b", 1))
    second = store.book()
    assert second is not first and second.total == 2


def test_a_review_appended_right_after_an_over_long_line_is_read(folder):
    path = log_path(folder)
    append_review(folder, review("a"))
    with open(path, "ab") as handle:
        handle.write(b"x" * (review_log.MAX_LINE_BYTES + 10) + b"\n")
    append_review(folder, review("b", 1))
    store = ReviewStore(folder, ReviewSettings(), tz=UTC)
    book = store.book()
    assert set(book.progress) == {"a", "b"}
    assert [damage.line for damage in book.damaged] == [2]
    append_review(folder, review("c", 2))
    book = store.book()
    assert set(book.progress) == {"a", "b", "c"} and len(book.damaged) == 1


def test_a_review_appended_after_an_over_long_line_read_while_unfinished_is_read(folder):
    path = log_path(folder)
    append_review(folder, review("a"))
    store = ReviewStore(folder, ReviewSettings(), tz=UTC)
    store.book()
    with open(path, "ab") as handle:  # a huge unfinished line: reported, then skipped by offset
        handle.write(b"y" * (review_log.MAX_LINE_BYTES + 10))
    assert [damage.line for damage in store.book().damaged] == [2]
    with open(path, "ab") as handle:
        handle.write(b"tail of the long line\n" + review("b", 1).to_line())
    book = store.book()
    assert set(book.progress) == {"a", "b"} and [damage.line for damage in book.damaged] == [2]


# --- the schedule of a note ---------------------------------------------------------------------

def graduated(kind: str) -> ReviewStore:
    """Grades that bring a card or note to the Review state, then one Again."""
    return [Review("n", T0, 3, kind), Review("n", T0 + dt.timedelta(days=3), 3, kind),
            Review("n", T0 + dt.timedelta(days=12), 1, kind)]


def test_a_note_in_review_graded_again_comes_back_in_days_not_minutes(folder):
    store = ReviewStore(folder, ReviewSettings(), tz=UTC)
    reviews = graduated("note")
    for item in reviews[:2]:
        store.record(item)
    assert store.book().progress["n"].state.state == fsrs.State.Review
    book = store.record(reviews[2])
    progress = book.progress["n"]
    assert progress.state.due - reviews[2].at >= dt.timedelta(days=1)
    assert progress.lapses == 1 and progress.reviews == 3 and not progress.learning


def test_a_card_in_review_graded_again_relearns_in_minutes(folder):
    store = ReviewStore(folder, ReviewSettings(), tz=UTC)
    for item in graduated("card"):
        book = store.record(item)
    progress = book.progress["n"]
    assert progress.state.due - T0 - dt.timedelta(days=12) == dt.timedelta(minutes=10)
    assert progress.lapses == 1 and progress.learning


def test_the_review_page_preview_for_a_note_offers_days_for_again():
    settings = ReviewSettings()
    book = schedule.replay(graduated("note")[:2], settings, tz=UTC)
    now = T0 + dt.timedelta(days=12)
    intervals = schedule.preview(settings.scheduler(note=True), "n", book.progress["n"], now)
    assert intervals[1] >= dt.timedelta(days=1)
    card_intervals = schedule.preview(settings.scheduler(), "n", schedule.replay(
        graduated("card")[:2], settings, tz=UTC).progress["n"], now)
    assert card_intervals[1] == dt.timedelta(minutes=10)


def test_a_new_note_skips_the_minute_steps():
    settings = ReviewSettings()
    book = schedule.replay([Review("n", T0, 1, "note")], settings, tz=UTC)
    assert book.progress["n"].state.due - T0 >= dt.timedelta(days=1)
    assert book.introduced == {(T0.date(), True): 1}


# --- the settings form's step text ----------------------------------------------------------------

@pytest.mark.parametrize("steps", [(60, 600), (1,), (30, 300, 3600), (86400, 7 * 86400), (90, 5400), ()])
def test_step_text_round_trips(steps):
    assert schedule.parse_steps(schedule.format_steps(steps)) == steps


@pytest.mark.parametrize(("text", "steps"), [
    (",1m 10m", (60, 600)),
    ("1m,,10m,", (60, 600)),
    (" 1m , 10m ", (60, 600)),
    ("1M 10MIN 1h 1d 30s", (60, 600, 3600, 86400, 30)),
    ("1.5m", (90,)),
    (" , ", ()),
    ("", ()),
    ("7d", (7 * 86400,)),
])
def test_stray_commas_and_blank_items_are_ignored(text, steps):
    assert schedule.parse_steps(text) == steps


@pytest.mark.parametrize(("text", "message"), [
    ("1m ten", "'ten' is not a step: write a number and a unit, e.g. 1m 10m 1h 1d"),
    ("1m;10m", "'1m;10m' is not a step"),
    ("5x", "'5x' is not a step"),
    ("0s", "step '0s' must be between 1 second and 7 days"),
    ("0.4s", "step '0.4s' must be between 1 second and 7 days"),
    ("8d", "step '8d' must be between 1 second and 7 days"),
])
def test_a_bad_step_gives_a_message(text, message):
    with pytest.raises(schedule.SettingsError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        schedule.parse_steps(text)


def test_steps_are_written_in_their_largest_whole_unit():
    assert schedule.format_steps((60, 600, 3600, 86400, 90, 1, 7200)) == "1m 10m 1h 1d 90s 1s 2h"


def test_saved_steps_come_back_from_the_settings_file(folder):
    settings = ReviewSettings(0.85, schedule.parse_steps(",1m 10m"), schedule.parse_steps("5m,"), 7)
    schedule.save_settings(folder, settings)
    loaded, warning = schedule.load_settings(folder)
    assert warning is None and loaded == settings
    assert schedule.format_steps(loaded.learning_steps) == "1m 10m"


# --- a notes folder that is a link ---------------------------------------------------------------

def test_a_notes_folder_that_is_a_symlink_works_for_reviews(folder, tmp_path):
    link = tmp_path / "linked-notes"
    link.symlink_to(folder, target_is_directory=True)
    store = ReviewStore(link, ReviewSettings(), tz=UTC)
    book = store.record(review("a"))
    assert set(book.progress) == {"a"} and book.error is None
    store.record(review("b", 1))
    assert log_path(folder).read_bytes().count(b"\n") == 2
    assert set(ReviewStore(folder, ReviewSettings(), tz=UTC).book().progress) == {"a", "b"}
    schedule.save_settings(link, ReviewSettings(new_per_day=3))
    assert schedule.load_settings(folder) == (ReviewSettings(new_per_day=3), None)


def test_the_store_counts_days_in_its_time_zone_also_after_the_log_is_replaced(folder):
    far_east = dt.timezone(dt.timedelta(hours=14))
    noon = dt.datetime(2024, 5, 6, 12, 0, tzinfo=UTC)  # already May 7 at +14:00
    store = ReviewStore(folder, ReviewSettings(), tz=far_east)
    assert list(store.record(Review("a", noon, 3)).per_day) == [dt.date(2024, 5, 7)]
    replace_log(folder, lines(Review("b", noon, 3)))
    book = store.book()
    assert set(book.progress) == {"b"} and list(book.per_day) == [dt.date(2024, 5, 7)]
    assert book.introduced == {(dt.date(2024, 5, 7), False): 1}
