"""core.templates: every template makes a note that loads, and the retrospective carries over
the previous day's open Try items."""

from __future__ import annotations

import datetime as dt

import pytest

from core.journal import notes as notes_lib
from core.journal import storage, templates
from tests.conftest import SHIPPED_NOTES

DAY = dt.date(2021, 8, 6)


def retro(body: str, date: dt.date, name: str = "retro") -> notes_lib.Note:
    text = f"---\ntitle: Retro\ndate: {date.isoformat()}\ntype: retrospective\n---\n{body}"
    return notes_lib.parse_note(text.encode(), f"{date.isoformat()}-{name}.md")


@pytest.mark.parametrize("template", templates.TEMPLATES, ids=lambda t: t.key)
def test_every_template_makes_a_note_that_loads(template):
    draft = templates.new_entry(template.key, DAY)
    assert draft.type == template.type and draft.type in notes_lib.NOTE_TYPES
    note = storage.draft_note(
        storage.build_meta(draft.title or "Title", DAY, draft.type, draft.tags), draft.body, "x.md"
    )
    assert note.type == template.type and note.date == DAY and not note.warnings
    assert note.body.count("## ") >= 4


def test_the_templates_cover_the_kinds_of_entry_the_journal_has():
    assert {t.key for t in templates.TEMPLATES} == {
        "til", "lecture", "assignment", "peer-session", "retrospective", "masterclass"
    }
    sections = templates.new_entry("peer-session", DAY).body
    for heading in ("## Attendees", "## Agenda", "## Decisions", "## Action items"):
        assert heading in sections
    kpt = templates.new_entry("retrospective", DAY).body
    assert kpt.index("## Keep") < kpt.index("## Problem") < kpt.index("## Try")


def test_open_try_items_skip_done_ones_and_join_wrapped_lines():
    body = """## Keep

- [ ] not a try item

## Try

- [ ] open one
- [x] done one
- [X] done too
- plain bullet counts as open
1. numbered works
- [ ] wrapped over
      two lines
### Sub-heading inside Try
* [ ] starred

## Next section
- [ ] outside again
"""
    assert templates.open_try_items(body) == [
        "open one", "plain bullet counts as open", "numbered works", "wrapped over two lines", "starred"
    ]


def test_try_as_a_bold_label_and_odd_headings():
    body = "**Keep**\n- a\n\n**Try**\n- [ ] b\n- [ ] b\n\n**Problem**\n- c\n\n## Trying times\n- [ ] not try\n"
    assert templates.open_try_items(body) == ["b"]
    assert templates.open_try_items("### 🚀 Try (next)\n- [ ] d\n") == ["d"]
    assert templates.open_try_items("no sections at all\n- [ ] e\n") == []


def test_carry_over_from_the_shipped_retrospective():
    library = notes_lib.load_library(SHIPPED_NOTES)
    draft = templates.new_entry("retrospective", DAY, library.notes)
    assert "Carried over from [[2021-08-05-retrospective|2021-08-05]]" in draft.body
    try_section = draft.body.split("## Try", 1)[1]
    assert "- [ ] Do today's quiz." in try_section
    assert (
        "- [ ] Review the RNN BPTT formulas: re-derive $\\partial h_t / \\partial w_h$ and connect it to the "
        "$w_{rec}^{\\,T-k}$ rule from the assignment."
    ) in try_section
    assert try_section.count("- [ ]") == 5


def test_carry_over_uses_the_latest_earlier_retrospective_only():
    notes = [
        retro("## Try\n- [ ] older\n", dt.date(2021, 8, 3), "a"),
        retro("## Try\n- [ ] yesterday\n- [x] finished\n", dt.date(2021, 8, 5), "b"),
        retro("## Try\n- [ ] same day\n", DAY, "c"),
        retro("## Try\n- [ ] future\n", dt.date(2021, 8, 9), "d"),
    ]
    assert templates.previous_retrospective(notes, DAY).slug == "2021-08-05-b"
    body = templates.new_entry("retrospective", DAY, notes).body
    assert "- [ ] yesterday" in body
    for absent in ("older", "finished", "same day", "future"):
        assert absent not in body


def test_nothing_to_carry_over_leaves_an_empty_checklist():
    body = templates.new_entry("retrospective", DAY, [retro("## Try\n- [x] all done\n", dt.date(2021, 8, 5))]).body
    assert "Carried over" not in body and body.rstrip().endswith("- [ ]")


def test_todays_entry_finds_the_til_of_the_day():
    til = notes_lib.parse_note(b"---\ntitle: T\ndate: 2021-08-06\ntype: til\n---\n", "2021-08-06-t.md")
    lecture = notes_lib.parse_note(b"---\ntitle: L\ndate: 2021-08-06\ntype: lecture\n---\n", "2021-08-06-l.md")
    assert templates.todays_entry([lecture, til], DAY) == til
    assert templates.todays_entry([lecture], DAY) is None
    assert templates.todays_entry([til], dt.date(2021, 8, 7)) is None
