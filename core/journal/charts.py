"""Chart builders for the journal pages: data in, `alt.Chart` out (no streamlit).

Titles, day and month names and descriptions follow the interface language (core.messages);
the keyword `language` of each builder is not used to build the chart but names the language
for ui.widgets.chart, which caches a spec per distinct input.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
from babel import dates

from core import messages
from core.journal.notes import type_name
from core.messages import _

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
"""In English; the charts name the days in the interface language (`weekday_names`)."""
# Calendar tiles: "empty" for a day without entries, "ramp" from one entry to the busiest day.
# Light: GitHub's contribution greens on a light-grey empty tile. Dark: a mid-grey empty tile
# that stands out from Streamlit's dark background (#0e1117) without glaring, and greens that
# get brighter with more entries.
CALENDAR_LIGHT = {"empty": "#e4e7eb", "ramp": ("#9be9a8", "#216e39")}
CALENDAR_DARK = {"empty": "#2f353f", "ramp": ("#1b6b34", "#5fe07a")}


CALENDAR_PICK = "pick"


def weekday_names() -> list[str]:
    """Monday to Sunday, short, in the interface language (WEEKDAYS in English)."""
    monday = dt.date(2024, 1, 1)
    return [dates.format_date(monday + dt.timedelta(days=offset), "EEE", locale=messages.locale())
            for offset in range(7)]


def calendar_frame(counts: dict[dt.date, int], year: int) -> pd.DataFrame:
    """One row per day of `year`: date, week (column index), weekday (row label), entries."""
    days = pd.date_range(dt.date(year, 1, 1), dt.date(year, 12, 31), freq="D")
    first_monday = days[0] - pd.Timedelta(days=days[0].day_of_week)
    names = weekday_names()
    return pd.DataFrame(
        {
            "date": days.date,
            "week": ((days - first_monday).days // 7).astype(int),
            "weekday": [names[d] for d in days.day_of_week],
            "entries": [counts.get(day, 0) for day in days.date],
            "label": [f"{names[day.weekday()]} {day.isoformat()}" for day in days.date],
            "day": days.strftime("%Y-%m-%d"),
            # what a screen reader says on one square (else Vega reads out the field names)
            "spoken": [f"{names[day.weekday()]} {day.isoformat()}: "
                       + messages.count(counts.get(day, 0), "{count} entry", "{count} entries") for day in days.date],
        }
    )


def calendar_heatmap(counts: dict[dt.date, int], year: int, dark: bool = False, *,
                     language: str | None = None) -> alt.Chart:
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
        f"datum.value == {week} ? '{dates.format_date(day, 'MMM', locale=messages.locale())}'"
        for week, day in zip(first_days["week"], first_days["date"], strict=False)
    )
    title = _("Study calendar {year}").format(year=year)
    studied = int((frame["entries"] > 0).sum())
    description = messages.ngettext(
        "{title}: a calendar with one square per day, greener for more entries; {count} study day.",
        "{title}: a calendar with one square per day, greener for more entries; {count} study days.",
        studied).format(title=title, count=studied)
    return (
        alt.Chart(frame, title=title, description=description)
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
                sort=weekday_names(),
                title=None,
                scale=alt.Scale(paddingInner=0.18),
                axis=alt.Axis(ticks=False, domain=False),
            ),
            color=alt.condition(
                alt.datum.entries == 0,
                alt.value(palette["empty"]),
                alt.Color(
                    "entries:Q",
                    title=_("entries a day"),
                    scale=alt.Scale(domain=[1, most], range=list(palette["ramp"])),
                    legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=120, tickMinStep=1,
                                      format="d"),
                ),
            ),
            tooltip=[alt.Tooltip("label:N", title=_("day")), alt.Tooltip("entries:Q", title=_("entries"))],
            description=alt.Description("spoken:N"),
        )
        .add_params(alt.selection_point(name=CALENDAR_PICK, fields=["day"], on="click", clear=False))
        .properties(height=alt.Step(17))
    )


def type_bar_chart(counts: dict[str, int], *, language: str | None = None) -> alt.Chart:
    """Horizontal bars: number of notes of each type."""
    names = [type_name(kind) for kind in counts]
    frame = pd.DataFrame({"type": names, "notes": list(counts.values()),
                          "spoken": [f"{name}: " + messages.count(number, "{count} note", "{count} notes")
                                     for name, number in zip(names, counts.values(), strict=True)]})
    title = _("Notes by type")
    description = _("{title}: a bar chart, one bar per type of note; {count} notes in all.").format(
        title=title, count=int(frame["notes"].sum()))
    return (
        alt.Chart(frame, title=title, description=description)
        .mark_bar()
        .encode(
            x=alt.X("notes:Q", title=_("notes"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("type:N", sort="-x", title=None),
            tooltip=[alt.Tooltip("type:N", title=_("type")), alt.Tooltip("notes:Q", title=_("notes"))],
            description=alt.Description("spoken:N"),  # what a screen reader says on one bar
        )
        .properties(height=alt.Step(22))
    )
