"""Streamlit helpers for reviewing and practising, shared by the Review page, the dashboard and
note rendering: the deck and review store (cached), recording a grade, the practice widget, the
quiz and practice blocks inside a rendered note, and the dashboard's review section.

This module joins the journal (cards, review log, scheduling) with the labs' practice problems
(core.practice), which is why it sits in ui and not in core. Imports ui.notes_folder and ui.widgets.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import Path
from typing import Callable

import streamlit as st

from core import practice
from core.journal import storage
from core.journal.notes import Library, Note, Problem
from core.review import charts as review_charts
from core.review import log as review_log
from core.review import queue as review_queue
from core.review import schedule
from core.review.cards import Block, Card, CardError, Deck, build_deck, parse_practice, parse_quiz, practice_card_id
from core.review.log import Review
from core.review.schedule import ReviewBook, ReviewSettings, ReviewStore
from ui import notes_folder, widgets

REVIEW_PAGE = "pages/review.py"
GRADE_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
PRACTICE_RIGHT, PRACTICE_WRONG = 3, 1
TOAST = "_studylab_review_toast"
WRAPPING_ROW_HEIGHT = 72  # px, three lines of a cell's text


def sync_mergers(notes_dir: Path) -> dict[str, Callable[[bytes, bytes], bytes]]:
    """The state files a sync merges with their own rule (core.sync.merge.pull's `merge_state`):
    the review log, as the union of both sides' reviews by identity; damaged lines that arrive
    go to `.studylab/quarantine/`, never into the merged log."""
    return {f"{review_log.STATE_DIR}/{review_log.LOG_NAME}": review_log.quarantining_merge(notes_dir)}


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def settings() -> tuple[ReviewSettings, str | None]:
    """The notes folder's review settings (defaults when none are saved) and a warning, if any."""
    return schedule.load_settings(notes_folder.notes_dir())


def store(review_settings: ReviewSettings) -> ReviewStore:
    """The review store of the notes folder in use, shared by every session of this process."""
    return _store(str(notes_folder.notes_dir()), review_settings)


@st.cache_resource(show_spinner=False, max_entries=8, hash_funcs={ReviewSettings: repr})
def _store(folder: str, review_settings: ReviewSettings) -> ReviewStore:
    return ReviewStore(folder, review_settings)


def deck(library: Library) -> Deck:
    """Every card of `library` (practice blocks checked against the known generators), kept per
    session for as long as the library object is the same."""
    return notes_folder.per_library("deck", library,
                                    lambda notes: build_deck(notes, known_generators=practice.GENERATORS))


def record(card_id: str, kind: str, note_path: str | None, grade: int, review_settings: ReviewSettings,
           started: float | None = None) -> str | None:
    """Log one review now; returns an error message for the student, or None when it was logged."""
    elapsed = None if started is None else max(0, round((time.monotonic() - started) * 1000))
    try:
        store(review_settings).record(Review(card_id, now(), grade, kind, note_path, elapsed))
    except storage.StorageError as err:
        return str(err)
    except ValueError as err:  # a line over MAX_LINE_BYTES: no real card gets there
        return f"The review was not recorded: {err}."
    return None


def log_warnings(book: ReviewBook) -> None:
    """Say so when the log has damaged lines or an unfinished last line (both were skipped)."""
    path = f"{review_log.STATE_DIR}/{review_log.LOG_NAME}"
    if book.error:
        st.warning(f"The review log `{path}` {book.error}; reviews are shown as if there were none.",
                   icon=":material/warning:")
    if book.torn:
        st.warning(f"The last line of `{path}` is unfinished (the app or the machine stopped during a write). "
                   "It was ignored; every review before it is intact.", icon=":material/warning:")
    if book.damaged:
        lines = ", ".join(str(d.line) for d in book.damaged[:10]) + (" …" if len(book.damaged) > 10 else "")
        st.warning(f"{len(book.damaged)} line(s) of `{path}` are not reviews and were skipped (line {lines}): "
                   f"{book.damaged[0].reason}.", icon=":material/warning:")


def practice_widget(generator: str, key: str, *, note_path: str | None, review_settings: ReviewSettings,
                    next_label: str = "New problem", next_shortcut: str | None = None, on_next=None) -> None:
    """A fresh problem from `generator`, an answer box, and the verdict with the worked solution.

    A checked answer is logged as a review of the generator's card (good when right, again when
    wrong) unless the journal is read-only. An answer that cannot be read is not graded: the
    sentence saying what is expected shows under the answer box. `on_next` runs when the student
    asks for the next one.
    """
    seed_key, result_key, answer_key = f"{key}-seed", f"{key}-result", f"{key}-answer"
    unread = st.session_state.get(f"{key}-unread")
    if seed_key not in st.session_state:
        st.session_state[seed_key] = secrets.randbelow(2**31)
    exercise = practice.draw(generator, st.session_state[seed_key])
    st.markdown(exercise.question)
    result = st.session_state.get(result_key)
    if result is None and exercise.choices:
        # A pick is the answer, checked at once: a radio button keeps the focus and swallows
        # Enter and Space, so a Check button would need the mouse again.
        st.radio("Your answer", exercise.choices, index=None, horizontal=True, key=answer_key,
                 on_change=_check_practice, args=(exercise, key, note_path, review_settings))
        if unread:
            st.warning(unread, icon=":material/edit:")
        st.caption("Pick one: it is checked at once.")
        return
    if result is None:
        with st.form(f"{key}-form", border=False, enter_to_submit=True):
            hint = "a whole number, e.g. 24" if exercise.size else "a number, e.g. 13, -0.25 or 1/1280"
            st.text_input("Your answer", key=answer_key, placeholder=hint)
            st.form_submit_button("Check", type="primary", icon=":material/check:", on_click=_check_practice,
                                  args=(exercise, key, note_path, review_settings))
        if unread:
            st.warning(unread, icon=":material/edit:")
        st.caption(f"Tolerance: {exercise.tolerance}.")
        return
    correct, message, logged = result
    (st.success if correct else st.error)(message, icon=":material/check_circle:" if correct else ":material/cancel:")
    if correct:
        with st.expander("Worked solution"):
            st.markdown(exercise.solution)
    else:
        st.markdown("**Worked solution**")
        st.markdown(exercise.solution)
    if logged:
        st.caption(logged)
    st.button(next_label, key=f"{key}-next", icon=":material/refresh:", on_click=_next_practice,
              args=(key, on_next), shortcut=next_shortcut)


def _check_practice(exercise: practice.Exercise, key: str, note_path: str | None,
                    review_settings: ReviewSettings) -> None:
    outcome = practice.check(exercise, st.session_state.get(f"{key}-answer") or "")
    if not outcome.readable:
        st.session_state[f"{key}-unread"] = outcome.message
        return
    st.session_state.pop(f"{key}-unread", None)
    if storage.is_readonly():
        logged = "Read-only journal: this answer is not logged."
    else:
        grade = PRACTICE_RIGHT if outcome.correct else PRACTICE_WRONG
        error = record(practice_card_id(exercise.generator), "practice", note_path, grade, review_settings)
        logged = error or f"Logged as {GRADE_LABELS[grade].lower()} for this problem type's schedule."
    st.session_state[f"{key}-result"] = (outcome.correct, outcome.message, logged)


def _next_practice(key: str, on_next) -> None:
    for suffix in ("-result", "-answer", "-unread"):
        st.session_state.pop(f"{key}{suffix}", None)
    st.session_state[f"{key}-seed"] = secrets.randbelow(2**31)
    if on_next is not None:
        on_next()


def toast_later(message: str, *, failed: bool = False) -> None:
    """From a callback: a short message for the next run's toast (a warning icon when something failed)."""
    st.session_state[TOAST] = (message, ":material/warning:" if failed else ":material/info:")


def show_toast() -> None:
    """Show, once, the short message a callback left."""
    pending = st.session_state.pop(TOAST, None)
    if pending:
        st.toast(pending[0], icon=pending[1])


def note_block(block: Block, note: Note) -> None:
    """A quiz or practice block inside a rendered note: the quiz with its answer folded away, or
    a live practice problem."""
    if block.kind == "quiz":
        try:
            quiz = parse_quiz(block.text)
        except CardError as err:
            st.warning(f"This quiz block cannot be read: {err.reason}.", icon=":material/warning:")
            return
        with st.container(border=True):
            st.markdown(f":material/quiz: **Quiz** · {quiz.question}")
            if quiz.choices:
                st.markdown("\n".join(f"- {choice}" for choice in quiz.choices))
            with st.expander("Answer"):
                st.markdown(quiz.answer)
        return
    try:
        name = parse_practice(block.text)
    except CardError as err:
        st.warning(f"This practice block cannot be read: {err.reason}.", icon=":material/warning:")
        return
    if name not in practice.GENERATORS:
        known = ", ".join(practice.GENERATORS)
        st.warning(f"This practice block names '{name}', which is not a generator ({known}).",
                   icon=":material/warning:")
        return
    with st.container(border=True):
        st.markdown(f":material/calculate: **Practice** · {practice.GENERATORS[name].title}")
        practice_widget(name, f"note-practice-{note.slug}-{block.line}", note_path=note.path,
                        review_settings=settings()[0])


def due_text(queue: review_queue.Queue) -> str:
    """What is due, in the one wording the Dashboard and the Review page share: everything the
    Review page shows now (learning steps, reviews, today's new cards, notes), then its parts."""
    parts = [
        (queue.learning, "in learning steps", "in learning steps"), (queue.review, "review", "reviews"),
        (queue.new, "new card", "new cards"), (queue.notes, "note", "notes"),
    ]
    shown = ", ".join(widgets.plural(count, one, many) for count, one, many in parts if count)
    return f"{len(queue.items)} due now: {shown}" if shown else "Nothing due now"


def journal_problems(library: Library) -> list[Problem]:
    """Every problem of the notes folder, counted the same way on every page: files that did not
    load, malformed review cards, and practice blocks naming an unknown generator; by file."""
    return sorted([*library.problems, *deck(library).problems], key=lambda problem: (problem.file, problem.line or 0))


def problems_table(problems: list[Problem]) -> None:
    """The problems as a table whose reasons wrap instead of being cut off (Streamlit wraps a
    dataframe's text once its rows are taller than 4rem: WRAPPING_ROW_HEIGHT)."""
    st.dataframe(
        [{"file": problem.file, "line": problem.line, "reason": problem.reason} for problem in problems],
        hide_index=True, width="stretch", row_height=WRAPPING_ROW_HEIGHT,
        column_config={"file": st.column_config.TextColumn(width="small"),
                       "line": st.column_config.NumberColumn(width=60),
                       "reason": st.column_config.TextColumn(width="large")},
    )


def problems_text(problems: list[Problem]) -> str:
    """`3 problems in 2 files` (the sidebar's, the Dashboard's and the Review page's wording)."""
    files = len({problem.file for problem in problems})
    return f"{widgets.plural(len(problems), 'problem', 'problems')} in {widgets.plural(files, 'file', 'files')}"


def queue_now(library: Library) -> review_queue.Queue:
    """The review queue the Review page would show now (the dashboard's Today block counts it)."""
    review_settings, _warning = settings()
    return review_queue.build_queue(deck(library), store(review_settings).book(), review_settings, now())


def dashboard_section(library: Library, queue: review_queue.Queue | None = None) -> None:
    """The dashboard's review part: what is due, the 14-day forecast, reviews per day, retention,
    and what is wrong with the review settings or log, if anything. `queue`: the one the Today
    block already built this run (`queue_now`), so it is not built twice."""
    review_settings, settings_warning = settings()
    cards = deck(library)
    book = store(review_settings).book()
    moment = now()
    today = review_queue.local_day(moment)
    if queue is None:
        queue = review_queue.build_queue(cards, book, review_settings, moment)
    st.subheader("Review", anchor=False)
    if settings_warning:
        st.warning(settings_warning, icon=":material/warning:")
    log_warnings(book)
    if not book.total:
        counted = len(cards.of_kind("card", "quiz", "practice"))
        if not counted:
            st.caption("Your notes have no review cards yet. Write a `Q:` line with an `A:` line under it in a "
                       "note, and it comes back here on a schedule; notes themselves come back too.")
        st.caption(f"Nothing reviewed yet. {due_text(queue)}.")
        if queue.items:
            st.page_link(REVIEW_PAGE, label="Start reviewing", icon=":material/school:")
        if not counted and not notes_folder.readonly():
            st.page_link("pages/write.py", label="Write a note with a card", icon=":material/edit_note:",
                         query_params={"new": "til"})
        return
    forecast = review_queue.due_forecast(cards, book, review_settings, moment)
    recalled, due = review_queue.retention(book, today)
    passed, reviews = review_queue.pass_rate(book, today)
    target = review_settings.desired_retention
    metric_row([
        ("Due now", len(queue.items), due_text(queue)),
        ("Due in the next 14 days", sum(sum(c.values()) for day, c in forecast.items() if day != today), None),
        ("Reviews, last 30 days", reviews, None),
        ("Retention, last 30 days", f"{recalled / due:.0%}" if due else "–",
         f"Target {target:.0%} (the desired retention). Share of cards in review (not in learning or "
         f"relearning steps, not notes) recalled (graded hard, good or easy) when they were due: {recalled} of "
         f"{due}." + ("" if due else " No card in review has come due yet.")),
        ("Pass rate, last 30 days", f"{passed / reviews:.0%}" if reviews else "–",
         "Share of all reviews graded hard, good or easy, learning steps and notes included. Not the retention."),
    ])
    st.caption(f"Retention: {recalled} of {due} cards in review recalled when due, against the desired "
               f"retention of {target:.0%}. The pass rate counts every review, learning steps and notes included.")
    forecast_column, calendar_column = st.columns([3, 2])
    with forecast_column:
        widgets.chart(review_charts.forecast_chart, forecast)
    with calendar_column:
        widgets.chart(review_charts.review_calendar, review_queue.reviews_per_day(book), today)
    st.page_link(REVIEW_PAGE, label="Open the Review page", icon=":material/school:")


def metric_row(metrics: list[tuple[str, object, str | None]]) -> None:
    """(label, value, help) metrics in one row that wraps two by two on a phone."""
    with st.container(horizontal=True, horizontal_alignment="distribute"):
        for label, value, help_text in metrics:
            st.metric(label, value, help=help_text, width=160)


def card_kind_label(card: Card) -> str:
    return {"card": "Card", "quiz": "Quiz", "practice": "Practice", "note": "Note"}[card.kind]
