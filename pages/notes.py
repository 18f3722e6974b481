"""Notes: browse, filter and search the journal, and read one note (?note=<slug> opens it;
?day=YYYY-MM-DD lists that day's notes, as the Dashboard's calendar links).

The address bar always names the note on screen, so a reload or a copied link shows the same
note, and Back and Forward step through the notes visited. Links to notes are markdown links
that ui_hooks keeps in the tab.
"""

import datetime as dt

import streamlit as st

from core import messages
from core.journal import glossary, search
from core.journal.notes import NOTE_TYPES, Note, type_name
from core.journal.render import escape_markdown, highlighted, note_url
from core.messages import N_, _
from ui import components, frame, i18n, notes_folder, rendering, widgets

frame.app_frame()

PAGE_SIZE = 50
FILTER_WIDTH = 280
SCROLL_AFTER = 8

MINE = N_("My journal")
NOTES, RECORDS = N_("Notes"), N_("Records")  # option values (stable); shown translated
WRITE_PAGE, ARCHIVE_PAGE, SYNC_PAGE = "pages/write.py", "pages/archive.py", "pages/sync.py"
RECORD_TYPE = "experiment"  # a lab run recorded as a note: listed under Records, not among the notes


def choose_owner() -> str | None:
    """Whose journal to read: the student's own, or a study-group peer's read-only copy
    (?owner=<name>); the choice only appears once a peer's journal has been pulled."""
    names = notes_folder.peer_names()
    wanted = st.query_params.get("owner")
    if not names:
        return None
    if wanted is not None and wanted not in names:
        st.warning(_("There is no study-group journal named '{name}' on this machine.").format(
            name=escape_markdown(wanted)))
        wanted = None
    options = [MINE, *names]
    wanted = wanted or MINE
    # The widget's state goes when the student leaves the page; the address bar decides then too.
    if st.session_state.get("notes_owner_seen") != wanted or st.session_state.get("notes_owner") not in options:
        st.session_state["notes_owner"] = st.session_state["notes_owner_seen"] = wanted
    choice = st.segmented_control(_("Journal"), options, key="notes_owner", required=True,
                                  format_func=lambda name: _(MINE) if name == MINE
                                  else _("{name} (read-only)").format(name=name)) or MINE
    if choice != wanted:
        st.session_state["notes_owner_seen"] = choice
        st.query_params.pop("note", None)
        if choice == MINE:
            st.query_params.pop("owner", None)
        else:
            st.query_params["owner"] = choice
    owner = None if choice == MINE else choice
    return owner


st.title(_("Notes"), anchor=False)
owner = choose_owner()
library = notes_folder.load_peer_library(owner) if owner else notes_folder.load_library()
if owner:
    st.caption(":material/group: " + _("{name}'s journal, as last pulled on the Sync page. "
                                       "It is read-only here and never mixed into your notes.").format(
        name=escape_markdown(owner)))

with st.sidebar.expander(_("Glossary · 한국어 ↔ English"), icon=":material/translate:"):
    st.caption(_("The day's Korean terms and their English. Search finds either: 역전파 also finds notes "
                 "that say backpropagation, and the reverse."))
    st.dataframe(glossary.table(), hide_index=True)

if not library.notes:
    if owner:
        st.info(_("{name}'s journal has no notes yet.").format(name=escape_markdown(owner)))
    elif notes_folder.readonly():
        st.info(_("This journal has no notes yet."))
    else:
        st.info(_("No notes yet. Write your first entry; it appears here as soon as it is saved."),
                icon=":material/menu_book:")
        st.page_link(WRITE_PAGE, label=_("Write today's entry"), icon=":material/edit_note:",
                     query_params={"new": "til"})
    st.stop()


def filters() -> tuple[list[str], list[str], object, object]:
    """The type, tag and date filters, in a popover so they never squeeze the search box."""
    dated = [note.date for note in library.notes if note.date]
    all_tags = sorted({tag for note in library.notes for tag in note.tags}, key=str.casefold)
    full_range = (min(dated), max(dated)) if dated else ()
    dates_key = f"notes_dates_{min(dated, default=None)}_{max(dated, default=None)}"
    active = sum(bool(st.session_state.get(key)) for key in ("notes_types", "notes_tags"))
    active += bool(dated) and as_range(st.session_state.get(dates_key, full_range)) != full_range
    with filter_column.popover(
        _("Filters · {count}").format(count=active) if active else _("Filters"), icon=":material/filter_list:",
        width="stretch",
        key="notes_filters",
    ):
        # A fixed width, so the popover does not grow when a choice adds a chip.
        types = st.multiselect(_("Type"), NOTE_TYPES, key="notes_types", width=FILTER_WIDTH, format_func=type_name)
        tags = st.multiselect(_("Tags"), all_tags, key="notes_tags", width=FILTER_WIDTH)
        date_range = st.date_input(_("Dates"), value=full_range, key=dates_key, format="YYYY-MM-DD", width=FILTER_WIDTH)
    start, end = (date_range + (None, None))[:2] if isinstance(date_range, tuple) else (date_range, date_range)
    if not dated or (start, end) == (min(dated), max(dated)):
        start = end = None
    return types, tags, start, end


def as_range(value) -> tuple:
    """A date range input's value as a tuple (one date while the range is being picked)."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def list_item(note: Note, current: bool) -> str:
    """One entry of the list: icon and title (a link, or marked as open), then date and type."""
    icon = widgets.TYPE_ICONS.get(note.type, widgets.DEFAULT_ICON)
    title = escape_markdown(library.in_language(note, i18n.language()).title)
    day = note.date.isoformat() if note.date else _("undated")
    conflict_copy, opened = _("conflict copy"), _("open")
    conflict = f":orange-badge[:material/call_split: {conflict_copy}] " if note.conflict_of else ""
    kind = type_name(note.type)
    if current:
        return f":primary[{icon} **{title}**]  \n:small[:primary-badge[{opened}] {conflict}:gray[{day} · {kind}]]"
    url = note_url(note.slug, owner) + (f"&day={shown_day.isoformat()}" if shown_day else "")
    return f"{icon} [{title}]({url})  \n:small[{conflict}:gray[{day} · {kind}]]"


def choose_section(asked: Note | None) -> str | None:
    """Notes or Records (experiment records, grouped apart so recorded runs never push the lectures
    down); None when the journal has no record. A note named in the address bar opens its section;
    picking a section opens its first note."""
    records = sum(note.type == RECORD_TYPE for note in library.notes)
    if not records:
        return None
    if asked is not None:
        st.session_state.notes_section = RECORDS if asked.type == RECORD_TYPE else NOTES
    st.session_state.setdefault("notes_section", NOTES)
    counts = {NOTES: len(library.notes) - records, RECORDS: records}
    return st.segmented_control(
        _("Show"), [NOTES, RECORDS], key="notes_section", required=True, label_visibility="collapsed",
        format_func=lambda name: f"{_(name)} · {counts[name]}", on_change=lambda: st.query_params.pop("note", None),
        help=_("Records are lab runs recorded from the labs (Records › Experiments compares them)."),
    ) or NOTES


def in_section(note: Note, section: str | None) -> bool:
    return section is None or (note.type == RECORD_TYPE) == (section == RECORDS)


def notes_list(matches: list[Note], selected: str | None, query: str) -> None:
    total = sum(in_section(note, section) for note in library.notes)
    st.caption((_("{shown} of {total} records") if section == RECORDS else _("{shown} of {total} notes"))
               .format(shown=len(matches), total=total))
    if not matches:
        st.info(_("No note matches. Try fewer words or clear a filter."))
    shown = st.session_state.setdefault("notes_shown", PAGE_SIZE)
    with st.container(height=560 if len(matches) > SCROLL_AFTER else "content", border=False, gap="small",
                      key="notes_list"):
        for note in matches[:shown]:
            st.markdown(list_item(note, note.slug == selected))
            if query.strip():
                st.caption(highlighted(search.snippet(note, query)))
        if len(matches) > shown:
            st.button(
                _("Show {count} more").format(count=min(PAGE_SIZE, len(matches) - shown)),
                key="notes_more",
                on_click=lambda: st.session_state.update(notes_shown=shown + PAGE_SIZE),
            )


def neighbour_links(note: Note) -> None:
    """Previous and next note of the journal (by day, each day in its order), as in-app links."""
    previous_note, next_note = library.neighbours(note.slug)
    back, forward = st.columns(2)

    def title(neighbour: Note) -> str:  # in the interface language where the pair has that side
        return escape_markdown(library.in_language(neighbour, i18n.language()).title)

    if previous_note:
        back.markdown(f"[:material/arrow_back: {title(previous_note)}]({note_url(previous_note.slug, owner)})")
    if next_note:
        forward.markdown(f"[{title(next_note)} :material/arrow_forward:]({note_url(next_note.slug, owner)})",
                         text_alignment="right")


def note_actions(note: Note, shown: Note) -> None:
    """Edit, history and trash (of `note`, its translation with it); a row that wraps instead of
    cutting labels short. `shown` is the side on screen, whose title the question names."""
    following = next((n.slug for n in library.neighbours(note.slug)[::-1] if n is not None), None)
    with st.container(horizontal=True, gap="small"):
        st.page_link(WRITE_PAGE, label=_("Edit"), icon=":material/edit:", query_params={"edit": note.slug})
        st.page_link(
            ARCHIVE_PAGE, label=_("History"), icon=":material/history:", query_params={"history": note.slug}
        )
        with st.popover(_("Move to trash"), icon=":material/delete:", key=f"notes_trash_{note.slug}"):
            st.write(_("Move **{title}** to the trash? You can undo it, or restore it later from *Trash & history*.")
                     .format(title=escape_markdown(shown.title)))
            st.button(
                _("Yes, move it to the trash"), key="notes_delete", type="primary",
                on_click=notes_folder.trash_note, args=(note.path, shown.title, following),
            )


def conflict_notice(note: Note) -> None:
    """A sync conflict copy is another machine's text of a note, not an entry of its own."""
    st.warning(_("This is a conflict copy of `{path}`: the other machine's text of that note, kept beside yours "
                 "by a sync. Resolve it on the Sync page (keep yours, take theirs, or merge by hand).").format(
               path=note.conflict_of), icon=":material/call_split:")
    if not owner:
        st.page_link(SYNC_PAGE, label=_("Resolve it on the Sync page"), icon=":material/sync:")


def undo_bar() -> None:
    title = notes_folder.last_trashed()
    if title is None:
        return
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.caption(":material/delete: " + _("Moved **{title}** to the trash.").format(title=escape_markdown(title)))
        st.button(_("Undo"), key="notes_undo", icon=":material/undo:", on_click=notes_folder.undo_trash)
        st.button(_("Dismiss"), key="notes_undo_dismiss", type="tertiary", on_click=notes_folder.dismiss_undo)


def search_bar(query: str, matching: bool) -> None:
    """Above the open note: which search is highlighted in it, or that the note is not among the
    results (it stays open until another is picked), with a way to clear the search and filters."""
    if not matching:
        message = ":material/filter_alt_off: " + _("The open note does not match your search or filters.")
    elif search.query_terms(query):
        message = ":material/ink_highlighter: " + _("Highlighting matches of *{query}*").format(
            query=escape_markdown(query.strip()))
    else:
        return
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.caption(message)
        st.button(
            _("Clear search") if matching else _("Clear search and filters"), key="notes_clear_search", type="tertiary",
            icon=":material/close:", on_click=clear_search, args=(not matching,),
        )


def clear_search(and_filters: bool) -> None:
    st.session_state.notes_query = ""
    if and_filters:
        for key in [key for key in st.session_state if key.startswith("notes_dates_")]:
            del st.session_state[key]
        st.session_state.notes_types = st.session_state.notes_tags = []


def chosen_day() -> dt.date | None:
    """The day named by ?day=YYYY-MM-DD, or None (with a warning when it is not a date)."""
    text = st.query_params.get("day")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        st.warning(_("'{text}' is not a day (YYYY-MM-DD); showing every note.").format(text=escape_markdown(text)))
        return None


def day_bar(day: dt.date, count: int) -> None:
    """Above the list: which day is shown, and the way back to every note."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        shown = messages.count(count, "{count} note", "{count} notes") if count else _("no notes")
        st.caption(":material/calendar_today: " + _("{weekday} {day}: {shown}").format(
            weekday=messages.format_date(day, "EEE"), day=day.isoformat(), shown=shown))
        st.button(_("Show every day"), key="notes_all_days", type="tertiary", icon=":material/close:",
                  on_click=lambda: st.query_params.pop("day", None))


search_column, filter_column = st.columns([4, 1], vertical_alignment="bottom")
query = search_column.text_input(
    _("Search"), key="notes_query", help=_("Words from a title, a tag or the text, e.g. 합성곱, BPTT, kernel")
)
types, tags, start, end = filters()
day = shown_day = chosen_day()
if day is not None:
    start = end = day
selected_slug = notes_folder.take_reopened() or st.query_params.get("note")
if selected_slug is not None and selected_slug not in library.by_slug:
    st.warning(_("There is no note named '{slug}'. Pick one from the list.").format(
        slug=escape_markdown(selected_slug)))
    selected_slug = None
undo_bar()
list_column, note_column = st.columns([2, 5], gap="large")
with list_column:
    section = choose_section(library.by_slug.get(selected_slug or ""))
in_view = [note for note in library.notes if in_section(note, section)]
matches = search.search(search.filter_notes(in_view, types=types, tags=tags, start=start, end=end), query)
if day is not None and selected_slug is not None and library.by_slug[selected_slug].date != day:
    selected_slug = None
if selected_slug is None and matches:
    selected_slug = matches[0].slug
if selected_slug is not None:
    st.query_params["note"] = selected_slug

with list_column:
    if day is not None:
        day_bar(day, len(matches))
    notes_list(matches, selected_slug and library.primary(selected_slug), query)
components.scroll_memory()
with note_column, st.container(key=widgets.OPEN_NOTE_KEY):
    if selected_slug is None:
        st.stop()
    note = library.by_slug[library.primary(selected_slug)]  # a translation pair is one entry
    shown = rendering.translation_switch(library, note, asked=library.by_slug[selected_slug])
    neighbour_links(note)
    if note.conflict_of:
        conflict_notice(note)
    search_bar(query, matching=any(match.slug == note.slug for match in matches))
    with st.container(border=True, key="note_body"):  # the student's own writing (tests tell it from the interface)
        rendering.render_note(shown, library, terms=search.match_terms(query), owner=owner)
    if owner:
        st.caption(_("File: `{path}` in {name}'s journal").format(path=shown.path, name=escape_markdown(owner)))
    else:
        st.caption(_("File: `{path}` · share this note with `?note={slug}`").format(path=shown.path, slug=shown.slug))
    if not notes_folder.readonly() and not owner:
        note_actions(note, shown)
