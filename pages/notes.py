"""Notes: browse, filter and search the journal, and read one note (?note=<slug> opens it)."""

import streamlit as st

import ui
from core.journal import glossary, search, storage
from core.journal.notes import NOTE_TYPES
from core.journal.render import escape_markdown, highlighted

ui.app_frame()

PAGE_SIZE = 50

library = ui.load_library()

st.title("Notes", anchor=False)

with st.sidebar.expander("Glossary · 한국어 ↔ English", icon=":material/translate:"):
    st.caption("The day's Korean terms and their English. Search finds either: 역전파 also finds notes "
               "that say backpropagation, and the reverse.")
    st.dataframe(glossary.table(), hide_index=True)

if not library.notes:
    st.info("No notes yet. Put markdown files in the notes folder (see the README for the format).")
    st.stop()

dated = [note.date for note in library.notes if note.date]
all_tags = sorted({tag for note in library.notes for tag in note.tags}, key=str.casefold)

query_column, type_column, tag_column, date_column = st.columns([3, 2, 2, 2])
query = query_column.text_input(
    "Search", key="notes_query", help="Words from a title, a tag or the text, e.g. 합성곱, BPTT, kernel"
)
types = type_column.multiselect("Type", NOTE_TYPES, key="notes_types")
tags = tag_column.multiselect("Tags", all_tags, key="notes_tags")
date_range = date_column.date_input(
    "Dates",
    value=(min(dated), max(dated)) if dated else (),
    key=f"notes_dates_{min(dated, default=None)}_{max(dated, default=None)}",
    format="YYYY-MM-DD",
)
start, end = (date_range + (None, None))[:2] if isinstance(date_range, tuple) else (date_range, date_range)
date_filtered = bool(dated) and (start, end) != (min(dated), max(dated))

filtered = search.filter_notes(
    library.notes, types=types, tags=tags, start=start if date_filtered else None, end=end if date_filtered else None
)
matches = search.search(filtered, query)

selected_slug = st.query_params.get("note")
if selected_slug is not None and selected_slug not in library.by_slug:
    st.warning(f"There is no note named '{escape_markdown(selected_slug)}'. Pick one from the list.")
    selected_slug = None

list_column, note_column = st.columns([2, 5], gap="large")

with list_column:
    st.caption(f"{len(matches)} of {len(library.notes)} notes")
    shown = st.session_state.setdefault("notes_shown", PAGE_SIZE)
    for note in matches[:shown]:
        ui.note_link(note)
        if query.strip():
            st.markdown(highlighted(search.snippet(note, query)))
    if len(matches) > shown:
        st.button(
            f"Show {min(PAGE_SIZE, len(matches) - shown)} more",
            key="notes_more",
            on_click=lambda: st.session_state.update(notes_shown=shown + PAGE_SIZE),
        )

with note_column:
    if selected_slug is None:
        if matches:
            selected_slug = matches[0].slug
        else:
            st.info("No note matches. Try fewer words or clear a filter.")
            st.stop()
    note = library.by_slug[selected_slug]
    previous_note, next_note = library.neighbours(note.slug)
    back, forward = st.columns(2)
    with back:
        if previous_note:
            st.page_link(ui.NOTES_PAGE, label=f"← {previous_note.title}", query_params={"note": previous_note.slug})
    with forward:
        if next_note:
            st.page_link(ui.NOTES_PAGE, label=f"{next_note.title} →", query_params={"note": next_note.slug})
    with st.container(border=True):
        ui.render_note(note, library)
    st.caption(f"File: `{note.path}` · share this note with `?note={note.slug}`")
    if not ui.readonly():
        edit_column, history_column, delete_column, _ = st.columns([1, 1, 1, 2])
        edit_column.page_link("pages/write.py", label="Edit", icon=":material/edit:", query_params={"edit": note.slug})
        history_column.page_link(
            "pages/archive.py", label="History", icon=":material/history:", query_params={"history": note.slug}
        )
        with delete_column.popover("Move to trash", icon=":material/delete:"):
            st.write(f"Move **{escape_markdown(note.title)}** to the trash? You can restore it from *Trash & history*.")
            if st.button("Yes, move it to the trash", key="notes_delete", type="primary"):
                try:
                    storage.trash_note(ui.notes_dir(), note.path)
                except storage.StorageError as err:
                    st.error(str(err))
                else:
                    ui.refresh_library()
                    st.query_params.pop("note", None)
                    st.toast(f"Moved '{note.title}' to the trash.", icon=":material/delete:")
                    st.rerun()
