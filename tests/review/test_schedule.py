"""FSRS scheduling: due dates equal the fsrs package's, replay from the log, settings."""

from __future__ import annotations

import datetime as dt
import json

import fsrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.journal import storage
from core.review import schedule
from core.review.log import Review, append_review, log_path
from core.review.schedule import ReviewSettings, ReviewStore

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
SCRIPT = [  # (minutes after T0, grade): learning, graduation, lapses, relearning, long gaps
    (0, 1), (1, 3), (12, 3), (2000, 3), (9000, 2), (30000, 1), (30012, 3), (40000, 4), (90000, 3), (95000, 1),
    (95005, 1), (95020, 2), (95040, 3), (200000, 4),
]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv(storage.READONLY_ENV, raising=False)
    return tmp_path


def package_dues(scheduler: fsrs.Scheduler, script, lapses: list | None = None) -> list[dt.datetime]:
    """The due date after each scripted review, computed with the package alone (and in `lapses`,
    one entry per 'again' given to a card in the review state)."""
    card, dues = fsrs.Card(card_id=1, due=T0), []
    for minutes, grade in script:
        if lapses is not None and grade == 1 and card.state == fsrs.State.Review:
            lapses.append(minutes)
        card, _log = scheduler.review_card(card, fsrs.Rating(grade), T0 + dt.timedelta(minutes=minutes))
        dues.append(card.due)
    return dues


@pytest.mark.parametrize("review_settings", [
    ReviewSettings(),
    ReviewSettings(desired_retention=0.8, learning_steps=(30, 300, 3600), relearning_steps=(), new_per_day=5),
    ReviewSettings(desired_retention=0.97, learning_steps=(), relearning_steps=(60, 600)),
])
def test_due_dates_from_the_log_equal_the_fsrs_package(folder, review_settings):
    lapses: list[int] = []
    expected = package_dues(fsrs.Scheduler(
        desired_retention=review_settings.desired_retention,
        learning_steps=[dt.timedelta(seconds=s) for s in review_settings.learning_steps],
        relearning_steps=[dt.timedelta(seconds=s) for s in review_settings.relearning_steps],
        enable_fuzzing=False,
    ), SCRIPT, lapses)
    store = ReviewStore(folder, review_settings, tz=UTC)
    for (minutes, grade), due in zip(SCRIPT, expected, strict=True):
        book = store.record(Review("q-card", T0 + dt.timedelta(minutes=minutes), grade))
        assert book.progress["q-card"].state.due == due
    assert book.progress["q-card"].reviews == len(SCRIPT)
    assert book.progress["q-card"].lapses == len(lapses) >= 2
    restarted = ReviewStore(folder, review_settings, tz=UTC).book()
    assert restarted.progress["q-card"].state.due == expected[-1], "the log survives a restart"


def test_replay_equals_the_package_reschedule_card(folder):
    for minutes, grade in SCRIPT:
        append_review(folder, Review("q-card", T0 + dt.timedelta(minutes=minutes), grade))
    book = ReviewStore(folder, ReviewSettings(), tz=UTC).book()
    logs = [fsrs.ReviewLog(1, fsrs.Rating(g), T0 + dt.timedelta(minutes=m), None) for m, g in SCRIPT]
    rescheduled = ReviewSettings().scheduler().reschedule_card(fsrs.Card(card_id=1, due=T0), logs)
    ours = book.progress["q-card"].state
    assert (ours.due, ours.stability, ours.difficulty, ours.state) == (
        rescheduled.due, rescheduled.stability, rescheduled.difficulty, rescheduled.state)


def test_grade_previews_equal_the_package(folder):
    store = ReviewStore(folder, ReviewSettings(), tz=UTC)
    scheduler = ReviewSettings().scheduler()
    now = T0 + dt.timedelta(days=3)
    assert schedule.preview(scheduler, "new", None, now) == {
        grade: scheduler.review_card(fsrs.Card(card_id=0, due=now), fsrs.Rating(grade), now)[0].due - now
        for grade in (1, 2, 3, 4)}
    book = store.record(Review("q", T0, 3))
    state = book.progress["q"].state
    previews = schedule.preview(scheduler, "q", book.progress["q"], now)
    assert previews[3] == scheduler.review_card(state, fsrs.Rating.Good, now)[0].due - now
    assert previews[1] < previews[2] <= previews[3] < previews[4]


REVIEWS = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 60 * 24 * 60), st.integers(1, 4)),
                   max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reviews=REVIEWS, cut=st.integers(0, 40))
def test_reading_the_log_in_pieces_equals_one_replay(tmp_path_factory, reviews, cut):
    folder = tmp_path_factory.mktemp("log")
    logged = [Review(card, T0 + dt.timedelta(minutes=minutes), grade) for card, minutes, grade in reviews]
    store = ReviewStore(folder, ReviewSettings(), tz=UTC)
    for index, review in enumerate(logged):
        append_review(folder, review)
        if index == cut:
            store.book()
    book = store.book()
    whole = schedule.replay(logged, ReviewSettings(), tz=UTC)
    assert {k: p.state.due for k, p in book.progress.items()} == {k: p.state.due for k, p in whole.progress.items()}
    assert book.per_day == whole.per_day and book.total == len(logged)


def test_two_stores_on_one_folder_lose_no_review(folder):
    """Two processes (or a restarted one) reviewing the same card: both reviews count, in log order."""
    first, second = ReviewStore(folder, ReviewSettings(), tz=UTC), ReviewStore(folder, ReviewSettings(), tz=UTC)
    first.record(Review("q", T0, 3))
    second.record(Review("q", T0 + dt.timedelta(minutes=11), 3))
    expected = package_dues(ReviewSettings().scheduler(), [(0, 3), (11, 3)])[-1]
    assert first.book().progress["q"].state.due == second.book().progress["q"].state.due == expected
    assert first.book().progress["q"].reviews == 2


def test_book_counts_days_passes_and_first_reviews(folder):
    store = ReviewStore(folder, ReviewSettings(), tz=UTC)
    for card, minutes, grade, kind in [("a", 0, 1, "card"), ("a", 5, 3, "card"), ("b", 10, 4, "quiz"),
                                       ("note:x.md", 20, 2, "note"), ("a", 60 * 24, 3, "card")]:
        book = store.record(Review(card, T0 + dt.timedelta(minutes=minutes), grade, kind))
    day = T0.date()
    assert book.per_day == {day: (4, 3), day + dt.timedelta(days=1): (1, 1)}
    assert book.introduced == {(day, False): 2, (day, True): 1}
    assert book.total == 5


def test_a_review_dated_far_in_the_future_is_a_damaged_line_not_a_crash(folder):
    path = log_path(folder)
    path.parent.mkdir()
    path.write_bytes(b'{"v":1,"card":"q-1","at":"9999-12-31T23:59:00+00:00","grade":3}\n'
                     b'{"v":1,"card":"q-1","at":"0001-01-01T00:00:00+00:00","grade":3}\n'
                     b'{"v":1,"card":"q-1","at":"2024-01-01T00:00:00+00:00","grade":3}\n')
    book = ReviewStore(folder, ReviewSettings(), tz=dt.timezone(dt.timedelta(hours=-5))).book()
    assert book.total == 1 and [d.line for d in book.damaged] == [1, 2]


def test_damaged_and_torn_lines_reach_the_book(folder):
    store = ReviewStore(folder, ReviewSettings(), tz=UTC)
    store.record(Review("a", T0, 3))
    with open(log_path(folder), "ab") as handle:
        handle.write(b"garbage\n")
    book = store.record(Review("b", T0, 3))
    assert [d.line for d in book.damaged] == [2] and set(book.progress) == {"a", "b"}


def test_steps_parse_and_format():
    assert schedule.parse_steps("1m 10m") == (60, 600)
    assert schedule.parse_steps(" 30s, 1.5h 1d ") == (30, 5400, 86400)
    assert schedule.parse_steps("") == ()
    assert schedule.format_steps((60, 600, 5400, 86400, 45)) == "1m 10m 90m 1d 45s"
    for bad in ("10", "1 m", "5x", "8d", "0s"):
        with pytest.raises(schedule.SettingsError):
            schedule.parse_steps(bad)


def test_settings_round_trip_and_validation(folder, monkeypatch):
    assert schedule.load_settings(folder) == (ReviewSettings(), None)
    chosen = ReviewSettings(0.85, (30, 600), (300,), 7)
    schedule.save_settings(folder, chosen)
    assert schedule.load_settings(folder) == (chosen, None)
    for bad in (ReviewSettings(desired_retention=0.5), ReviewSettings(new_per_day=-1),
                ReviewSettings(learning_steps=(0,))):
        with pytest.raises(schedule.SettingsError):
            schedule.save_settings(folder, bad)
    schedule.settings_path(folder).write_text(json.dumps({"desired_retention": 2}))
    loaded, warning = schedule.load_settings(folder)
    assert loaded == ReviewSettings() and "ignored" in warning
    monkeypatch.setenv(storage.READONLY_ENV, "yes")
    with pytest.raises(storage.ReadOnlyError):
        schedule.save_settings(folder, chosen)


def test_interval_text():
    minutes = dt.timedelta(minutes=1)
    assert [schedule.interval_text(d) for d in (10 * dt.timedelta(seconds=1), minutes, 10 * minutes, 300 * minutes,
                                                dt.timedelta(days=3), dt.timedelta(days=45), dt.timedelta(days=800))] \
        == ["1 min", "1 min", "10 min", "5 h", "3 d", "1.5 mo", "2.2 y"]


def test_the_default_install_does_not_pull_the_optimizer():
    import importlib.metadata
    import sys

    requirements = importlib.metadata.requires("fsrs") or []
    assert all("extra ==" in requirement for requirement in requirements if "torch" in requirement)
    assert "torch" not in sys.modules
