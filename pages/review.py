"""Review: today's queue of cards, practice problems and notes (reveal, grade), and a Practice tab
with every problem generator of the labs. Keys: Space shows the answer, 1-4 grade."""

import time

import streamlit as st

from core import messages, practice
from core.journal import storage
from core.journal.render import escape_markdown, link_wikilinks
from core.messages import N_, _
from core.review import queue as review_queue
from core.review import schedule
from core.review.cards import Card, practice_card_id
from core.review.schedule import ReviewSettings
from ui import frame, notes_folder, rendering, widgets
from ui import review as review_ui

frame.app_frame()

PINNED, REVEALED, SHOWN, PICKED = "review_pinned", "review_revealed", "review_shown", "review_picked"
GRADE_HELP = {1: N_("forgot it"), 2: N_("remembered, with effort"), 3: N_("remembered"), 4: N_("knew it at once")}


def grades_explained() -> str:
    """The line under the grade buttons, in the interface language."""
    grades = " · ".join(f"**{review_ui.grade_label(grade)}** {_(GRADE_HELP[grade])}"
                        for grade in review_ui.GRADE_LABELS)
    return _("Grade honestly how well you remembered: {grades}. Each button shows when the card comes back; "
             "the better you knew it, the longer the wait.").format(grades=grades)


library = notes_folder.load_library()
settings, settings_warning = review_ui.settings()
deck = review_ui.deck(library)
book = review_ui.store(settings).book()
now = review_ui.now()
queue = review_queue.build_queue(deck, book, settings, now)
readonly = notes_folder.readonly()


def unpin() -> None:
    for key in (PINNED, REVEALED, SHOWN, PICKED):
        st.session_state.pop(key, None)


def grade_card(card: Card, grade: int, interval: str) -> None:
    shown = st.session_state.get(SHOWN)
    started = shown[1] if shown and shown[0] == card.id else None
    error = review_ui.record(card.id, card.kind, card.note_path, grade, settings, started)
    done = _("{grade}: next review in {interval}.").format(grade=review_ui.grade_label(grade), interval=interval)
    review_ui.toast_later(error or done, failed=bool(error))
    unpin()


def current_card() -> Card | None:
    """The card on screen: the pinned one while its answer or practice verdict shows, else the queue's first."""
    pinned = st.session_state.get(PINNED)
    if pinned in deck.by_id and (st.session_state.get(REVEALED) or f"queue-{pinned}-result" in st.session_state):
        return deck.by_id[pinned]
    return queue.items[0] if queue.items else None


def grade_buttons(card: Card) -> None:
    scheduler = settings.scheduler(note=card.kind == "note")
    intervals = schedule.preview(scheduler, card.id, book.progress.get(card.id), review_ui.now())
    grades = st.container(horizontal=True)
    for grade in review_ui.GRADE_LABELS:
        interval = schedule.interval_text(intervals[grade])
        grades.button(
            f"{review_ui.grade_label(grade)} · {interval}", key=f"grade-{grade}", shortcut=str(grade), width="stretch",
            type="primary" if grade == 3 else "secondary", on_click=grade_card, args=(card, grade, interval),
            help=_("{meaning}; due again in {interval}").format(meaning=_(GRADE_HELP[grade]), interval=interval),
        )
    st.caption(grades_explained())


def note_line(card: Card) -> None:
    note = library.by_slug.get(card.note_slug)
    if note is not None and card.kind != "note":
        st.page_link(widgets.NOTES_PAGE, label=_("From: {title}").format(title=note.title), icon=":material/menu_book:",
                     query_params={"note": note.slug})


def reveal(card: Card) -> None:
    # The pick is kept apart for the revealed card, which shows it in a disabled radio of its own.
    st.session_state.update({REVEALED: card.id, PINNED: card.id, PICKED: st.session_state.get(f"pick-{card.id}")})


def show_card(card: Card) -> None:
    revealed = st.session_state.get(REVEALED) == card.id
    st.markdown(link_wikilinks(card.question, library.by_slug))
    picked = st.session_state.get(PICKED) if revealed else None
    if card.choices and revealed:
        st.radio(_("Your pick"), card.choices, index=card.choices.index(picked) if picked in card.choices else None,
                 key=f"picked-{card.id}", disabled=True)
    elif card.choices:
        # A pick is the answer: it shows the verdict and the grades at once, so the keyboard
        # (1-4) carries on from there.
        st.radio(_("Your pick"), card.choices, index=None, key=f"pick-{card.id}", on_change=reveal, args=(card,))
    if not revealed:
        st.button(_("Show answer"), key="reveal", shortcut="Space", type="primary", icon=":material/visibility:",
                  on_click=reveal, args=(card,))
        return
    st.divider()
    if card.choices and picked is not None:
        right = picked == card.answer
        verdict = _("You picked {pick}: right.") if right else _("You picked {pick}: not this one.")
        (st.success if right else st.error)(verdict.format(pick=picked))
    st.markdown(link_wikilinks(card.answer, library.by_slug))
    grade_buttons(card)


def show_note(card: Card) -> None:
    note = library.by_slug.get(card.note_slug)
    if note is None:
        st.warning(_("This note is no longer in the notes folder."))
        return
    st.markdown(f"### {escape_markdown(note.title)}")
    st.markdown(rendering.chips(note))
    st.page_link(widgets.NOTES_PAGE, label=_("Open the note"), icon=":material/menu_book:",
                 query_params={"note": note.slug})
    with st.expander(_("Read it here")):
        rendering.render_note(note, library, titled=False)
    st.markdown(_("How well do you remember what this note says? Recall it first, then grade."))
    grade_buttons(card)


def show_practice(card: Card) -> None:
    st.session_state[PINNED] = card.id
    review_ui.practice_widget(card.generator, f"queue-{card.id}", note_path=card.note_path,
                              review_settings=settings, next_label=N_("Next card"), next_shortcut="Enter",
                              on_next=unpin)


def review_item(card: Card) -> None:
    shown = st.session_state.get(SHOWN)
    if not shown or shown[0] != card.id:
        st.session_state[SHOWN] = (card.id, time.monotonic())
    title = _(practice.GENERATORS[card.generator].title) if card.kind == "practice" else ""
    if queue.ahead:
        st.caption(":material/schedule: " + _("Nothing else is due, so this learning step comes a little early."))
    with st.container(border=True):
        st.caption(f"{review_ui.card_kind_label(card)}{' · ' + title if title else ''}")
        {"note": show_note, "practice": show_practice}.get(card.kind, show_card)(card)
        note_line(card)


def empty_state() -> None:
    if not deck.of_kind("card", "quiz", "practice"):
        st.info(_("Your notes have no review cards yet. Add a `Q:` line followed by an `A:` line to a note, "
                  "like this, and it comes back here on a schedule:"), icon=":material/style:")
        st.code(_("Q: What does padding 1 do to a 5×5 input with a 3×3 kernel?\n"
                  "A: The output stays 5×5.") + "\n\n```practice\ngenerator: conv-output-size\n```",
                language="markdown")
        st.caption(_("A `practice` block names a problem generator and gives a new problem each time; "
                     "docs/review.md lists the generators and the `quiz` block."))
        return
    when = review_queue.due_text(queue.next_due, now) if queue.next_due else None
    st.success(_("All done for now. The next card is due {when}.").format(when=when) if when
               else _("All done for now. Nothing else is scheduled."), icon=":material/task_alt:")
    if queue.new_waiting:
        st.caption(messages.ngettext(
            "{count} new card waits for the coming days (at most {most} new cards a day, set under Settings).",
            "{count} new cards wait for the coming days (at most {most} new cards a day, set under Settings).",
            queue.new_waiting).format(count=queue.new_waiting, most=settings.new_per_day))


def save_settings() -> None:
    try:
        chosen = ReviewSettings(
            desired_retention=float(st.session_state["settings_retention"]),
            learning_steps=schedule.parse_steps(st.session_state["settings_learning"]),
            relearning_steps=schedule.parse_steps(st.session_state["settings_relearning"]),
            new_per_day=int(st.session_state["settings_new"]),
        )
        schedule.save_settings(notes_folder.notes_dir(), chosen)
    except (schedule.SettingsError, storage.StorageError) as err:
        review_ui.toast_later(_("Settings not saved: {reason}").format(reason=err), failed=True)
    else:
        review_ui.toast_later(_("Settings saved; every card was rescheduled with them."))
        unpin()


def settings_form() -> None:
    with st.form("review_settings", border=False):
        st.slider(_("Desired retention"), *schedule.RETENTION_RANGE, value=settings.desired_retention, step=0.01,
                  key="settings_retention", disabled=readonly,
                  help=_("The chance of remembering a card when it comes due. Higher means more reviews."))
        st.text_input(_("Learning steps"), schedule.format_steps(settings.learning_steps), key="settings_learning",
                      disabled=readonly, help=_("Waits before a new card graduates, e.g. 1m 10m"))
        st.text_input(_("Relearning steps"), schedule.format_steps(settings.relearning_steps),
                      key="settings_relearning", disabled=readonly, help=_("Waits after a forgotten card, e.g. 10m"))
        st.number_input(_("New cards a day (and new notes a day)"), 0, schedule.MAX_NEW_PER_DAY, settings.new_per_day,
                        key="settings_new", disabled=readonly)
        st.form_submit_button(_("Save settings"), on_click=save_settings, disabled=readonly)
    st.caption(_("FSRS with its default parameters (the `fsrs` package); fuzzing off, so every tab and process "
                 "computes the same due dates from the review log."))


def card_problems() -> None:
    problems = [problem for problem in review_ui.journal_problems(library) if problem.kind == "card"]
    if problems:
        label = _("Review cards that cannot be used: {problems}").format(problems=review_ui.problems_text(problems))
        with st.expander(f":material/warning: {label}"):
            review_ui.problems_table(problems)


def review_tab() -> None:
    reviewed_today = book.per_day.get(review_queue.local_day(now), (0, 0))[0]
    review_ui.metric_row([
        (_("Due now"), len(queue.items), _("{due}. Everything to review now: cards in learning steps, reviews, "
                                           "today's new cards and notes.").format(due=review_ui.due_text(queue))),
        (_("In learning steps"), queue.in_steps,
         _("Cards graded {again} or {hard} wait a few minutes for their next step; {count} of them due now.").format(
             again=review_ui.grade_label(1), hard=review_ui.grade_label(2), count=queue.learning)),
        (_("New today"), queue.new, _("At most {most} new cards a day").format(most=settings.new_per_day)),
        (_("Reviewed today"), reviewed_today, None),
    ])
    card_problems()
    if readonly:
        st.info(_("Reviewing is off, because no review can be recorded. {reason} "
                  "The Practice tab still checks your answers, without logging them.").format(
                      reason=notes_folder.readonly_reason()), icon=":material/lock:")
        return
    card = current_card()
    if card is None:
        empty_state()
    else:
        review_item(card)
        st.caption(keys_text(card))


def keys_text(card: Card) -> str:
    """The keyboard line under a card: only the keys that do something for this kind of card."""
    if card.kind == "practice":
        return _("Keys: Enter checks a typed answer (a pick is checked at once), then Enter again for the next card.")
    if card.kind == "note":
        return _("Keys: 1 again, 2 hard, 3 good, 4 easy.")
    if card.choices:
        return _("Keys: a pick shows the answer (or Space without one), then 1 again, 2 hard, 3 good, 4 easy.")
    return _("Keys: Space shows the answer, then 1 again, 2 hard, 3 good, 4 easy.")


def practice_tab() -> None:
    names = list(practice.GENERATORS)
    name = st.selectbox(_("Problem type"), names, format_func=lambda n: _(practice.GENERATORS[n].title),
                        key="practice_generator")
    progress = book.progress.get(practice_card_id(name))
    if progress is None:
        st.caption(_("Not practised yet. Every checked answer is scheduled like a card (right = good, wrong = again)."))
    else:
        st.caption(messages.ngettext("Practised {count} time; due again {when}.", "Practised {count} times; due again "
                                     "{when}.", progress.reviews).format(
            count=progress.reviews, when=review_queue.due_text(progress.state.due, now)))
    with st.container(border=True):
        review_ui.practice_widget(name, f"practice-tab-{name}", note_path=None, review_settings=settings,
                                  next_shortcut="Enter")
    if readonly:
        st.caption(":material/lock: " + _("Read-only journal: answers are checked but not logged."))
    used = {card.generator: card for card in deck.of_kind("practice")}
    st.dataframe(
        [{"problem": _(generator.title), "lab": generator.lab, "in note": used[key].note_title if key in used else "",
          "practised": book.progress[practice_card_id(key)].reviews if practice_card_id(key) in book.progress else 0}
         for key, generator in practice.GENERATORS.items()],
        hide_index=True, width="stretch",
        column_config={"problem": _("problem"), "lab": _("lab"), "in note": _("in note"), "practised": _("practised")},
    )


st.title(_("Review"), anchor=False)
review_ui.show_toast()
if settings_warning:
    st.warning(settings_warning)
review_ui.log_warnings(book)
with st.popover(_("Settings"), icon=":material/tune:"):
    settings_form()

# The tab's state is its label, so it follows the language; nothing reads it but `.open`.
review, practice_panel = st.tabs([_("Review"), _("Practice")], key="review_tab", on_change="rerun")
if review.open:
    with review:
        review_tab()
if practice_panel.open:
    with practice_panel:
        practice_tab()
