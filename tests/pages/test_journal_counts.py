"""AppTest: one count and one wording everywhere for the notes folder's problems (review finding 4)
and for what is due (finding 5); sync conflict copies are not entries (finding 16)."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from tests.conftest import APP

BAD_CARDS = """---
title: Bad cards
date: 2021-08-06
---
Q: a question without an answer

```quiz
question: What?
answer: this
choices:
- that
- other
```

```practice
generator: no-such-generator
```
"""


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_problem_count_and_wording_agree_on_every_page(notes_dir):
    (notes_dir / "2021-08-06-unreadable.md").write_bytes(b"---\ntitle: [oops\n---\n")
    (notes_dir / "2021-08-06-bad-cards.md").write_text(BAD_CARDS)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.sidebar.caption[-1].value == "7 notes · 4 problems in 2 files"
    warning = next(w.value for w in at.warning if "problems in" in w.value)
    assert warning.startswith("4 problems in 2 files: 1 file could not be read as a note and 3 review cards "
                              "cannot be used.")
    assert len(at.dataframe[0].value) == 4, "the unknown practice generator is listed too"
    at.switch_page("pages/review.py").run()
    assert not at.exception
    assert at.sidebar.caption[-1].value == "7 notes · 4 problems in 2 files"
    assert at.expander[0].label.endswith("Review cards that cannot be used: 3 problems in 1 file")


def test_due_means_the_same_on_the_dashboard_and_the_review_page(notes_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    caption = next(c.value for c in at.caption if "due now" in c.value)
    at.switch_page("pages/review.py").run()
    due = metric(at, "Due now")
    assert caption == f"Nothing reviewed yet. {due} due now: 20 new cards, 6 notes.", caption
    help_text = next(m.proto.help for m in at.metric if m.label == "Due now")
    assert help_text.startswith(f"{due} due now: 20 new cards, 6 notes.")


def test_a_sync_conflict_copy_is_marked_and_counts_as_no_entry(notes_dir):
    original = notes_dir / "2021-08-05-mentor-meeting.md"
    copy = notes_dir / "2021-08-05-mentor-meeting.conflict-1a2b3c4d.md"
    copy.write_text(original.read_text(encoding="utf-8").replace("Mentor meeting", "Mentor meeting (theirs)"),
                    encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert metric(at, "Notes") == "6" and metric(at, "Study days") == "1"
    recent = next(m.value for m in at.markdown if m.value.startswith("- ") and "CNN first steps" in m.value)
    assert "conflict" not in recent and "(theirs)" not in recent, "not among the recent entries"
    assert r"Mentor meeting \(theirs\)" in "\n".join(m.value for m in at.markdown), "listed under the sync warning"
    at.switch_page("pages/review.py").run()
    before = metric(at, "Due now")
    copy.unlink()
    at.run()
    assert metric(at, "Due now") == before, "the copy's cards (same ids) and its note card are not in the deck"
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    at.switch_page("pages/notes.py")
    at.query_params["note"] = "2021-08-05-mentor-meeting.conflict-1a2b3c4d"
    at.run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "conflict copy" in w.value)
    assert "conflict copy of `2021-08-05-mentor-meeting.md`" in warning and "Sync page" in warning
    assert any("conflict copy" in m.value and "Mentor meeting" in m.value for m in at.markdown), "marked in the list"


def test_stats_ignore_conflict_copies():
    from core.journal import stats
    from core.journal.notes import parse_note

    day = dt.date(2021, 8, 5)
    note = parse_note(b"---\ntitle: A\ndate: 2021-08-05\ntype: lecture\n---\nx\n", "a.md")
    copy = parse_note(b"---\ntitle: A\ndate: 2021-08-05\ntype: lecture\n---\nx\n", "a.conflict-0123abcd.md")
    assert copy.conflict_of == "a.md" and note.conflict_of is None
    assert stats.entries_per_day([note, copy]) == {day: 1}
    assert stats.counts_by_type([note, copy])["lecture"] == 1
    assert stats.recent_entries([copy, note], 5) == [note]
