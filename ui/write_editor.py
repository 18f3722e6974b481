"""The Write page's editor: one draft per note (and one for the new entry) kept in the session
and autosaved to the notes folder's hidden state (core.journal.drafts) under this browser
session's owner token; opening, switching, saving, discarding and trashing a draft; following
the note on disk and the address bar. pages/write.py keeps the layout of the screen and calls
these (many as widget callbacks).

The notes folder and its library are read from ui.notes_folder on each call: the library is the
one this session's run loaded (notes_folder.load_library keeps it in the session).

Imports ui.notes_folder and ui.widgets (and core). It may import the ui modules below it
(notes_folder, review, rendering, components, widgets), never a page, frame or a lab's module."""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import replace

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.journal import drafts, editor, storage, templates
from core.journal import notes as notes_lib
from core.journal.render import escape_markdown
from core.messages import _
from ui import i18n, notes_folder, widgets

NEW = "__new__"
FIELDS = drafts.FIELD_NAMES


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
    me, folder = draft_owner(), notes_folder.notes_dir()
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
    fields = editor.template_fields(key, widgets.today(), notes_folder.load_library().notes)
    return {"rel_path": None, "hash": None, "base_meta": {}, "saved": dict(fields), "fields": fields,
            "template": key}


def disk_draft(note: notes_lib.Note) -> dict:
    data, loaded_hash = storage.read_note(notes_folder.notes_dir(), note.path)
    on_disk = storage.check_loads(data, note.path)
    fields = fields_of(on_disk)
    return {"rel_path": note.path, "hash": loaded_hash, "base_meta": on_disk.meta,
            "saved": dict(fields), "fields": fields, "template": None}


def fresh_draft(key: str, *, take_over: bool = True) -> dict:
    """The draft for `key` when this session has none: the saved note (or the template), with
    the unsaved text kept on disk (by this session, or taken over from a closed one) laid over it.

    `?new=<template>` opens that template: a kept new-entry draft of another template is offered
    (offered_draft, "Continue the older … draft"), never put in its place; one of the same
    template (a reload while writing) comes back."""
    if key == NEW:
        asked = st.query_params.get("new")
        waiting = kept_draft(None, take_over=False)
        if waiting is not None and asked in templates.BY_KEY and waiting.template != asked:
            if take_over and waiting.owner == draft_owner():
                set_aside(waiting)
            return template_draft(asked)
    kept = kept_draft(rel_path_of(key), take_over=take_over)
    return draft_from_kept(key, kept)


def draft_from_kept(key: str, kept: drafts.Draft | None) -> dict:
    """The draft for `key`: the saved note (or the template), with `kept` text laid over it."""
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
    last = st.session_state.get("write_new_template", st.session_state.write_template)
    return asked if asked in templates.BY_KEY else last


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
    return next(note for note in notes_folder.load_library().by_slug.values() if note.path == rel_path)


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


def open_new_entry() -> None:
    switch_to(NEW)


def open_today() -> None:
    """Today's entry when there is one; else a new TIL for today, unsaved until the student saves it
    (as the Dashboard's "Write today's TIL" does), so an empty note never counts as a study day."""
    entry = templates.todays_entry(notes_folder.load_library().notes, widgets.today())
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
        result = storage.save_note(notes_folder.notes_dir(), rel_path, meta, fields["body"] or "",
                                   expected_hash=expected)
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
    saved_message = (_("Saved `{path}`. The previous version is kept in the history.") if result.history_path
                     else _("Saved `{path}`."))
    widgets.flash("success", saved_message.format(path=result.rel_path), slug)


def forget_kept_draft(key: str) -> None:
    try:
        drafts.discard_draft(notes_folder.notes_dir(), rel_path_of(key), draft_owner())
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
        drafts.discard_draft(notes_folder.notes_dir(), kept.rel_path, kept.owner)
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
        widgets.flash("error", str(err) or _("'{path}' is not in the notes folder any more.").format(path=key))
    else:
        forget_kept_draft(key)


def move_to_trash() -> None:
    key = st.session_state.write_current
    try:
        storage.trash_note(notes_folder.notes_dir(), key)
    except storage.StorageError as err:
        widgets.flash("error", str(err))
        return
    notes_folder.refresh_library()
    forget_kept_draft(key)
    st.session_state.write_drafts.pop(key, None)
    st.session_state.write_current = None
    st.query_params.clear()
    widgets.flash("trashed", _("Moved `{path}` to the trash. Restore it any time from Records › Trash & history.")
                  .format(path=key))


def follow_disk() -> None:
    """A draft without unsaved changes follows its file on disk; one with changes gets a warning."""
    key = st.session_state.write_current
    draft = st.session_state.write_drafts[key]
    if draft["rel_path"] is None or st.session_state.get("write_conflict"):
        return
    try:
        _data, disk_hash = storage.read_note(notes_folder.notes_dir(), draft["rel_path"])
    except storage.StorageError:
        disk_hash = None
    if disk_hash == draft["hash"]:
        return
    if disk_hash is not None and widget_fields() == draft["saved"]:
        st.session_state.write_drafts.pop(key)
        st.session_state.write_current = None
        switch_to(key, disk_draft(by_path(key)))
        st.toast(_("This note changed on disk; the editor now shows the new version."))
    else:
        st.warning(
            _("This note changed on disk (or was moved) since you started these changes. Your text is safe here: "
              "saving will show both versions and let you choose.")
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
            drafts.save_draft(notes_folder.notes_dir(), kept)
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
    library = notes_folder.load_library()
    if edit_slug in library.by_slug:
        return library.by_slug[edit_slug].path
    if (current not in (None, NEW) and "write_title" in st.session_state
            and widget_fields() != st.session_state.write_drafts[current]["saved"]):
        st.warning(
            _("'{path}' is no longer in the notes folder (moved, renamed or trashed elsewhere). "
              "Your unsaved text is kept here: saving will let you save it as a new note or write it back.")
            .format(path=escape_markdown(current))
        )
        return current
    st.warning(
        _("There is no note named '{slug}' (renamed or deleted?). Here is the new-entry editor instead.")
        .format(slug=escape_markdown(edit_slug))
    )
    return NEW


def follow_new_parameter(asked: str | None) -> None:
    """?new=<template> (`asked`, read before the editor named its draft in the address bar) starts
    a new entry from that template. Unsaved text of another template is set aside as an older
    draft (offered_draft offers it back), never replaced and never put in the template's place."""
    if st.session_state.write_current != NEW or asked not in templates.BY_KEY:
        return
    draft = st.session_state.write_drafts[NEW]
    if draft.get("template") != asked and has_unsaved_text(draft):
        fields = widget_fields()
        set_aside(drafts.Draft(rel_path=None, fields=fields, template=draft.get("template"), owner=draft_owner()))
        st.session_state.write_drafts.pop(NEW)
        switch_to(NEW, template_draft(asked))
    elif not has_unsaved_text(draft) and (draft.get("template") != asked or draft["saved"]["date"] != widgets.today()):
        apply_template(asked)


def set_aside(kept: drafts.Draft) -> None:
    """This session's new-entry text `kept` becomes an older draft: written under an owner no
    session has (so it is offered and listed, and any tab may continue it), this session's own
    file removed."""
    try:
        drafts.save_draft(notes_folder.notes_dir(), replace(kept, owner=drafts.new_owner()))
    except storage.StorageError as err:
        widgets.flash("error", str(err))
        return
    forget_kept_draft(NEW)


def offered_draft() -> drafts.Draft | None:
    """The newest new-entry draft no open session keeps (a closed tab's, or one set aside), offered
    while the editor shows another new entry."""
    me = draft_owner()
    return next((kept for kept in drafts.drafts_of(notes_folder.notes_dir(), None)
                 if kept.owner != me and not drafts.owner_alive(kept.owner, live_here)), None)


def continue_draft(kept: drafts.Draft) -> None:
    """"Continue the older … draft": the new entry becomes `kept`; unsaved text in the new entry
    now is set aside in its turn."""
    current = st.session_state.write_drafts.get(NEW)
    if current is not None and has_unsaved_text(current):
        fields = widget_fields() if st.session_state.write_current == NEW else current["fields"]
        set_aside(drafts.Draft(rel_path=None, fields=fields, template=current.get("template"), owner=draft_owner()))
    else:
        forget_kept_draft(NEW)
    claimed = drafts.claim(notes_folder.notes_dir(), kept, draft_owner())
    if claimed is None:
        widgets.flash("error", _("That draft is gone (another tab continued it, or it was discarded)."))
        return
    st.session_state.write_drafts.pop(NEW, None)
    continued = draft_from_kept(NEW, claimed)
    continued.pop("restored_at", None)  # the student asked for it: no "Restored …" banner besides
    switch_to(NEW, continued)


def kind_of(kept: drafts.Draft) -> str:
    """What a kept new-entry draft is, in words: its template's name in the interface language
    ("lecture note", "강의 노트")."""
    if (kept.template or "") not in templates.BY_KEY:
        return _("new-entry")
    label = templates.template(kept.template, i18n.language()).label.split(" (")[0]
    return label.lower() if i18n.language() == "en" else label


def name_draft_in_address_bar(draft: dict) -> None:
    if draft["rel_path"] is None:
        st.query_params.from_dict({"new": draft.get("template") or templates.TEMPLATES[0].key})
    elif notes_folder.slug_of(draft["rel_path"]):
        st.query_params.from_dict({"edit": notes_folder.slug_of(draft["rel_path"])})


def saved_at(draft: dict) -> dt.datetime | None:
    if draft["rel_path"] is None:
        return None
    try:
        return dt.datetime.fromtimestamp((notes_folder.notes_dir() / draft["rel_path"]).stat().st_mtime).astimezone()
    except OSError:
        return None
