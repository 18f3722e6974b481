"""AppTest for the Review page, practice blocks in notes and the dashboard's review section."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core import practice
from core.practice.exercise import number_text
from core.review.cards import card_id
from core.review.log import log_path
from tests.conftest import APP, use_notes_folder

NOTE = """---
title: Review me
date: 2021-08-05
type: lecture
---
# Review me

Q: A 28×28 input, a 5×5 kernel, stride 1, no padding: what size is the output?
A: 24×24 ($28 - 5 + 1$)

Q: First question?
A: First answer.

Q: Second question?
A: Second answer.

```quiz
question: Which way does the gradient go when $|w_{rec}| < 1$?
choices:
- it vanishes
- it explodes
answer: it vanishes
```

```practice
generator: conv-output-size
```
"""


@pytest.fixture
def review_notes(tmp_path, monkeypatch):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2021-08-05-review-me.md").write_text(NOTE, encoding="utf-8")
    return use_notes_folder(folder, monkeypatch)


def open_review(tab: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/review.py").run()
    if tab:
        at.session_state["review_tab"] = tab
        at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def logged(folder) -> list[dict]:
    path = log_path(folder)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def text_of(at: AppTest) -> str:
    return "\n".join(element.value for element in [*at.markdown, *at.caption, *at.success, *at.error, *at.info])


def test_review_a_card_through_each_grade_and_see_the_due_count_drop(review_notes):
    at = open_review()
    assert metric(at, "Due now") == "6", "4 cards, a practice problem and the note"
    assert [t.label for t in at.tabs] == ["Review", "Practice"]
    assert "24×24" not in text_of(at), "the answer stays hidden until revealed"
    for grade in (1, 2, 3, 4):
        assert at.button(key="reveal").label == "Show answer"
        assert at.button(key="reveal").proto.shortcut == "space"
        at.button(key="reveal").click().run()
        if grade == 1:
            assert "24×24 ($28 - 5 + 1$)" in text_of(at)
        labels = [at.button(key=f"grade-{g}").label for g in (1, 2, 3, 4)]
        assert [label.split(" · ")[0] for label in labels] == ["Again", "Hard", "Good", "Easy"]
        at.button(key=f"grade-{grade}").click().run()
        assert not at.exception
        assert metric(at, "Due now") == str(6 - grade)
        assert metric(at, "Reviewed today") == str(grade)
    entries = logged(review_notes)
    assert [e["grade"] for e in entries] == [1, 2, 3, 4]
    assert entries[0]["card"] == card_id("A 28×28 input, a 5×5 kernel, stride 1, no padding: what size is the output?")
    assert {e["note"] for e in entries} == {"2021-08-05-review-me.md"}
    assert entries[3]["kind"] == "quiz"
    assert all(isinstance(e["ms"], int) for e in entries)


def test_grade_buttons_show_the_schedulers_intervals(review_notes):
    at = open_review()
    at.button(key="reveal").click().run()
    assert [at.button(key=f"grade-{g}").label for g in (1, 2, 3, 4)] == [
        "Again · 1 min", "Hard · 6 min", "Good · 10 min", "Easy · 8 d"]
    assert at.button(key="grade-3").proto.shortcut == "3" and at.button(key="grade-1").proto.shortcut == "1"


def test_quiz_choice_is_marked_right_or_wrong_on_reveal(review_notes):
    at = open_review()
    for _ in range(3):
        at.button(key="reveal").click().run()
        at.button(key="grade-3").click().run()
    assert "Keys: a pick shows the answer (or Space without one), then 1 again" in text_of(at)
    at.radio(key=f"pick-{card_id('Which way does the gradient go when $|w_{rec}| < 1$?')}").set_value(
        "it explodes").run()
    assert not [button for button in at.button if button.key == "reveal"], "the pick itself reveals the answer"
    assert any("You picked it explodes: not this one" in e.value for e in at.error)
    assert "it vanishes" in text_of(at)
    assert at.button(key="grade-3").proto.shortcut == "3", "the grades (and their keys) follow at once"


def answer_queued_practice(at: AppTest, offset: int) -> str:
    """Grade the four cards before the queue's practice problem, then answer it `offset` away from
    the right number; returns the problem's widget key."""
    for _ in range(4):
        at.button(key="reveal").click().run()
        at.button(key="grade-3").click().run()
    key = "queue-practice:conv-output-size"
    exercise = practice.draw("conv-output-size", at.session_state[f"{key}-seed"])
    at.text_input(key=f"{key}-answer").set_value(str(exercise.expected + offset))
    at.button(key="FormSubmitter:" + f"{key}-form-Check").click().run()
    return key


def test_a_note_card_names_only_the_keys_that_work_and_does_not_repeat_its_title(review_notes):
    at = open_review()
    key = answer_queued_practice(at, 0)
    at.button(key=f"{key}-next").click().run()
    assert "Recall it first, then grade." in text_of(at), "the note card is on screen"
    assert "Keys: 1 again, 2 hard, 3 good, 4 easy." in text_of(at) and "Space" not in text_of(at)
    titles = [element.value for element in [*at.markdown, *at.title, *at.header] if "Review me" in element.value]
    assert titles == ["### Review me"], "the expander shows the note's body, not its title and chips again"


def test_the_grades_are_explained_to_a_first_time_reviewer(review_notes):
    at = open_review()
    at.button(key="reveal").click().run()
    explained = text_of(at)
    assert "**Again** forgot it" in explained and "**Easy** knew it at once" in explained
    assert "Each button shows when the card comes back" in explained


def test_practice_in_the_queue_is_checked_logged_and_then_moves_on(review_notes):
    at = open_review()
    key = answer_queued_practice(at, 1)
    exercise = practice.draw("conv-output-size", at.session_state[f"{key}-seed"])
    assert not at.exception
    assert any("Not quite" in e.value for e in at.error)
    assert "Worked solution" in text_of(at) and f"+ 1 = {exercise.expected} \\end{{aligned}}$$" in text_of(at)
    assert logged(review_notes)[-1] == {**logged(review_notes)[-1], "card": "practice:conv-output-size", "grade": 1}
    assert at.button(key=f"{key}-next").proto.shortcut == "enter"
    at.button(key=f"{key}-next").click().run()
    assert metric(at, "Due now") == "1", "the note is left"
    assert "Review me" in text_of(at)


def test_practice_tab_right_and_wrong_answers(review_notes):
    at = open_review("Practice")
    assert at.selectbox(key="practice_generator").value == "conv-output-size"
    assert "Tolerance: " in text_of(at), "a number answer states its tolerance"
    key = "practice-tab-conv-output-size"
    exercise = practice.draw("conv-output-size", at.session_state[f"{key}-seed"])
    at.text_input(key=f"{key}-answer").set_value(f" {exercise.expected} ")
    at.button(key=f"FormSubmitter:{key}-form-Check").click().run()
    assert any(f"Right: {exercise.expected}." in s.value for s in at.success)
    at.button(key=f"{key}-next").click().run()
    exercise = practice.draw("conv-output-size", at.session_state[f"{key}-seed"])
    at.text_input(key=f"{key}-answer").set_value(str(exercise.expected - 1))
    at.button(key=f"FormSubmitter:{key}-form-Check").click().run()
    assert any(f"the answer is {exercise.expected}" in e.value for e in at.error)
    assert f"+ 1 = {exercise.expected} \\end{{aligned}}$$" in text_of(at), "the worked solution, with its numbers"
    assert [(e["card"], e["grade"], e["kind"]) for e in logged(review_notes)] == [
        ("practice:conv-output-size", 3, "practice"), ("practice:conv-output-size", 1, "practice")]
    at.selectbox(key="practice_generator").set_value("vanish-or-explode").run()
    key = "practice-tab-vanish-or-explode"
    exercise = practice.draw("vanish-or-explode", at.session_state[f"{key}-seed"])
    assert "Tolerance" not in text_of(at), "a pick has no tolerance to state"
    assert not [button for button in at.button if "Check" in (button.label or "")], "no Check button to reach"
    at.radio(key=f"{key}-answer").set_value(exercise.expected).run()
    assert any("Right" in s.value for s in at.success), "the pick is checked at once"


def test_unreadable_practice_answer_is_not_graded(review_notes):
    at = open_review("Practice")
    key = "practice-tab-conv-output-size"
    at.text_input(key=f"{key}-answer").set_value("twelve")
    at.button(key=f"FormSubmitter:{key}-form-Check").click().run()
    assert not at.exception and logged(review_notes) == []
    [warning] = [w.value for w in at.warning if "Could not read" in w.value]
    assert "type a whole number, e.g. 24" in warning, "the sentence says what is expected, under the answer box"
    exercise = practice.draw("conv-output-size", at.session_state[f"{key}-seed"])
    at.text_input(key=f"{key}-answer").set_value(f"{exercise.expected}x{exercise.expected}")
    at.button(key=f"FormSubmitter:{key}-form-Check").click().run()
    assert any("Right" in s.value for s in at.success) and not [w for w in at.warning if "Could not" in w.value]
    assert [e["grade"] for e in logged(review_notes)] == [3]


def test_read_only_turns_reviewing_off_but_practice_still_checks(review_notes, monkeypatch):
    monkeypatch.setenv("STUDYLAB_READONLY", "1")
    at = open_review()
    assert any("Reviewing is off" in info.value for info in at.info)
    assert not [b for b in at.button if b.key == "reveal"]
    assert at.button(key="FormSubmitter:review_settings-Save settings").disabled
    at.session_state["review_tab"] = "Practice"
    at.run()
    key = "practice-tab-conv-output-size"
    exercise = practice.draw("conv-output-size", at.session_state[f"{key}-seed"])
    at.text_input(key=f"{key}-answer").set_value(str(exercise.expected))
    at.button(key=f"FormSubmitter:{key}-form-Check").click().run()
    assert any("Right" in s.value for s in at.success)
    assert "not logged" in text_of(at)
    assert not (review_notes / ".studylab").exists()


def test_empty_states(review_notes, tmp_path, monkeypatch):
    at = open_review()
    while metric(at, "Due now") != "0":
        if [b for b in at.button if b.key == "reveal"]:
            at.button(key="reveal").click().run()
        if [b for b in at.button if b.key == "grade-4"]:
            at.button(key="grade-4").click().run()
        else:
            key = "queue-practice:conv-output-size"
            exercise = practice.draw("conv-output-size", at.session_state[f"{key}-seed"])
            at.text_input(key=f"{key}-answer").set_value(number_text(exercise.expected))
            at.button(key=f"FormSubmitter:{key}-form-Check").click().run()
            at.button(key=f"{key}-next").click().run()
        assert not at.exception
    assert any("All done for now. The next card is due" in s.value for s in at.success)
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "2021-08-05-plain.md").write_text("---\ntitle: Plain\n---\nNo cards here.\n")
    monkeypatch.setenv("STUDYLAB_NOTES_DIR", str(bare))
    at = open_review()
    assert metric(at, "Due now") == "1", "the note itself"
    at.button(key="grade-3").click().run()
    assert any("no review cards yet" in info.value for info in at.info)


def test_malformed_cards_are_listed_on_the_dashboard_and_the_review_page(review_notes):
    (review_notes / "2021-08-06-broken.md").write_text("---\ntitle: Broken\n---\nQ: no answer\n\ntext\n")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["file"]) == ["2021-08-06-broken.md"] and list(frame["line"]) == [4]
    assert "without an 'A:' line" in frame["reason"][0]
    assert any("1 problem in 1 file: 1 review card cannot be used" in w.value for w in at.warning)
    at.switch_page("pages/review.py").run()
    assert at.expander[0].label.endswith("Review cards that cannot be used: 1 problem in 1 file")


def test_notes_page_shows_quiz_and_live_practice_blocks(notes_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/notes.py")
    at.query_params["note"] = "2021-08-05-cnn-first-steps"
    at.run()
    assert not at.exception
    assert any("**Quiz**" in m.value for m in at.markdown)
    assert any(e.label == "Answer" for e in at.expander)
    prefix = "note-practice-2021-08-05-cnn-first-steps-"
    lines = sorted(int(k[len(prefix):-len("-seed")]) for k in at.session_state if k.startswith(prefix)
                   and k.endswith("-seed"))
    assert len(lines) == 3, "three live practice blocks, keyed by their line"
    key = f"{prefix}{lines[0]}"
    exercise = practice.draw("conv-output-size", at.session_state[f"{key}-seed"])
    at.text_input(key=f"{key}-answer").set_value(str(exercise.expected))
    at.button(key=f"FormSubmitter:{key}-form-Check").click().run()
    assert any("Right" in s.value for s in at.success)
    assert logged(notes_dir)[0]["note"] == "2021-08-05-cnn-first-steps.md"


def test_dashboard_review_section_after_some_reviews(review_notes):
    at = open_review()
    for grade in (3, 1):
        at.button(key="reveal").click().run()
        at.button(key=f"grade-{grade}").click().run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[-5:] == ["Due now", "Due in the next 14 days", "Reviews, last 30 days", "Retention, last 30 days",
                           "Pass rate, last 30 days"]
    assert metric(at, "Reviews, last 30 days") == "2" and metric(at, "Pass rate, last 30 days") == "50%"
    assert metric(at, "Retention, last 30 days") == "–", "two learning steps of a new card measure no retention"
    assert any("against the desired retention of 90%" in c.value for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 4


def test_two_sessions_reviewing_at_once_lose_nothing(review_notes):
    first, second = open_review(), open_review()
    for at in (first, second):
        at.button(key="reveal").click().run()
    first.button(key="grade-3").click().run()
    second.button(key="grade-4").click().run()
    assert [e["grade"] for e in logged(review_notes)] == [3, 4]
    first.run()
    assert metric(first, "Reviewed today") == metric(second, "Reviewed today") == "2"


def test_a_state_folder_that_is_a_file_or_a_missing_notes_folder_never_crash(review_notes, monkeypatch):
    (review_notes / ".studylab").write_text("not a folder")
    at = open_review()
    assert any("cannot be read" in w.value for w in at.warning)
    at.button(key="reveal").click().run()
    at.button(key="grade-3").click().run()
    assert not at.exception
    assert any("not recorded" in t.proto.body for t in at.toast)
    monkeypatch.setenv("STUDYLAB_NOTES_DIR", str(review_notes / "gone"))
    at = open_review("Practice")
    key = "practice-tab-conv-output-size"
    exercise = practice.draw("conv-output-size", at.session_state[f"{key}-seed"])
    at.text_input(key=f"{key}-answer").set_value(str(exercise.expected))
    at.button(key=f"FormSubmitter:{key}-form-Check").click().run()
    assert not at.exception and any("Right" in s.value for s in at.success)
    assert "does not exist" in text_of(at)


def test_saving_settings_reschedules(review_notes):
    at = open_review()
    at.slider(key="settings_retention").set_value(0.8)
    at.text_input(key="settings_learning").set_value("2m 20m")
    at.button(key="FormSubmitter:review_settings-Save settings").click().run()
    assert not at.exception
    saved = json.loads((review_notes / ".studylab" / "review-settings.json").read_text())
    assert saved["desired_retention"] == 0.8 and saved["learning_steps"] == [120, 1200]
    at.button(key="reveal").click().run()
    assert at.button(key="grade-1").label == "Again · 2 min"
    at.text_input(key="settings_learning").set_value("ten minutes")
    at.button(key="FormSubmitter:review_settings-Save settings").click().run()
    assert [t.proto.icon for t in at.toast if "Settings not saved" in t.proto.body] == [":material/warning:"]


def test_a_deeply_nested_log_line_is_reported_and_the_review_page_and_dashboard_still_work(review_notes):
    at = open_review()
    at.button(key="reveal").click().run()
    at.button(key="grade-3").click().run()
    with open(log_path(review_notes), "ab") as handle:
        handle.write(b"[" * 5000 + b"]" * 5000 + b"\n")
    at = open_review()
    warnings = [w.value for w in at.warning]
    assert any("(line 2)" in w and "nested" in w for w in warnings), warnings
    assert metric(at, "Reviewed today") == "1"
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    assert metric(at, "Reviews, last 30 days") == "1"


def test_again_and_hard_count_in_learning_steps_at_once(review_notes):
    at = open_review()
    assert metric(at, "In learning steps") == "0"
    at.button(key="reveal").click().run()
    at.button(key="grade-1").click().run()
    assert metric(at, "In learning steps") == "1", "Again puts the card in its steps now, not when it comes due"
    at.button(key="reveal").click().run()
    at.button(key="grade-2").click().run()
    assert metric(at, "In learning steps") == "2"
