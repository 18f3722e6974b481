"""Today's queue, the forecast and the review statistics and charts."""

from __future__ import annotations

import datetime as dt

import fsrs
import pandas as pd

from core.journal.notes import build_library, parse_note
from core.review import charts as review_charts
from core.review import queue as review_queue
from core.review import schedule
from core.review.cards import build_deck
from core.review.log import Review
from core.review.schedule import ReviewSettings

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def deck_of(*notes: tuple[str, str, str]):
    """A deck from (file name, date, body) notes."""
    library = build_library([parse_note(f"---\ndate: {date}\n---\n{body}".encode(), name)
                             for name, date, body in notes], [])
    return build_deck(library)


CARDS = "\n\n".join(f"Q: question {i}\nA: answer {i}" for i in range(5))
DECK = deck_of(("old.md", "2024-05-01", CARDS), ("today.md", "2024-05-06", "Q: fresh\nA: yes"))


def queue_after(reviews, review_settings=None, now=NOW, deck=DECK):
    review_settings = review_settings or ReviewSettings()
    book = schedule.replay(reviews, review_settings, tz=UTC)
    return review_queue.build_queue(deck, book, review_settings, now, tz=UTC), book


def card(question: str) -> str:
    return next(c.id for c in DECK.cards if c.question == question)


def test_new_cards_come_in_note_order_within_the_daily_limit_and_notes_after_them():
    queue, _book = queue_after([], ReviewSettings(new_per_day=3))
    assert [c.question for c in queue.items] == ["question 0", "question 1", "question 2", "old"]
    assert (queue.new, queue.notes, queue.new_waiting) == (3, 1, 3), "today's note waits for tomorrow"
    assert queue.next_due == dt.datetime(2024, 5, 7, tzinfo=UTC)


def test_first_reviews_today_use_up_the_new_limit():
    reviews = [Review(card(f"question {i}"), NOW - dt.timedelta(hours=1), 4) for i in range(2)]
    queue, _book = queue_after(reviews, ReviewSettings(new_per_day=3))
    assert [c.question for c in queue.items][:1] == ["question 2"] and queue.new == 1


def test_learning_steps_are_due_at_their_time_and_reviews_on_their_day():
    reviews = [Review(card("question 0"), NOW - dt.timedelta(minutes=5), 1),       # again: due in 1 min
               Review(card("question 1"), NOW - dt.timedelta(minutes=5), 3),       # good: due in 10 min
               Review(card("question 2"), NOW - dt.timedelta(days=3), 4)]          # easy: due in days
    queue, book = queue_after(reviews, ReviewSettings(new_per_day=0))
    assert [c.question for c in queue.items] == ["question 0"]
    assert (queue.learning, queue.review, queue.new, queue.notes) == (1, 0, 0, 0)
    assert queue.next_due == NOW + dt.timedelta(minutes=5)
    due = book.progress[card("question 2")].state.due
    assert due.time() == NOW.time() and due.date() > TODAY
    morning = dt.datetime.combine(due.date(), dt.time(0, 1), tzinfo=UTC)
    later, _ = queue_after(reviews, ReviewSettings(new_per_day=0), now=morning)
    assert "question 2" in [c.question for c in later.items], "a review card is due from the start of its day"
    assert later.review == 1


def test_a_learning_card_comes_early_when_nothing_else_is_left():
    reviews = [Review(c.id, NOW - dt.timedelta(minutes=2), 3, "note" if c.kind == "note" else "card")
               for c in DECK.cards]
    queue, book = queue_after(reviews)
    assert not any(book.progress[c.id].learning for c in DECK.cards if c.kind == "note"), "notes skip the steps"
    assert len(queue.items) == 1 and queue.ahead and queue.learning == 1
    assert queue.items[0].question == "question 0"
    assert queue.next_due == NOW + dt.timedelta(minutes=8), "the next of the cards in steps"
    slow = ReviewSettings(learning_steps=(1800,))                    # hard on one 30-min step: 45 minutes
    hard = [Review(c.id, NOW - dt.timedelta(minutes=2), 2) for c in DECK.cards if c.kind != "note"]
    waiting, _book = queue_after(hard + [r for r in reviews if r.kind == "note"], slow)
    assert waiting.items == () and not waiting.ahead and waiting.next_due == NOW + dt.timedelta(minutes=43)


def test_empty_queue_says_when_the_next_card_is_due():
    reviews = [Review(c.id, NOW - dt.timedelta(days=1), 4, "note" if c.kind == "note" else "card")
               for c in DECK.cards]
    queue, book = queue_after(reviews)
    assert queue.items == ()
    assert queue.next_due == min(dt.datetime.combine(p.state.due.date(), dt.time(), tzinfo=UTC)
                                 for p in book.progress.values())
    assert review_queue.due_text(queue.next_due, NOW, tz=UTC).startswith("on ")


def test_due_text():
    assert review_queue.due_text(NOW, NOW, UTC) == "now"
    assert review_queue.due_text(NOW + dt.timedelta(minutes=8), NOW, UTC) == "today at 09:08 (in 8 min)"
    assert review_queue.due_text(NOW + dt.timedelta(hours=3), NOW, UTC) == "today at 12:00 (in 3.0 h)"
    assert review_queue.due_text(NOW + dt.timedelta(days=1), NOW, UTC) == "tomorrow (Tue 2024-05-07)"
    assert review_queue.due_text(NOW + dt.timedelta(days=7), NOW, UTC) == "on Mon 2024-05-13 (in 7 days)"


def test_forecast_retention_and_reviews_per_day():
    reviews = [Review(card("question 0"), NOW - dt.timedelta(days=2), 1),
               Review(card("question 0"), NOW - dt.timedelta(days=2, minutes=-5), 3),
               Review(card("question 1"), NOW - dt.timedelta(days=40), 3),
               Review(card("question 2"), NOW - dt.timedelta(hours=1), 4)]
    review_settings = ReviewSettings(new_per_day=2)
    book = schedule.replay(reviews, review_settings, tz=UTC)
    forecast = review_queue.due_forecast(DECK, book, review_settings, NOW, tz=UTC)
    assert list(forecast) == [TODAY + dt.timedelta(days=d) for d in range(15)]
    learned = sum(counts["cards"] for counts in forecast.values())
    in_window = sum(1 for p in book.progress.values() if p.state.due.date() <= TODAY + dt.timedelta(days=14))
    assert learned == in_window
    assert forecast[TODAY]["cards"] >= 1, "the card reviewed 40 days ago is overdue"
    assert forecast[TODAY]["new"] == 1 + 1, "one new card left under the limit, one old note"
    assert review_queue.pass_rate(book, TODAY) == (2, 3)
    assert review_queue.retention(book, TODAY) == (0, 0), "learning steps of new cards are not retention"
    assert review_queue.reviews_per_day(book) == {TODAY - dt.timedelta(days=2): 2, TODAY - dt.timedelta(days=40): 1,
                                                  TODAY: 1}


def test_forecast_chart_and_frame():
    forecast = {TODAY + dt.timedelta(days=d): {"cards": d, "notes": 1, "new": 3 if d == 0 else 0} for d in range(15)}
    frame = review_charts.forecast_frame(forecast)
    assert len(frame) == 45 and frame["count"].sum() == sum(range(15)) + 15 + 3
    assert frame.iloc[0]["day"] == "Mon 05-06"
    spec = review_charts.forecast_chart(forecast).to_dict()
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["color"]["field"] == "kind"
    assert spec["title"] == "Due today and in the next 14 days"


def test_review_calendar_covers_whole_weeks_up_to_today():
    counts = {TODAY: 4, TODAY - dt.timedelta(days=10): 2, TODAY - dt.timedelta(days=400): 9}
    frame = review_charts.review_calendar_frame(counts, TODAY, weeks=4)
    assert frame["date"].iloc[0] == dt.date(2024, 4, 15) and frame["date"].iloc[-1] == TODAY
    assert frame["reviews"].sum() == 6 and frame["week"].max() == 3
    assert set(frame["weekday"]) <= set(review_charts.WEEKDAYS)
    spec = review_charts.review_calendar(counts, TODAY, weeks=4).to_dict()
    assert spec["mark"]["type"] == "rect" and spec["encoding"]["color"]["scale"]["domain"] == [0, 4]
    assert isinstance(review_charts.review_calendar_frame({}, TODAY), pd.DataFrame)


def test_retention_counts_review_state_cards_recalled_when_due_by_hand():
    """A small log, computed by hand: only reviews of cards in the Review state, on or after their
    due day, count; learning steps, early reviews, relearning steps and notes do not."""
    settings = ReviewSettings(learning_steps=(), relearning_steps=(600,))     # a first Good goes to Review
    start = NOW - dt.timedelta(days=25)
    log = [Review(card("question 0"), start, 3), Review(card("question 1"), start, 3),
           Review(card("question 2"), start, 3)]
    book = schedule.replay(log, settings, tz=UTC)
    due = {name: book.progress[card(name)].state.due for name in ("question 0", "question 1", "question 2")}
    assert all(book.progress[card(name)].state.state == fsrs.State.Review for name in due)
    log += [
        Review(card("question 0"), due["question 0"] + dt.timedelta(hours=1), 3),     # due, recalled: counts 1/1
        Review(card("question 1"), due["question 1"] + dt.timedelta(hours=1), 1),     # due, forgotten: counts 0/1
        Review(card("question 1"), due["question 1"] + dt.timedelta(hours=2), 3),     # relearning step: not counted
        Review(card("question 2"), due["question 2"] - dt.timedelta(days=1), 4),      # before its due day: not counted
        Review("note:old.md", start + dt.timedelta(days=3), 3, kind="note"),
        Review("note:old.md", start + dt.timedelta(days=20), 3, kind="note"),       # a note: never counted
    ]
    log.sort(key=lambda review: review.at)
    book = schedule.replay(log, settings, tz=UTC)
    assert review_queue.retention(book, TODAY) == (1, 2)                              # by hand: 1 of 2 = 50 %
    assert review_queue.pass_rate(book, TODAY) == (8, 9)                              # every review: 8 of 9
    assert review_queue.retention(book, TODAY, days=1) == (0, 0)
