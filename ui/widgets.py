"""Small pieces every page draws: charts built once per input, a message left for the next run,
the verified badge, counts in words, and the pages' addresses and note-type icons.

Imports streamlit, core and ui.chartspec only; every other ui module may import this one."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from typing import Any, Callable

import altair as alt
import streamlit as st

from core import messages
from core.messages import N_, _
from ui.chartspec import spec_with_frames, with_description

NOTES_PAGE = "pages/notes.py"


EXPERIMENTS_PAGE = "pages/experiments.py"


LAB_PAGES = {"conv": ("pages/conv_lab.py", N_("Convolution lab")), "bptt": ("pages/bptt_lab.py", N_("BPTT explorer"))}
"""Each lab's page and name (its name marked for the catalogue: show it as `_(name)`)."""


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


_FLASH = "_studylab_flash"


TOAST_KEY = "_studylab_toast"


SCROLL_KEY = "_studylab_scroll"


OPEN_NOTE_KEY = "notes_open"  # the Notes page's container around the open note


def chart(builder: Callable[..., alt.TopLevelMixin | dict], *args: Any, width: str = "stretch",
          on_select: str | Callable[[], None] = "ignore", select_key: str | None = None, table: bool = False,
          **kwargs: Any) -> None:
    """Draw `builder(*args, **kwargs)`, building its spec once per distinct input.

    Altair's schema validation and its JSON records cost more than the rest of a rerun, so the
    spec is cached unvalidated with its DataFrames kept (charts.spec_with_frames); the chart
    builders themselves are validated in the tests. With on_select "rerun" or a callback (and a
    `select_key`), a click on the chart's selection reruns the page, or the fragment it is in,
    and st.session_state[select_key] holds the selection. With `table`, the chart's data follow it
    as tables (the labs' "show as tables" switch: `tables_toggle`). Every chart has a text
    alternative: its spec's `description` (ui.chartspec.describe), read out as its label.
    """
    # The language is part of the key: builders write titles, tooltips and descriptions in it.
    digest = hashlib.sha256(pickle.dumps((builder.__module__, builder.__qualname__, args, kwargs,
                                          messages.language()))).hexdigest()
    spec = readable_axes(_chart_spec(digest, builder, args, kwargs))
    if on_select == "ignore":
        st.vega_lite_chart(spec, width=width)
    else:
        st.vega_lite_chart(spec, width=width, key=select_key, on_select=on_select)
    if table:
        for frame in spec.get("datasets", {}).values():
            if hasattr(frame, "columns") and len(frame):
                st.dataframe(frame, hide_index=True, height=min(300, 38 + 35 * len(frame)))


# Axis labels and titles at 4.5:1 or more (Streamlit's chart theme draws them at 3.7:1): one colour
# per theme, the browser's theme as st.context reports it.
AXIS_TEXT = {"light": "#3d3a36", "dark": "#d9d6d1"}


def readable_axes(spec: dict) -> dict:
    """`spec` (not changed) with its axis and legend text in the theme's readable colour, and
    Vega's own English descriptions of axes and legends left out."""
    try:
        theme = st.context.theme.type or "light"
    except Exception:  # no browser (AppTest)
        theme = "light"
    colour = AXIS_TEXT.get(theme, AXIS_TEXT["light"])
    config = dict(spec.get("config", {}))
    # Vega describes axes and legends to screen readers in English of its own ("X-axis for a discrete
    # scale with ..."); the chart's description (its label) says it in the interface language.
    text = {"labelColor": colour, "titleColor": colour, "aria": False}
    config["axis"] = {**text, **config.get("axis", {})}
    config["legend"] = {**text, **config.get("legend", {})}
    return {**spec, "config": config}  # a title's own label ("Title text '…'") is fixed in the browser


def tables_toggle(key: str) -> bool:
    """A lab's switch that shows every picture's numbers as a table under it (for screen readers,
    and for reading exact values); returns whether it is on."""
    return st.toggle(_("Show the pictures as tables too"), key=key,
                     help=_("Every chart and map of this page is followed by its numbers."))


@st.cache_data(show_spinner=False, max_entries=128)
def _chart_spec(key: str, _builder: Callable[..., alt.TopLevelMixin | dict], _args: tuple, _kwargs: dict) -> dict:
    """Only `key` (a digest of builder and inputs) is hashed; the rest rebuilds on a miss.
    A builder returns an Altair chart or a Vega-Lite dict already holding its DataFrames."""
    built = _builder(*_args, **_kwargs)
    return with_description(built) if isinstance(built, dict) else spec_with_frames(built)


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
            NOTES_PAGE, label=_("See it on the Notes page"), icon=":material/menu_book:", query_params={"note": slug}
        )
    return kind


def scroll_to(key: str) -> None:
    """From a callback: once this run is drawn, bring the container with `key` to the top of the screen."""
    st.session_state[SCROLL_KEY] = key


def verified_badge(label: str, max_error: float, tolerance: float, detail: str = "") -> bool:
    """A green 'verified' or red 'mismatch' line with the measured error; returns whether it passed."""
    passed = bool(max_error <= tolerance)
    text = _("{label}: largest difference {error} (tolerance {tolerance})").format(
        label=label, error=f"{max_error:.2e}", tolerance=f"{tolerance:.0e}")
    if detail:
        text += f" · {detail}"
    if passed:
        st.success(_("Verified · {text}").format(text=text), icon=":material/verified:")
    else:
        st.error(_("Mismatch · {text}").format(text=text), icon=":material/error:")
    return passed


def today() -> dt.date:
    return dt.date.today()


def days(count: int) -> str:
    return plural(count, "day", "days")


def plural(count: int, one: str, many: str) -> str:
    """`1 note`, `2 notes`: the count with the word that fits it."""
    return f"{count} {one if count == 1 else many}"
