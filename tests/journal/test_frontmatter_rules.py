"""What a note's body and tags become when they are stored, character by character.

Written against the mutants `make mutate MODULE=core/journal/storage/frontmatter.py` left alive
(docs/mutation.md): markdown whose meaning sits in white space (an indented code block at the
top, two spaces that break a line at the end) must survive a save, and only control characters
and lone surrogates are dropped.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.journal.storage import frontmatter
from core.journal.storage.errors import InvalidNoteError, StorageError

DAY = dt.date(2021, 8, 5)


@pytest.mark.parametrize(("body", "stored"), [
    ("    indented code at the top\n", "    indented code at the top\n"),
    ("\n\n    code after blank lines", "    code after blank lines\n"),
    ("a line that breaks  \nhere  ", "a line that breaks  \nhere  \n"),
    ("tabs\tstay\t", "tabs\tstay\t\n"),
    ("\r\n\r\nwindows\r\nends\r\n\r\n", "windows\nends\n"),
    ("bell\x07 and escape\x1b go, X stays", "bell and escape go, X stays\n"),
    ("a lone surrogate \ud800 goes", "a lone surrogate  goes\n"),
    ("\n\n", ""),
])
def test_a_body_keeps_its_meaningful_white_space_and_loses_control_characters(body, stored):
    assert frontmatter.clean_body(body) == stored


@pytest.mark.parametrize(("tag", "stored"), [
    ("#Xception", "Xception"), ("## # XLA", "XLA"), ("#cnn", "cnn"), ("X#", "X#"),
])
def test_a_tag_loses_only_its_leading_hashes(tag, stored):
    assert frontmatter.clean_tag(tag) == stored


def test_a_body_without_text_is_stored_empty_and_x_at_its_edges_stays():
    assert frontmatter.clean_body("") == "" and frontmatter.clean_body("\n \n") == " \n"
    assert frontmatter.clean_body("\nXray\nX") == "Xray\nX\n"


@pytest.mark.parametrize(("value", "stored"), [
    ("cnn,rnn", ["cnn", "rnn"]), ("cnn, #rnn, cnn", ["cnn", "rnn"]), (["a b", "#c"], ["a b", "c"]),
    (2021, ["2021"]), (None, []),
])
def test_tags_are_read_from_a_comma_separated_text_a_list_or_one_value(value, stored):
    assert frontmatter.clean_meta({"title": "T", "date": DAY, "tags": value})["tags"] == stored


def test_labs_are_set_or_kept_from_the_old_front_matter():
    assert frontmatter.build_meta("T", DAY, "til", labs=["conv"], base={"labs": ["bptt"]})["labs"] == ["conv"]
    assert frontmatter.build_meta("T", DAY, "til", base={"labs": ["bptt"]})["labs"] == ["bptt"]
    assert frontmatter.build_meta("T", DAY, "til", labs=(), base={"labs": ["bptt"]})["labs"] == []


@pytest.mark.parametrize(("meta", "sentence"), [
    ({"date": DAY}, "A note needs a title."),
    ({"title": " \x07 "}, "A note needs a title."),
    ({"title": "T"}, "A note needs a date (YYYY-MM-DD)."),
    ({"title": "T", "date": "2021-08-05"}, "A note needs a date (YYYY-MM-DD)."),
    ({"title": "T", "date": DAY, "type": "diary"},
     "'diary' is not a note type; use one of: "
     "lecture, assignment, peer-session, masterclass, retrospective, til, experiment."),
    ({"title": "T", "date": DAY, "week": "one"}, "week must be a whole number, not 'one'."),
    ({"title": "T", "date": DAY, "day": 4.5j}, "day must be a whole number, not '4.5j'."),
])
def test_front_matter_that_cannot_be_stored_is_refused_in_a_whole_sentence(meta, sentence):
    with pytest.raises(StorageError) as raised:
        frontmatter.clean_meta(meta)
    assert str(raised.value) == sentence


def test_a_date_and_time_is_stored_as_its_date_and_an_empty_week_is_left_out():
    cleaned = frontmatter.clean_meta({"title": "T", "date": dt.datetime(2021, 8, 5, 23, 59), "week": "", "day": "4"})
    assert cleaned["date"] == DAY and "week" not in cleaned and cleaned["day"] == 4


def test_the_front_matter_is_written_as_typed_one_key_a_line_korean_as_korean():
    title = "합성곱과 역전파 " + "긴 제목 " * 40
    meta = frontmatter.clean_meta({"title": title, "date": DAY, "type": "lecture", "tags": ["합성곱", "cnn"],
                                   "zeta": 1, "alpha": 2})
    assert frontmatter.note_text(meta, "본문") == (
        f"---\ntitle: {title.strip()}\ndate: 2021-08-05\ntype: lecture\ntags: [합성곱, cnn]\nzeta: 1\nalpha: 2\n"
        "---\n\n본문\n")


@pytest.mark.parametrize(("data", "sentence", "line"), [
    (b"", "a.md would not load as a note: file is empty.", None),
    (b"---\ntitle: A\n", "a.md would not load as a note: front matter opened with '---' is never closed: add a "
                         "'---' line after it (line 1).", 1),
    (b"---\n- a\n---\nx\n", "a.md would not load as a note: front matter must be 'key: value' lines (a mapping), "
                            "not a list (line 2).", 2),
])
def test_text_that_would_not_load_is_refused_naming_the_file_and_the_line(data, sentence, line):
    with pytest.raises(InvalidNoteError) as raised:
        frontmatter.check_loads(data, "week1/a.md")
    assert str(raised.value) == sentence and raised.value.line == line
