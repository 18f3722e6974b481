"""Streamlit helpers shared by the pages: the cached notes library, the sidebar, note rendering,
notes pairing for the labs and the verified badge. Pages import this module; core/ never does."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import runpy
from pathlib import Path
from typing import Any, Callable, Iterable

import altair as alt
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from threadpoolctl import threadpool_limits

from core.chartspec import spec_with_frames
from core.journal import notes as notes_lib
from core.journal.notes import Library, Note
from core.journal.render import escape_markdown, link_wikilinks

APP_PATH = Path(__file__).resolve().parent / "app.py"
NOTES_PAGE = "pages/notes.py"
LAB_PAGES = {"conv": ("pages/conv_lab.py", "Convolution lab"), "bptt": ("pages/bptt_lab.py", "BPTT explorer")}
TYPE_ICONS = {
    "lecture": ":material/school:",
    "assignment": ":material/calculate:",
    "peer-session": ":material/groups:",
    "masterclass": ":material/account_balance:",
    "retrospective": ":material/replay:",
    "til": ":material/lightbulb:",
    "experiment": ":material/science:",
}
DEFAULT_ICON = ":material/description:"
# The labs multiply small matrices (64 x 64 at most), where a second BLAS thread costs more in
# hand-offs than it saves, and much more when other programs share the cores: one for the process.
_ONE_BLAS_THREAD = threadpool_limits(limits=1, user_api="blas")
_SESSION_LIBRARY = "_studylab_library"
_FLASH = "_studylab_flash"


def app_frame() -> None:
    """Make sure the running page goes through app.py's navigation frame; call it first in a page.

    Streamlit treats a folder named pages/ beside the entry script as an old-style multipage app
    until some session has called st.navigation, so the first visitor who opens /notes directly
    would get pages/notes.py on its own, without app.py's layout and sidebar. Switching that
    mode off (app.py's st.navigation does that) and running app.py in place, which runs this
    page inside its frame, keeps the run's widget events (a rerun would drop a button click).
    """
    if PagesManager.uses_pages_directory:
        runpy.run_path(str(APP_PATH), run_name="__main__")
        st.stop()


def notes_dir() -> Path:
    """The notes folder in use (STUDYLAB_NOTES_DIR or notes/ next to app.py)."""
    return notes_lib.notes_dir()


def load_library(*, rescan: bool = False) -> Library:
    """The notes library, re-read only when a note file's path, mtime or size changed.

    app.py rescans the folder once per run (`rescan=True`); pages then get that run's library
    without walking the folder again. The st.cache_data entry is shared by every session; each
    session also keeps the copy it got, because a cache_data hit unpickles the whole library
    (tens of ms for thousands of notes) and most reruns change nothing on disk.
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


@st.cache_data(show_spinner=False, max_entries=4)
def _cached_library(folder: str, fingerprint_key: tuple) -> Library:
    """Keyed on the fingerprint so any change on disk is a cache miss."""
    return notes_lib.load_library(Path(folder))


def chart(builder: Callable[..., alt.TopLevelMixin | dict], *args: Any, width: str = "stretch",
          on_select: str | Callable[[], None] = "ignore", select_key: str | None = None, **kwargs: Any) -> None:
    """Draw `builder(*args, **kwargs)`, building its spec once per distinct input.

    Altair's schema validation and its JSON records cost more than the rest of a rerun, so the
    spec is cached unvalidated with its DataFrames kept (charts.spec_with_frames); the chart
    builders themselves are validated in the tests. With on_select "rerun" or a callback (and a
    `select_key`), a click on the chart's selection reruns the page, or the fragment it is in,
    and st.session_state[select_key] holds the selection.
    """
    digest = hashlib.sha256(pickle.dumps((builder.__module__, builder.__qualname__, args, kwargs))).hexdigest()
    spec = _chart_spec(digest, builder, args, kwargs)
    if on_select == "ignore":
        st.vega_lite_chart(spec, width=width)
    else:
        st.vega_lite_chart(spec, width=width, key=select_key, on_select=on_select)


@st.cache_data(show_spinner=False, max_entries=128)
def _chart_spec(key: str, _builder: Callable[..., alt.TopLevelMixin | dict], _args: tuple, _kwargs: dict) -> dict:
    """Only `key` (a digest of builder and inputs) is hashed; the rest rebuilds on a miss.
    A builder returns an Altair chart or a Vega-Lite dict already holding its DataFrames."""
    built = _builder(*_args, **_kwargs)
    return built if isinstance(built, dict) else spec_with_frames(built)


def slug_of(rel_path: str) -> str | None:
    """The slug of the note stored at `rel_path`, or None when no such note is loaded."""
    return next((note.slug for note in load_library().notes if note.path == rel_path), None)


def flash(kind: str, message: str, slug: str | None = None) -> None:
    """Leave a message for the next run to show (callbacks run before the page draws)."""
    st.session_state[_FLASH] = (kind, message, slug)


def show_flash() -> str | None:
    """Show, once, the message a callback left (with a link to its note); return its kind."""
    message = st.session_state.pop(_FLASH, None)
    if message is None:
        return None
    kind, text, slug = message
    (st.error if kind == "error" else st.success)(text)
    if slug:
        st.page_link(
            NOTES_PAGE, label="See it on the Notes page", icon=":material/menu_book:", query_params={"note": slug}
        )
    return kind


def refresh_library() -> None:
    """Forget the cached library (call after every write)."""
    _cached_library.clear()
    st.session_state.pop(_SESSION_LIBRARY, None)


def readonly() -> bool:
    """True when STUDYLAB_READONLY is set: every writing control is hidden."""
    from core.journal.storage import is_readonly

    return is_readonly()


def sidebar(library: Library) -> None:
    """Notes folder in use and the library's size, shown on every page."""
    with st.sidebar:
        st.caption("Notes folder")
        st.code(str(notes_dir()), language=None, wrap_lines=True)
        problems = f" · {len(library.problems)} problem file(s)" if library.problems else ""
        st.caption(f"{len(library.notes)} notes{problems}")


def chips(note: Note) -> str:
    """The note's front matter as one line of markdown badges."""
    parts = [f":blue-badge[{TYPE_ICONS.get(note.type, DEFAULT_ICON)} {escape_markdown(note.type)}]"]
    if note.date:
        parts.append(f":gray-badge[:material/calendar_today: {note.date.isoformat()}]")
    course = " · ".join(
        text
        for text in (note.course, f"week {note.week}" if note.week else None, f"day {note.day}" if note.day else None)
        if text
    )
    if course:
        parts.append(f":violet-badge[{escape_markdown(course)}]")
    parts += [f":green-badge[#{escape_markdown(tag)}]" for tag in note.tags]
    return " ".join(parts)


def render_note(note: Note, library: Library) -> None:
    """Render a note as the Notes page does: chips, warnings, body (math included), links."""
    st.markdown(chips(note))
    for warning in note.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")
    if not note.body.lstrip().startswith("# "):
        st.header(note.title, anchor=False)
    st.markdown(link_wikilinks(note.body, library.by_slug))
    lab_links(note.labs)
    related_notes("Links in this note", [library.by_slug[slug] for slug in note.links if slug in library.by_slug])
    related_notes("Linked from", [library.by_slug[slug] for slug in library.backlinks.get(note.slug, ())])


def related_notes(heading: str, notes: list[Note]) -> None:
    """A heading and one in-app link per note (nothing when the list is empty)."""
    if notes:
        st.markdown(f"**{heading}**")
        for note in notes:
            note_link(note)


def note_link(note: Note, *, dated: bool = True) -> None:
    """An in-app link that opens `note` on the Notes page (its title, after its date if `dated`)."""
    label = f"{note.date.isoformat() if note.date else 'undated'} · {note.title}" if dated else note.title
    st.page_link(
        NOTES_PAGE, label=label, icon=TYPE_ICONS.get(note.type, DEFAULT_ICON), query_params={"note": note.slug}
    )


def lab_links(labs: Iterable[str]) -> None:
    """Links to the labs a note pairs with (only labs that exist)."""
    for lab in labs:
        page = LAB_PAGES.get(lab)
        if page and Path(__file__).parent.joinpath(page[0]).exists():
            st.page_link(page[0], label=f"Open the {page[1]}", icon=":material/biotech:")


def paired_notes(tags: set[str], labs: set[str], heading: str = "Notes for this lab") -> list[Note]:
    """List notes carrying any of `tags` or pairing with any of `labs`, newest first, as links."""
    library = load_library()
    wanted = {tag.casefold() for tag in tags}
    paired = [
        note
        for note in library.notes
        if wanted & {tag.casefold() for tag in note.tags} or set(labs) & set(note.labs)
    ]
    st.markdown(f"**{heading}**")
    if not paired:
        st.caption("No notes are tagged for this lab yet.")
    for note in paired:
        note_link(note, dated=False)
    return paired


def verified_badge(label: str, max_error: float, tolerance: float, detail: str = "") -> bool:
    """A green 'verified' or red 'mismatch' line with the measured error; returns whether it passed."""
    passed = bool(max_error <= tolerance)
    text = f"{label}: largest difference {max_error:.2e} (tolerance {tolerance:.0e})"
    if detail:
        text += f" · {detail}"
    if passed:
        st.success(f"Verified · {text}", icon=":material/verified:")
    else:
        st.error(f"Mismatch · {text}", icon=":material/error:")
    return passed


def today() -> dt.date:
    return dt.date.today()


def days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
