"""Chart builders for the journal pages: data in, `alt.Chart` out (no streamlit)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# Calendar tiles: "empty" for a day without entries, "ramp" from one entry to the busiest day.
# Light: GitHub's contribution greens on a light-grey empty tile. Dark: a mid-grey empty tile
# that stands out from Streamlit's dark background (#0e1117) without glaring, and greens that
# get brighter with more entries.
CALENDAR_LIGHT = {"empty": "#e4e7eb", "ramp": ("#9be9a8", "#216e39")}
CALENDAR_DARK = {"empty": "#2f353f", "ramp": ("#1b6b34", "#5fe07a")}


CALENDAR_PICK = "pick"


def calendar_frame(counts: dict[dt.date, int], year: int) -> pd.DataFrame:
    """One row per day of `year`: date, week (column index), weekday (row label), entries."""
    days = pd.date_range(dt.date(year, 1, 1), dt.date(year, 12, 31), freq="D")
    first_monday = days[0] - pd.Timedelta(days=days[0].day_of_week)
    return pd.DataFrame(
        {
            "date": days.date,
            "week": ((days - first_monday).days // 7).astype(int),
            "weekday": [WEEKDAYS[d] for d in days.day_of_week],
            "entries": [counts.get(day, 0) for day in days.date],
            "label": days.strftime("%a %Y-%m-%d"),
            "day": days.strftime("%Y-%m-%d"),
        }
    )


def calendar_heatmap(counts: dict[dt.date, int], year: int, dark: bool = False) -> alt.Chart:
    """A study calendar: one square per day of `year`, coloured by the number of entries,
    month names under the first week of each month.

    Days without an entry get a neutral tile that is visible on the theme's background
    (`dark` picks the dark-theme palette); study days use a sequential green scale from one
    entry to the busiest day, brighter for more on dark backgrounds and darker for more on light
    ones. Tiles are separated by band padding, not a white stroke, so no grid glares in dark mode.
    A click on a day selects it (the `pick` selection, on the `day` field, `YYYY-MM-DD`): the
    dashboard opens that day's notes.
    """
    palette = CALENDAR_DARK if dark else CALENDAR_LIGHT
    frame = calendar_frame(counts, year)
    most = max(2, int(frame["entries"].max()))
    first_days = frame[[day.day == 1 for day in frame["date"]]]
    month_of_week = " : ".join(
        f"datum.value == {week} ? '{day.strftime('%b')}'"
        for week, day in zip(first_days["week"], first_days["date"], strict=False)
    )
    return (
        alt.Chart(frame, title=f"Study calendar {year}")
        .mark_rect(cornerRadius=2)
        .encode(
            x=alt.X(
                "week:O",
                title=None,
                scale=alt.Scale(paddingInner=0.18),
                axis=alt.Axis(labelExpr=f"{month_of_week} : ''", labelAngle=0, ticks=False, domain=False),
            ),
            y=alt.Y(
                "weekday:N",
                sort=WEEKDAYS,
                title=None,
                scale=alt.Scale(paddingInner=0.18),
                axis=alt.Axis(ticks=False, domain=False),
            ),
            color=alt.condition(
                alt.datum.entries == 0,
                alt.value(palette["empty"]),
                alt.Color(
                    "entries:Q",
                    title="entries a day",
                    scale=alt.Scale(domain=[1, most], range=list(palette["ramp"])),
                    legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=120, tickMinStep=1,
                                      format="d"),
                ),
            ),
            tooltip=[alt.Tooltip("label:N", title="day"), alt.Tooltip("entries:Q", title="entries")],
        )
        .add_params(alt.selection_point(name=CALENDAR_PICK, fields=["day"], on="click", clear=False))
        .properties(height=alt.Step(17))
    )


def type_bar_chart(counts: dict[str, int]) -> alt.Chart:
    """Horizontal bars: number of notes of each type."""
    frame = pd.DataFrame({"type": list(counts), "notes": list(counts.values())})
    return (
        alt.Chart(frame, title="Notes by type")
        .mark_bar()
        .encode(
            x=alt.X("notes:Q", title="notes", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("type:N", sort="-x", title=None),
            tooltip=["type:N", "notes:Q"],
        )
        .properties(height=alt.Step(22))
    )
