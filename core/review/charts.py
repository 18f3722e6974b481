"""Chart builders for the review statistics: data in, `alt.Chart` out (no streamlit).

Titles, legends, day labels and descriptions follow the interface language (core.messages);
the keyword `language` of each builder is not used to build the chart but names the language
for ui.widgets.chart, which caches a spec per distinct input.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
from babel import dates

from core import messages
from core.journal.charts import WEEKDAYS  # noqa: F401 (the English names, read from here by callers)
from core.messages import N_, _

FORECAST_KINDS = {"cards": N_("cards due"), "notes": N_("notes due"), "new": N_("new today")}
FORECAST_COLOURS = ["#1f77b4", "#9467bd", "#2ca02c"]


def _weekday(day: dt.date) -> str:
    """The short weekday name in the interface language: Mon, 월."""
    return dates.format_date(day, "EEE", locale=messages.locale())


def _weekdays() -> list[str]:
    """Monday to Sunday, short, in the interface language (WEEKDAYS in English)."""
    monday = dt.date(2024, 1, 1)
    return [_weekday(monday + dt.timedelta(days=offset)) for offset in range(7)]


def forecast_frame(forecast: dict[dt.date, dict[str, int]]) -> pd.DataFrame:
    """One row per day and kind (cards due, notes due, new today): date, day label, kind, count."""
    rows = [
        {"date": day, "day": f"{_weekday(day)} {day.strftime('%m-%d')}", "kind": _(FORECAST_KINDS[kind]),
         "count": counts.get(kind, 0)}
        for day, counts in sorted(forecast.items())
        for kind in FORECAST_KINDS
    ]
    return pd.DataFrame(rows, columns=["date", "day", "kind", "count"])


def forecast_chart(forecast: dict[dt.date, dict[str, int]], *, language: str | None = None) -> alt.Chart:
    """Stacked bars: what is due on each of the coming days (today first, overdue included)."""
    frame = forecast_frame(forecast)
    order = list(frame["day"].drop_duplicates())
    kinds = [_(kind) for kind in FORECAST_KINDS.values()]
    total = int(frame["count"].sum())
    return (
        alt.Chart(frame, title=_("Due today and in the next 14 days"),
                  description=_("Due today and in the next 14 days: stacked bars, one per day, of cards due, notes "
                                "due and new cards; {total} in all.").format(total=total))
        .mark_bar()
        .encode(
            x=alt.X("day:N", sort=order, title=None, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(count):Q", title=_("reviews due"), axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("kind:N", title=None, sort=kinds,
                            scale=alt.Scale(domain=kinds, range=FORECAST_COLOURS),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("day:N", title=_("day")), alt.Tooltip("kind:N", title=_("kind")),
                     alt.Tooltip("count:Q", title=_("count"))],
        )
        .properties(height=300)
    )


def review_calendar_frame(counts: dict[dt.date, int], today: dt.date, weeks: int = 26) -> pd.DataFrame:
    """One row per day of the `weeks` weeks ending with today's week: date, week, weekday, reviews."""
    last_monday = today - dt.timedelta(days=today.weekday())
    first = last_monday - dt.timedelta(weeks=weeks - 1)
    days = [first + dt.timedelta(days=offset) for offset in range((today - first).days + 1)]
    return pd.DataFrame(
        {
            "date": days,
            "week": [(day - first).days // 7 for day in days],
            "weekday": [_weekday(day) for day in days],
            "reviews": [counts.get(day, 0) for day in days],
            "label": [f"{_weekday(day)} {day.isoformat()}" for day in days],
        }
    )


def review_calendar(counts: dict[dt.date, int], today: dt.date, weeks: int = 26, *,
                    language: str | None = None) -> alt.Chart:
    """A review calendar: one square per day of the last `weeks` weeks, coloured by reviews done."""
    frame = review_calendar_frame(counts, today, weeks)
    most = max(1, int(frame["reviews"].max()))
    title = messages.ngettext("Reviews per day, last {count} week", "Reviews per day, last {count} weeks",
                              weeks).format(count=weeks)
    description = _("{title}: a calendar with one square per day, darker for more reviews; {reviews} reviews "
                    "on {days} days.").format(title=title, reviews=int(frame["reviews"].sum()),
                                              days=int((frame["reviews"] > 0).sum()))
    return (
        alt.Chart(frame, title=title, description=description)
        .mark_rect(cornerRadius=2, stroke="white", strokeWidth=1.5)
        .encode(
            x=alt.X("week:O", title=None, axis=None),
            y=alt.Y("weekday:N", sort=_weekdays(), title=None, axis=alt.Axis(ticks=False, domain=False)),
            color=alt.Color("reviews:Q", title=_("reviews a day"),
                            scale=alt.Scale(domain=[0, most], range=["#ebedf0", "#1f5fa8"]),
                            legend=alt.Legend(orient="right", gradientLength=90, tickMinStep=1, format="d")),
            tooltip=[alt.Tooltip("label:N", title=_("day")), alt.Tooltip("reviews:Q", title=_("reviews"))],
        )
        .properties(height=alt.Step(17))
    )
