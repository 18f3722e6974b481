"""Dashboard: the Today block (due cards, today's entry, the streak, the last lab run), the
numbers, the study calendar, the labs, recent entries and experiments, and notes-folder
problems (only when there are some).

One small function per section, called in the order the page reads; a new section is a new
function and one line at the bottom.
"""

import streamlit as st
from babel import dates

from core import messages
from core.journal import charts, stats
from core.journal.render import escape_markdown
from core.messages import N_, _
from ui import frame, lab_state, notes_folder, rendering, widgets
from ui import review as review_ui
from ui import today as today_model

frame.app_frame()

RECENT_ENTRIES = 8
RECENT_EXPERIMENTS = 5
METRIC_WIDTH = 150
LAB_BLURBS = {
    "conv": N_("Slide kernels over images, see output sizes, receptive fields and the backward pass."),
    "bptt": N_("Watch gradients vanish or explode through time; truncation, clipping and gated cells."),
}
WRITE_PAGE, SYNC_PAGE = "pages/write.py", "pages/sync.py"


def days(number: int) -> str:
    return messages.count(number, "{count} day", "{count} days")

library = notes_folder.load_library()
today = widgets.today()
queue = review_ui.queue_now(library)  # built once: the Today block and the review part share it
per_day = stats.entries_per_day(library.notes)
journal_days = stats.journal_days(library.notes)
TODAY_CARD_WIDTH = 270
STUDYLAB = "studylab"  # the app's name, the same in every language


def header() -> None:
    st.title(STUDYLAB, anchor=False)
    st.caption(_("Your deep-learning math journal and the labs that go with it."))


def today_block() -> None:
    """What to do today, in four small cards that wrap one under another on a phone: the cards
    due now (Review now), today's journal entry (Write today's TIL until one is dated today),
    the streak of journal entries, and the last recorded lab run (Reopen)."""
    view = today_model.today_view(library.notes, today, queue)
    with st.container(border=True, key="today_block", gap="small"):
        weekday = dates.format_date(today, "EEE", locale=messages.locale())
        title = _("Today")
        st.markdown(f"**:material/today: {title}** · {weekday} {today.isoformat()}")
        with st.container(horizontal=True, gap="small"):
            with st.container(width=TODAY_CARD_WIDTH, gap="small", key="today_review"):
                today_review(view.due)
            with st.container(width=TODAY_CARD_WIDTH, gap="small", key="today_entry"):
                today_entry(view)
            with st.container(width=TODAY_CARD_WIDTH, gap="small", key="today_run"):
                today_run(view.last_run)


def today_review(due: today_model.DueNow) -> None:
    if not due.total:
        title, line = _("Review"), _("nothing due now")
        st.markdown(f":material/school: **{title}** · {line}")
        return
    if due.notes:
        parts = _("{new} new · {learning} learning · {review} review · {notes}").format(
            new=due.new, learning=due.learning, review=due.review,
            notes=messages.count(due.notes, "{count} note", "{count} notes"))
    else:
        parts = _("{new} new · {learning} learning · {review} review").format(
            new=due.new, learning=due.learning, review=due.review)
    headline = _("{count} due now").format(count=due.total)
    st.markdown(f":material/school: **{headline}**  \n:small[:gray[{parts}]]")
    st.page_link(review_ui.REVIEW_PAGE, label=_("Review now"), icon=":material/play_arrow:")


def today_entry(view: today_model.Today) -> None:
    streak = days(view.streak)
    if view.written:
        links = " · ".join(rendering.note_anchor(note, dated=False) for note in view.entries)
        title, line = _("Today's entry"), _("streak {streak}").format(streak=streak)
        st.markdown(f":material/check_circle: **{title}** · {line}  \n:small[{links}]")
        return
    line = (_("Streak {streak} (write today to keep it)") if view.streak_at_risk else _("Streak {streak}")).format(
        streak=streak)
    title = _("No journal entry yet today")
    st.markdown(f":material/edit_note: **{title}**  \n:small[:gray[{line}]]")
    if not notes_folder.readonly():
        st.page_link(WRITE_PAGE, label=_("Write today's TIL"), icon=":material/add:",
                     query_params={"new": today_model.TIL_TEMPLATE})


def today_run(run: today_model.LastRun | None) -> None:
    if run is None:
        title, line, hint = _("Last lab run"), _("none recorded yet"), _("*Record this run* in a lab keeps one here.")
        st.markdown(f":material/biotech: **{title}** · {line}  \n:small[:gray[{hint}]]")
        return
    day = run.date.isoformat() if run.date else _("undated")
    title = _("Last lab run")
    link = f"[{escape_markdown(run.title)}](notes?note={run.slug})"
    st.markdown(f":material/biotech: **{title}** · {day}  \n:small[{link}]")
    if run.lab in widgets.LAB_PAGES:
        st.page_link(widgets.LAB_PAGES[run.lab][0],
                     label=_("Reopen in the {lab}").format(lab=_(lab_state.lab_title(run.lab))),
                     icon=":material/open_in_new:", query_params=run.query)


def metrics() -> None:
    """Four numbers in a row that wraps to two rows of two on a phone."""
    with st.container(horizontal=True, gap="medium"):
        st.metric(_("Notes"), len(stats.entries(library.notes)), width=METRIC_WIDTH)
        st.metric(_("Current streak"), days(stats.current_streak(journal_days, today)), width=METRIC_WIDTH,
                  help=_("Days in a row with a journal entry; a recorded lab run does not count."))
        st.metric(_("Longest streak"), days(stats.longest_streak(journal_days)), width=METRIC_WIDTH)
        st.metric(_("Study days"), len(per_day), width=METRIC_WIDTH)


def calendar() -> None:
    """The year's calendar, in the palette of the theme the browser reported for this run."""
    years = stats.calendar_years(per_day, today)
    latest_year = max(per_day).year if per_day else today.year
    year = st.selectbox(_("Calendar year"), years, index=years.index(latest_year), key="dashboard_year", width=160)
    widgets.chart(charts.calendar_heatmap, per_day, year, dark=st.context.theme.type == "dark",
                  on_select=open_day, select_key="dashboard_calendar", language=messages.language())
    st.caption(_("Click a day to open its notes."))
    picked = st.session_state.pop(PICKED_DAY, None)
    if picked:
        st.switch_page(widgets.NOTES_PAGE, query_params={"day": picked})


PICKED_DAY = "_dashboard_picked_day"


def open_day() -> None:
    """The calendar's click: remember the day picked (the page opens its notes once drawn)."""
    chosen = st.session_state.get("dashboard_calendar", {}).get("selection", {}).get(charts.CALENDAR_PICK) or []
    if chosen and chosen[0].get("day"):
        st.session_state[PICKED_DAY] = chosen[0]["day"]


def lab_cards() -> None:
    """One card per lab; its last use is the latest note that pairs with it (`labs:` in the
    front matter), because a note is where a student records what they did in a lab."""
    st.subheader(_("Labs"), anchor=False)
    for column, (lab, (path, title)) in zip(st.columns(len(widgets.LAB_PAGES)), widgets.LAB_PAGES.items(), strict=True):
        with column.container(border=True, height="stretch"):
            st.page_link(path, label=_(title), icon=":material/biotech:")
            st.caption(_(LAB_BLURBS[lab]) if lab in LAB_BLURBS else "")
            used = stats.last_use(library.notes, lab)
            if used is None:
                st.caption(_("Last used: no note pairs with this lab yet (add `{front_matter}` to one).").format(
                    front_matter=f"labs: [{lab}]"))
            else:
                line = _("Last used {day}").format(day=used.date.isoformat())
                st.markdown(f":small[{line} · {rendering.note_anchor(used, dated=False)}]")


def recent_entries() -> None:
    st.subheader(_("Recent entries"), anchor=False)
    recent = stats.recent_entries(library.notes, RECENT_ENTRIES)
    if not recent:
        st.caption(_("The journal is empty. Your entries appear here as soon as you save them."))
        if not notes_folder.readonly():
            st.page_link(WRITE_PAGE, label=_("Write your first entry"), icon=":material/edit_note:",
                         query_params={"new": "til"})
        return
    st.markdown("\n".join(f"- {rendering.note_anchor(note)}" for note in recent))


def notes_by_type() -> None:
    widgets.chart(charts.type_bar_chart, stats.counts_by_type(library.notes), language=messages.language())


def recent_experiments() -> None:
    """Experiment records (notes of type `experiment`), once there are some."""
    experiments = stats.recent_of_type(library.notes, "experiment", RECENT_EXPERIMENTS)
    if experiments:
        st.subheader(_("Recent experiments"), anchor=False)
        st.markdown("\n".join(f"- {rendering.note_anchor(note)}" for note in experiments))


def sync_conflicts() -> None:
    """Notes that a git sync found changed on two machines: their conflict copies wait on the Sync page."""
    copies = [note for note in library.notes if note.conflict_of is not None]
    if not copies:
        return
    with st.container(border=True):
        st.warning(messages.ngettext(
            "{count} note was changed on two machines; the other machine's text is kept beside yours as a conflict "
            "copy until you resolve it.",
            "{count} notes were changed on two machines; the other machine's text is kept beside yours as a conflict "
            "copy until you resolve it.", len(copies)).format(count=len(copies)), icon=":material/call_split:")
        st.markdown("\n".join(f"- {rendering.note_anchor(note, dated=False)}" for note in copies))
        st.page_link(SYNC_PAGE, label=_("Resolve them on the Sync page"), icon=":material/sync:")


def problems() -> None:
    """Files that could not be read as notes and review cards that cannot be used, with the
    reason; nothing at all when everything loaded."""
    found = review_ui.journal_problems(library)
    if not found:
        return
    st.subheader(_("Notes-folder problems"), anchor=False)
    unreadable = sum(problem.kind == "file" for problem in found)
    cards = len(found) - unreadable
    files = messages.count(unreadable, "{count} file could not be read as a note",
                           "{count} files could not be read as notes")
    unusable = messages.count(cards, "{count} review card cannot be used", "{count} review cards cannot be used")
    if unreadable and cards:
        shown = _("{files} and {cards}").format(files=files, cards=unusable)
    else:
        shown = files if unreadable else unusable
    st.warning(_("{problems}: {what}. The rest of the journal loaded normally.").format(
        problems=review_ui.problems_text(found), what=shown))
    review_ui.problems_table(found)


header()
today_block()
sync_conflicts()
metrics()
calendar()
lab_cards()
recent_column, types_column = st.columns([3, 2])
with recent_column:
    recent_entries()
    recent_experiments()
with types_column:
    notes_by_type()
review_ui.dashboard_section(library, queue)
problems()
