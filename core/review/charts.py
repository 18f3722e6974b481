"""Chart builders for the review statistics: data in, `alt.Chart` out (no streamlit)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from core.journal.charts import WEEKDAYS

FORECAST_KINDS = {"cards": "cards due", "notes": "notes due", "new": "new today"}
FORECAST_COLOURS = ["#1f77b4", "#9467bd", "#2ca02c"]


def forecast_frame(forecast: dict[dt.date, dict[str, int]]) -> pd.DataFrame:
    """One row per day and kind (cards due, notes due, new today): date, day label, kind, count."""
    rows = [
        {"date": day, "day": f"{WEEKDAYS[day.weekday()]} {day.strftime('%m-%d')}", "kind": FORECAST_KINDS[kind],
         "count": counts.get(kind, 0)}
        for day, counts in sorted(forecast.items())
        for kind in FORECAST_KINDS
    ]
    return pd.DataFrame(rows, columns=["date", "day", "kind", "count"])


def forecast_chart(forecast: dict[dt.date, dict[str, int]]) -> alt.Chart:
    """Stacked bars: what is due on each of the coming days (today first, overdue included)."""
    frame = forecast_frame(forecast)
    order = list(frame["day"].drop_duplicates())
    return (
        alt.Chart(frame, title="Due today and in the next 14 days")
        .mark_bar()
        .encode(
            x=alt.X("day:N", sort=order, title=None, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(count):Q", title="reviews due", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("kind:N", title=None, sort=list(FORECAST_KINDS.values()),
                            scale=alt.Scale(domain=list(FORECAST_KINDS.values()), range=FORECAST_COLOURS),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("day:N", title="day"), alt.Tooltip("kind:N"), alt.Tooltip("count:Q")],
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
            "weekday": [WEEKDAYS[day.weekday()] for day in days],
            "reviews": [counts.get(day, 0) for day in days],
            "label": [day.strftime("%a %Y-%m-%d") for day in days],
        }
    )


def review_calendar(counts: dict[dt.date, int], today: dt.date, weeks: int = 26) -> alt.Chart:
    """A review calendar: one square per day of the last `weeks` weeks, coloured by reviews done."""
    frame = review_calendar_frame(counts, today, weeks)
    most = max(1, int(frame["reviews"].max()))
    return (
        alt.Chart(frame, title=f"Reviews per day, last {weeks} weeks")
        .mark_rect(cornerRadius=2, stroke="white", strokeWidth=1.5)
        .encode(
            x=alt.X("week:O", title=None, axis=None),
            y=alt.Y("weekday:N", sort=WEEKDAYS, title=None, axis=alt.Axis(ticks=False, domain=False)),
            color=alt.Color("reviews:Q", title="reviews a day",
                            scale=alt.Scale(domain=[0, most], range=["#ebedf0", "#1f5fa8"]),
                            legend=alt.Legend(orient="right", gradientLength=90, tickMinStep=1, format="d")),
            tooltip=[alt.Tooltip("label:N", title="day"), alt.Tooltip("reviews:Q", title="reviews")],
        )
        .properties(height=alt.Step(17))
    )
