"""The schedule's rules at their edges: settings bounds and messages, the settings file's warnings,
interval texts at each unit's border, counts in the book. Written against surviving mutants of
core/review/schedule.py (docs/mutation.md)."""

from __future__ import annotations

import datetime as dt
import json
import time

import fsrs
import pytest

from core.journal import storage
from core.review import schedule
from core.review.log import Review
from core.review.schedule import ReviewSettings, SettingsError

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
WEEK = 7 * 86400


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv(storage.READONLY_ENV, raising=False)
    return tmp_path


# --- settings in range ---------------------------------------------------------------------------

@pytest.mark.parametrize("settings", [
    ReviewSettings(desired_retention=0.70), ReviewSettings(desired_retention=0.99),
    ReviewSettings(new_per_day=0), ReviewSettings(new_per_day=9999),
    ReviewSettings(learning_steps=(1, WEEK)), ReviewSettings(relearning_steps=(1,) * 10),
    ReviewSettings(learning_steps=(), relearning_steps=()),
])
def test_settings_at_the_edges_of_their_ranges_are_valid(settings):
    assert schedule.validated(settings) is settings


@pytest.mark.parametrize(("settings", "message"), [
    (ReviewSettings(desired_retention=0.69), "desired retention must be between 0.70 and 0.99"),
    (ReviewSettings(desired_retention=0.995), "desired retention must be between 0.70 and 0.99"),
    (ReviewSettings(new_per_day=-1), "new cards a day must be between 0 and 9999"),
    (ReviewSettings(new_per_day=10000), "new cards a day must be between 0 and 9999"),
    (ReviewSettings(learning_steps=(0,)), "at most 10 steps, each between 1 second and 7 days"),
    (ReviewSettings(learning_steps=(WEEK + 1,)), "at most 10 steps, each between 1 second and 7 days"),
    (ReviewSettings(relearning_steps=(60,) * 11), "at most 10 steps, each between 1 second and 7 days"),
    (ReviewSettings(relearning_steps=(60, 0)), "at most 10 steps, each between 1 second and 7 days"),
])
def test_settings_out_of_range_are_refused_with_a_message(settings, message):
    with pytest.raises(SettingsError, match=f"^{message}$"):
        schedule.validated(settings)


def test_the_schedulers_use_the_settings_without_fuzzing():
    settings = ReviewSettings(0.8, (30, 300), (120,), 5)
    cards, notes = settings.scheduler(), settings.scheduler(note=True)
    assert cards.desired_retention == notes.desired_retention == 0.8
    assert cards.learning_steps == (dt.timedelta(seconds=30), dt.timedelta(seconds=300))
    assert tuple(cards.relearning_steps) == (dt.timedelta(seconds=120),)
    assert tuple(notes.learning_steps) == () and tuple(notes.relearning_steps) == ()
    assert cards.enable_fuzzing is False and notes.enable_fuzzing is False


# --- the settings file --------------------------------------------------------------------------------

GOOD = {"desired_retention": 0.85, "learning_steps": [30, 600], "relearning_steps": [300], "new_per_day": 7}


def write_settings(folder, data) -> None:
    path = schedule.settings_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))


def test_a_good_settings_file_is_read(folder):
    write_settings(folder, GOOD)
    assert schedule.load_settings(folder) == (ReviewSettings(0.85, (30, 600), (300,), 7), None)
    write_settings(folder, {**GOOD, "new_per_day": 6.6, "learning_steps": [29.6]})
    assert schedule.load_settings(folder)[0] == ReviewSettings(0.85, (30,), (300,), 7)


@pytest.mark.parametrize(("data", "reason"), [
    ([1, 2], "it is not a JSON object"),
    ({**GOOD, "desired_retention": True}, "'True' is not a finite number"),
    ({**GOOD, "desired_retention": "0.9"}, "'0.9' is not a finite number"),
    ({**GOOD, "new_per_day": None}, "'None' is not a finite number"),
    ({**GOOD, "learning_steps": "1m"}, "steps must be a list of at most 10 numbers of seconds"),
    ({**GOOD, "relearning_steps": [60] * 11}, "steps must be a list of at most 10 numbers of seconds"),
    ({**GOOD, "learning_steps": [60] * 10, "relearning_steps": [60] * 10}, None),
    ({**GOOD, "desired_retention": 0.5}, "desired retention must be between 0.70 and 0.99"),
    ({k: v for k, v in GOOD.items() if k != "new_per_day"}, "the file is damaged"),
    ("{not json", "it is not valid JSON text"),
    ('{"desired_retention": Infinity}', "'inf' is not a finite number"),
])
def test_an_unusable_settings_file_gives_the_defaults_and_says_why(folder, data, reason):
    write_settings(folder, data)
    settings, warning = schedule.load_settings(folder)
    if reason is None:
        assert warning is None and settings.learning_steps == (60,) * 10
        return
    assert settings == ReviewSettings()
    assert warning == f"Review settings in .studylab/review-settings.json ignored ({reason}); using the defaults."


def test_a_long_bad_value_is_cut_in_the_warning(folder):
    write_settings(folder, {**GOOD, "desired_retention": "x" * 100})
    _, warning = schedule.load_settings(folder)
    assert "'" + "x" * 40 + "' is not a finite number" in warning and "x" * 41 not in warning


def test_settings_that_cannot_be_written_are_a_message(folder, monkeypatch):
    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(storage, "atomic_write", refuse)
    with pytest.raises(storage.StorageError, match=r"^Could not save the review settings: Permission denied\.$"):
        schedule.save_settings(folder, ReviewSettings())


def test_saved_settings_are_indented_json_with_every_value(folder):
    schedule.save_settings(folder, ReviewSettings(0.8, (60,), (), 3))
    text = schedule.settings_path(folder).read_text()
    assert text.endswith("}\n") and '\n  "desired_retention": 0.8' in text
    assert json.loads(text) == {"desired_retention": 0.8, "learning_steps": [60], "relearning_steps": [],
                                "new_per_day": 3}


def test_readonly_mode_refuses_to_save_settings_with_a_message(folder, monkeypatch):
    monkeypatch.setenv(storage.READONLY_ENV, "1")
    with pytest.raises(storage.ReadOnlyError, match=r"^This journal is read-only \(STUDYLAB_READONLY is set\); "
                                                    r"settings are not saved\.$"):
        schedule.save_settings(folder, ReviewSettings())
    assert not schedule.settings_path(folder).exists()


# --- step text ----------------------------------------------------------------------------------------

def test_step_units_and_their_largest_whole_unit():
    assert schedule.parse_steps("2s 3m 4min 5h 6d") == (2, 180, 240, 18000, 518400)
    assert schedule.format_steps((2, 180, 240, 18000, 518400, 3601)) == "2s 3m 4m 5h 6d 3601s"
    assert schedule.parse_steps("7d 1s") == (WEEK, 1)


# --- the book -----------------------------------------------------------------------------------------

def test_the_book_counts_reviews_passes_lapses_and_first_reviews_per_day():
    day2 = T0 + dt.timedelta(days=1)
    reviews = [Review("a", T0, 4), Review("b", T0, 1), Review("n", T0, 2, "note"),
               Review("a", T0 + dt.timedelta(days=4), 1), Review("a", T0 + dt.timedelta(days=4, minutes=10), 3),
               Review("b", day2, 4)]
    book = schedule.replay(reviews, ReviewSettings(), tz=UTC)
    assert book.total == 6
    assert book.per_day == {T0.date(): (3, 2), day2.date(): (1, 1), (T0 + dt.timedelta(days=4)).date(): (2, 1)}
    assert book.introduced == {(T0.date(), False): 2, (T0.date(), True): 1}
    a = book.progress["a"]
    assert (a.reviews, a.lapses, a.first_review) == (3, 1, T0)
    b = book.progress["b"]
    assert (b.reviews, b.lapses) == (2, 0), "an Again while still learning is not a lapse"
    assert book.damaged == () and book.torn is False and book.error is None


def test_the_day_of_a_review_is_the_local_day():
    late = dt.datetime(2024, 5, 6, 23, 30, tzinfo=UTC)
    plus_two = dt.timezone(dt.timedelta(hours=2))
    book = schedule.replay([Review("a", late, 3)], ReviewSettings(), tz=plus_two)
    assert list(book.per_day) == [dt.date(2024, 5, 7)]


def _due_after_graduating(first: dt.datetime) -> dt.datetime:
    """When card "a", graded Easy at `first` (straight into FSRS's Review state), is due."""
    return schedule.replay([Review("a", first, 4)], ReviewSettings(), tz=UTC).progress["a"].state.due


@pytest.mark.parametrize(("grade", "recalled"), [(1, 0), (2, 1), (3, 1), (4, 1)])
def test_a_due_card_graded_hard_or_better_was_recalled(grade, recalled):
    due = _due_after_graduating(T0)
    book = schedule.replay([Review("a", T0, 4), Review("a", due, grade)], ReviewSettings(), tz=UTC)
    assert book.recall_per_day == {due.date(): (1, recalled)}


def test_whether_a_card_was_due_is_decided_on_the_local_calendar(monkeypatch):
    """Reviewed an hour before its due time, at 23:00 local on the day before the local day it is
    due: an early review, not a retention measure. On UTC's calendar it would look on time."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    kiribati = dt.timezone(dt.timedelta(hours=14))
    first = dt.datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
    due = _due_after_graduating(first)
    assert due.astimezone(kiribati).hour == 0
    early = due - dt.timedelta(hours=1)
    book = schedule.replay([Review("a", first, 4), Review("a", early, 3)], ReviewSettings(), tz=kiribati)
    assert book.recall_per_day == {}
    on_time = schedule.replay([Review("a", first, 4), Review("a", due, 3)], ReviewSettings(), tz=kiribati)
    assert on_time.recall_per_day == {due.astimezone(kiribati).date(): (1, 1)}


def test_learning_means_not_in_the_review_state():
    book = schedule.replay([Review("a", T0, 3)], ReviewSettings(), tz=UTC)
    assert book.progress["a"].learning and book.progress["a"].state.state == fsrs.State.Learning
    graduated = schedule.replay([Review("a", T0, 4)], ReviewSettings(), tz=UTC)
    assert not graduated.progress["a"].learning


def test_card_ids_are_stable_48_bit_integers():
    assert schedule.fsrs_card_id("q-1") == schedule.fsrs_card_id("q-1") != schedule.fsrs_card_id("q-2")
    assert 0 <= schedule.fsrs_card_id("q-1") < 2 ** 48
    assert schedule.fsrs_card_id("abc") == int.from_bytes(bytes.fromhex(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")[:6], "big")
    card = schedule.new_fsrs_card("q-1", T0)
    assert card.card_id == schedule.fsrs_card_id("q-1") and card.due == T0


def test_preview_gives_one_interval_per_grade_for_a_new_card():
    intervals = schedule.preview(ReviewSettings().scheduler(), "q", None, T0)
    assert list(intervals) == [1, 2, 3, 4]
    assert intervals[1] == dt.timedelta(minutes=1) and intervals[3] == dt.timedelta(minutes=10)
    assert intervals[4] >= dt.timedelta(days=1)


# --- interval texts -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("seconds", "text"), [
    (1, "1 min"), (89, "1 min"), (91, "2 min"), (3599, "60 min"), (3600, "1 h"), (86399, "24 h"),
    (5400, "2 h"), (86400, "1 d"), (29 * 86400, "29 d"), (30 * 86400, "1.0 mo"), (364 * 86400, "12.1 mo"),
    (365 * 86400, "1.0 y"), (int(383.5 * 86400), "1.1 y"), (1000 * 86400, "2.7 y"),
])
def test_interval_texts_at_each_units_border(seconds, text):
    assert schedule.interval_text(dt.timedelta(seconds=seconds)) == text
