"""Search, filters, statistics, chart builders and markdown helpers of the journal."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from core.journal import charts, search, stats
from core.journal.notes import build_library, parse_note
from core.journal.render import escape_markdown, highlighted, link_wikilinks


def note(name: str, date: str, note_type: str = "til", tags: str = "[]", body: str = "body", title: str | None = None):
    title_line = f"title: {title}\n" if title else ""
    return parse_note(
        f"---\n{title_line}date: {date}\ntype: {note_type}\ntags: {tags}\n---\n{body}".encode(), f"{name}.md"
    )


NOTES = [
    note("cnn", "2021-08-05", "lecture", "[cnn, convolution]", "합성곱 (convolution) slides a Kernel.",
         "CNN first steps"),
    note("rnn", "2021-08-05", "lecture", "[rnn, bptt]", "Gradients vanish through BPTT.", "RNN first steps"),
    note("retro", "2021-08-06", "retrospective", "[daily]", "Keep, Problem, Try.", "Retrospective"),
]


def test_search_is_case_insensitive_and_finds_korean():
    assert [n.slug for n in search.search(NOTES, "합성곱")] == ["cnn"]
    assert [n.slug for n in search.search(NOTES, "KERNEL")] == ["cnn"]
    assert [n.slug for n in search.search(NOTES, "bptt")] == ["rnn"]


def test_search_needs_every_term_and_looks_at_title_and_tags():
    assert [n.slug for n in search.search(NOTES, "first steps")] == ["cnn", "rnn"]
    assert [n.slug for n in search.search(NOTES, "first vanish")] == ["rnn"]
    assert [n.slug for n in search.search(NOTES, "daily")] == ["retro"]
    assert search.search(NOTES, "transformer") == []
    assert search.search(NOTES, "   ") == NOTES


def test_snippet_highlights_every_match_case_insensitively():
    spans = search.snippet(NOTES[0], "kernel 합성곱")
    assert ("합성곱", True) in spans and ("Kernel", True) in spans
    assert "".join(text for text, _ in spans).replace("…", "") in " ".join(NOTES[0].body.split())


def test_snippet_of_a_title_only_match():
    spans = search.snippet(NOTES[2], "retrospective")
    assert ("Retrospective", True) in spans


def test_filters_by_type_tags_and_dates():
    assert {n.slug for n in search.filter_notes(NOTES, types=["lecture"])} == {"cnn", "rnn"}
    assert {n.slug for n in search.filter_notes(NOTES, tags=["CNN"])} == {"cnn"}
    assert {n.slug for n in search.filter_notes(NOTES, tags=["cnn", "bptt"])} == set()
    day = dt.date(2021, 8, 6)
    assert {n.slug for n in search.filter_notes(NOTES, start=day)} == {"retro"}
    assert {n.slug for n in search.filter_notes(NOTES, end=day - dt.timedelta(days=1))} == {"cnn", "rnn"}


def test_streaks_and_counts():
    days = [dt.date(2021, 8, d) for d in (1, 2, 3, 5, 6)]
    assert stats.longest_streak(days) == 3
    assert stats.current_streak(days, dt.date(2021, 8, 6)) == 2
    assert stats.current_streak(days, dt.date(2021, 8, 7)) == 2, "today still open: yesterday's streak counts"
    assert stats.current_streak(days, dt.date(2021, 8, 8)) == 0
    assert stats.longest_streak([]) == 0
    assert stats.counts_by_type(NOTES)["lecture"] == 2
    assert stats.entries_per_day(NOTES) == {dt.date(2021, 8, 5): 2, dt.date(2021, 8, 6): 1}
    assert stats.calendar_years(stats.entries_per_day(NOTES), dt.date(2026, 11, 28)) == [2026, 2021]


@given(st.sets(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2022, 12, 31)), max_size=40))
def test_longest_streak_matches_a_brute_force_count(days):
    brute = 0
    for day in days:
        length = 0
        while day + dt.timedelta(days=length) in days:
            length += 1
        brute = max(brute, length)
    assert stats.longest_streak(days) == brute


def test_calendar_heatmap_has_one_cell_per_day():
    counts = {dt.date(2021, 8, 5): 6}
    chart = charts.calendar_heatmap(counts, 2021)
    frame = chart.data
    assert len(frame) == 365
    assert frame.loc[frame["date"] == dt.date(2021, 8, 5), "entries"].item() == 6
    assert frame["entries"].sum() == 6
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "rect"
    assert "'Aug'" in spec["encoding"]["x"]["axis"]["labelExpr"]
    assert set(frame["weekday"]) == set(charts.WEEKDAYS)
    assert frame.loc[frame["date"] == dt.date(2021, 8, 5), "weekday"].item() == "Thu"


def test_type_bar_chart_counts():
    chart = charts.type_bar_chart({"lecture": 2, "til": 0})
    assert chart.data.set_index("type")["notes"].to_dict() == {"lecture": 2, "til": 0}


def test_wikilinks_become_links_and_unknown_ones_say_so():
    library = build_library(NOTES, [])
    text = link_wikilinks("See [[cnn]], [[rnn|the RNN note]] and [[ghost]].\n```\n[[cnn]]\n```", library.by_slug)
    assert "[CNN first steps](notes?note=cnn)" in text
    assert "[the RNN note](notes?note=rnn)" in text
    assert "no note named ghost" in text
    assert text.endswith("```\n[[cnn]]\n```"), "code blocks stay untouched"


def test_escape_markdown_neutralises_markup():
    assert escape_markdown("$x$ *a* [b](c) <script>") == r"\$x\$ \*a\* \[b\]\(c\) \<script\>"


def test_highlighted_snippet_markup():
    assert highlighted((("a ", False), ("b", True))) == "a :orange-background[**b**]"
