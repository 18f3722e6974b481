"""Today's review queue and the review statistics, from a deck and a review book (pure functions).

What is due (as in Anki): a card in its (re)learning steps is due at its exact time; a card in
review is due on its day (local time), so everything due today forms one queue in the morning.
A card never reviewed is new: at most `new_per_day` new cards are introduced a day, and as many
new notes (a note becomes due for its first look back the day after its date).

The queue's order: learning steps due now, review cards (most overdue first), new cards (oldest
note first, in the note's order), then notes. When nothing else is left, a learning card due
within LEARN_AHEAD is shown early rather than making the student wait for a minute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel import dates

from core import messages
from core.messages import _
from core.review.cards import Card, Deck
from core.review.schedule import LEARN_AHEAD, ReviewBook, ReviewSettings


@dataclass(frozen=True)
class Queue:
    """What to review now, and the counts the page shows.

    items: cards in the order to review them. learning/review/new/notes: how many of the items
    are in steps, due for review, new cards, notes. new_waiting: new cards held back by the daily
    limit. ahead: items[0] is a learning card shown before its time. next_due: when the first card
    not in items becomes due (None when no card ever will), UTC. in_steps: every card (notes
    aside) in its learning or relearning steps, due now or later (as Anki counts them at once
    after Again or Hard).
    """

    items: tuple[Card, ...]
    learning: int
    review: int
    new: int
    notes: int
    new_waiting: int
    ahead: bool
    next_due: dt.datetime | None
    in_steps: int = 0


def local_day(moment: dt.datetime, tz: dt.tzinfo | None = None) -> dt.date:
    """The calendar day of `moment` in `tz` (None: the machine's time zone)."""
    return moment.astimezone(tz).date()


def day_start(day: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    """Local midnight starting `day`, as UTC."""
    if tz is None:
        return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.timezone.utc)
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.timezone.utc)


def new_allowed(book: ReviewBook, settings: ReviewSettings, today: dt.date, notes: bool) -> int:
    """New cards (or notes) that may still be introduced today under the daily limit."""
    return max(0, settings.new_per_day - book.introduced.get((today, notes), 0))


def build_queue(deck: Deck, book: ReviewBook, settings: ReviewSettings, now: dt.datetime,
                tz: dt.tzinfo | None = None) -> Queue:
    """Today's queue at `now` (aware UTC) for every card of `deck`."""
    today = local_day(now, tz)
    learning, review, new_cards, notes_due, new_notes, later = [], [], [], [], [], []
    for card in deck.cards:
        progress = book.progress.get(card.id)
        is_note = card.kind == "note"
        if progress is None:
            (new_notes if is_note else new_cards).append(card)
        elif progress.learning:
            if progress.state.due <= now:
                (notes_due if is_note else learning).append((progress.state.due, card))
            else:
                later.append((progress.state.due, card))
        elif local_day(progress.state.due, tz) <= today:
            (notes_due if is_note else review).append((progress.state.due, card))
        else:
            later.append((day_start(local_day(progress.state.due, tz), tz), card))
    fresh_notes = [card for card in new_notes if _note_is_old(deck, card, today)]
    shown_new = new_cards[: new_allowed(book, settings, today, False)]
    shown_notes = fresh_notes[: new_allowed(book, settings, today, True)]
    items = _in_due_order(learning) + _in_due_order(review) + shown_new + _in_due_order(notes_due) + shown_notes
    later.sort(key=_by_due)
    ahead = not items and bool(later) and later[0][0] - now <= LEARN_AHEAD and book.progress[later[0][1].id].learning
    if ahead:
        items, later = [later[0][1]], later[1:]
    waiting = len(new_cards) - len(shown_new) + len(new_notes) - len(shown_notes)
    next_times = [due for due, _card in later[:1]] + ([day_start(today + dt.timedelta(days=1), tz)] if waiting else [])
    return Queue(
        items=tuple(items),
        learning=len(learning) + (1 if ahead else 0),
        review=len(review),
        new=len(shown_new),
        notes=len(notes_due) + len(shown_notes),
        new_waiting=len(new_cards) - len(shown_new),
        ahead=ahead,
        next_due=min(next_times) if next_times else None,
        in_steps=sum(1 for card in deck.cards if card.kind != "note" and card.id in book.progress
                     and book.progress[card.id].learning),
    )


def _by_due(entry: tuple[dt.datetime, Card]) -> dt.datetime:
    return entry[0]


def _in_due_order(entries: list[tuple[dt.datetime, Card]]) -> list[Card]:
    return [card for _due, card in sorted(entries, key=_by_due)]


def _note_is_old(deck: Deck, card: Card, today: dt.date) -> bool:
    """A new note is due for its first look back from the day after its date (undated: at once)."""
    day = deck.note_dates.get(card.note_path)
    return day is None or day < today


def due_forecast(deck: Deck, book: ReviewBook, settings: ReviewSettings, now: dt.datetime, days: int = 14,
                 tz: dt.tzinfo | None = None) -> dict[dt.date, dict[str, int]]:
    """Cards and notes due on each day from today to today + `days` (today includes the overdue
    ones and the new ones allowed today): {day: {"cards": n, "notes": m, "new": k}}."""
    today = local_day(now, tz)
    forecast = {today + dt.timedelta(days=offset): {"cards": 0, "notes": 0, "new": 0} for offset in range(days + 1)}
    new_cards = new_notes = 0
    for card in deck.cards:
        progress = book.progress.get(card.id)
        if progress is None:
            if card.kind == "note":
                new_notes += _note_is_old(deck, card, today)
            else:
                new_cards += 1
            continue
        day = max(today, local_day(progress.state.due, tz))
        if day in forecast:
            forecast[day]["notes" if card.kind == "note" else "cards"] += 1
    forecast[today]["new"] = (min(new_cards, new_allowed(book, settings, today, False))
                              + min(new_notes, new_allowed(book, settings, today, True)))
    return forecast


def reviews_per_day(book: ReviewBook) -> dict[dt.date, int]:
    """Number of logged reviews on each local day that has any."""
    return {day: reviews for day, (reviews, _passed) in book.per_day.items()}


def retention(book: ReviewBook, today: dt.date, days: int = 30) -> tuple[int, int]:
    """(recalled, due) over the `days` days ending today: the true retention that the desired
    retention (e.g. 0.9) aims at. Only cards in FSRS's Review state reviewed when due (on or after
    their due day) count; learning and relearning steps and notes do not. recalled = graded hard,
    good or easy."""
    return _window(book.recall_per_day, today, days)


def pass_rate(book: ReviewBook, today: dt.date, days: int = 30) -> tuple[int, int]:
    """(passed, reviews) over the `days` days ending today, every review counted (learning steps
    and notes too); passed = graded hard, good or easy. Not the retention: see `retention`."""
    return _window(book.per_day, today, days)


def _window(per_day: dict[dt.date, tuple[int, int]], today: dt.date, days: int) -> tuple[int, int]:
    first = today - dt.timedelta(days=days - 1)
    window = [counts for day, counts in per_day.items() if first <= day <= today]
    return sum(good for _count, good in window), sum(count for count, _good in window)


def due_text(moment: dt.datetime, now: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """When `moment` is, for a student: 'now', 'today at 14:32 (in 8 min)', 'tomorrow (Tue 2024-05-07)',
    'on Tue 2024-05-14 (in 7 days)' (in the interface language, core.messages)."""
    if moment <= now:
        return _("now")
    local, today = moment.astimezone(tz), local_day(now, tz)
    days = (local.date() - today).days
    if days == 0:
        minutes = max(1, round((moment - now).total_seconds() / 60))
        wait = (_("{value} min").format(value=minutes) if minutes < 60
                else _("{value} h").format(value=f"{minutes / 60:.1f}"))
        return _("today at {time} (in {wait})").format(time=f"{local:%H:%M}", wait=wait)
    day = f"{dates.format_date(local.date(), 'EEE', locale=messages.locale())} {local.date().isoformat()}"
    if days == 1:
        return _("tomorrow ({day})").format(day=day)
    return messages.ngettext("on {day} (in {count} day)", "on {day} (in {count} days)", days).format(
        day=day, count=days)
