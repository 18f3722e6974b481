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
"""

import datetime as dt
import weakref

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.journal import drafts, editor, storage, templates
from core.journal import notes as notes_lib
from core.journal.render import escape_markdown
from ui import components, frame, notes_folder, rendering, widgets

frame.app_frame()

NEW = "__new__"
PLACEHOLDER_TITLE = "Untitled"
FIELDS = drafts.FIELD_NAMES

st.title("Write", anchor=False)

if notes_folder.readonly():
    st.info(f"Writing is turned off here. {notes_folder.readonly_reason()} "
            "You can still read every note on the Notes page.",
            icon=":material/lock:")
    asked = notes_folder.load_library().by_slug.get(st.query_params.get("edit") or "")
    if asked is not None:
        st.page_link(widgets.NOTES_PAGE, label=f"Read “{asked.title}” on the Notes page", icon=":material/menu_book:",
                     query_params={"note": asked.slug})
    else:
        st.page_link(widgets.NOTES_PAGE, label="Go to the Notes page", icon=":material/menu_book:")
    st.stop()

folder = notes_folder.notes_dir()
if "write_cleaned" not in st.session_state:
    storage.cleanup_stray_temp_files(folder)
    st.session_state.write_cleaned = True
st.session_state.setdefault("write_drafts", {})
st.session_state.setdefault("write_current", None)
st.session_state.setdefault("write_template", templates.TEMPLATES[0].key)
library = notes_folder.load_library()


class DraftOwner:
    """This session's name on its draft files, kept in its session state; the registry below holds
    it weakly, so the name stops counting as live once the session is gone."""

    def __init__(self, token: str):
        self.token = token


@st.cache_resource(show_spinner=False)
def live_sessions() -> dict[str, tuple[weakref.ref, str | None]]:
    """This process's draft owners: token -> (weak reference to the DraftOwner, Streamlit session id)."""
    return {}


def draft_owner() -> str:
    """This browser session's owner token for drafts (made on first use, registered as live)."""
    owner = st.session_state.get("write_owner")
    if owner is None:
        owner = st.session_state.write_owner = DraftOwner(drafts.new_owner())
    registry = live_sessions()
    if owner.token not in registry:
        for token, (ref, _session) in list(registry.items()):
            if ref() is None:
                registry.pop(token, None)
        context = get_script_run_ctx(suppress_warning=True)
        registry[owner.token] = (weakref.ref(owner), context.session_id if context else None)
    return owner.token


def live_here(token: str) -> bool:
    """Whether a session of this process with drafts under `token` is still open in a browser: its
    state still exists and its browser is connected (a reloaded tab's old session is not)."""
    ref, session_id = live_sessions().get(token, (None, None))
    if ref is None or ref() is None:
        return False
    if session_id is None or not Runtime.exists():
        return True
    return Runtime.instance().is_active_session(session_id) is not False  # AppTest's stand-in answers a mock


def kept_draft(rel_path: str | None, *, take_over: bool = True) -> drafts.Draft | None:
    """The unsaved text kept on disk for `rel_path` (None: the new entry): this session's own draft,
    else the newest one whose session is gone (a reload, a crash), which this session takes over
    (only looked at with `take_over=False`)."""
    me = draft_owner()
    own = drafts.load_draft(folder, rel_path, me)
    if own is not None:
        return own
    for other in drafts.drafts_of(folder, rel_path):
        if other.owner != me and not drafts.owner_alive(other.owner, live_here):
            if not take_over:
                return other
            claimed = drafts.claim(folder, other, me)
            if claimed is not None:
                return claimed
    return None


def widget_fields() -> dict:
    return {name: st.session_state.get(f"write_{name}") for name in FIELDS}


def show_fields(fields: dict) -> None:
    for name in FIELDS:
        st.session_state[f"write_{name}"] = fields[name]


def fields_of(note: notes_lib.Note) -> dict:
    return editor.note_fields(note, widgets.today())


def rel_path_of(key: str) -> str | None:
    """The drafts store names the new entry None."""
    return None if key == NEW else key


def template_draft(key: str) -> dict:
    fields = editor.template_fields(key, widgets.today(), library.notes)
    return {"rel_path": None, "hash": None, "base_meta": {}, "saved": dict(fields), "fields": fields,
            "template": key}


def disk_draft(note: notes_lib.Note) -> dict:
    data, loaded_hash = storage.read_note(folder, note.path)
    on_disk = storage.check_loads(data, note.path)
    fields = fields_of(on_disk)
    return {"rel_path": note.path, "hash": loaded_hash, "base_meta": on_disk.meta,
            "saved": dict(fields), "fields": fields, "template": None}


def fresh_draft(key: str, *, take_over: bool = True) -> dict:
    """The draft for `key` when this session has none: the saved note (or the template), with
    the unsaved text kept on disk (by this session, or taken over from a closed one) laid over it."""
    kept = kept_draft(rel_path_of(key), take_over=take_over)
    if key == NEW:
        template = kept.template if kept and kept.template in templates.BY_KEY else requested_template()
        draft = template_draft(template)
    else:
        draft = disk_draft(by_path(key))
    if kept is not None:
        draft.update(fields=dict(kept.fields), persisted=dict(kept.fields), draft_at=kept.saved_at,
                     restored_at=kept.saved_at)
        if key != NEW:
            draft["hash"] = kept.base_hash
    return draft


def requested_template() -> str:
    """The template a fresh new entry starts from: the one ?new=<template> names, else the last one picked."""
    asked = st.query_params.get("new")
    return asked if asked in templates.BY_KEY else st.session_state.write_template


def switch_to(key: str, draft: dict | None = None) -> None:
    """Keep the current draft, then show draft `key` (a given one, a kept one, or a fresh one)."""
    current = st.session_state.write_current
    if current is not None and current in st.session_state.write_drafts and "write_title" in st.session_state:
        st.session_state.write_drafts[current]["fields"] = widget_fields()
    all_drafts = st.session_state.write_drafts
    if draft is not None:
        all_drafts[key] = draft
    elif key not in all_drafts:
        all_drafts[key] = fresh_draft(key)
    st.session_state.write_current = key
    st.session_state.write_conflict = None
    show_fields(all_drafts[key]["fields"])
    if all_drafts[key].get("template"):
        st.session_state.write_template = all_drafts[key]["template"]
    name_draft_in_address_bar(all_drafts[key])


def by_path(rel_path: str) -> notes_lib.Note:
    return next(note for note in library.notes if note.path == rel_path)


def new_entry_draft() -> dict | None:
    """The new entry's draft, from this session or kept on disk (None when there is none)."""
    return st.session_state.write_drafts.get(NEW) or (
        fresh_draft(NEW, take_over=False) if kept_draft(None, take_over=False) is not None else None
    )


def has_unsaved_text(draft: dict | None) -> bool:
    if draft is None:
        return False
    fields = widget_fields() if st.session_state.write_current == NEW else draft["fields"]
    return fields != draft["saved"]


def apply_template(key: str) -> None:
    """Start the new entry afresh from template `key` (its kept draft is replaced)."""
    forget_kept_draft(NEW)
    switch_to(NEW, template_draft(key))
    st.session_state.write_pending_template = None


def on_template_change() -> None:
    """A template applies at once; unsaved text in the new entry is asked about first."""
    if has_unsaved_text(new_entry_draft()):
        st.session_state.write_pending_template = st.session_state.write_template
    else:
        apply_template(st.session_state.write_template)


def keep_typed_text() -> None:
    st.session_state.write_pending_template = None
    kept = new_entry_draft()
    st.session_state.write_template = (kept or {}).get("template") or templates.TEMPLATES[0].key


@st.dialog("Replace your text?", on_dismiss=keep_typed_text)
def confirm_template(key: str) -> None:
    st.write(
        f"Your new entry has text you have not saved. Start it again from the "
        f"**{escape_markdown(templates.BY_KEY[key].label)}** template? Your text will be gone."
    )
    replace_column, keep_column = st.columns(2)
    if replace_column.button("Replace with the template", key="write_replace", type="primary",
                             on_click=apply_template, args=(key,), width="stretch"):
        st.rerun()
    if keep_column.button("Keep my text", key="write_keep", on_click=keep_typed_text, width="stretch"):
        st.rerun()


def open_new_entry() -> None:
    switch_to(NEW)


def open_today() -> None:
    """Today's entry when there is one; else a new TIL for today, unsaved until the student saves it
    (as the Dashboard's "Start today's entry" does), so an empty note never counts as a study day."""
    entry = templates.todays_entry(library.notes, widgets.today())
    st.query_params.from_dict({"edit": entry.slug} if entry is not None else {"new": "til"})


def save(mode: str) -> None:
    """mode: 'save' (checked against the loaded version), 'copy' (a new note), 'overwrite' (knowingly)."""
    key = st.session_state.write_current
    draft, fields = st.session_state.write_drafts[key], widget_fields()
    conflict = st.session_state.get("write_conflict") or {}
    rel_path = None if mode == "copy" else draft["rel_path"]
    expected = conflict.get("disk_hash") if mode == "overwrite" else draft["hash"]
    meta = draft_meta(draft, fields)
    try:
        result = storage.save_note(folder, rel_path, meta, fields["body"] or "", expected_hash=expected)
    except storage.ConflictError as err:
        st.session_state.write_conflict = {"message": str(err), "disk_text": err.disk_text, "disk_hash": err.disk_hash}
        return
    except storage.StorageError as err:
        widgets.flash("error", str(err))
        st.session_state.write_refused = True
        return
    notes_folder.refresh_library()
    forget_kept_draft(key)
    saved = fields_of(storage.check_loads(result.path.read_bytes(), result.rel_path))
    new_draft = {"rel_path": result.rel_path, "hash": result.content_hash, "base_meta": meta,
                 "saved": saved, "fields": saved, "template": None}
    st.session_state.write_drafts.pop(key, None)
    switch_to(result.rel_path, new_draft)
    slug = notes_folder.slug_of(result.rel_path)
    kept = " The previous version is kept in the history." if result.history_path else ""
    widgets.flash("success", f"Saved `{result.rel_path}`.{kept}", slug)


def forget_kept_draft(key: str) -> None:
    try:
        drafts.discard_draft(folder, rel_path_of(key), draft_owner())
    except storage.StorageError as err:
        widgets.flash("error", str(err))


def adopt_orphan(kept: drafts.Draft) -> None:
    """A draft this session cannot open in place (its note is gone, or this session already holds
    other text for it) becomes the new entry's text; its file goes once that text is kept."""
    draft = template_draft(st.session_state.write_template)
    draft["fields"] = dict(kept.fields)
    switch_to(NEW, draft)
    keep_draft_on_disk(NEW, draft, draft["fields"])
    if draft.get("persisted") is not None:
        discard_file(kept)


def discard_file(kept: drafts.Draft) -> None:
    try:
        drafts.discard_draft(folder, kept.rel_path, kept.owner)
    except storage.StorageError as err:
        widgets.flash("error", str(err))


def discard_changes() -> None:
    """The student's own "throw my changes away": back to the saved note (or the template)."""
    key = st.session_state.write_current
    forget_kept_draft(key)
    st.session_state.write_drafts.pop(key, None)
    st.session_state.write_current = None
    switch_to(key, template_draft(st.session_state.write_template) if key == NEW else None)


def reload_from_disk() -> None:
    key = st.session_state.write_current
    kept = st.session_state.write_drafts.pop(key, None)
    st.session_state.write_current = None
    try:
        switch_to(key, disk_draft(by_path(key)))
    except (storage.StorageError, StopIteration) as err:
        st.session_state.write_drafts[key] = kept
        switch_to(key)
        widgets.flash("error", str(err) or f"'{key}' is not in the notes folder any more.")
    else:
        forget_kept_draft(key)


def move_to_trash() -> None:
    key = st.session_state.write_current
    try:
        storage.trash_note(folder, key)
    except storage.StorageError as err:
        widgets.flash("error", str(err))
        return
    notes_folder.refresh_library()
    forget_kept_draft(key)
    st.session_state.write_drafts.pop(key, None)
    st.session_state.write_current = None
    st.query_params.clear()
    widgets.flash("trashed", f"Moved `{key}` to the trash. Restore it any time from Records › Trash & history.")


def follow_disk() -> None:
    """A draft without unsaved changes follows its file on disk; one with changes gets a warning."""
    key = st.session_state.write_current
    draft = st.session_state.write_drafts[key]
    if draft["rel_path"] is None or st.session_state.get("write_conflict"):
        return
    try:
        _, disk_hash = storage.read_note(folder, draft["rel_path"])
    except storage.StorageError:
        disk_hash = None
    if disk_hash == draft["hash"]:
        return
    if disk_hash is not None and widget_fields() == draft["saved"]:
        st.session_state.write_drafts.pop(key)
        st.session_state.write_current = None
        switch_to(key, disk_draft(by_path(key)))
        st.toast("This note changed on disk; the editor now shows the new version.")
    else:
        st.warning(
            "This note changed on disk (or was moved) since you started these changes. Your text is safe here: "
            "saving will show both versions and let you choose."
        )


def draft_meta(draft: dict, fields: dict) -> dict:
    return storage.build_meta(
        fields["title"] or "", fields["date"], fields["type"], fields["tags"] or [],
        course=fields["course"] or None, week=fields["week"], day=fields["day"], base=draft["base_meta"],
    )


def keep_draft_on_disk(key: str, draft: dict, fields: dict) -> None:
    """Autosave: unsaved text goes to the drafts store whenever it changed; a draft that matches
    the saved note again is removed."""
    if fields != draft["saved"]:
        if fields == draft.get("persisted"):
            return
        kept = drafts.Draft(rel_path=rel_path_of(key), fields=fields, base_hash=draft["hash"],
                            template=draft.get("template"), owner=draft_owner())
        try:
            drafts.save_draft(folder, kept)
        except storage.StorageError as err:
            st.warning(str(err))
            return
        draft.update(persisted=dict(fields), draft_at=kept.saved_at)
    elif draft.get("persisted") is not None:
        forget_kept_draft(key)
        draft.update(persisted=None, draft_at=None, restored_at=None)


def wanted_draft() -> str:
    """Which draft the address bar asks for: ?edit=<slug>, ?new=<template>, or (no parameter)
    the one this session was writing, else the new entry."""
    edit_slug = st.query_params.get("edit")
    current = st.session_state.write_current
    if edit_slug is None:
        if "new" in st.query_params:
            return NEW
        return current or NEW
    if edit_slug in library.by_slug:
        return library.by_slug[edit_slug].path
    if (current not in (None, NEW) and "write_title" in st.session_state
            and widget_fields() != st.session_state.write_drafts[current]["saved"]):
        st.warning(
            f"'{escape_markdown(current)}' is no longer in the notes folder (moved, renamed or trashed elsewhere). "
            "Your unsaved text is kept here: saving will let you save it as a new note or write it back."
        )
        return current
    st.warning(
        f"There is no note named '{escape_markdown(edit_slug)}' (renamed or deleted?). "
        "Here is the new-entry editor instead."
    )
    return NEW


def follow_new_parameter(asked: str | None) -> None:
    """?new=<template> (`asked`, read before the editor named its draft in the address bar) starts
    a new entry from that template, unless the new entry holds unsaved text (then that text is
    shown and kept)."""
    if st.session_state.write_current != NEW or asked not in templates.BY_KEY:
        return
    draft = st.session_state.write_drafts[NEW]
    if has_unsaved_text(draft):
        if draft.get("template") != asked:
            st.info("Your unsaved new entry is kept below. Pick a template to start again from it.")
    elif draft.get("template") != asked or draft["saved"]["date"] != widgets.today():
        apply_template(asked)


def name_draft_in_address_bar(draft: dict) -> None:
    if draft["rel_path"] is None:
        st.query_params.from_dict({"new": draft.get("template") or templates.TEMPLATES[0].key})
    elif notes_folder.slug_of(draft["rel_path"]):
        st.query_params.from_dict({"edit": notes_folder.slug_of(draft["rel_path"])})


def saved_at(draft: dict) -> dt.datetime | None:
    if draft["rel_path"] is None:
        return None
    try:
        return dt.datetime.fromtimestamp((folder / draft["rel_path"]).stat().st_mtime).astimezone()
    except OSError:
        return None


def other_drafts(current: str) -> None:
    """Unsaved drafts on disk other than the one in the editor: this session's drafts of other notes,
    drafts a closed or reloaded tab left, and (listed, not touched) those another open tab keeps."""
    me, kept_folder = draft_owner(), drafts.read_drafts(folder)
    waiting = [kept for kept in kept_folder.drafts if not (kept.owner == me and kept.rel_path == rel_path_of(current))]
    if kept_folder.unusable:
        shown = "; ".join(f"`{escape_markdown(name)}` ({reason})" for name, reason in kept_folder.unusable[:5])
        st.warning(f"{len(kept_folder.unusable)} file(s) in `{drafts.DRAFTS_DIR}` are not drafts the editor can use "
                   f"and were left alone: {shown}.", icon=":material/warning:")
    busy = [kept for kept in waiting if kept.owner != me and drafts.owner_alive(kept.owner, live_here)]
    if any(kept.rel_path == rel_path_of(current) for kept in busy):
        st.info("Another open tab has unsaved changes to this note too. Whichever tab saves second is shown both "
                "versions to choose from, so neither text is lost.", icon=":material/tab:")
    if not waiting:
        return
    with st.expander(f"Unsaved drafts ({len(waiting)})", icon=":material/draft:"):
        for kept in waiting:
            draft_row(kept, current, in_other_tab=kept in busy)


def draft_row(kept: drafts.Draft, current: str, *, in_other_tab: bool) -> None:
    """One kept draft: what it is for and when it was kept, and what can be done with it here."""
    note = next((n for n in library.notes if n.path == kept.rel_path), None)
    what = "the new entry" if kept.rel_path is None else (note.title if note else f"{kept.rel_path} (gone)")
    file_name = drafts.draft_file_name(kept.rel_path, kept.owner)
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(f"**{escape_markdown(kept.fields['title'] or 'Untitled')}** · for "
                    f"{escape_markdown(what)} · kept {editor.clock(kept.saved_at, now)}"
                    + (" · open in another tab" if in_other_tab else ""))
        if in_other_tab:
            return
        key = NEW if kept.rel_path is None else kept.rel_path
        held_here = key == current or key in st.session_state.write_drafts
        if (kept.rel_path is None or note is not None) and (kept.owner == draft_owner() or not held_here):
            st.page_link("pages/write.py", label="Open", icon=":material/edit:",
                         query_params={"new": kept.template or "til"} if note is None else {"edit": note.slug})
        else:
            blocked = has_unsaved_text(new_entry_draft())
            st.button("Open as a new entry", key=f"write_adopt_{file_name}", icon=":material/edit:",
                      on_click=adopt_orphan, args=(kept,), disabled=blocked,
                      help="Save or discard your unsaved new entry first." if blocked else None)
        st.button("Discard", key=f"write_discard_{file_name}", type="tertiary", on_click=discard_file, args=(kept,))


now = dt.datetime.now().astimezone()
asked_template = st.query_params.get("new")
try:
    wanted = wanted_draft()
    if wanted != st.session_state.write_current:
        switch_to(wanted)
    elif "write_title" not in st.session_state:
        show_fields(st.session_state.write_drafts[wanted]["fields"])
    follow_new_parameter(asked_template)
    follow_disk()
except storage.StorageError as err:
    st.error(str(err))
    st.stop()

current_key = st.session_state.write_current
draft = st.session_state.write_drafts[current_key]
editing = draft["rel_path"] is not None
name_draft_in_address_bar(draft)
if st.session_state.get("write_pending_template"):
    confirm_template(st.session_state.write_pending_template)

with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
    st.button("Open today's entry", key="write_today", on_click=open_today, icon=":material/today:")
    st.selectbox(
        "Template", [t.key for t in templates.TEMPLATES], key="write_template", on_change=on_template_change,
        format_func=lambda key: templates.BY_KEY[key].label, width=280,
        help="Picking a template starts a new entry from it at once (you are asked first if that would replace "
             "unsaved text).",
    )
    st.button("New entry", key="write_new", on_click=open_new_entry, icon=":material/add:")

other_drafts(current_key)
st.subheader(f"Editing `{draft['rel_path']}`" if editing else "New entry", anchor=False)
if draft.get("restored_at") and draft.get("persisted") is not None:
    st.info(
        f"Restored your unsaved changes from {editor.clock(draft['restored_at'], now)}. Save them, or throw them "
        "away with *Discard changes*.", icon=":material/history:",
    )

title_column, date_column, type_column = st.columns([4, 2, 2])
title_column.text_input("Title", key="write_title", help="What is this note about? The file name is made from it.")
date_column.date_input(
    "Date", key="write_date", format="YYYY-MM-DD", min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)
)
type_column.selectbox("Type", notes_lib.NOTE_TYPES, key="write_type")

known_tags = sorted(
    {tag for note in library.notes for tag in note.tags} | set(st.session_state.write_tags or []), key=str.casefold
)
tags_column, course_column, week_column, day_column = st.columns([4, 2, 1, 1])
tags_column.multiselect(
    "Tags", known_tags, key="write_tags", accept_new_options=True, help="Pick existing tags or type new ones"
)
course_column.text_input("Course (optional)", key="write_course")
week_column.number_input("Week", key="write_week", step=1, value=None)
day_column.number_input("Day", key="write_day", step=1, value=None)

editor_column, preview_column = st.columns(2, gap="medium")
with editor_column:
    st.text_area(
        "Body (markdown; \\$...\\$ and \\$\\$...\\$\\$ for math, [[note-slug]] links a note)",
        key="write_body", height=520,
    )
fields = widget_fields()
draft["fields"] = fields
meta = draft_meta(draft, fields)
keep_draft_on_disk(current_key, draft, fields)
dirty = fields != draft["saved"]
conflict = st.session_state.get("write_conflict")
status = editor.status(editing=editing, dirty=dirty, conflict=bool(conflict), saved_at=saved_at(draft),
                       draft_at=draft.get("draft_at"), now=now, refused=st.session_state.pop("write_refused", False))

with editor_column, st.container(horizontal=True, vertical_alignment="center", gap="small"):
    st.button("Save", key="write_save", type="primary", on_click=save, args=("save",), icon=":material/save:",
              shortcut="Ctrl+S", help="Save the note (Ctrl+S, or ⌘S on a Mac)")
    with st.container(width="stretch", key="write_status_row"):
        components.editor_status(status.state, status.label)
    if dirty:
        with st.popover("Discard changes", icon=":material/undo:", key=f"write_discard_{current_key}"):
            st.write("Throw away your unsaved changes and go back to " +
                     ("the saved note?" if editing else "the empty template?"))
            st.button("Yes, discard my changes", key="write_discard", type="primary", on_click=discard_changes)
    if editing:
        st.button(
            "Move to trash", key="write_trash", on_click=move_to_trash, disabled=dirty, icon=":material/delete:",
            help="Save or discard your changes first." if dirty else "Restorable from Records › Trash & history.",
        )

with editor_column:
    flashed = widgets.show_flash()
    if flashed == "trashed":
        st.page_link("pages/archive.py", label="Open Trash & history", icon=":material/inventory_2:")

    if conflict:
        st.error(conflict["message"])
        with st.container(horizontal=True, gap="small"):
            st.button("Save mine as a new note", key="write_copy", on_click=save, args=("copy",))
            st.button(
                "Overwrite with mine anyway", key="write_overwrite", on_click=save, args=("overwrite",),
                help="The version on disk now is kept in the note's history.",
            )
            if conflict["disk_text"] is not None:
                st.button("Discard mine, load the disk version", key="write_reload", on_click=reload_from_disk)
        if conflict["disk_text"] is not None:
            try:
                mine = storage.note_text(storage.clean_meta(meta), fields["body"] or "")
            except storage.StorageError:
                mine = fields["body"] or ""
            st.markdown("**What differs** (`-` on disk now, `+` your text)")
            st.code(
                storage.diff_text(conflict["disk_text"], mine, "on disk now", "your text") or "(the texts are equal)",
                language="diff", height=360,
            )

with preview_column:
    st.markdown("**Preview**")
    untitled = not (fields["title"] or "").strip()
    if untitled and flashed != "error":  # a refused save has said so already
        st.caption(f":material/info: {PLACEHOLDER_TITLE} stands in for the title you have not written yet; "
                   "a note needs one before it can be saved.")
    preview_meta = {**meta, "title": PLACEHOLDER_TITLE} if untitled else meta
    preview_path = draft["rel_path"] or storage.note_file_name(fields["date"] or widgets.today(),
                                                               fields["title"] or PLACEHOLDER_TITLE)
    try:
        preview = storage.draft_note(preview_meta, fields["body"] or "", preview_path)
    except storage.StorageError as err:
        st.info(f"Nothing to preview yet: {err}")
    else:
        with st.container(border=True, height=600):
            rendering.render_note(preview, library, contents=False)

