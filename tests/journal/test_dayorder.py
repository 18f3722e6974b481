"""The day's order: front-matter order and time first, then lecture → assignment → peer session →
master class → retrospective → the rest; used by the library, previous/next and every list."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.journal import dayorder
from core.journal.notes import build_library, parse_note


def note(name: str, note_type: str, date: str = "2021-08-05", extra: str = ""):
    return parse_note(f"---\ndate: {date}\ntype: {note_type}\n{extra}---\n# {name}\n".encode(), f"{name}.md")


def test_a_day_reads_lecture_assignment_peer_session_masterclass_retrospective_then_the_rest():
    day = [note("z-retro", "retrospective"), note("y-til", "til"), note("x-master", "masterclass"),
           note("w-peer", "peer-session"), note("v-assign", "assignment"), note("u-lecture", "lecture")]
    library = build_library(day, [])
    assert [n.type for n in library.notes] == [
        "lecture", "assignment", "peer-session", "masterclass", "retrospective", "til"
    ]


def test_newest_day_first_and_undated_notes_last():
    notes = [note("old", "retrospective", "2021-08-04"), note("new-retro", "retrospective", "2021-08-05"),
             note("new-lecture", "lecture", "2021-08-05"),
             parse_note(b"---\ntype: lecture\n---\n# Undated\n", "undated.md")]
    assert [n.slug for n in build_library(notes, []).notes] == ["new-lecture", "new-retro", "old", "undated"]


def test_order_and_time_fields_come_first_and_override_the_kind_of_note():
    notes = [note("lecture", "lecture"), note("retro-at-nine", "retrospective", extra="time: '09:00'\n"),
             note("master-first", "masterclass", extra="order: 1\n"),
             note("peer-at-eight", "peer-session", extra="time: 8:05\n")]
    assert [n.slug for n in build_library(notes, []).notes] == ["master-first", "peer-at-eight", "retro-at-nine",
                                                                "lecture"]


def test_previous_and_next_follow_the_day_order_across_days():
    notes = [note("d1-retro", "retrospective", "2021-08-04"), note("d1-lecture", "lecture", "2021-08-04"),
             note("d2-lecture", "lecture", "2021-08-05"), note("d2-retro", "retrospective", "2021-08-05")]
    library = build_library(notes, [])
    assert [n and n.slug for n in library.neighbours("d1-retro")] == ["d1-lecture", "d2-lecture"]
    assert [n and n.slug for n in library.neighbours("d2-lecture")] == ["d1-retro", "d2-retro"]
    assert [n and n.slug for n in library.neighbours("d1-lecture")] == [None, "d1-retro"]
    assert [n and n.slug for n in library.neighbours("d2-retro")] == ["d2-lecture", None]


def test_the_shipped_day_reads_in_class_order():
    from pathlib import Path

    from core.journal.notes import load_library

    library = load_library(Path(__file__).resolve().parents[2] / "notes")
    # the example records are dated the day they were made (newer, so listed first); the student's
    # 2021-08-05 reads in class order
    assert [n.type for n in library.notes] == [
        "experiment", "experiment", "experiment",
        "lecture", "lecture", "assignment", "peer-session", "masterclass", "retrospective",
    ]


@pytest.mark.parametrize(
    ("value", "minutes"),
    [("14:30", 870), ("9:05", 545), ("14h30", 870), ("07.15", 435), (870, 870), ("14:30:59", 870),
     (dt.time(6, 7), 367), ("25:00", None), ("12:60", None), ("noon", None), (True, None), (-5, None),
     (24 * 60, None), (None, None), (["14:30"], None)],
)
def test_minutes_of_day_reads_clock_times_and_yaml_sexagesimal_numbers(value, minutes):
    assert dayorder.minutes_of_day(value) == minutes


@pytest.mark.parametrize(("value", "order"), [(2, 2.0), ("1.5", 1.5), (True, None), ("x", None),
                                              (float("nan"), None), ("inf", None), ({"a": 1}, None)])
def test_explicit_order_is_a_finite_number_or_nothing(value, order):
    assert dayorder.explicit_order(value) == order


@given(st.lists(st.tuples(st.sampled_from(["lecture", "assignment", "til", "retrospective", "experiment"]),
                          st.integers(min_value=1, max_value=4),
                          st.one_of(st.none(), st.integers(0, 1439), st.text(max_size=6), st.booleans())),
                max_size=12))
def test_the_journal_order_is_total_newest_day_first_and_never_raises(specs):
    notes = []
    for index, (note_type, day, time) in enumerate(specs):
        meta = {"time": time}
        base = note(f"n{index}", note_type, f"2021-08-0{day}")
        notes.append(base.__class__(**{**base.__dict__, "meta": meta}))
    ordered = dayorder.in_journal_order(notes)
    assert sorted(n.slug for n in ordered) == sorted(n.slug for n in notes)
    dates = [n.date for n in ordered]
    assert dates == sorted(dates, reverse=True)
    assert dayorder.in_reading_order(notes) == sorted(notes, key=lambda n: (n.date, dayorder.within_day_key(n)))
