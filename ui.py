"""Streamlit helpers shared by the pages: the cached notes library, the sidebar, note rendering,
in-app note links, trash with undo, notes pairing for the labs and the verified badge. Pages
import this module; core/ never does."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import runpy
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlencode

import altair as alt
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from threadpoolctl import threadpool_limits

import access
import ui_hooks
from core import labblocks, urlparams
from core.chartspec import spec_with_frames
from core.journal import experiments, stats, storage
from core.journal import notes as notes_lib
from core.journal.cards import BLOCK_KINDS, mark_cards, split_blocks
from core.journal.notes import Library, Note
from core.journal.render import (
    display_math,
    escape_markdown,
    highlight_terms,
    link_wikilinks,
    note_url,
    sections,
    table_of_contents,
)
from core.journal.sync import gitcli, peers
from core.journal.sync import repo as sync_repo

APP_PATH = Path(__file__).resolve().parent / "app.py"
APP_ICON = Path(__file__).resolve().parent / "assets" / "studylab.png"
NOTES_PAGE = "pages/notes.py"
NOTE_BLOCKS = (*BLOCK_KINDS, "lab")
EXPERIMENTS_PAGE = "pages/experiments.py"
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
_RECORDING = "_studylab_recording"
_TOAST = "_studylab_toast"
_TRASHED = "_studylab_trashed"
_REOPEN = "_studylab_reopen"
_SCROLL = "_studylab_scroll"
OPEN_NOTE_KEY = "notes_open"  # the Notes page's container around the open note
# Wide display equations and tables scroll sideways inside their own box instead of being cut off
# (or widening the page) on a phone; headings keep some room above them when a contents link
# scrolls to them; the Write page's status line keeps room for its text (the buttons beside it
# wrap to the next line instead of squeezing it).
PAGE_CSS = """<style>
[data-testid="stMarkdownContainer"] .katex-display { overflow-x: auto; overflow-y: hidden; padding: 0.2rem 0; }
[data-testid="stMarkdownContainer"] table { display: block; max-width: 100%; overflow-x: auto; }
[data-testid="stHeadingWithActionElements"] { scroll-margin-top: 4rem; }
:has(> .st-key-write_status_row) { min-width: 14rem; flex: 1 1 14rem; }
</style>"""


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
    return notes_lib.load_library(Path(folder))


def load_peer_library(name: str) -> Library | None:
    """The notes of study-group peer `name` as last pulled (Records › Sync), or None when there is
    no such peer copy on this machine. Cached like the student's own library."""
    if name not in {peer.name for peer in peers.peers(notes_dir())}:
        return None
    folder = peers.peer_folder(notes_dir(), name)
    if not (folder / ".git").is_dir():
        return None
    return _cached_library(str(folder), notes_lib.fingerprint(folder))


def peer_names() -> list[str]:
    """The study-group peers whose journals have been pulled to this machine."""
    folder = notes_dir()
    return [peer.name for peer in peers.peers(folder) if (peers.peer_folder(folder, peer.name) / ".git").is_dir()]


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
        st.toast(f"Saved, but git could not commit it: {err}", icon=":material/sync_problem:")


def readonly() -> bool:
    """True when this session may not write (STUDYLAB_READONLY, or a visitor from another machine
    without the owner's passphrase, see access.py): every writing control is hidden."""
    return storage.is_readonly() or not access.can_write()


def readonly_reason() -> str:
    """Why this session may not write (see `readonly`), as the sentence storage refuses a write
    with: STUDYLAB_READONLY on this machine, or a visitor from another machine."""
    return storage.write_refusal() or access.write_guard() or "This journal is shared read-only."


def browser_hooks(page_paths: Iterable[str]) -> None:
    """Once per run, from app.py's frame: the page CSS, the in-app link handler (ui_hooks; links
    to any of `page_paths`, the navigation's URL paths, stay in the tab) and any toast a callback
    left for this run."""
    st.html(PAGE_CSS)
    ui_hooks.app_links(page_paths, on_action=_link_action, scroll_to=st.session_state.pop(_SCROLL, None))
    pending = st.session_state.pop(_TOAST, None)
    if pending:
        st.toast(pending[0], icon=pending[1], duration="long")


def scroll_to(key: str) -> None:
    """From a callback: once this run is drawn, bring the container with `key` to the top of the screen."""
    st.session_state[_SCROLL] = key


def _link_action(action: str) -> None:
    if action == "undo-trash":
        undo_trash()


def trash_note(rel_path: str, title: str, then_open: str | None = None) -> None:
    """Move a note to the trash (a callback): toast with Undo, remember it for `undo_trash`, and
    name `then_open` (a slug) in the address bar when given, so the Notes page moves on to it."""
    try:
        target = storage.trash_note(notes_dir(), rel_path)
    except storage.StorageError as err:
        flash("error", str(err))
        return
    refresh_library()
    entry = target.relative_to(notes_dir().resolve() / storage.TRASH_DIR).parts[0]
    st.session_state[_TRASHED] = (entry, title)
    st.session_state[_TOAST] = (
        f"Moved **{escape_markdown(title)}** to the trash. [Undo]({ui_hooks.UNDO_TRASH_LINK})",
        ":material/delete:",
    )
    if then_open:
        st.query_params["note"] = then_open
        scroll_to(OPEN_NOTE_KEY)  # the next note starts at its top, not where the trashed one ended
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
    entry, title = trashed
    try:
        restored = storage.restore_from_trash(notes_dir(), entry)
    except storage.StorageError as err:
        st.session_state[_TOAST] = (f"Could not undo: {escape_markdown(str(err))}", ":material/error:")
        return
    refresh_library()
    st.session_state[_REOPEN] = slug_of(restored.relative_to(notes_dir().resolve()).as_posix())
    st.session_state[_TOAST] = (f"Restored **{escape_markdown(title)}** from the trash.", ":material/undo:")


def dismiss_undo() -> None:
    st.session_state.pop(_TRASHED, None)


def take_reopened() -> str | None:
    """The slug of a note an undo just restored (once), for the Notes page to open."""
    return st.session_state.pop(_REOPEN, None)


def sidebar(library: Library) -> None:
    """Notes folder in use, the journal's size and its problems (counted as the Dashboard counts
    them), shown on every page."""
    import review_ui  # imports this module; the deck it builds is kept per session

    with st.sidebar:
        st.caption("Notes folder")
        st.code(str(notes_dir()), language=None, wrap_lines=True)
        problems = review_ui.journal_problems(library)
        shown = f" · {review_ui.problems_text(problems)}" if problems else ""
        st.caption(f"{plural(len(stats.entries(library.notes)), 'note', 'notes')}{shown}")


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


def render_note(note: Note, library: Library, *, terms: Iterable[str] = (), contents: bool = True,
                owner: str | None = None, titled: bool = True) -> None:
    """Render a note as the Notes page does: chips, warnings, the body with math (a lone
    `$$...$$` line is display math), a table of contents when `contents` and the note has three
    or more sections, search `terms` highlighted, then its lab and note links. `owner` names the
    study-group peer whose journal `library` is (its links then stay in that journal). `titled`
    False leaves out the chips and the title (the caller has shown them above)."""
    if titled:
        st.markdown(chips(note))
    for warning in note.warnings:
        st.caption(f":material/warning: {escape_markdown(warning)}")
    if titled and not note.body.lstrip().startswith("# "):
        st.title(note.title, anchor=False)  # a title as big as a note's own `# ` title, above its `##` sections
    terms = tuple(terms)
    parts = sections(display_math(note.body))
    toc = table_of_contents(parts) if contents else ""
    for index, part in enumerate(parts):
        if toc and part.level > 1 and all(earlier.level < 2 for earlier in parts[:index]):
            with st.expander("Contents", icon=":material/toc:"):
                st.markdown(toc)
        if part.heading is not None and (titled or index > 0 or part.level > 1):
            heading = link_wikilinks(highlight_terms(part.heading, terms), library.by_slug, owner)
            _heading(part.level, heading, part.anchor)
        if part.body.strip():
            note_body(link_wikilinks(highlight_terms(part.body, terms), library.by_slug, owner), note)
    lab_links(note.labs)
    related_notes("Links in this note", [library.by_slug[slug] for slug in note.links if slug in library.by_slug],
                  owner)
    linking = [library.by_slug[slug] for slug in library.backlinks.get(note.slug, ())]
    related_notes("Linked from", [other for other in linking if other.type != experiments.EXPERIMENT_TYPE], owner)
    related_notes("Experiments made for this note",
                  [other for other in linking if other.type == experiments.EXPERIMENT_TYPE], owner)


def note_body(markdown: str, note: Note) -> None:
    """A stretch of a note's markdown (wikilinks already linked); its quiz and practice blocks
    become live widgets (review_ui) and its lab blocks live charts (lab_block)."""
    blocks = split_blocks(markdown, NOTE_BLOCKS)
    if all(block.kind == "markdown" for block in blocks):
        st.markdown(mark_cards(markdown))
        return
    for block in blocks:
        if block.kind == "markdown":
            st.markdown(mark_cards(block.text))
        elif block.kind == "lab":
            lab_block(block.text, _file_line(note, block.text))
        else:
            import review_ui  # imports this module, so it is loaded only when a note has such a block

            review_ui.note_block(block, note)


def _file_line(note: Note, block_text: str) -> int | None:
    """The line of the note's file where a block's content starts (None if it cannot be found)."""
    at = note.body.find(block_text)
    return None if at < 0 else note.body_line + note.body.count("\n", 0, at)


def lab_block(text: str, line: int | None) -> None:
    """A live lab view inside a note: its chart and a link that opens the lab with its settings,
    or an error box naming the problem (the rest of the note renders as usual). `line`: where
    the block's settings start in the note's file."""
    try:
        view, values = labblocks.parse_block(text)
        with st.container(border=True):
            chart(labblocks.chart, view.name, tuple(values.items()))
            st.page_link(LAB_PAGES[view.lab][0], label=f"Open in the {LAB_PAGES[view.lab][1]}",
                         icon=":material/open_in_new:", query_params=labblocks.lab_query(view, values))
    except labblocks.LabBlockError as err:
        where = f"at line {line} " if line else ""
        st.error(f"The lab block {where}of this note cannot be drawn: {escape_markdown(str(err))}.",
                 icon=":material/science:")


def _heading(level: int, text: str, anchor: str | None) -> None:
    """A note heading with an explicit anchor (so contents links find it) for levels 1-3."""
    if level == 1:
        st.title(text, anchor=anchor)
    elif level == 2:
        st.header(text, anchor=anchor)
    elif level == 3:
        st.subheader(text, anchor=anchor)
    else:
        st.markdown(f"{'#' * level} {text}")


def related_notes(heading: str, notes: list[Note], owner: str | None = None) -> None:
    """A heading and a list of in-app links to `notes` (nothing when the list is empty)."""
    if notes:
        st.markdown(f"**{heading}**\n\n" + "\n".join(f"- {note_anchor(note, owner=owner)}" for note in notes))


def note_anchor(note: Note, *, dated: bool = True, owner: str | None = None) -> str:
    """A markdown link that opens `note` on the Notes page in the same tab (see ui_hooks),
    with its type icon, and its date before the title when `dated`; in peer `owner`'s journal."""
    day = f"{note.date.isoformat() if note.date else 'undated'} · " if dated else ""
    url = note_url(note.slug, owner)
    return f"{TYPE_ICONS.get(note.type, DEFAULT_ICON)} [{day}{escape_markdown(note.title)}]({url})"


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


def lab_title(lab: str) -> str:
    """A lab's page title ("Convolution lab"), or the name itself for a lab that does not exist."""
    return LAB_PAGES.get(lab, (None, lab))[1]


def lab_page_links() -> None:
    """One link to each lab's page."""
    for path, title in LAB_PAGES.values():
        st.page_link(path, label=title, icon=":material/biotech:")


def open_in_lab_link(lab: str, params: dict[str, Any], label: str = "Open in the lab") -> None:
    """A link that opens `lab` with `params` (its URL state, tab included) (nothing for an unknown lab)."""
    page = LAB_PAGES.get(lab)
    if page is None:
        st.caption(f"unknown lab '{escape_markdown(lab)}'")
        return
    query = {name: url_value(value) for name, value in params.items()}
    st.page_link(page[0], label=label, icon=":material/open_in_new:", query_params=query)


def lab_url(lab: str, params: dict[str, Any]) -> str:
    """The relative URL that opens `lab` with `params`, for a markdown link in a note."""
    page = LAB_PAGES[lab][0].removeprefix("pages/").removesuffix(".py")
    return f"{page}?{urlencode({name: url_value(value) for name, value in params.items()})}"


def url_value(value: Any) -> str:
    """A parameter as it appears in a lab URL (booleans as true/false, numbers as written)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def paired_notes(tags: set[str], labs: set[str], heading: str = "Notes for this lab") -> list[Note]:
    """List notes carrying any of `tags` or pairing with any of `labs`, newest first, as links
    (the runs recorded from a lab are listed apart, by `lab_runs`)."""
    library = load_library()
    wanted = {tag.casefold() for tag in tags}
    paired = [
        note
        for note in library.notes
        if note.type != experiments.EXPERIMENT_TYPE
        and (wanted & {tag.casefold() for tag in note.tags} or set(labs) & set(note.labs))
    ]
    st.markdown(f"**{heading}**")
    if not paired:
        st.caption("No notes are tagged for this lab yet.")
    for note in paired:
        note_link(note, dated=False)
    return paired


def apply_url(lab: str, params: Iterable[urlparams.Param], ignored: Iterable[str] = ()) -> bool:
    """At the start of a lab's full run: set its controls from the address bar when the address
    changed since this session last read or wrote it (a link was opened, Back or Forward). An
    empty query means the student came from the navigation: the lab stays as they left it and the
    address is written at the end of the run. Parameters that cannot be used are named in a
    warning on the page; their controls keep their defaults. True when the controls were set."""
    query = st.query_params.to_dict()
    seen = f"_url_seen_{lab}"
    if not query or st.session_state.get(seen) == query:
        return False
    st.session_state[seen] = query
    params = list(params)
    values, notices = urlparams.parse(query, params, ignored)
    for param in params:
        value = values.get(param.key, param.default)
        if value is None:
            st.session_state.pop(param.key, None)
        else:
            st.session_state[param.key] = value
    st.session_state[f"_url_notices_{lab}"] = notices
    return True


def add_url_notices(lab: str, notices: Iterable[str]) -> None:
    """More sentences for the warning about the link's parameters (a page's own range checks)."""
    st.session_state[f"_url_notices_{lab}"] = [*st.session_state.get(f"_url_notices_{lab}", []), *notices]


def url_notices(lab: str) -> None:
    """The warning naming the link's parameters that could not be used (once, after a link)."""
    notices = st.session_state.pop(f"_url_notices_{lab}", [])
    if notices:
        st.warning("This link asked for settings the lab cannot use:\n\n" + "\n".join(
            f"- {escape_markdown(notice)}" for notice in notices), icon=":material/link_off:")


def write_url(lab: str, params: Iterable[urlparams.Param], values: dict[str, Any], always: Iterable[str]) -> None:
    """Put the controls' values in the address bar (a new history entry when they changed, so
    Back and Forward step through the lab's states); only values off their defaults are written."""
    query = urlparams.encode(values, params, always)
    seen = f"_url_seen_{lab}"
    if st.session_state.get(seen) == query and st.query_params.to_dict() == query:
        return
    st.session_state[seen] = query
    st.query_params.from_dict(query)


def lab_runs(lab: str, limit: int = 5) -> None:
    """The runs recorded from `lab`, newest first, as links (and a link to the Experiments page)."""
    runs = [note for note in load_library().notes
            if note.type == experiments.EXPERIMENT_TYPE and note.meta.get("lab") == lab]
    st.markdown("**Runs recorded here**")
    if not runs:
        st.caption("None yet: **Record this run** keeps the current settings and results in your journal.")
    for note in runs[:limit]:
        note_link(note, dated=False)
    if runs:
        st.page_link(EXPERIMENTS_PAGE, label=f"Compare all {len(runs)} on the Experiments page",
                     icon=":material/compare_arrows:")


def record_run_button(lab: str, tab: str, title: str, query: dict[str, str],
                      measure: Callable[[], tuple[dict[str, Any], tuple[str, str, Any] | None]]) -> None:
    """A "Record this run" button that asks for a comment and saves the run as a journal note.

    `query` is the lab's complete URL state for `tab` (every control, defaults included);
    `measure()` returns the results (a few numbers) and the series behind the main chart (x name,
    y name, DataFrame x, y[, line]); it runs only when the button is pressed. Hidden when the
    journal is read-only.
    """
    if readonly():
        return
    if st.button("Record this run", key=f"{lab}_record_{tab}", icon=":material/bookmark_add:",
                 help="Keep these settings and results as an experiment note in your journal"):
        results, series = measure()
        params = {name: experiments.typed(text) for name, text in query.items()}
        shown = experiments.Series(*series) if series is not None else None
        st.session_state[_RECORDING] = experiments.Run(lab=lab, tab=tab, title=title, params=params,
                                                        results=results, series=shown)
    pending = st.session_state.get(_RECORDING)
    if pending is not None and (pending.lab, pending.tab) == (lab, tab):
        _record_dialog(pending)


def _stop_recording() -> None:
    st.session_state.pop(_RECORDING, None)


@st.dialog("Record this run", width="large", on_dismiss=_stop_recording)
def _record_dialog(run: experiments.Run) -> None:
    """Asks for a title, a comment and the notes the run was made for; stays open (the run waits
    in the session) until it is saved, cancelled or dismissed."""
    library = load_library()
    paired = [note.slug for note in library.notes
              if run.lab in note.labs and note.type != experiments.EXPERIMENT_TYPE]
    title = st.text_input("Title", value=run.title, max_chars=120, key="record_title")
    comment = st.text_area("What did you find?", placeholder="e.g. with K = 5 the truncated gradient is 40% off",
                           height=110, key="record_comment")
    made_for = st.multiselect("Made for these notes", [note.slug for note in library.notes], default=paired,
                              format_func=lambda slug: library.by_slug[slug].title, key="record_made_for")
    st.dataframe(experiments.results_frame(run.results), hide_index=True, width="stretch")
    save, cancel = st.columns(2)
    if save.button("Save to the journal", type="primary", icon=":material/save:", key="record_save"):
        try:
            saved = save_run(run, title, comment, made_for)
        except storage.StorageError as err:
            st.error(str(err))
            return
        _stop_recording()
        for key in ("record_title", "record_comment", "record_made_for"):
            st.session_state.pop(key, None)
        flash("success", f"Recorded “{title.strip() or run.title}” in your journal.", slug_of(saved.rel_path))
        st.rerun()
    if cancel.button("Cancel", key="record_cancel"):
        _stop_recording()
        st.rerun()


def save_run(run: experiments.Run, title: str, comment: str, made_for: list[str]) -> storage.SaveResult:
    """Write `run` as a new experiment note (atomic, never over an existing file)."""
    title = title.strip() or run.title
    day = today()
    meta = experiments.record_meta(title=title, day=day, lab=run.lab, tab=run.tab, params=run.params,
                                   results=run.results)
    body = experiments.record_body(title=title, comment=comment, results=run.results, series=run.series,
                                   lab_url=lab_url(run.lab, run.params), made_for=made_for)
    saved = storage.save_note(notes_dir(), None, meta, body, expected_hash=None)
    refresh_library()
    return saved


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
    return plural(count, "day", "days")


def plural(count: int, one: str, many: str) -> str:
    """`1 note`, `2 notes`: the count with the word that fits it."""
    return f"{count} {one if count == 1 else many}"
