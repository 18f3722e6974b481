"""Write: a new entry from a template (?new=<template>), today's TIL, or an existing note
(?edit=<slug>); the address bar names what the editor shows.

The editor keeps one draft per note (and one for the new entry). Unsaved text is kept in the
session and autosaved to the notes folder's hidden state (core.journal.drafts), one file per
note and browser session, so switching notes or pages, a reload, a closed tab or a second tab on
the same note never throws it away; only saving or "Discard changes" ends a draft, and only this
session's. Opening a note takes over the newest draft of it that no open session keeps (a reload
or a crash); any other is listed under "Unsaved drafts". Every save goes through
core.journal.storage: atomic, checked against the version the editor started from, the old
version kept in history. The status line
(components.editor_status) says honestly whether the text is saved.

This file lays out the screen; the editor's helpers (drafts, switching, saving, the callbacks)
live in ui.write_editor.
"""

import datetime as dt

import streamlit as st

from core.journal import diff as text_diff
from core.journal import drafts, editor, storage, templates
from core.journal import notes as notes_lib
from core.journal.render import escape_markdown
from core.messages import N_, _
from ui import components, frame, i18n, notes_folder, rendering, widgets, write_editor

frame.app_frame()

PLACEHOLDER_TITLE = N_("Untitled")
WRITE_PAGE, ARCHIVE_PAGE = "pages/write.py", "pages/archive.py"

st.title(_("Write"), anchor=False)

if notes_folder.readonly():
    st.info(_("Writing is turned off here. {reason} You can still read every note on the Notes page.").format(
        reason=notes_folder.readonly_reason()), icon=":material/lock:")
    asked = notes_folder.load_library().by_slug.get(st.query_params.get("edit") or "")
    if asked is not None:
        st.page_link(widgets.NOTES_PAGE, label=_("Read “{title}” on the Notes page").format(title=asked.title),
                     icon=":material/menu_book:", query_params={"note": asked.slug})
    else:
        st.page_link(widgets.NOTES_PAGE, label=_("Go to the Notes page"), icon=":material/menu_book:")
    st.stop()

folder = notes_folder.notes_dir()
if "write_cleaned" not in st.session_state:
    storage.cleanup_stray_temp_files(folder)
    st.session_state.write_cleaned = True
st.session_state.setdefault("write_drafts", {})
st.session_state.setdefault("write_current", None)
st.session_state.setdefault("write_template", templates.TEMPLATES[0].key)
st.session_state.setdefault("write_new_template", st.session_state.write_template)
library = notes_folder.load_library()


@st.dialog(_("Replace your text?"), on_dismiss=write_editor.keep_typed_text)
def confirm_template(key: str) -> None:
    st.write(
        _("Your new entry has text you have not saved. Start it again from the **{template}** template? "
          "Your text will be gone.").format(template=escape_markdown(templates.template(key, i18n.language()).label))
    )
    replace_column, keep_column = st.columns(2)
    if replace_column.button(_("Replace with the template"), key="write_replace", type="primary",
                             on_click=write_editor.apply_template, args=(key,), width="stretch"):
        st.rerun()
    if keep_column.button(_("Keep my text"), key="write_keep", on_click=write_editor.keep_typed_text, width="stretch"):
        st.rerun()


def other_drafts(current: str) -> None:
    """Unsaved drafts on disk other than the one in the editor: this session's drafts of other notes,
    drafts a closed or reloaded tab left, and (listed, not touched) those another open tab keeps."""
    me, kept_folder = write_editor.draft_owner(), drafts.read_drafts(folder)
    waiting = [kept for kept in kept_folder.drafts
               if not (kept.owner == me and kept.rel_path == write_editor.rel_path_of(current))]
    if kept_folder.unusable:
        shown = "; ".join(f"`{escape_markdown(name)}` ({reason})" for name, reason in kept_folder.unusable[:5])
        st.warning(_("{count} file(s) in `{folder}` are not drafts the editor can use and were left alone: {shown}.")
                   .format(count=len(kept_folder.unusable), folder=drafts.DRAFTS_DIR, shown=shown),
                   icon=":material/warning:")
    busy = [kept for kept in waiting if kept.owner != me and drafts.owner_alive(kept.owner, write_editor.live_here)]
    if any(kept.rel_path == write_editor.rel_path_of(current) for kept in busy):
        st.info(_("Another open tab has unsaved changes to this note too. Whichever tab saves second is shown both "
                  "versions to choose from, so neither text is lost."), icon=":material/tab:")
    if not waiting:
        return
    with st.expander(_("Unsaved drafts ({count})").format(count=len(waiting)), icon=":material/draft:"):
        for kept in waiting:
            draft_row(kept, current, in_other_tab=kept in busy)


def draft_row(kept: drafts.Draft, current: str, *, in_other_tab: bool) -> None:
    """One kept draft: what it is for and when it was kept, and what can be done with it here."""
    note = next((n for n in library.notes if n.path == kept.rel_path), None)
    if kept.rel_path is None:
        what = _("for the new entry")
    elif note is not None:
        what = _("for {title}").format(title=escape_markdown(note.title))
    else:
        what = _("for {path} (gone)").format(path=escape_markdown(kept.rel_path))
    file_name = drafts.draft_file_name(kept.rel_path, kept.owner)
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        parts = [f"**{escape_markdown(kept.fields['title'] or _(PLACEHOLDER_TITLE))}**", what,
                 _("kept {time}").format(time=editor.clock(kept.saved_at, now))]
        if in_other_tab:
            parts.append(_("open in another tab"))
        st.markdown(" · ".join(parts))
        if in_other_tab:
            return
        key = write_editor.NEW if kept.rel_path is None else kept.rel_path
        held_here = key == current or key in st.session_state.write_drafts
        if kept.rel_path is None and kept.owner != write_editor.draft_owner():
            st.button(_("Continue"), key=f"write_continue_{file_name}", icon=":material/edit:",
                      on_click=write_editor.continue_draft, args=(kept,))
        elif (kept.rel_path is None or note is not None) and (kept.owner == write_editor.draft_owner()
                                                             or not held_here):
            st.page_link(WRITE_PAGE, label=_("Open"), icon=":material/edit:",
                         query_params={"new": kept.template or "til"} if note is None else {"edit": note.slug})
        else:
            blocked = write_editor.has_unsaved_text(write_editor.new_entry_draft())
            st.button(_("Open as a new entry"), key=f"write_adopt_{file_name}", icon=":material/edit:",
                      on_click=write_editor.adopt_orphan, args=(kept,), disabled=blocked,
                      help=_("Save or discard your unsaved new entry first.") if blocked else None)
        st.button(_("Discard"), key=f"write_discard_{file_name}", type="tertiary", on_click=write_editor.discard_file,
                  args=(kept,))


now = dt.datetime.now().astimezone()
asked_template = st.query_params.get("new")
try:
    wanted = write_editor.wanted_draft()
    if wanted != st.session_state.write_current:
        write_editor.switch_to(wanted)
    elif "write_title" not in st.session_state:
        write_editor.show_fields(st.session_state.write_drafts[wanted]["fields"])
    write_editor.follow_new_parameter(asked_template)
    write_editor.follow_disk()
except storage.StorageError as err:
    st.error(str(err))
    st.stop()

current_key = st.session_state.write_current
draft = st.session_state.write_drafts[current_key]
editing = draft["rel_path"] is not None
write_editor.name_draft_in_address_bar(draft)
if st.session_state.get("write_pending_template"):
    confirm_template(st.session_state.write_pending_template)

if editing and st.session_state.get("write_type") in templates.BY_KEY:
    # The box shows the edited note's kind (a peer-session note says "Peer-session minutes"), not
    # the template a new entry last used; picking another one still starts a new entry from it.
    st.session_state.write_template = st.session_state.write_type
else:
    st.session_state.write_new_template = st.session_state.write_template  # what "New entry" starts from
with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
    st.button(_("Open today's entry"), key="write_today", on_click=write_editor.open_today, icon=":material/today:")
    st.selectbox(
        _("Template"), [t.key for t in templates.TEMPLATES], key="write_template",
        on_change=write_editor.on_template_change, width=280,
        format_func=lambda key: templates.template(key, i18n.language()).label,
        help=_("Picking a template starts a new entry from it at once (you are asked first if that would replace "
               "unsaved text)."),
    )
    st.button(_("New entry"), key="write_new", on_click=write_editor.open_new_entry, icon=":material/add:")

other_drafts(current_key)
st.subheader(_("Editing `{path}`").format(path=draft["rel_path"]) if editing else _("New entry"), anchor=False)
older = None if editing else write_editor.offered_draft()
if older is not None:  # ?new=<template> opened that template; an older draft is offered, not put in its place
    kind = write_editor.kind_of(older)
    with st.container(key="write_older_draft", border=True, horizontal=True, vertical_alignment="center"):
        st.markdown(":material/history: " + _("An older unsaved {kind} draft, **{title}**, was kept at {time}.").format(
            kind=kind, title=escape_markdown(older.fields["title"] or _(PLACEHOLDER_TITLE)),
            time=editor.clock(older.saved_at, now)), width="stretch")
        st.button(_("Continue the older {kind} draft").format(kind=kind), key="write_continue_older", type="primary",
                  on_click=write_editor.continue_draft, args=(older,))
if draft.get("restored_at") and draft.get("persisted") is not None:
    st.info(
        _("Restored your unsaved changes from {time}. Save them, or throw them away with *Discard changes*.").format(
            time=editor.clock(draft["restored_at"], now)), icon=":material/history:",
    )

title_column, date_column, type_column = st.columns([4, 2, 2])
title_column.text_input(_("Title"), key="write_title",
                        help=_("What is this note about? The file name is made from it."))
date_column.date_input(
    _("Date"), key="write_date", format="YYYY-MM-DD", min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)
)
type_column.selectbox(_("Type"), notes_lib.NOTE_TYPES, key="write_type", format_func=notes_lib.type_name)

known_tags = sorted(
    {tag for note in library.notes for tag in note.tags} | set(st.session_state.write_tags or []), key=str.casefold
)
tags_column, course_column, week_column, day_column = st.columns([4, 2, 1, 1])
tags_column.multiselect(
    _("Tags"), known_tags, key="write_tags", accept_new_options=True, help=_("Pick existing tags or type new ones")
)
course_column.text_input(_("Course (optional)"), key="write_course")
week_column.number_input(_("Week"), key="write_week", step=1, value=None)
day_column.number_input(_("Day"), key="write_day", step=1, value=None)

editor_column, preview_column = st.columns(2, gap="medium")
with editor_column:
    st.text_area(
        _("Body (markdown; \\$...\\$ and \\$\\$...\\$\\$ for math, [[note-slug]] links a note)"),
        key="write_body", height=520,
    )
fields = write_editor.widget_fields()
draft["fields"] = fields
meta = write_editor.draft_meta(draft, fields)
write_editor.keep_draft_on_disk(current_key, draft, fields)
dirty = fields != draft["saved"]
conflict = st.session_state.get("write_conflict")
status = editor.status(editing=editing, dirty=dirty, conflict=bool(conflict), saved_at=write_editor.saved_at(draft),
                       draft_at=draft.get("draft_at"), now=now, refused=st.session_state.pop("write_refused", False))

with editor_column, st.container(horizontal=True, vertical_alignment="center", gap="small"):
    st.button(_("Save"), key="write_save", type="primary", on_click=write_editor.save, args=("save",),
              icon=":material/save:", shortcut="Ctrl+S", help=_("Save the note (Ctrl+S, or ⌘S on a Mac)"))
    with st.container(width="stretch", key="write_status_row"):
        components.editor_status(status.state, status.label)
    if dirty:
        with st.popover(_("Discard changes"), icon=":material/undo:", key=f"write_discard_{current_key}"):
            st.write(_("Throw away your unsaved changes and go back to the saved note?") if editing
                     else _("Throw away your unsaved changes and go back to the empty template?"))
            st.button(_("Yes, discard my changes"), key="write_discard", type="primary",
                      on_click=write_editor.discard_changes)
    if editing:
        st.button(
            _("Move to trash"), key="write_trash", on_click=write_editor.move_to_trash, disabled=dirty,
            icon=":material/delete:",
            help=_("Save or discard your changes first.") if dirty else _("Restorable from Records › Trash & history."),
        )

with editor_column:
    flashed = widgets.show_flash()
    if flashed == "trashed":
        st.page_link(ARCHIVE_PAGE, label=_("Open Trash & history"), icon=":material/inventory_2:")

    if conflict:
        st.error(conflict["message"])
        with st.container(horizontal=True, gap="small"):
            st.button(_("Save mine as a new note"), key="write_copy", on_click=write_editor.save, args=("copy",))
            st.button(
                _("Overwrite with mine anyway"), key="write_overwrite", on_click=write_editor.save, args=("overwrite",),
                help=_("The version on disk now is kept in the note's history."),
            )
            if conflict["disk_text"] is not None:
                st.button(_("Discard mine, load the disk version"), key="write_reload",
                          on_click=write_editor.reload_from_disk)
        if conflict["disk_text"] is not None:
            try:
                mine = storage.note_text(storage.clean_meta(meta), fields["body"] or "")
            except storage.StorageError:
                mine = fields["body"] or ""
            st.markdown(_("**What differs**"))
            st.caption(text_diff.legend(_("the version on disk now"), _("yours (the text in the editor)")))
            st.code(
                storage.diff_text(conflict["disk_text"], mine, "on disk now", "yours") or _("(the texts are equal)"),
                language="diff", height=360,
            )


@st.fragment
def preview(draft: dict, fields: dict, flashed: str | None) -> None:
    """The note as the Notes page will show it. It follows typing: a pause in the title or body
    sends their text (components.live_preview), which reruns only this fragment."""
    st.markdown(_("**Preview**"))
    live = components.live_preview()
    if live is not None:
        typed_title = live["title"] if isinstance(live.get("title"), str) else fields["title"]
        fields = {**fields, "title": typed_title, "body": live["body"]}
    meta = write_editor.draft_meta(draft, fields)
    untitled = not (fields["title"] or "").strip()
    if untitled and flashed != "error":  # a refused save has said so already
        st.caption(":material/info: " + _("{placeholder} stands in for the title you have not written yet; "
                                          "a note needs one before it can be saved.").format(
            placeholder=_(PLACEHOLDER_TITLE)))
    preview_meta = {**meta, "title": _(PLACEHOLDER_TITLE)} if untitled else meta
    preview_path = draft["rel_path"] or storage.note_file_name(fields["date"] or widgets.today(),
                                                               fields["title"] or PLACEHOLDER_TITLE)
    try:
        shown = storage.draft_note(preview_meta, fields["body"] or "", preview_path)
    except storage.StorageError as err:
        st.info(_("Nothing to preview yet: {reason}").format(reason=err))
    else:
        with st.container(border=True, height=600, key="write_preview"):
            rendering.render_note(shown, library, contents=False)


with preview_column:
    preview(draft, fields, flashed)
