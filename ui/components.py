"""The few things studylab needs from the browser that Streamlit has no Python API for, as two
small `st.components.v2` components (part of Streamlit itself: no extra dependency).

- `app_links`: markdown links to the app's own pages (wikilinks, the Notes list, backlinks, a
  peer's notes, lab links written in notes) open in the same tab and session, and the trash
  toast's Undo reaches Python. Streamlit renders every markdown link with target="_blank" (a new
  tab and a new session, seconds to start) and has no Python API for an inline link to a page;
  see assets/app_links.js for how it is done.
- `editor_status`: the Write page's status line, which must change from the first keystroke,
  before the text reaches the server, and answer every save; see assets/editor_status.js.
- `live_preview`: the Write page's preview follows typing (debounced), rerunning only the
  preview's fragment; see assets/live_preview.js.
- `scroll_memory`: Back to a long note on the Notes page lands where the reader left it; see
  assets/scroll_memory.js.

The JavaScript lives in assets/*.js. Without JavaScript both degrade gracefully: note links
open in a new tab, the status line shows what the server last knew.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Callable, Iterable

import streamlit as st

from core.messages import _

ASSETS = Path(__file__).resolve().parent / "assets"
LINKS_KEY = "studylab_links"
STATUS_KEY = "write_status_line"
LIVE_PREVIEW_KEY = "write_live_preview"
UNDO_TRASH_LINK = "#studylab-undo-trash"  # the href app_links.js answers with the action "undo-trash"
STATUS_CSS = """
[data-status] { display: flex; align-items: center; gap: 0.5rem; min-height: 2.5rem;
  font-size: 0.875rem; line-height: 1.4; overflow-wrap: anywhere; }
[data-status] .dot { flex: none; width: 0.65rem; height: 0.65rem; border-radius: 50%; background: #8b949e; }
[data-status][data-state="saved"] .dot { background: #2da44e; }
[data-status][data-state="unsaved"] .dot { background: #e8900c; }
[data-status][data-state="saving"] .dot { background: #4493f8; }
[data-status][data-state="conflict"] .dot, [data-status][data-state="refused"] .dot { background: #e5484d; }
"""
# A new number for every message to the browser that must be acted on even when the rest is
# unchanged: the Write page's status line after a save in the same minute, a repeated scroll.
_RUNS = itertools.count()

_links = st.components.v2.component("studylab_links", js=(ASSETS / "app_links.js").read_text(encoding="utf-8"))
_status = st.components.v2.component(
    "studylab_editor_status", js=(ASSETS / "editor_status.js").read_text(encoding="utf-8"), css=STATUS_CSS
)

_live_preview = st.components.v2.component(
    "studylab_live_preview", js=(ASSETS / "live_preview.js").read_text(encoding="utf-8")
)
_scroll_memory = st.components.v2.component(
    "studylab_scroll_memory", js=(ASSETS / "scroll_memory.js").read_text(encoding="utf-8")
)


def app_links(page_paths: Iterable[str], on_action: Callable[[str], None], scroll_to: str | None = None,
              lang: str = "en", labels: dict[str, str] | None = None) -> None:
    """Mount the link handler in the sidebar (zero height; once per run, from app.py's frame): a
    relative link to one of `page_paths` (the navigation's URL paths, e.g. "notes", "bptt_lab")
    stays in the tab; a click on an action link (e.g. "undo-trash") goes to `on_action`;
    `scroll_to` (a container's key) is brought to the top of the screen once this run is drawn.
    The handler also keeps the page accessible (assets/app_links.js, part 5): `lang` becomes the
    page's <html lang>, `labels` name the sideways-scrolling boxes ("equation", "table")."""
    data: dict = {"pages": sorted({path for path in page_paths if path}), "lang": lang, "labels": labels or {}}
    if scroll_to:
        data["scroll"] = {"key": scroll_to, "id": next(_RUNS)}
    with st.sidebar:
        result = _links(key=LINKS_KEY, height=0, data=data)
    action = result.get("action") if result else None
    if action:
        on_action(action)


def editor_status(state: str, label: str) -> None:
    """The Write page's status line: `state` (saved, unsaved, new, conflict, refused) and its
    `label`, redrawn on every run (`run` differs each time)."""
    words = {"unsaved": _("Unsaved changes"), "saving": _("Saving…")}  # the states only the browser sees
    _status(key=STATUS_KEY, data={"state": state, "label": label, "words": words, "run": next(_RUNS)})


def live_preview() -> dict | None:
    """The Write page's title and body as typed, {"title", "body"}, in the run a pause in typing
    triggered (call it inside the preview's st.fragment, so only the preview reruns); None in
    every other run."""
    result = _live_preview(key=LIVE_PREVIEW_KEY, height=0)
    text = result.get("text") if result else None
    return text if isinstance(text, dict) and isinstance(text.get("body"), str) else None


def scroll_memory() -> None:
    """Mount, on the Notes page on every run, the keeper of each note address's scroll position
    (zero height, in the sidebar), so Back and Forward land where the reader left a note."""
    with st.sidebar:
        _scroll_memory(key="notes_scroll_memory", height=0, data={"run": next(_RUNS)})  # called on every run
