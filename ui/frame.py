"""The frame around every page (app.py): page CSS, the browser hooks, the sidebar, and running
a page that was opened directly inside that frame.

Imports ui.components, ui.notes_folder, ui.review and ui.widgets."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Iterable

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from threadpoolctl import threadpool_limits

from core import messages
from core.journal import stats
from core.journal.notes import Library
from core.messages import N_, _
from ui import components, i18n, notes_folder, review, widgets

APP_PATH = Path(__file__).resolve().parent.parent / "app.py"


APP_ICON = Path(__file__).resolve().parent / "assets" / "studylab.png"


# The labs multiply small matrices (64 x 64 at most), where a second BLAS thread costs more in
# hand-offs than it saves, and much more when other programs share the cores: one for the process.
_ONE_BLAS_THREAD = threadpool_limits(limits=1, user_api="blas")


# Wide display equations and tables scroll sideways inside their own box instead of being cut off
# (or widening the page) on a phone; headings keep some room above them when a contents link
# scrolls to them; the Write page's status line keeps room for its text (the buttons beside it
# wrap to the next line instead of squeezing it). Korean lines break between words, never inside
# one (keep-all; in every language's interface, since a note title may be Korean either way);
# every focusable element shows a ring when reached by keyboard, except the main area, which is
# focusable only to scroll and drew a frame round the whole page after a click on blank space;
# captions and small print stay at 4.5:1 or more in both themes (.streamlit/config.toml's text
# colours); the Write page's small icon buttons are at least 24 by 24 px (WCAG 2.2 target size);
# a note link in the sidebar cuts a long title after two lines (the whole title on hover).
PAGE_CSS = """<style>
:lang(ko) [data-testid="stMarkdownContainer"], :lang(ko) [data-testid="stSidebar"], :lang(ko) .stMain
  { word-break: keep-all; overflow-wrap: break-word; }
:focus-visible { outline: 2px solid #1c6fd1 !important; outline-offset: 2px; }
[data-testid="stMarkdownContainer"] [tabindex="0"]:focus-visible { outline-offset: -2px; }
[data-testid="stDateInput"] [role="spinbutton"] { display: inline-flex; align-items: center; justify-content: center;
  min-width: 24px; min-height: 24px; }
[data-testid="stBaseButton-primary"] kbd { color: inherit; opacity: 1; }
[data-testid="stCaptionContainer"] code { color: inherit; }
[data-studylab-theme="dark"] [data-testid="stBaseButton-primary"],
[data-studylab-theme="dark"] [data-tag], [data-studylab-theme="dark"] [data-tag] * { color: #17110f; }
[data-studylab-theme="dark"] .stMarkdownBadge { color: #ffe3e6 !important; }
[data-testid="stMarkdownContainer"] .katex-display { overflow-x: auto; overflow-y: hidden; padding: 0.2rem 0; }
[data-testid="stMarkdownContainer"] table { display: block; max-width: 100%; overflow-x: auto; }
[data-testid="stHeadingWithActionElements"] { scroll-margin-top: 4rem; }
:has(> .st-key-write_status_row) { min-width: 14rem; flex: 1 1 14rem; }
[data-testid="stMarkdownContainer"], [data-testid="stPageLink"] { word-break: keep-all; overflow-wrap: break-word; }
[data-testid="stSidebar"] [data-testid="stPageLink"] a > span:last-child { white-space: normal; }
[data-testid="stSidebar"] [data-testid="stPageLink"] p { display: -webkit-box; -webkit-box-orient: vertical;
  -webkit-line-clamp: 2; overflow: hidden; white-space: normal; }
[data-testid="stMain"]:focus, [data-testid="stMain"]:focus-visible { outline: none !important; }
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


def browser_hooks(page_paths: Iterable[str]) -> None:
    """Once per run, from app.py's frame: the page CSS, the in-app link handler (ui_hooks; links
    to any of `page_paths`, the navigation's URL paths, stay in the tab) and any toast a callback
    left for this run."""
    st.html(PAGE_CSS)
    components.app_links(page_paths, on_action=_link_action, scroll_to=st.session_state.pop(widgets.SCROLL_KEY, None),
                         lang=i18n.language(), labels=scroll_box_labels())
    pending = st.session_state.pop(widgets.TOAST_KEY, None)
    if pending:
        st.toast(pending[0], icon=pending[1], duration="long")


def scroll_box_labels() -> dict[str, str | dict[str, str]]:
    """What a screen reader hears on a wide equation or table that scrolls in its own box, and
    the labels Streamlit writes in English on its own buttons, in the interface language (the
    link handler swaps them in: Streamlit has no option for them)."""
    own = {text: _(text) for text in STREAMLIT_LABELS}
    return {"equation": _("Equation, scrolls sideways"), "table": _("Table, scrolls sideways"),
            "helpFor": _("Help for {label}"), "remove": _("Remove {label}"),
            "streamlit": {english: shown for english, shown in own.items() if shown != english}}


# The aria-labels and titles Streamlit gives its own controls (1.67), marked for the catalogue.
STREAMLIT_LABELS = (
    N_("App pages"), N_("Link to heading"), N_("Show data"), N_("Download as PNG"), N_("Download as SVG"),
    N_("Copy Vega-Lite spec"), N_("Fullscreen"), N_("Close fullscreen"), N_("Download as CSV"), N_("Search"),
    N_("Show/hide columns"), N_("Decrement"), N_("Increment"), N_("Clear all"), N_("Selected values"),
    N_("Open"), N_("Close"), N_("Copy to clipboard"), N_("Clear"), N_("Show password text"),
    N_("Choose date"), N_("Clear value"), N_("file upload"),
)


def _link_action(action: str) -> None:
    if action == "undo-trash":
        notes_folder.undo_trash()


def sidebar(library: Library) -> None:
    """Notes folder in use, the journal's size and its problems (counted as the Dashboard counts
    them), shown on every page."""

    with st.sidebar:
        i18n.switch()
        st.caption(_("Notes folder"))
        st.code(str(notes_folder.notes_dir()), language=None, wrap_lines=True)
        problems = review.journal_problems(library)
        shown = f" · {review.problems_text(problems)}" if problems else ""
        count = messages.count(len(stats.entries(library.notes)), "{count} note", "{count} notes")
        st.caption(f"{count}{shown}")
