"""Trash & history: restore deleted notes and earlier versions, import .md files, export the journal.

Everything here reads or writes through core.journal.storage; in read-only mode only browsing and
downloading are offered.
"""

import datetime as dt

import streamlit as st

from core import messages
from core.journal import diff as text_diff
from core.journal import storage
from core.journal.render import escape_markdown
from core.messages import N_, _
from ui import frame, notes_folder, widgets

frame.app_frame()

st.title(_("Trash & history"), anchor=False)

folder = notes_folder.notes_dir()
readonly = notes_folder.readonly()
if readonly:
    st.info(
        _("This journal is shared read-only: you can look at the history and download notes, but not change anything.")
    )
elif "archive_cleaned" not in st.session_state:
    storage.cleanup_stray_temp_files(folder)
    st.session_state.archive_cleaned = True
st.session_state.setdefault("archive_upload_round", 0)
library = notes_folder.load_library()
# Diffs are bounded (core.journal.diff) and cached, so no pair of versions makes a rerun slow.
bounded_diff = st.cache_data(show_spinner=False, max_entries=8)(storage.bounded_diff)
FULL_TEXT_BYTES = 100_000
WRITE_PAGE = "pages/write.py"
TRASH, HISTORY, EXPORT, IMPORT = N_("Trash"), N_("History"), N_("Export"), N_("Import")


def when(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def restore_deleted(trash_name: str) -> None:
    try:
        restored = storage.restore_from_trash(folder, trash_name)
    except storage.StorageError as err:
        widgets.flash("error", str(err))
        return
    notes_folder.refresh_library()
    rel_path = restored.relative_to(folder.resolve()).as_posix()
    st.session_state.archive_note = rel_path  # the History tab now shows the restored note's versions
    st.session_state.pop("archive_version", None)
    widgets.flash("success", _("Restored `{path}`.").format(path=rel_path), notes_folder.slug_of(rel_path))


def restore_old_version(rel_path: str, version_name: str, label: str, shown_hash: str | None) -> None:
    try:
        storage.restore_version(folder, rel_path, version_name, expected_hash=shown_hash)
    except storage.StorageError as err:
        widgets.flash("error", str(err))
        return
    notes_folder.refresh_library()
    widgets.flash(
        "success",
        _("Restored the version from {label} into `{path}`; the text it replaced is in the history now.").format(
            label=label, path=rel_path),
        notes_folder.slug_of(rel_path),
    )


def import_uploads(uploads: list) -> None:
    results = storage.import_notes(folder, [(upload.name, upload.getvalue()) for upload in uploads])
    if any(result.saved for result in results):
        notes_folder.refresh_library()
    st.session_state.archive_import_results = [
        (result.filename, result.saved.rel_path if result.saved else None, result.error) for result in results
    ]
    st.session_state.archive_upload_round += 1


def follow_history_parameter() -> None:
    """When ?history=<slug> changes (the "History" link under a note), open the History tab on that
    note; otherwise the tab and the note stay as the reader left them."""
    asked = st.query_params.get("history")
    if asked == st.session_state.get("archive_history_param"):
        return
    st.session_state.archive_history_param = asked
    wanted = library.by_slug.get(asked or "")
    if wanted is not None:
        st.session_state.archive_note = wanted.path
    if asked:
        st.session_state.archive_tab = _(HISTORY)


def choose_note(paths: list[str]) -> None:
    """The History tab's note: the one chosen (or named by ?history=), else the first note. A
    restore callback sets it to the restored note."""
    if paths and st.session_state.get("archive_note") not in paths:
        st.session_state.archive_note = paths[0]


widgets.show_flash()
follow_history_parameter()

tab_names = [_(TRASH), _(HISTORY), _(EXPORT)] + ([] if readonly else [_(IMPORT)])
if st.session_state.get("archive_tab") not in (None, *tab_names):  # a tab chosen in another language
    names = {messages.translations(lang).gettext(name): name
             for name in (TRASH, HISTORY, EXPORT, IMPORT) for lang in messages.LANGUAGES}
    asked_tab = names.get(st.session_state.archive_tab)
    if asked_tab is not None and _(asked_tab) in tab_names:
        st.session_state.archive_tab = _(asked_tab)
    else:
        st.session_state.pop("archive_tab")
# Keyed and tracked, the open tab survives every rerun (a restore, a message, a file chosen on
# Import); the "History" link under a note (?history=<slug>) opens on the History tab.
trash_tab, history_tab, export_tab, *import_tab = st.tabs(
    tab_names, key="archive_tab", on_change="rerun",
    default=_(HISTORY) if st.query_params.get("history") else _(TRASH),
)

with trash_tab:
    deleted = storage.list_trash(folder)
    if not deleted:
        st.caption(_("The trash is empty. Notes you delete land here and can be restored."))
    for entry in deleted:
        text_column, button_column = st.columns([5, 1], vertical_alignment="center")
        text_column.markdown(
            _("**{title}** · `{path}` · deleted {time}").format(
                title=escape_markdown(entry.title), path=entry.original_path, time=when(entry.deleted_at))
        )
        if not readonly:
            button_column.button(
                _("Restore"), key=f"archive_restore_{entry.name}", on_click=restore_deleted, args=(entry.name,),
                width="stretch",
            )

with history_tab:
    st.caption(_("Every save from the app keeps the version it replaced. Pick a note to compare and restore."))
    kept = storage.history_counts(folder)
    paths = sorted((note.path for note in library.notes), key=lambda path: path not in kept)
    by_path = {note.path: note for note in library.notes}
    choose_note(paths)
    if not paths:
        st.info(_("The journal has no notes yet, so there is no history to show."), icon=":material/history:")
        if not readonly:
            st.page_link(WRITE_PAGE, label=_("Write your first entry"), icon=":material/edit_note:",
                         query_params={"new": "til"})
    chosen = st.selectbox(
        _("Note (notes with earlier versions first)"), paths, key="archive_note",
        format_func=lambda path: str(by_path[path].date or _("undated")) + f" · {by_path[path].title} ({path})"
        + (" · " + messages.count(kept[path], "{count} earlier version", "{count} earlier versions")
           if path in kept else ""),
    ) if paths else None
    versions = storage.list_history(folder, chosen) if chosen else []
    if chosen and not versions:
        st.caption(_("No earlier versions of this note yet: its history starts with its first save from the app."))
    if versions:
        names = [version.name for version in versions]
        labels = {version.name: _("{time} · {size} bytes").format(
            time=when(version.saved_at), size=messages.format_number(version.size)) for version in versions}
        version_name = st.selectbox(_("Version (newest first)"), names, key="archive_version", format_func=labels.get)
        old_bytes = storage.read_version(folder, chosen, version_name)
        old_text = old_bytes.decode("utf-8", errors="replace")
        try:
            current_bytes, current_hash = storage.read_note(folder, chosen)
        except storage.StorageError as err:
            st.warning(str(err))
            current_bytes, current_hash = b"", None
        st.markdown(_("**Changes since the old version** saved {label}").format(label=labels[version_name]))
        st.caption(text_diff.legend(_("the old version ({label})").format(label=labels[version_name]),
                                    _("the current text")))
        difference = bounded_diff(
            old_text, current_bytes.decode("utf-8", errors="replace"), _("old version"), _("current text")
        )
        if difference.complete or difference.text:
            st.code(difference.text or _("The current text is the same as this version."), language="diff")
        if not difference.complete:
            st.warning(difference.summary, icon=":material/difference:")
            stem = chosen.rsplit("/", 1)[-1][:-3]
            old_column, new_column = st.columns(2)
            old_column.download_button(
                _("Download this version"), key="archive_download_version", data=lambda: old_bytes,
                file_name=f"{stem}-{version_name}", mime="text/markdown", on_click="ignore", icon="📄",
            )
            new_column.download_button(
                _("Download the current text"), key="archive_download_current", data=lambda: current_bytes,
                file_name=f"{stem}-current.md", mime="text/markdown", on_click="ignore", icon="📄",
            )
        with st.expander(_("This version in full")):
            if len(old_bytes) <= FULL_TEXT_BYTES:
                st.code(old_text, language="markdown", wrap_lines=True)
            else:
                st.caption(_("This version is {size} bytes, too long to show here; download it to read it.").format(
                    size=messages.format_number(len(old_bytes))))
        if not readonly:
            st.button(
                _("Restore this version"), key="archive_restore_version", on_click=restore_old_version,
                args=(chosen, version_name, labels[version_name], current_hash), type="primary",
                help=_("The current text is kept in the history first, so this can be undone."),
            )

with export_tab:
    st.download_button(
        _("Download the whole journal (.zip)"), key="archive_export_zip", data=lambda: storage.export_zip(folder),
        file_name=f"studylab-journal-{widgets.today().isoformat()}.zip", mime="application/zip", on_click="ignore",
        icon=":material/folder_zip:",
    )
    if library.notes:
        export_path = st.selectbox(
            _("One note"), [note.path for note in library.notes], key="archive_export_note",
            format_func=lambda path: f"{by_path[path].title} ({path})",
        )
        st.download_button(
            _("Download this note (.md)"), key="archive_export_one",
            data=lambda: storage.export_note(folder, export_path),
            file_name=export_path.rsplit("/", 1)[-1], mime="text/markdown", on_click="ignore",
            icon=":material/description:",
        )

for tab in import_tab:
    with tab:
        st.caption(
            _("Add .md notes from your computer. Each file is checked like any note in the folder; "
              "a file that would not load is refused with the reason, and nothing is overwritten.")
        )
        uploads = st.file_uploader(
            _("Markdown notes"), type=["md"], accept_multiple_files=True,
            key=f"archive_upload_{st.session_state.archive_upload_round}",
        )
        st.button(
            _(IMPORT), key="archive_import", on_click=import_uploads, args=(uploads or [],), disabled=not uploads,
            type="primary",
        )
        for filename, rel_path, error in st.session_state.get("archive_import_results", []):
            if error:
                st.error(_("**{name}** was not imported: {reason}").format(
                    name=escape_markdown(filename), reason=escape_markdown(error)))
            else:
                st.success(_("**{name}** was imported as `{path}`.").format(
                    name=escape_markdown(filename), path=rel_path))
