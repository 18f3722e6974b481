"""Experiments: every run recorded from a lab, in one table; select runs to compare them.

The selection is in the address bar (?runs=<slug>,<slug>), so Back, a reload and a copied link
show the same comparison."""

import streamlit as st

from core import messages
from core.conv import records as conv_records
from core.conv import state as conv_state
from core.experiments import charts as experiment_charts
from core.experiments import records as experiments
from core.journal import storage
from core.journal.render import escape_markdown, note_url
from core.messages import _
from core.rnn import state as rnn_state
from ui import frame, lab_state, notes_folder, widgets

frame.app_frame()

st.title(_("Experiments"), anchor=False)
st.caption(_(
    "Runs recorded from the labs with **Record this run**. Each one is a note of type `experiment` "
    "in your journal; select rows to compare their settings and curves, or reopen a run in its lab."
))

library = notes_folder.load_library()
all_runs = notes_folder.experiment_records(library)
widgets.show_flash()
if not all_runs:
    st.info(_("No runs recorded yet. Open a lab, set it up, and press **Record this run**."), icon=":material/science:")
    lab_state.lab_page_links()
    st.stop()


def trash_run(rel_path: str, title: str) -> None:
    try:
        storage.trash_note(notes_folder.notes_dir(), rel_path)
    except storage.StorageError as err:
        widgets.flash("error", str(err))
        return
    notes_folder.refresh_library()
    st.session_state[TABLE_VERSION] = st.session_state.get(TABLE_VERSION, 0) + 1
    widgets.flash("success", _("Moved “{title}” to the trash ({records} › {trash} can restore it).").format(
        title=title, records=_("Records"), trash=_("Trash & history")))


TABLE_VERSION, SEEN = "_experiments_table_version", "_experiments_runs_seen"
TAB_TITLES = {**conv_state.VIEWS, **rnn_state.TABS}
"""A recorded run's tab (its lab's URL value) -> the tab's title in the lab (English; shown translated)."""


def tab_title(tab: str) -> str:
    return _(TAB_TITLES[tab]) if tab in TAB_TITLES else tab


def wanted_runs() -> list[str]:
    """The runs the address bar selects (?runs=a,b), in its order."""
    return [slug for slug in st.query_params.get("runs", "").split(",") if slug]


def table_key() -> str:
    """The table's widget key: a new one whenever the address names another selection than the
    one this session last wrote (Back, Forward, a pasted link), so the table takes it."""
    text = st.query_params.get("runs", "")
    if SEEN not in st.session_state:
        st.session_state[SEEN] = text
    elif st.session_state[SEEN] != text:
        st.session_state[SEEN] = text
        st.session_state[TABLE_VERSION] = st.session_state.get(TABLE_VERSION, 0) + 1
    version = st.session_state.get(TABLE_VERSION, 0)
    return f"experiments_table_{version}" if version else "experiments_table"


def write_selection(slugs: list[str]) -> None:
    text = ",".join(slugs)
    if text == st.query_params.get("runs", ""):
        return
    st.session_state[SEEN] = text
    if text:
        st.query_params["runs"] = text
    else:
        st.query_params.pop("runs", None)


lab_filter, tab_filter, tag_filter = st.columns(3)
labs = lab_filter.multiselect(_("Lab"), sorted({run.lab for run in all_runs}), key="experiments_labs",
                              format_func=lambda lab: _(lab_state.lab_title(lab)), placeholder=_("Choose options"))
tabs = tab_filter.multiselect(_("Tab"), sorted({run.tab for run in all_runs if run.tab}), key="experiments_tabs",
                              format_func=tab_title, placeholder=_("Choose options"))
tags = tag_filter.multiselect(_("Tags"), sorted({tag for run in all_runs for tag in run.tags}), key="experiments_tags",
                              placeholder=_("Choose options"))
runs = [
    run for run in all_runs
    if (not labs or run.lab in labs) and (not tabs or run.tab in tabs) and set(tags) <= set(run.tags)
]
st.caption(_("{shown} of {total} run(s). Click a column header to sort; tick rows to compare.").format(
    shown=len(runs), total=len(all_runs)))
unreadable = [run for run in runs if run.problem]
if unreadable:
    names = escape_markdown(", ".join(run.title for run in unreadable[:3])) + (" …" if len(unreadable) > 3 else "")
    line = _("{count} record(s) could not be read in full ({names}): select them to see why.").format(
        count=len(unreadable), names=names)
    st.caption(f":material/warning: {line}")

table = experiments.runs_table(runs)
key = table_key()
wanted = set(wanted_runs())
selection = st.dataframe(
    table.drop(columns=["slug"]),
    key=key,
    on_select="rerun",
    selection_mode="multi-row",
    selection_default={"selection": {"rows": [row for row, run in enumerate(runs) if run.slug in wanted]}},
    hide_index=True,
    width="stretch",
    placeholder="",
    column_config={"date": st.column_config.DateColumn(_("date")), "lab": st.column_config.TextColumn(_("lab")),
                   "title": _("title"), "tab": _("tab")},
)
chosen = [runs[row] for row in selection.selection.rows if row < len(runs)]
write_selection([run.slug for run in chosen])
if not chosen:
    st.caption(_("Select one or more rows to open, compare or trash those runs."))
    st.stop()

st.subheader(_("{count} selected run(s)").format(count=len(chosen)), anchor=False)
for run in chosen:
    note = library.by_slug.get(run.slug)
    title_column, lab_column, trash_column = st.columns([6, 2, 2], vertical_alignment="center")
    title = escape_markdown(experiments.middle_cut(run.title, 60))
    linked = f"[{title}]({note_url(run.slug)})" if note else title
    day = run.date.isoformat() if run.date else _("undated")
    title_column.markdown(f":material/science: **{linked}** · {day}")
    if run.problem:
        title_column.caption(f":material/warning: {escape_markdown(run.problem)}")
    with lab_column:
        lab_state.open_in_lab_link(run.lab, run.params, label=_("Open in the lab"))
    if note and not notes_folder.readonly():
        with trash_column.popover(_("Trash"), icon=":material/delete:"):
            st.caption(_("The note moves to the trash; Trash & history can restore it."))
            st.button(_("Move to trash"), key=f"experiments_trash_{run.slug}", on_click=trash_run,
                      args=(note.path, run.title), type="primary")

st.markdown(_("**Settings side by side** (rows where the runs differ are highlighted)"))
differences = experiments.parameter_differences(chosen)
st.dataframe(
    differences.drop(columns="differs").style.apply(
        lambda row: ["background-color: rgba(255, 196, 0, 0.25)" if differences.loc[row.name, "differs"] else ""]
        * len(row), axis=1),
    width="stretch",
)

for (x_name, y_name), series in experiments.overlaid_series(chosen).items():
    # a series' names are the lab's (in English in the file, translated here) or the student's own
    widgets.chart(experiment_charts.overlay_chart, series, conv_records.series_label(x_name),
                  conv_records.series_label(y_name), language=messages.language())

chosen_table = experiments.runs_table(chosen)
numeric = experiment_charts.numeric_columns(chosen_table)
if len(chosen) >= 2 and len(numeric) >= 2:
    widgets.chart(experiment_charts.parallel_coordinates, chosen_table, numeric, language=messages.language())
elif len(chosen) >= 2:
    st.caption(_("The parallel-coordinates view needs at least two numbers (settings or results) that every "
                 "selected run has and that differ between them: select runs of the same lab and tab."))
