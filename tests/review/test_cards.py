"""Cards in notes: both syntaxes, practice blocks, malformed cards as problems, stable ids, the deck."""

from __future__ import annotations

import datetime as dt
import string
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.journal.notes import parse_note
from core.review import cards
from core.review.cards import Block, CardError, build_deck, card_id, load_library, parse_cards, parse_quiz, split_blocks
from tests.conftest import SHIPPED_NOTES

FRONT = "---\ntitle: Cards\ndate: 2021-08-05\ntype: lecture\n---\n"


def note_of(body: str, front: str = FRONT, path: str = "2021-08-05-cards.md"):
    return parse_note((front + body).encode("utf-8"), path)


def test_q_and_a_lines_make_a_card_with_its_line_in_the_file():
    note = note_of("# Cards\n\nQ: A 28×28 input, a 5×5 kernel: output?\nA: 24×24\n")
    found, problems = parse_cards(note)
    assert problems == []
    [card] = found
    assert (card.kind, card.question, card.answer) == ("card", "A 28×28 input, a 5×5 kernel: output?", "24×24")
    assert card.line == 8, "front matter is 5 lines, then '# Cards', a blank line, the Q: line"
    assert (card.note_path, card.note_slug, card.note_title) == ("2021-08-05-cards.md", "2021-08-05-cards", "Cards")


def test_questions_and_answers_may_span_lines_and_an_answer_ends_at_a_blank_line():
    body = (
        "Q: first line of the question\n"
        "second line of the question\n"
        "A: $O = H - K + 1$\n"
        "- with a list\n"
        "$$\\frac{a}{b}$$\n"
        "\n"
        "Not part of the answer.\n"
        "Q: next?\n"
        "A: yes\n"
        "## Heading\n"
    )
    found, problems = parse_cards(note_of(body))
    assert problems == []
    assert [c.question for c in found] == ["first line of the question\nsecond line of the question", "next?"]
    assert found[0].answer == "$O = H - K + 1$\n- with a list\n$$\\frac{a}{b}$$"
    assert found[1].answer == "yes", "a heading ends the answer"


def test_a_question_without_an_answer_is_a_problem_with_its_line_and_the_rest_still_loads():
    body = "Q: where is my answer?\n\nA: too late (a blank line came first)\nQ: ok?\nA: ok\nQ: at the end"
    found, problems = parse_cards(note_of(body))
    assert [c.question for c in found] == ["ok?"]
    reasons = [(p.line, p.reason) for p in problems]
    assert reasons[0][0] == 6 and "'Q:' card without an 'A:' line" in reasons[0][1]
    assert reasons[1][0] == 8 and "'A:' line with no 'Q:'" in reasons[1][1]
    assert reasons[2][0] == 11 and "without an 'A:'" in reasons[2][1]
    assert all(p.kind == "card" and p.file == "2021-08-05-cards.md" for p in problems)


def test_empty_question_or_answer_is_a_problem():
    _found, problems = parse_cards(note_of("Q:\nA: an answer\n\nQ: a question\nA:\n"))
    assert [p.line for p in problems] == [6, 10]
    assert "no question" in problems[0].reason and "no answer" in problems[1].reason


def test_cards_inside_code_fences_are_not_cards():
    body = "```python\nQ: not a card\nA: code\n```\n~~~\nA: nor this\n~~~\nQ: real\nA: card\n"
    found, problems = parse_cards(note_of(body))
    assert [c.question for c in found] == ["real"] and problems == []


def test_quiz_block_with_choices_math_and_colons():
    body = (
        "```quiz\n"
        "question: In a linear RNN: what happens to $\\partial L / \\partial S_0$ when $|w_{rec}| < 1$?\n"
        "choices:\n- it vanishes\n- it explodes # not a comment\n- [it stays]\n"
        "answer: it vanishes\n"
        "```\n"
    )
    [card], problems = parse_cards(note_of(body))
    assert problems == []
    assert card.kind == "quiz" and card.line == 6
    assert card.question.startswith("In a linear RNN: what happens")
    assert card.choices == ("it vanishes", "it explodes # not a comment", "[it stays]")
    assert card.answer == "it vanishes"


def test_quiz_without_choices_and_with_a_multi_line_answer():
    quiz = parse_quiz("answer: 24×24\nbecause 28 - 5 + 1 = 24\nquestion: 28×28 with 5×5?")
    assert quiz == cards.Quiz("28×28 with 5×5?", "24×24\nbecause 28 - 5 + 1 = 24")


def test_malformed_quiz_blocks_are_problems():
    cases = {
        "question: q\n": "no answer",
        "answer: a\n": "no question",
        "question: q\nanswer: a\nchoices:\n- b\n- c\n": "not one of its choices",
        "question: q\nanswer: a\nchoices:\n- a\n": "at least two",
        "question: q\nanswer: a\nchoices: a, b\n": "its own line",
        "question: q\nanswer: a\nanswer: b\n": "second 'answer:'",
        "some text first\nquestion: q\nanswer: a\n": "must start",
        "question: q\nanswer: a\nchoices:\n- a\nplain\n": "not a choice line",
    }
    for content, reason in cases.items():
        try:
            parse_quiz(content)
        except CardError as err:
            assert reason in err.reason, (content, err.reason)
        else:
            raise AssertionError(f"accepted {content!r}")
    _found, problems = parse_cards(note_of("text\n\n```quiz\nquestion: q\n```\n"))
    assert problems[0].line == 8 and "no answer" in problems[0].reason


def test_unclosed_blocks_and_bad_practice_blocks_are_problems():
    _found, problems = parse_cards(note_of("```quiz\nquestion: q\nanswer: a\n"))
    assert problems[0].line == 6 and "never closed" in problems[0].reason
    for content in ("conv-output-size", "generator: Conv Output", "generator: a\ngenerator: b", ""):
        _found, problems = parse_cards(note_of(f"```practice\n{content}\n```\n"))
        assert len(problems) == 1 and "practice" in problems[0].reason, content


def test_practice_block_is_a_card_named_by_its_generator():
    [card], problems = parse_cards(note_of("```practice\ngenerator: conv-output-size\n```\n"))
    assert problems == []
    assert (card.id, card.kind, card.generator) == ("practice:conv-output-size", "practice", "conv-output-size")


def test_split_blocks_keeps_other_fences_as_markdown_and_recombines():
    body = "intro\n```python\nx = 1\n```\n```quiz\nquestion: q\nanswer: a\n```\nmiddle\n```practice\ngenerator: g\n```"
    blocks = split_blocks(body)
    assert [b.kind for b in blocks] == ["markdown", "quiz", "markdown", "practice"]
    assert blocks[0] == Block("markdown", "intro\n```python\nx = 1\n```", 1)
    assert blocks[1] == Block("quiz", "question: q\nanswer: a", 5)
    assert blocks[3].text == "generator: g" and blocks[3].closed
    assert split_blocks("plain text") == [Block("markdown", "plain text", 1)]
    assert split_blocks("```quiz\nquestion: q")[0].closed is False


def test_mark_cards_puts_the_answer_on_its_own_line_outside_code():
    text = "Q: a question\nA: an answer\nmore answer\n\n```\nQ: code\n```\nQ:x is not a card"
    assert cards.mark_cards(text) == (
        "**Q:** a question\\\n**A:** an answer\nmore answer\n\n```\nQ: code\n```\nQ:x is not a card")


WHITESPACE = st.sampled_from([" ", "  ", "\n", "\t", "\u00a0"])


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.text(alphabet=string.ascii_letters + "가나다×$\\{}^0123456789", min_size=1, max_size=8),
                      min_size=1, max_size=8),
       gaps=st.lists(WHITESPACE, min_size=9, max_size=9), emphasis=st.sampled_from(["", "*", "**", "_", "`"]))
def test_card_ids_survive_whitespace_and_emphasis_edits(words, gaps, emphasis):
    plain = " ".join(words)
    edited = "  " + "".join(f"{emphasis}{word}{emphasis}{gap}" for word, gap in zip(words, gaps, strict=False)) + " "
    assert card_id(edited) == card_id(plain)


def test_a_changed_question_is_a_new_card():
    assert card_id("What is the output size?") != card_id("What is the input size?")
    assert card_id("28×28 with a 5×5 kernel") != card_id("28×28 with a 3×3 kernel")
    assert card_id("w_rec < 1") != card_id("w_rec > 1")
    assert card_id("Q") .startswith("q-") and len(card_id("Q")) == 18


def test_a_re_wrapped_question_in_a_note_keeps_its_id():
    one = parse_cards(note_of("Q: What is **the** output\nsize of a 28×28 input?\nA: 24×24\n"))[0][0]
    two = parse_cards(note_of("Q:   What is the   output size of a\n28×28 *input*?\nA: 24 × 24\n"))[0][0]
    assert one.id == two.id


def test_malformed_cards_join_the_library_problems_and_the_note_still_loads(tmp_path):
    (tmp_path / "2021-08-05-a.md").write_text(FRONT + "# A\n\nQ: no answer here\n\nmore text\n", encoding="utf-8")
    (tmp_path / "broken.md").write_bytes(b"\x00")
    library = load_library(tmp_path)
    assert [note.slug for note in library.notes] == ["2021-08-05-a"]
    kinds = {(p.file, p.kind, p.line) for p in library.problems}
    assert kinds == {("2021-08-05-a.md", "card", 8), ("broken.md", "file", 1)}


def test_deck_orders_notes_oldest_first_dedups_and_checks_generators(tmp_path):
    (tmp_path / "b.md").write_text("---\ndate: 2021-08-06\n---\nQ: shared\nA: one\n```practice\ngenerator: "
                                   "nope\n```\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("---\ndate: 2021-08-05\n---\nQ: first\nA: x\nQ: shared\nA: two\n",
                                   encoding="utf-8")
    deck = build_deck(load_library(tmp_path), known_generators={"conv-output-size"})
    assert [(c.kind, c.question) for c in deck.cards] == [
        ("note", "a"), ("card", "first"), ("card", "shared"), ("note", "b")]
    assert deck.by_id[card_id("shared")].answer == "two", "the first place wins"
    [problem] = deck.problems
    assert problem.file == "b.md" and "unknown practice generator 'nope'" in problem.reason
    assert deck.note_dates == {"a.md": dt.date(2021, 8, 5),
                               "b.md": dt.date(2021, 8, 6)}


def test_shipped_notes_have_review_sections_and_no_card_problems():
    library = load_library(SHIPPED_NOTES)
    assert library.problems == ()
    deck = build_deck(library)
    questions = " ".join(card.question for card in deck.cards)
    assert "A 28×28 input, a 5×5 kernel, stride 1, no padding" in questions
    vanishing = next(card for card in deck.cards if card.kind == "quiz" and "S_0" in card.question)
    assert vanishing.answer == "it vanishes"
    assert {c.generator for c in deck.of_kind("practice")} == {
        "conv-output-size", "conv1d-output", "conv1d-gradient", "rnn-state-gradient", "vanish-or-explode"}
    for note in library.notes:
        if note.type == "experiment":
            continue  # the shipped experiment records are runs of the labs, not lessons to review
        assert "\n## Review\n" in note.body, f"{note.path} has no Review section"
        assert parse_cards(note)[0], f"{note.path} has no cards"


PIECES = st.sampled_from(["Q: q", "A: a", "Q:", "A:", "", "text", "```quiz", "```practice", "```", "~~~",
                          "question: q", "answer: a", "choices:", "- a", "- b", "generator: conv-output-size",
                          "# heading", "   Q: indented", "$$", "Q: $x$ **b**"])


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(PIECES, max_size=30))
def test_any_mix_of_card_syntax_never_raises_and_problems_point_into_the_file(lines):
    body = "\n".join(lines)
    note = note_of(body)
    found, problems = parse_cards(note)
    last_line = FRONT.count("\n") + len(body.split("\n"))
    assert all(note.body_line <= p.line <= last_line for p in problems)
    assert all(c.question and (c.answer or c.kind == "practice") for c in found)
    assert "".join(b.text for b in split_blocks(body)).count("Q:") <= body.count("Q:")


@pytest.mark.parametrize("body", [
    "```quiz\n" * 100_000,
    "```lab\n" * 100_000,
    "```\n" * 100_000,
    "Q: x\n" * 100_000,
    "````\n```\n" * 50_000,
])
def test_fences_are_found_in_linear_time_whatever_the_body(body):
    started = time.perf_counter()
    split_blocks(body, ("quiz", "practice", "lab"))
    cards.mark_cards(body)
    parse_cards(parse_note(("---\ntitle: T\n---\n" + body).encode(), "t.md"))
    assert time.perf_counter() - started < 5.0
