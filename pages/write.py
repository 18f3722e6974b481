"""Write: a new entry from a template, today's TIL, or an existing note (?edit=<slug>).

The editor keeps one draft per note (and one for the new entry) in the session, so switching
notes or pages never throws away typed text. Every save goes through core.journal.storage: atomic,
checked against the version the editor loaded, the old version kept in history.
"""

import datetime as dt

import streamlit as st

import ui
from core.journal import notes as notes_lib
from core.journal import storage, templates
from core.journal.render import escape_markdown

ui.app_frame()

NEW = "__new__"
FIELDS = ("title", "date", "type", "tags", "course", "week", "day", "body")

st.title("✍️ Write", anchor=False)

if ui.readonly():
    st.info("This journal is shared read-only, so writing is turned off. Browse it on the Notes page.")
    st.page_link(ui.NOTES_PAGE, label="Go to the Notes page", icon="📚")
    st.stop()

folder = ui.notes_dir()
if "write_cleaned" not in st.session_state:
    storage.cleanup_stray_temp_files(folder)
    st.session_state.write_cleaned = True
st.session_state.setdefault("write_drafts", {})
st.session_state.setdefault("write_current", None)
library = ui.load_library()


def widget_fields() -> dict:
    return {name: st.session_state.get(f"write_{name}") for name in FIELDS}


def show_fields(fields: dict) -> None:
    for name in FIELDS:
        st.session_state[f"write_{name}"] = fields[name]


def fields_of(note: notes_lib.Note) -> dict:
    return {
        "title": note.title, "date": note.date or ui.today(), "type": note.type, "tags": list(note.tags),
        "course": note.course or "", "week": note.week, "day": note.day, "body": note.body,
    }


def latest_course() -> str:
    return next((note.course for note in library.notes if note.course), "")


def template_draft(key: str) -> dict:
    entry = templates.new_entry(key, ui.today(), library.notes)
    fields = {
        "title": entry.title, "date": ui.today(), "type": entry.type, "tags": list(entry.tags),
        "course": latest_course(), "week": None, "day": None, "body": entry.body,
    }
    return {"rel_path": None, "hash": None, "base_meta": {}, "saved": dict(fields), "fields": fields}


def disk_draft(note: notes_lib.Note) -> dict:
    data, loaded_hash = storage.read_note(folder, note.path)
    on_disk = storage.check_loads(data, note.path)
    fields = fields_of(on_disk)
    return {"rel_path": note.path, "hash": loaded_hash, "base_meta": on_disk.meta,
            "saved": dict(fields), "fields": fields}


def switch_to(key: str, draft: dict | None = None) -> None:
    """Keep the current draft, then show draft `key` (a given one, a kept one, or a fresh one)."""
    current = st.session_state.write_current
    if current is not None and current in st.session_state.write_drafts and "write_title" in st.session_state:
        st.session_state.write_drafts[current]["fields"] = widget_fields()
    drafts = st.session_state.write_drafts
    if draft is not None:
        drafts[key] = draft
    elif key not in drafts:
        drafts[key] = template_draft("til") if key == NEW else disk_draft(by_path(key))
    st.session_state.write_current = key
    st.session_state.write_conflict = None
    show_fields(drafts[key]["fields"])


def by_path(rel_path: str) -> notes_lib.Note:
    return next(note for note in library.notes if note.path == rel_path)


def start_new() -> None:
    switch_to(NEW, template_draft(st.session_state.write_template))
    st.query_params.pop("edit", None)


def open_today() -> None:
    entry = templates.todays_entry(library.notes, ui.today())
    if entry is None:
        draft = templates.new_entry("til", ui.today(), library.notes)
        meta = storage.build_meta(draft.title, ui.today(), draft.type, draft.tags, course=latest_course() or None)
        try:
            result = storage.save_note(folder, None, meta, draft.body, expected_hash=None)
        except storage.StorageError as err:
            ui.flash("error", str(err))
            return
        ui.refresh_library()
        ui.flash("success", f"Created today's entry `{result.rel_path}`.", ui.slug_of(result.rel_path))
        st.query_params["edit"] = ui.slug_of(result.rel_path)
    else:
        st.query_params["edit"] = entry.slug


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
        ui.flash("error", str(err))
        return
    ui.refresh_library()
    saved = fields_of(storage.check_loads(result.path.read_bytes(), result.rel_path))
    new_draft = {"rel_path": result.rel_path, "hash": result.content_hash, "base_meta": meta,
                 "saved": saved, "fields": saved}
    st.session_state.write_drafts.pop(key, None)
    switch_to(result.rel_path, new_draft)
    slug = ui.slug_of(result.rel_path)
    st.query_params["edit"] = slug
    kept = " The previous version is kept in the history." if result.history_path else ""
    ui.flash("success", f"Saved `{result.rel_path}`.{kept}", slug)


def reload_from_disk() -> None:
    key = st.session_state.write_current
    kept = st.session_state.write_drafts.pop(key, None)
    st.session_state.write_current = None
    try:
        switch_to(key)
    except storage.StorageError as err:
        st.session_state.write_drafts[key] = kept
        switch_to(key)
        ui.flash("error", str(err))


def move_to_trash() -> None:
    key = st.session_state.write_current
    try:
        storage.trash_note(folder, key)
    except storage.StorageError as err:
        ui.flash("error", str(err))
        return
    ui.refresh_library()
    st.session_state.write_drafts.pop(key, None)
    st.session_state.write_current = None
    st.query_params.pop("edit", None)
    ui.flash("trashed", f"Moved `{key}` to the trash. Restore it any time from Records › Trash & history.")


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
        switch_to(key)
        st.toast("This note changed on disk; the editor now shows the new version.")
    else:
        st.warning(
            "This note changed on disk (or was moved) since you opened it. Your text is safe here: "
            "saving will show both versions and let you choose."
        )


def draft_meta(draft: dict, fields: dict) -> dict:
    return storage.build_meta(
        fields["title"] or "", fields["date"], fields["type"], fields["tags"] or [],
        course=fields["course"] or None, week=fields["week"], day=fields["day"], base=draft["base_meta"],
    )


# Which draft to show: ?edit=<slug> names a note, no parameter means the new entry.
edit_slug = st.query_params.get("edit")
wanted = NEW
if edit_slug is not None:
    current = st.session_state.write_current
    if edit_slug in library.by_slug:
        wanted = library.by_slug[edit_slug].path
    elif (current not in (None, NEW) and "write_title" in st.session_state
          and widget_fields() != st.session_state.write_drafts[current]["saved"]):
        wanted = current
        st.warning(
            f"'{escape_markdown(current)}' is no longer in the notes folder (moved, renamed or trashed elsewhere). "
            "Your unsaved text is kept here: saving will let you save it as a new note or write it back."
        )
    else:
        st.warning(
            f"There is no note named '{escape_markdown(edit_slug)}' (renamed or deleted?). "
            "Here is the new-entry editor instead."
        )
try:
    if wanted != st.session_state.write_current:
        switch_to(wanted)
    elif "write_title" not in st.session_state:
        show_fields(st.session_state.write_drafts[wanted]["fields"])
    follow_disk()
except storage.StorageError as err:
    st.error(str(err))
    st.stop()

draft = st.session_state.write_drafts[st.session_state.write_current]
editing = draft["rel_path"] is not None

today_column, template_column, new_column = st.columns([2, 3, 2], vertical_alignment="bottom")
today_column.button("📅 Open today's entry", key="write_today", on_click=open_today, width="stretch")
template_column.selectbox(
    "Template", [t.key for t in templates.TEMPLATES], key="write_template",
    format_func=lambda key: templates.BY_KEY[key].label,
)
new_column.button("Start new entry", key="write_new", on_click=start_new, width="stretch")

st.subheader(f"Editing `{draft['rel_path']}`" if editing else "New entry", anchor=False)

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

write_tab, preview_tab = st.tabs(["✍️ Markdown", "👁️ Preview"])
with write_tab:
    st.text_area(
        "Body (markdown; \\$...\\$ and \\$\\$...\\$\\$ for math, [[note-slug]] links a note)",
        key="write_body", height=420,
    )
fields = widget_fields()
st.session_state.write_drafts[st.session_state.write_current]["fields"] = fields
meta = draft_meta(draft, fields)
with preview_tab:
    preview_path = draft["rel_path"] or storage.note_file_name(fields["date"] or ui.today(), fields["title"] or "")
    try:
        preview = storage.draft_note(meta, fields["body"] or "", preview_path)
    except storage.StorageError as err:
        st.info(f"Nothing to preview yet: {err}")
    else:
        with st.container(border=True):
            ui.render_note(preview, library)

dirty = fields != draft["saved"]
save_column, status_column, trash_column = st.columns([2, 4, 2], vertical_alignment="center")
save_column.button("💾 Save", key="write_save", type="primary", on_click=save, args=("save",), width="stretch")
if dirty:
    status_column.caption("Unsaved changes (kept in this browser session until you save).")
elif editing:
    status_column.caption("Saved: the editor matches the file on disk.")
if editing:
    trash_column.button(
        "🗑️ Move to trash", key="write_trash", on_click=move_to_trash, width="stretch", disabled=dirty,
        help="Save or reload your changes first." if dirty else "Restorable from Records › Trash & history.",
    )

if ui.show_flash() == "trashed":
    st.page_link("pages/archive.py", label="Open Trash & history", icon=":material/inventory_2:")

conflict = st.session_state.get("write_conflict")
if conflict:
    st.error(conflict["message"])
    copy_column, overwrite_column, reload_column = st.columns(3)
    copy_column.button("Save mine as a new note", key="write_copy", on_click=save, args=("copy",), width="stretch")
    overwrite_column.button(
        "Overwrite with mine anyway", key="write_overwrite", on_click=save, args=("overwrite",), width="stretch",
        help="The version on disk now is kept in the note's history.",
    )
    if conflict["disk_text"] is not None:
        reload_column.button(
            "Discard mine, load the disk version", key="write_reload", on_click=reload_from_disk, width="stretch"
        )
        try:
            mine = storage.note_text(storage.clean_meta(meta), fields["body"] or "")
        except storage.StorageError:
            mine = fields["body"] or ""
        st.markdown("**What differs** (`-` on disk now, `+` your text)")
        st.code(
            storage.diff_text(conflict["disk_text"], mine, "on disk now", "your text") or "(the texts are equal)",
            language="diff", height=360,
        )
