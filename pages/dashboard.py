"""Dashboard: the study calendar, streaks, totals, recent entries and notes-folder problems."""

import streamlit as st

import review_ui
import ui
from core.journal import charts, stats

ui.app_frame()

library = ui.load_library()
today = ui.today()
per_day = stats.entries_per_day(library.notes)

st.title("studylab", anchor=False)
st.caption("Your deep-learning math journal and the labs that go with it.")

if today not in per_day:
    st.info(f"No entry for today ({today.isoformat()}) yet. What did you learn today?", icon=":material/edit_note:")

total, current, longest, days = st.columns(4)
total.metric("Notes", len(library.notes))
current.metric("Current streak", ui.days(stats.current_streak(per_day, today)))
longest.metric("Longest streak", ui.days(stats.longest_streak(per_day)))
days.metric("Study days", len(per_day))

years = stats.calendar_years(per_day, today)
latest_year = max(per_day).year if per_day else today.year
year = st.selectbox("Calendar year", years, index=years.index(latest_year), key="dashboard_year")
ui.chart(charts.calendar_heatmap, per_day, year)

recent_column, types_column = st.columns([3, 2])
with recent_column:
    st.subheader("Recent entries", anchor=False)
    if not library.notes:
        st.caption("The journal is empty. Add markdown notes to the notes folder to see them here.")
    for note in library.notes[:8]:
        ui.note_link(note)
with types_column:
    ui.chart(charts.type_bar_chart, stats.counts_by_type(library.notes))

review_ui.dashboard_section(library)

st.subheader("Notes-folder problems", anchor=False)
if library.problems:
    unreadable = sum(problem.kind == "file" for problem in library.problems)
    malformed = len(library.problems) - unreadable
    parts = [f"{unreadable} file(s) could not be read as notes"] * bool(unreadable)
    parts += [f"{malformed} review card(s) are malformed"] * bool(malformed)
    st.warning(f"{' and '.join(parts)}. The rest of the journal loaded normally.")
    st.dataframe(
        [{"file": p.file, "line": p.line, "reason": p.reason} for p in library.problems],
        hide_index=True,
        width="stretch",
    )
else:
    st.caption(":material/check_circle: Every file in the notes folder loaded.")
