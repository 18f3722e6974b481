"""The Write page's status line, the calendar's palettes and the labs' last use."""

from __future__ import annotations

import datetime as dt

import pytest

from core.journal import charts, editor, stats
from core.journal.notes import build_library, parse_note

NOW = dt.datetime(2026, 11, 30, 15, 4, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("facts", "state", "label"),
    [
        ({"editing": True, "dirty": False, "conflict": False, "saved_at": NOW.replace(hour=14, minute=2)},
         "saved", "Saved at 14:02"),
        ({"editing": True, "dirty": False, "conflict": False, "saved_at": dt.datetime(2021, 8, 5, 9, 30,
                                                                                       tzinfo=dt.timezone.utc)},
         "saved", "Saved at 2021-08-05 09:30"),
        ({"editing": True, "dirty": True, "conflict": False, "saved_at": NOW}, "unsaved", "Unsaved changes"),
        ({"editing": False, "dirty": True, "conflict": False, "draft_at": NOW.replace(minute=3)},
         "unsaved", "Unsaved changes · draft kept at 15:03"),
        ({"editing": False, "dirty": False, "conflict": False}, "new", "New entry · not saved yet"),
        ({"editing": True, "dirty": True, "conflict": True, "saved_at": NOW}, "conflict",
         "Conflict: the note changed on disk. Choose below what to keep."),
    ],
)
def test_the_status_line_says_what_is_true(facts, state, label):
    result = editor.status(**{"saved_at": None, "draft_at": None, **facts}, now=NOW)
    assert (result.state, result.label) == (state, label)


def test_the_status_never_says_saved_while_the_text_differs():
    for editing in (True, False):
        for conflict in (True, False):
            result = editor.status(editing=editing, dirty=True, conflict=conflict, saved_at=NOW, draft_at=NOW, now=NOW)
            assert "Saved" not in result.label and result.state in ("unsaved", "conflict")


def _colors(chart) -> tuple[str, list[str]]:
    color = chart.to_dict()["encoding"]["color"]
    return color["condition"]["value"], color["scale"]["range"]


def test_calendar_palettes_for_light_and_dark_backgrounds():
    counts = {dt.date(2021, 8, 5): 6, dt.date(2021, 8, 6): 1}
    light_empty, light_ramp = _colors(charts.calendar_heatmap(counts, 2021))
    dark_empty, dark_ramp = _colors(charts.calendar_heatmap(counts, 2021, dark=True))
    assert (light_empty, light_ramp) == (charts.CALENDAR_LIGHT["empty"], list(charts.CALENDAR_LIGHT["ramp"]))
    assert (dark_empty, dark_ramp) == (charts.CALENDAR_DARK["empty"], list(charts.CALENDAR_DARK["ramp"]))

    def luminance(hex_colour: str) -> float:
        red, green, blue = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    streamlit_dark_background, white = luminance("#0e1117"), 1.0
    assert 0.08 < luminance(dark_empty) - streamlit_dark_background < 0.3, "visible, never glaring"
    assert 0.05 < white - luminance(light_empty) < 0.2
    assert luminance(dark_ramp[1]) > luminance(dark_ramp[0]), "more entries are brighter on dark"
    assert luminance(light_ramp[1]) < luminance(light_ramp[0]), "more entries are darker on light"
    spec = charts.calendar_heatmap(counts, 2021, dark=True).to_dict()
    assert "stroke" not in spec["mark"], "no white grid lines"
    assert spec["encoding"]["color"]["condition"]["test"] == "(datum.entries === 0)"


def note(name: str, date: str | None, note_type: str = "til", labs: str = "[]"):
    date_line = f"date: {date}\n" if date else ""
    return parse_note(f"---\n{date_line}type: {note_type}\nlabs: {labs}\n---\n# {name}\n".encode(), f"{name}.md")


def test_a_labs_last_use_is_its_latest_paired_note():
    notes = build_library([
        note("old", "2021-08-04", "lecture", "[conv]"), note("lecture", "2021-08-05", "lecture", "[conv, bptt]"),
        note("retro", "2021-08-05", "retrospective", "[conv]"), note("undated", None, "experiment", "[bptt]"),
        note("other", "2021-08-09", "til"),
    ], []).notes
    assert stats.last_use(notes, "conv").slug == "retro"
    assert stats.last_use(notes, "bptt").slug == "lecture"
    assert stats.last_use(notes, "nothing") is None


def test_recent_experiments_newest_first():
    notes = build_library([note(f"e{day}", f"2021-08-0{day}", "experiment") for day in range(1, 8)]
                          + [note("t", "2021-08-09", "til")], []).notes
    assert [n.slug for n in stats.recent_of_type(notes, "experiment", 3)] == ["e7", "e6", "e5"]
    assert stats.recent_of_type(notes, "masterclass", 3) == []


def test_editor_fields_for_a_note_and_for_a_template():
    lecture = note("lecture", "2021-08-05", "lecture", "[conv]")
    today = dt.date(2026, 11, 30)
    assert editor.note_fields(lecture, today)["date"] == dt.date(2021, 8, 5)
    assert editor.note_fields(note("undated", None), today)["date"] == today
    with_course = parse_note(b"---\ndate: 2021-08-05\ncourse: AI Math\n---\n# C\n", "c.md")
    fields = editor.template_fields("retrospective", today, [with_course])
    assert (fields["type"], fields["date"], fields["course"]) == ("retrospective", today, "AI Math")
    assert fields["body"].startswith("## How the day went")
    assert editor.latest_course([lecture]) == ""
