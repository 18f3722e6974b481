"""What both labs share: their URL state (read from a link, written back on every change),
links between labs and notes, and recording a run as an experiment note.

Imports ui.notes_folder, ui.rendering and ui.widgets."""

from __future__ import annotations

from typing import Any, Callable, Iterable
from urllib.parse import urlencode

import streamlit as st

from core import urlparams
from core.experiments import records as experiments
from core.journal import storage
from core.journal.notes import Note
from core.journal.render import (
    escape_markdown,
)
from core.messages import _, count
from ui import notes_folder, rendering, widgets

_RECORDING = "_studylab_recording"
_RECORDED = "_studylab_recorded"  # (lab, tab, params) of the run last recorded in this session


# The labs' layout, both pages: the kernel chips wrap instead of cutting their names ("om (edit
# bel…"); on a phone the columns stack with the pictures first, held at the top of the screen
# while the controls scroll beneath them, so the picture is right above the control being moved.
LAYOUT_CSS = """<style>
[class*="st-key-conv_kernels_"] [data-testid="stMultiSelect"] [data-rac] { height: auto; max-height: none; }
[class*="st-key-conv_kernels_"] [data-testid="stMultiSelectTagsContainer"] { flex-wrap: wrap; overflow: visible;
  mask-image: none; -webkit-mask-image: none; height: auto; padding-top: 0.25rem; padding-bottom: 0.25rem;
  min-width: 0; }
[class*="st-key-conv_kernels_"] [data-testid="stMultiSelectTagsContainer"] > [role="group"] { display: flex;
  flex-wrap: wrap; gap: 0.25rem; max-width: 100%; }
[class*="st-key-conv_kernels_"] [data-tag] { max-width: 100%; height: auto; min-height: 1.5rem; }
[class*="st-key-conv_kernels_"] [data-tag] > span { white-space: normal; overflow: visible; text-overflow: clip;
  overflow-wrap: anywhere; line-height: 1.3; }
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .st-key-lab_pictures) {
    flex-direction: column-reverse; }
  [data-testid="stColumn"]:has(.st-key-lab_pictures) { position: sticky; top: 3.75rem; z-index: 3;
    max-height: 62vh; overflow-y: auto; border-bottom: 1px solid rgba(128, 128, 128, 0.4);
    padding-bottom: 0.5rem; }
  /* opaque in the theme's own background: every box from the app down to the pane inherits it */
  [data-testid="stApp"] :has(.st-key-lab_pictures) { background-color: inherit; }
  [data-testid="stColumn"]:not(:has(.st-key-lab_pictures)) [data-testid="stElementContainer"] {
    scroll-margin-top: calc(62vh + 4.75rem); }
}
</style>"""
PICTURES_KEY = "lab_pictures"  # the container of a lab's pictures (LAYOUT_CSS holds it on a phone)


def lab_layout() -> None:
    """The labs' layout rules (LAYOUT_CSS), drawn once per page run outside the lab's fragment, so
    a control's change does not send them again."""
    st.html(LAYOUT_CSS)


def controls_beside_pictures(controls: Callable[[], None], pictures: Callable[[], None]) -> None:
    """A lab's controls in a column beside its pictures (a container LAYOUT_CSS holds on a phone).
    Called from the page's fragment: a control's change reruns controls and pictures together,
    one run, and a control whose range follows another is drawn again with it."""
    controls_column, pictures_column = st.columns([1, 3], gap="medium")
    with controls_column:
        controls()
    with pictures_column.container(key=PICTURES_KEY):
        pictures()


def lab_title(lab: str) -> str:
    """A lab's page title ("Convolution lab"), or the name itself for a lab that does not exist."""
    return _(widgets.LAB_PAGES.get(lab, (None, lab))[1])


def lab_page_links() -> None:
    """One link to each lab's page."""
    for path, title in widgets.LAB_PAGES.values():
        st.page_link(path, label=_(title), icon=":material/biotech:")


def open_in_lab_link(lab: str, params: dict[str, Any], label: str | None = None) -> None:
    """A link that opens `lab` with `params` (its URL state, tab included) (nothing for an unknown lab);
    `label` (already translated) defaults to "Open in the lab"."""
    page = widgets.LAB_PAGES.get(lab)
    if page is None:
        st.caption(_("unknown lab '{lab}'").format(lab=escape_markdown(lab)))
        return
    query = {name: url_value(value) for name, value in params.items()}
    st.page_link(page[0], label=label or _("Open in the lab"), icon=":material/open_in_new:", query_params=query)


def lab_url(lab: str, params: dict[str, Any]) -> str:
    """The relative URL that opens `lab` with `params`, for a markdown link in a note."""
    page = widgets.LAB_PAGES[lab][0].removeprefix("pages/").removesuffix(".py")
    return f"{page}?{urlencode({name: url_value(value) for name, value in params.items()})}"


def url_value(value: Any) -> str:
    """A parameter as it appears in a lab URL (booleans as true/false, numbers as written)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def paired_notes(tags: set[str], labs: set[str], heading: str | None = None) -> list[Note]:
    """List notes carrying any of `tags` or pairing with any of `labs`, newest first, as links
    (the runs recorded from a lab are listed apart, by `lab_runs`); `heading` (already translated)
    defaults to "Notes for this lab"."""
    library = notes_folder.load_library()
    wanted = {tag.casefold() for tag in tags}
    paired = [
        note
        for note in library.notes
        if note.type != experiments.EXPERIMENT_TYPE
        and (wanted & {tag.casefold() for tag in note.tags} or set(labs) & set(note.labs))
    ]
    st.markdown(f"**{heading or _('Notes for this lab')}**")
    if not paired:
        st.caption(_("No notes are tagged for this lab yet."))
    for note in paired:
        rendering.note_link(note, dated=False)
    return paired


def apply_url(lab: str, params: Iterable[urlparams.Param], ignored: Iterable[str] = ()) -> bool:
    """At the start of a lab's full run: set its controls from the address bar when the address
    changed since this session last read or wrote it (a link was opened, Back or Forward). An
    empty query means the student came from the navigation: the lab stays as they left it and the
    address is written at the end of the run. Parameters that cannot be used are named in a
    warning on the page; their controls keep their defaults. True when the controls were set."""
    query = _lab_query()
    seen = f"_url_seen_{lab}"
    if not query or st.session_state.get(seen) == query:
        return False
    st.session_state[seen] = query
    params = list(params)
    values, notices = urlparams.parse(query, params, (*ignored, *urlparams.APP_PARAMS))
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
        st.warning(_("This link asked for settings the lab cannot use:") + "\n\n" + "\n".join(
            f"- {escape_markdown(notice)}" for notice in notices), icon=":material/link_off:")


def write_url(lab: str, params: Iterable[urlparams.Param], values: dict[str, Any], always: Iterable[str]) -> None:
    """Put the controls' values in the address bar (a new history entry when they changed, so
    Back and Forward step through the lab's states); only values off their defaults are written."""
    query = urlparams.encode(values, params, always)
    seen = f"_url_seen_{lab}"
    # The app's own parameters (?lang=) stay in the address beside the lab's.
    full = {**query, **{name: value for name, value in st.query_params.to_dict().items()
                        if name in urlparams.APP_PARAMS}}
    if st.session_state.get(seen) == query and st.query_params.to_dict() == full:
        return
    st.session_state[seen] = query
    st.query_params.from_dict(full)


def _lab_query() -> dict:
    """The address bar's parameters without the app's own (?lang=): the lab's state."""
    return {name: value for name, value in st.query_params.to_dict().items() if name not in urlparams.APP_PARAMS}


def lab_runs(lab: str, limit: int = 5) -> None:
    """The runs recorded from `lab`, newest first, as links (and a link to the Experiments page)."""
    runs = [note for note in notes_folder.load_library().notes
            if note.type == experiments.EXPERIMENT_TYPE and note.meta.get("lab") == lab]
    st.markdown(_("**Runs recorded here**"))
    if not runs:
        st.caption(_("None yet: **Record this run** keeps the current settings and results in your journal."))
    for note in runs[:limit]:
        rendering.note_link(note, dated=False)  # two lines at most, the full title on hover (frame.PAGE_CSS)
    if runs:
        st.page_link(widgets.EXPERIMENTS_PAGE, label=count(len(runs), "Compare it on the Experiments page",
                                                           "Compare all {count} on the Experiments page"),
                     icon=":material/compare_arrows:")


def record_run_button(lab: str, tab: str, title: str, query: dict[str, str],
                      measure: Callable[[], tuple[dict[str, Any], tuple[str, str, Any] | None]],
                      result_label: Callable[[str], str] = _) -> None:
    """A "Record this run" button that asks for a comment and saves the run as a journal note.

    `query` is the lab's complete URL state for `tab` (every control, defaults included);
    `measure()` returns the results (a few numbers) and the series behind the main chart (x name,
    y name, DataFrame x, y[, line]); it runs only when the button is pressed. Hidden when the
    journal is read-only. `result_label` shows a result's name (English, as recorded) in the
    reader's language in the dialog.
    """
    if notes_folder.readonly():
        return
    params = {name: experiments.typed(text) for name, text in query.items()}
    done = st.session_state.get(_RECORDED) == (lab, tab, params)
    label, icon = (_("Recorded · record again"), ":material/bookmark_added:") if done else \
        (_("Record this run"), ":material/bookmark_add:")
    if st.button(label, key=f"{lab}_record_{tab}", icon=icon,
                 help=_("These settings are in your journal already; record them again with another comment") if done
                 else _("Keep these settings and results as an experiment note in your journal")):
        results, series = measure()
        params = {name: experiments.typed(text) for name, text in query.items()}
        shown = experiments.Series(*series) if series is not None else None
        st.session_state[_RECORDING] = experiments.Run(lab=lab, tab=tab, title=title, params=params,
                                                        results=results, series=shown)
    pending = st.session_state.get(_RECORDING)
    if pending is not None and (pending.lab, pending.tab) == (lab, tab):
        _record_dialog(pending, result_label)


def _stop_recording() -> None:
    st.session_state.pop(_RECORDING, None)


def _record_dialog(run: experiments.Run, result_label: Callable[[str], str]) -> None:
    """The record dialog, titled in this run's language."""
    st.dialog(_("Record this run"), width="large", on_dismiss=_stop_recording)(_record_form)(run, result_label)


def _record_form(run: experiments.Run, result_label: Callable[[str], str]) -> None:
    """Asks for a title, a comment and the notes the run was made for; stays open (the run waits
    in the session) until it is saved, cancelled or dismissed."""
    library = notes_folder.load_library()
    paired = [note.slug for note in library.notes
              if run.lab in note.labs and note.type != experiments.EXPERIMENT_TYPE]
    title = st.text_input(_("Title"), value=run.title, max_chars=120, key="record_title")
    comment = st.text_area(_("What did you find?"),
                           placeholder=_("e.g. with K = 5 the truncated gradient is 40% off"),
                           height=110, key="record_comment")
    made_for = st.multiselect(_("Made for these notes"), [note.slug for note in library.notes], default=paired,
                              format_func=lambda slug: library.by_slug[slug].title, key="record_made_for",
                              placeholder=_("Choose options"))
    # A caption between them: the table's toolbar (shown above it on hover) overlaps the caption's
    # empty right side instead of the multiselect's chips.
    st.caption(_("Results of this run"))
    results = experiments.results_frame(run.results)
    results = results.assign(quantity=results["quantity"].map(result_label)).rename(
        columns={"quantity": _("quantity"), "value": _("value")})
    st.dataframe(results, hide_index=True, width="stretch", key="record_results")
    save, cancel = st.columns(2)
    if save.button(_("Save to the journal"), type="primary", icon=":material/save:", key="record_save"):
        try:
            saved = save_run(run, title, comment, made_for)
        except storage.StorageError as err:
            st.error(str(err))
            return
        _stop_recording()
        for key in ("record_title", "record_comment", "record_made_for"):
            st.session_state.pop(key, None)
        widgets.flash("success", _("Recorded “{title}” in your journal.").format(title=title.strip() or run.title),
                      notes_folder.slug_of(saved.rel_path))
        st.session_state[_RECORDED] = (run.lab, run.tab, run.params)
        st.session_state[widgets.TOAST_KEY] = (_("Recorded “{title}”").format(title=title.strip() or run.title),
                                               ":material/bookmark_added:")
        st.rerun()
    if cancel.button(_("Cancel"), key="record_cancel"):
        _stop_recording()
        st.rerun()


def save_run(run: experiments.Run, title: str, comment: str, made_for: list[str]) -> storage.SaveResult:
    """Write `run` as a new experiment note (atomic, never over an existing file)."""
    title = title.strip() or run.title
    day = widgets.today()
    meta = experiments.record_meta(title=title, day=day, lab=run.lab, tab=run.tab, params=run.params,
                                   results=run.results)
    body = experiments.record_body(title=title, comment=comment, results=run.results, series=run.series,
                                   lab_url=lab_url(run.lab, run.params), made_for=made_for)
    saved = storage.save_note(notes_folder.notes_dir(), None, meta, body, expected_hash=None)
    notes_folder.refresh_library()
    return saved
