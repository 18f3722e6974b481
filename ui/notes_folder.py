"""The notes folder in use: its library (cached across sessions and reruns), study-group peers'
copies, whether this session may write, and the changes every page shares (refresh and commit
after a write, trash with undo).

Imports ui.access, ui.components and ui.widgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import streamlit as st

from core.experiments import records as experiments
from core.journal import notes as notes_lib
from core.journal import storage
from core.journal.notes import Library
from core.journal.render import (
    escape_markdown,
)
from core.messages import _
from core.review import cards
from core.sync import gitcli, peers
from core.sync import repo as sync_repo
from ui import access, components, widgets

_SESSION_LIBRARY = "_studylab_library"


_TRASHED = "_studylab_trashed"


_REOPEN = "_studylab_reopen"


def notes_dir() -> Path:
    """The notes folder in use (STUDYLAB_NOTES_DIR or notes/ next to app.py)."""
    return notes_lib.notes_dir()


def load_library(*, rescan: bool = False) -> Library:
    """The notes library, re-read only when a note file's path, mtime or size changed.

    app.py rescans the folder once per run (`rescan=True`); pages then get that run's library
    without walking the folder again. The cached library is shared by every session as it is,
    never pickled (st.cache_resource), so no note's content can break or slow the cache; each
    session also keeps the one it got, so a rerun that changes nothing on disk skips the lookup.
    """
    memo = st.session_state.get(_SESSION_LIBRARY)
    if memo is not None and not rescan:
        return memo[1]
    folder = notes_dir()
    key = (str(folder), notes_lib.fingerprint(folder))
    if memo is not None and memo[0] == key:
        return memo[1]
    library = _cached_library(*key)
    st.session_state[_SESSION_LIBRARY] = (key, library)
    return library


def per_library(name: str, library: Library, build: Callable[[Library], Any]) -> Any:
    """`build(library)`, kept in this session under `name` for as long as the library object is
    the same (it is replaced only when a note changes on disk)."""
    key = f"_studylab_per_library_{name}"
    memo = st.session_state.get(key)
    if memo is not None and memo[0] is library:
        return memo[1]
    built = build(library)
    st.session_state[key] = (library, built)
    return built


def experiment_records(library: Library) -> list[experiments.Record]:
    """Every experiment record of `library` (each one's series parsed from its body), read once
    per library."""
    return per_library("experiments", library, lambda notes: experiments.records(notes.notes))


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_library(folder: str, fingerprint_key: tuple) -> Library:
    """Keyed on the fingerprint so any change on disk is a cache miss. Shared, not copied: the
    Library and its Notes are frozen, and no page changes them."""
    return cards.load_library(Path(folder))


def load_peer_library(name: str) -> Library | None:
    """The notes of study-group peer `name` as last pulled (Records › Sync), or None when there is
    no such peer copy on this machine. Cached like the student's own library."""
    if name not in {peer.name for peer in peers.peers(notes_dir())}:
        return None
    folder = peers.peer_folder(notes_dir(), name)
    if not (folder / ".git").is_dir():
        return None
    return _cached_peer_library(str(folder), notes_lib.fingerprint(folder))


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_peer_library(folder: str, fingerprint_key: tuple) -> Library:
    """A peer's notes (links never followed, see core.sync.peers.load_peer_library), with their
    malformed review cards among the problems, as for the student's own library."""
    return cards.with_card_problems(peers.load_peer_library(Path(folder)))


def peer_names() -> list[str]:
    """The study-group peers whose journals have been pulled to this machine."""
    folder = notes_dir()
    return [peer.name for peer in peers.peers(folder) if (peers.peer_folder(folder, peer.name) / ".git").is_dir()]


def slug_of(rel_path: str) -> str | None:
    """The slug of the note stored at `rel_path`, or None when no such note is loaded."""
    return next((note.slug for note in load_library().by_slug.values() if note.path == rel_path), None)


def refresh_library() -> None:
    """Forget the cached library (call after every write); in git mode, commit what changed."""
    _cached_library.clear()
    st.session_state.pop(_SESSION_LIBRARY, None)
    commit_changes()


def commit_changes() -> None:
    """Commit the notes folder's changes when it is a git repository with auto-commit on (Sync
    panel); a git failure is a toast, never an error for the save that already happened."""
    folder = notes_dir()
    if readonly() or not sync_repo.is_git_mode(folder):
        return
    try:
        sync_repo.autocommit(folder)
    except (gitcli.GitError, storage.StorageError) as err:
        st.toast(_("Saved, but git could not commit it: {reason}").format(reason=err), icon=":material/sync_problem:")


def readonly() -> bool:
    """True when this session may not write (STUDYLAB_READONLY, or a visitor from another machine
    without the owner's passphrase, see ui.access): every writing control is hidden."""
    return storage.is_readonly() or not access.can_write()


def readonly_reason() -> str:
    """Why this session may not write (see `readonly`), as the sentence storage refuses a write
    with: STUDYLAB_READONLY on this machine, or a visitor from another machine."""
    return storage.write_refusal() or access.write_guard() or _("This journal is shared read-only.")


def trash_note(rel_path: str, title: str, then_open: str | None = None) -> None:
    """Move a note to the trash (a callback): toast with Undo, remember it for `undo_trash`, and
    name `then_open` (a slug) in the address bar when given, so the Notes page moves on to it.
    A note with a translation goes together with it (the pair is one entry); Undo brings both back."""
    library = load_library()
    slug = slug_of(rel_path)
    other = library.by_slug.get(library.translations.get(slug or "", ""))
    entries = []
    for path in (rel_path, *([other.path] if other is not None else [])):
        try:
            target = storage.trash_note(notes_dir(), path)
        except storage.StorageError as err:
            widgets.flash("error", str(err))
            break
        entries.append(target.relative_to(notes_dir().resolve() / storage.TRASH_DIR).parts[0])
    refresh_library()
    if not entries:
        return
    st.session_state[_TRASHED] = (tuple(entries), title)
    st.session_state[widgets.TOAST_KEY] = (
        _("Moved **{title}** to the trash. [Undo]({link})").format(
            title=escape_markdown(title), link=components.UNDO_TRASH_LINK),
        ":material/delete:",
    )
    if then_open:
        st.query_params["note"] = then_open
        widgets.scroll_to(widgets.OPEN_NOTE_KEY)  # the next note starts at its top, not where the trashed one ended
    else:
        st.query_params.pop("note", None)


def last_trashed() -> str | None:
    """The title of the note this session last moved to the trash, until it is restored."""
    trashed = st.session_state.get(_TRASHED)
    return trashed[1] if trashed else None


def undo_trash() -> None:
    """Put the note `trash_note` last moved back in its place and open it on the Notes page."""
    trashed = st.session_state.pop(_TRASHED, None)
    if trashed is None:
        return
    entries, title = trashed
    try:
        restored = [storage.restore_from_trash(notes_dir(), entry) for entry in entries][0]
    except storage.StorageError as err:
        st.session_state[widgets.TOAST_KEY] = (_("Could not undo: {reason}").format(reason=escape_markdown(str(err))),
                                               ":material/error:")
        return
    refresh_library()
    st.session_state[_REOPEN] = slug_of(restored.relative_to(notes_dir().resolve()).as_posix())
    restored_text = _("Restored **{title}** from the trash.").format(title=escape_markdown(title))
    st.session_state[widgets.TOAST_KEY] = (restored_text, ":material/undo:")


def dismiss_undo() -> None:
    st.session_state.pop(_TRASHED, None)


def take_reopened() -> str | None:
    """The slug of a note an undo just restored (once), for the Notes page to open."""
    return st.session_state.pop(_REOPEN, None)
