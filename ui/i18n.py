"""The interface language of this run: chosen, set for the catalogue, switched in the sidebar.

Where the language comes from, first match wins:

1. `?lang=ko` in the address (a shared link, a bookmark);
2. this session's choice in the sidebar switch;
3. the notes folder's remembered choice (`.studylab/preferences.json`, core.journal.preferences);
4. the browser's language (`st.context.locale`, e.g. "ko-KR");
5. English.

`choose()` runs once per run, from app.py before the navigation is built, and hands the result
to `core.messages.set_language`, so every `_()` of the run (core's and ui's) speaks it. When the
language is not the browser's own, the address carries `?lang=`, so a copied link opens in it.

Imports streamlit and core only; every other ui module may import it.
"""

from __future__ import annotations

import streamlit as st

from core import messages
from core.journal import notes as notes_lib
from core.journal import preferences, storage
from core.messages import _

PARAM = "lang"
SWITCH_LABEL = "Language · 언어"  # in both languages on purpose: findable whichever one is on screen
SESSION_KEY = "_studylab_language"
SWITCH_KEY = "ui_language"

# What Streamlit draws itself and no app option reaches (checked by the browser tests, which
# allow these English texts on a Korean page). Everything else on a page goes through the catalogue.
STREAMLIT_OWN_TEXTS = (
    "Main menu",  # the toolbar's menu button (aria-label) and its items: Rerun, Settings, Print, ...
    "Rerun", "Settings", "Print", "Record a screencast", "Clear cache", "About",
    "Running...", "Stop",  # the status widget while a script runs
    "Collapse sidebar", "Expand sidebar",  # the sidebar's toggle (aria-label)
    "View more", "View less",  # st.navigation's long-list toggle
    "Copy to clipboard",  # st.code's copy button (aria-label)
    "Drag and drop file here", "Browse files",  # st.file_uploader's drop zone (its label and help are ours)
    "Search", "Download as CSV", "Fullscreen", "Close fullscreen",  # st.dataframe's toolbar
    "Press Enter to apply", "Press Enter to submit form",  # text input instructions
    "No results",  # a select box with nothing matching
    "Choose an option", "Choose options",  # a select's placeholder when none is given
    "Shortcut",  # the word before a button's keyboard shortcut in its hint
    "year, ", "month, ", "day, ",  # st.date_input's field parts, announced before its label
)


def _session_language() -> str | None:
    """The language this session chose on an earlier run (None outside a session)."""
    try:
        return st.session_state.get(SESSION_KEY)
    except Exception:  # no script run context (a bare import, a worker thread)
        return None


# A widget callback runs before choose(), in a thread not yet told the language: it speaks the session's.
messages.set_fallback(_session_language)


def browser_language() -> str | None:
    """The browser's language if we have it, e.g. 'ko' for 'ko-KR' (None outside a browser)."""
    try:
        return messages.normalize(st.context.locale)
    except Exception:  # no browser context (a bare script run)
        return None


def choose() -> str:
    """Decide this run's language, set it for the catalogue and return it."""
    asked = messages.normalize(st.query_params.get(PARAM))
    if asked is not None:
        st.session_state[SESSION_KEY] = asked
    lang = (asked or st.session_state.get(SESSION_KEY)
            or preferences.stored_language(notes_lib.notes_dir(), messages.LANGUAGES)
            or browser_language() or messages.DEFAULT)
    st.session_state[SESSION_KEY] = lang
    messages.set_language(lang)
    if lang != (browser_language() or messages.DEFAULT) and st.query_params.get(PARAM) != lang:
        st.query_params[PARAM] = lang
    return lang


def language() -> str:
    return messages.language()


def _switched() -> None:
    lang = messages.normalize(st.session_state.get(SWITCH_KEY)) or messages.DEFAULT
    st.session_state[SESSION_KEY] = lang
    if lang == (browser_language() or messages.DEFAULT):
        st.query_params.pop(PARAM, None)
    else:
        st.query_params[PARAM] = lang
    if storage.write_refusal() is None:
        try:
            preferences.save_language(notes_lib.notes_dir(), lang)
        except (storage.StorageError, OSError):
            pass  # remembered for this session; the folder's copy is a convenience


def switch() -> None:
    """The sidebar's language switch (English | 한국어); the choice is remembered for the notes folder."""
    st.session_state[SWITCH_KEY] = language()
    st.segmented_control(
        SWITCH_LABEL, messages.LANGUAGES, key=SWITCH_KEY, required=True, on_change=_switched,
        format_func=messages.NAMES.get, help=_("The interface language; notes with a translation follow it."),
    )
