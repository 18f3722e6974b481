"""Streamlit helpers for reviewing and practising, shared by the Review page, the dashboard and
note rendering: the deck and review store (cached), recording a grade, the practice widget, the
quiz and practice blocks inside a rendered note, and the dashboard's review section.

This module joins the journal (cards, review log, scheduling) with the labs' practice problems
(core.practice), which is why it sits in ui and not in core. Imports ui.i18n, ui.notes_folder and ui.widgets.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from pathlib import Path
from typing import Callable

import streamlit as st

from core import messages, practice
from core.journal import storage
from core.journal.notes import Library, Note, Problem
from core.messages import N_, _
from core.review import charts as review_charts
from core.review import log as review_log
from core.review import queue as review_queue
from core.review import schedule
from core.review.cards import (
    Block,
    Card,
    CardError,
    Deck,
    build_deck,
    card_problems,
    parse_practice,
    parse_quiz,
    practice_card_id,
)
from core.review.log import Review
from core.review.schedule import ReviewBook, ReviewSettings, ReviewStore
from ui import notes_folder, widgets

REVIEW_PAGE = "pages/review.py"
WRITE_PAGE = "pages/write.py"
GRADE_LABELS = {1: N_("Again"), 2: N_("Hard"), 3: N_("Good"), 4: N_("Easy")}
"""English names (the msgids); shown with `grade_label`."""
PRACTICE_RIGHT, PRACTICE_WRONG = 3, 1
TOAST = "_studylab_review_toast"
WRAPPING_ROW_HEIGHT = 72  # px, three lines of a cell's text


def grade_label(grade: int) -> str:
    """A grade's name in the interface language: Again, Hard, Good, Easy."""
    return _(GRADE_LABELS[grade])


# The review log's reasons for a damaged line (core.review.log.parse_line) stay English where
# they are made: they go into quarantine files and into a review book that every session shares.
# They are translated where they are shown, template by template ({value}: the part that varies).
LOG_REASONS = (
    N_("longer than {value} bytes, so not a review"),
    N_("nested more than {value} levels deep, so not a review"),
    N_("not a complete JSON line (cut off by a crash, or edited by hand)"),
    N_("not a JSON object"),
    N_("no card id"),
    N_("grade {value} is not 1, 2, 3 or 4"),
    N_("no review time"),
    N_("review time {value} is not an ISO 8601 time"),
    N_("review time {value} has no UTC offset"),
    N_("review time {value} is before 1970 or in the future"),
)


def log_reason(reason: str) -> str:
    """A damaged log line's reason (English, from core.review.log) in the interface language."""
    for template in LOG_REASONS:
        pattern = "^" + re.escape(template).replace(re.escape("{value}"), "(?P<value>.*)") + "$"
        match = re.match(pattern, reason, re.S)
        if match:
            return _(template).format(**match.groupdict())
    return reason


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
    session and interface language (its problems are sentences) for as long as the library object is the same."""
    return notes_folder.per_library(f"deck_{messages.language()}", library,
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
        return _("The review was not recorded: {reason}.").format(reason=err)
    return None


def log_warnings(book: ReviewBook) -> None:
    """Say so when the log has damaged lines or an unfinished last line (both were skipped)."""
    path = f"{review_log.STATE_DIR}/{review_log.LOG_NAME}"
    if book.error:
        # core.review.log says "cannot be read (<the system's reason>)" (English: the book is shared).
        unreadable = re.fullmatch(r"cannot be read \((.*)\)", book.error, re.S)
        if unreadable:
            text = _("The review log `{path}` cannot be read ({reason}); reviews are shown as if there were none.")
            st.warning(text.format(path=path, reason=unreadable.group(1)), icon=":material/warning:")
        else:
            st.warning(_("The review log `{path}` {problem}; reviews are shown as if there were none.").format(
                path=path, problem=book.error), icon=":material/warning:")
    if book.torn:
        st.warning(_("The last line of `{path}` is unfinished (the app or the machine stopped during a write). "
                     "It was ignored; every review before it is intact.").format(path=path), icon=":material/warning:")
    if book.damaged:
        lines = ", ".join(str(d.line) for d in book.damaged[:10]) + (" …" if len(book.damaged) > 10 else "")
        text = messages.ngettext("{count} line of `{path}` is not a review and was skipped (line {lines}): {reason}.",
                                 "{count} lines of `{path}` are not reviews and were skipped (line {lines}): "
                                 "{reason}.", len(book.damaged))
        st.warning(text.format(count=len(book.damaged), path=path, lines=lines,
                               reason=log_reason(book.damaged[0].reason)), icon=":material/warning:")


def practice_widget(generator: str, key: str, *, note_path: str | None, review_settings: ReviewSettings,
                    next_label: str = N_("New problem"), next_shortcut: str | None = None, on_next=None) -> None:
    """A fresh problem from `generator`, an answer box, and the verdict with the worked solution.

    A checked answer is logged as a review of the generator's card (good when right, again when
    wrong) unless the journal is read-only. An answer that cannot be read is not graded: the
    sentence saying what is expected shows under the answer box. `on_next` runs when the student
    asks for the next one. `next_label` is an English msgid (marked with N_), shown translated.
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
        st.radio(_("Your answer"), exercise.choices, index=None, horizontal=True, key=answer_key,
                 on_change=_check_practice, args=(exercise, key, note_path, review_settings))
        if unread:
            st.warning(unread, icon=":material/edit:")
        st.caption(_("Pick one: it is checked at once."))
        return
    if result is None:
        with st.form(f"{key}-form", border=False, enter_to_submit=True):
            hint = _("a whole number, e.g. 24") if exercise.size else _("a number, e.g. 13, -0.25 or 1/1280")
            st.text_input(_("Your answer"), key=answer_key, placeholder=hint)
            st.form_submit_button(_("Check"), type="primary", icon=":material/check:", on_click=_check_practice,
                                  args=(exercise, key, note_path, review_settings))
        if unread:
            st.warning(unread, icon=":material/edit:")
        st.caption(_("Tolerance: {tolerance}.").format(tolerance=exercise.tolerance))
        return
    correct, message, logged = result
    (st.success if correct else st.error)(message, icon=":material/check_circle:" if correct else ":material/cancel:")
    if correct:
        with st.expander(_("Worked solution")):
            st.markdown(exercise.solution)
    else:
        st.markdown("**" + _("Worked solution") + "**")
        st.markdown(exercise.solution)
    if logged:
        st.caption(logged)
    st.button(_(next_label), key=f"{key}-next", icon=":material/refresh:", on_click=_next_practice,
              args=(key, on_next), shortcut=next_shortcut)


def _check_practice(exercise: practice.Exercise, key: str, note_path: str | None,
                    review_settings: ReviewSettings) -> None:
    outcome = practice.check(exercise, st.session_state.get(f"{key}-answer") or "")
    if not outcome.readable:
        st.session_state[f"{key}-unread"] = outcome.message
        return
    st.session_state.pop(f"{key}-unread", None)
    if storage.is_readonly():
        logged = _("Read-only journal: this answer is not logged.")
    else:
        grade = PRACTICE_RIGHT if outcome.correct else PRACTICE_WRONG
        error = record(practice_card_id(exercise.generator), "practice", note_path, grade, review_settings)
        logged = error or _("Logged as {grade} for this problem type's schedule.").format(grade=grade_label(grade))
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
            st.warning(_("This quiz block cannot be read: {reason}.").format(reason=err.reason),
                       icon=":material/warning:")
            return
        with st.container(border=True):
            st.markdown(":material/quiz: **" + _("Quiz") + f"** · {quiz.question}")
            if quiz.choices:
                st.markdown("\n".join(f"- {choice}" for choice in quiz.choices))
            with st.expander(_("Answer")):
                st.markdown(quiz.answer)
        return
    try:
        name = parse_practice(block.text)
    except CardError as err:
        st.warning(_("This practice block cannot be read: {reason}.").format(reason=err.reason),
                   icon=":material/warning:")
        return
    if name not in practice.GENERATORS:
        known = ", ".join(practice.GENERATORS)
        st.warning(_("This practice block names '{name}', which is not a generator ({known}).").format(
            name=name, known=known), icon=":material/warning:")
        return
    with st.container(border=True):
        st.markdown(":material/calculate: **" + _("Practice") + f"** · {_(practice.GENERATORS[name].title)}")
        practice_widget(name, f"note-practice-{note.slug}-{block.line}", note_path=note.path,
                        review_settings=settings()[0])


def due_text(queue: review_queue.Queue) -> str:
    """What is due, in the one wording the Dashboard and the Review page share: everything the
    Review page shows now (learning steps, reviews, today's new cards, notes), then its parts."""
    parts = [
        messages.count(queue.learning, "{count} in learning steps", "{count} in learning steps"),
        messages.count(queue.review, "{count} review", "{count} reviews"),
        messages.count(queue.new, "{count} new card", "{count} new cards"),
        messages.count(queue.notes, "{count} note", "{count} notes"),
    ]
    counts = (queue.learning, queue.review, queue.new, queue.notes)
    shown = ", ".join(part for part, count in zip(parts, counts, strict=True) if count)
    if not shown:
        return _("Nothing due now")
    return _("{count} due now: {parts}").format(count=messages.format_number(len(queue.items)), parts=shown)


def journal_problems(library: Library) -> list[Problem]:
    """Every problem of the notes folder, counted the same way on every page: files that did not
    load, malformed review cards, and practice blocks naming an unknown generator; by file.

    The malformed cards are read again here, in the interface language, rather than taken from
    the cached library (shared by every session, so its card problems are in the language of the
    session that loaded it); once per library and language in this session."""
    files = [problem for problem in library.problems if problem.kind != "card"]
    cards = notes_folder.per_library(f"card_problems_{messages.language()}", library,
                                     lambda loaded: card_problems(loaded.notes))
    return sorted([*files, *cards, *deck(library).problems], key=lambda problem: (problem.file, problem.line or 0))


def problems_table(problems: list[Problem]) -> None:
    """The problems as a table whose reasons wrap instead of being cut off (Streamlit wraps a
    dataframe's text once its rows are taller than 4rem: WRAPPING_ROW_HEIGHT)."""
    st.dataframe(
        [{"file": problem.file, "line": problem.line, "reason": problem.reason} for problem in problems],
        hide_index=True, width="stretch", row_height=WRAPPING_ROW_HEIGHT,
        column_config={"file": st.column_config.TextColumn(_("file"), width="small"),
                       "line": st.column_config.NumberColumn(_("line"), width=60),
                       "reason": st.column_config.TextColumn(_("reason"), width="large")},
    )


def problems_text(problems: list[Problem]) -> str:
    """`3 problems in 2 files` (the sidebar's, the Dashboard's and the Review page's wording)."""
    files = len({problem.file for problem in problems})
    return _("{problems} in {files}").format(
        problems=messages.count(len(problems), "{count} problem", "{count} problems"),
        files=messages.count(files, "{count} file", "{count} files"))


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
    st.subheader(_("Review"), anchor=False)
    if settings_warning:
        st.warning(settings_warning, icon=":material/warning:")
    log_warnings(book)
    if not book.total:
        counted = len(cards.of_kind("card", "quiz", "practice"))
        if not counted:
            st.caption(_("Your notes have no review cards yet. Write a `Q:` line with an `A:` line under it in a "
                         "note, and it comes back here on a schedule; notes themselves come back too."))
        st.caption(_("Nothing reviewed yet. {due}.").format(due=due_text(queue)))
        if queue.items:
            st.page_link(REVIEW_PAGE, label=_("Start reviewing"), icon=":material/school:")
        if not counted and not notes_folder.readonly():
            st.page_link(WRITE_PAGE, label=_("Write a note with a card"), icon=":material/edit_note:",
                         query_params={"new": "til"})
        return
    forecast = review_queue.due_forecast(cards, book, review_settings, moment)
    recalled, due = review_queue.retention(book, today)
    passed, reviews = review_queue.pass_rate(book, today)
    target = review_settings.desired_retention
    retention_help = (_("Target {target} (the desired retention). Share of cards in review (not in learning or "
                        "relearning steps, not notes) recalled (graded hard, good or easy) when they were due: "
                        "{recalled} of {due}.") if due else
                      _("Target {target} (the desired retention). Share of cards in review (not in learning or "
                        "relearning steps, not notes) recalled (graded hard, good or easy) when they were due: "
                        "{recalled} of {due}. No card in review has come due yet."))
    metric_row([
        (_("Due now"), len(queue.items), due_text(queue)),
        (_("Due in the next 14 days"), sum(sum(c.values()) for day, c in forecast.items() if day != today), None),
        (_("Reviews, last 30 days"), reviews, None),
        (_("Retention, last 30 days"), f"{recalled / due:.0%}" if due else "–",
         retention_help.format(target=f"{target:.0%}", recalled=recalled, due=due)),
        (_("Pass rate, last 30 days"), f"{passed / reviews:.0%}" if reviews else "–",
         _("Share of all reviews graded hard, good or easy, learning steps and notes included. Not the retention.")),
    ])
    st.caption(_("Retention: {recalled} of {due} cards in review recalled when due, against the desired "
                 "retention of {target}. The pass rate counts every review, learning steps and notes included.").format(
        recalled=recalled, due=due, target=f"{target:.0%}"))
    forecast_column, calendar_column = st.columns([3, 2])
    with forecast_column:
        widgets.chart(review_charts.forecast_chart, forecast, language=messages.language())
    with calendar_column:
        widgets.chart(review_charts.review_calendar, review_queue.reviews_per_day(book), today,
                      language=messages.language())
    st.page_link(REVIEW_PAGE, label=_("Open the Review page"), icon=":material/school:")


def metric_row(metrics: list[tuple[str, object, str | None]]) -> None:
    """(label, value, help) metrics in one row that wraps two by two on a phone."""
    with st.container(horizontal=True, horizontal_alignment="distribute"):
        for label, value, help_text in metrics:
            st.metric(label, value, help=help_text, width=160)


CARD_KINDS = {"card": N_("Card"), "quiz": N_("Quiz"), "practice": N_("Practice"), "note": N_("Note")}


def card_kind_label(card: Card) -> str:
    return _(CARD_KINDS[card.kind])
