"""The notes loader: good notes normalised, every kind of bad file a problem, never a crash."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.journal import notes as notes_lib
from core.journal.notes import NoteError, load_library, parse_note

GOOD = b"""---
title: CNN first steps
date: 2021-08-05
type: lecture
tags: [cnn, convolution]
course: AI Math
week: 1
day: 4
labs: [conv]
---
# CNN first steps
A kernel slides over the input: [[2021-08-05-rnn-first-steps]].
"""


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def only_problem(folder: Path):
    library = load_library(folder)
    assert len(library.problems) == 1, library.problems
    return library.problems[0]


def test_good_note_is_normalised():
    note = parse_note(GOOD, "2021-08-05-cnn-first-steps.md")
    assert note.slug == "2021-08-05-cnn-first-steps"
    assert note.title == "CNN first steps"
    assert note.date == dt.date(2021, 8, 5)
    assert note.type == "lecture"
    assert note.tags == ("cnn", "convolution")
    assert (note.course, note.week, note.day, note.labs) == ("AI Math", 1, 4, ("conv",))
    assert note.links == ("2021-08-05-rnn-first-steps",)
    assert note.body.startswith("# CNN first steps")


def test_tags_as_comma_string_and_numbers_become_strings():
    note = parse_note(b"---\ntags: \"cnn, 2021, #math\"\n---\nbody", "a.md")
    assert note.tags == ("cnn", "2021", "math")
    note = parse_note(b"---\ntags: [1.5, yes, cnn, cnn]\n---\nbody", "a.md")
    assert note.tags == ("1.5", "True", "cnn")


def test_unknown_type_becomes_til_with_warning():
    note = parse_note(b"---\ntype: diary\n---\nbody", "a.md")
    assert note.type == "til"
    assert any("diary" in warning for warning in note.warnings)


def test_title_falls_back_to_heading_then_file_name():
    assert parse_note(b"---\ndate: 2021-08-05\n---\n# From heading\ntext", "x.md").title == "From heading"
    assert parse_note(b"just text, no heading", "2021-08-06-plain.md").title == "2021-08-06-plain"


def test_date_falls_back_to_file_name_and_datetime_becomes_date():
    assert parse_note(b"no front matter", "2021-08-06-plain.md").date == dt.date(2021, 8, 6)
    assert parse_note(b"---\ndate: 2021-08-05 10:30:00\n---\nx", "a.md").date == dt.date(2021, 8, 5)
    assert parse_note(b"---\ndate: '2021-08-05'\n---\nx", "a.md").date == dt.date(2021, 8, 5)


def test_bom_is_fine_and_crlf_is_normalised():
    note = parse_note(codecs.BOM_UTF8 + GOOD.replace(b"\n", b"\r\n"), "a.md")
    assert note.title == "CNN first steps"
    assert "\r" not in note.body


@pytest.mark.parametrize(
    ("data", "reason_part", "line"),
    [
        (b"---\ntitle: [unclosed\n---\nbody", "not valid YAML", {2, 3}),
        (b"---\ntitle: ok\nbad: : :\n---\nbody", "not valid YAML", 3),
        (b"---\n- just\n- a list\n---\nbody", "mapping", 2),
        (b"---\ntitle: never closed\nbody text", "never closed", 1),
        (b"---\ntitle: x\ndate: 2021-02-30\n---\nbody", "impossible value", 3),
        (b"---\ntitle: x\ndate: '2021-13-01'\n---\nbody", "not a real calendar date", 3),
        (b"---\ntitle: caf\xe9\n---\nbody", "not UTF-8", 2),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", 3),
        (b"", "empty", None),
        (b"  \n\n", "empty", None),
        (b"---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\nbody", "YAML tag", 2),
        (b"---\ntitle: !!python/name:os.system\n---\nbody", "YAML tag", 2),
    ],
    ids=["yaml-syntax", "yaml-mapping-syntax", "not-mapping", "unclosed", "impossible-date", "bad-date-string",
         "not-utf8", "binary", "empty", "whitespace-only", "python-object-tag", "python-name-tag"],
)
def test_bad_file_becomes_a_problem(tmp_path, data, reason_part, line):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "bad.md", data)
    library = load_library(tmp_path)
    assert [note.path for note in library.notes] == ["good.md"]
    problem = only_problem(tmp_path)
    assert problem.file == "bad.md"
    assert reason_part in problem.reason
    assert problem.line in line if isinstance(line, set) else problem.line == line


def test_alias_bomb_is_refused_quickly(tmp_path):
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    write(tmp_path, "bomb.md", ("---\n" + "\n".join(levels) + "\ntitle: *a8\n---\nbody").encode())
    problem = only_problem(tmp_path)
    assert "alias" in problem.reason and problem.line == 3


def test_deep_nesting_and_huge_numbers_are_problems_or_warnings(tmp_path):
    deep = "title: " + "[" * 5000 + "]" * 5000
    write(tmp_path, "deep.md", f"---\n{deep}\n---\nbody".encode())
    write(tmp_path, "inf.md", b"---\ntitle: a\nweek: .inf\nday: -.inf\n---\nx")
    write(tmp_path, "nested.md", b"---\ntitle: [a, b]\ntype: {x: 1}\ncourse: [c]\ntags: [[x], y]\n---\nx")
    library = load_library(tmp_path)
    assert [problem.file for problem in library.problems] == ["deep.md"]
    inf, nested = library.by_slug["inf"], library.by_slug["nested"]
    assert inf.week is None and inf.day is None and len(inf.warnings) == 2
    assert (nested.title, nested.type, nested.course, nested.tags) == ("nested", "til", None, ("y",))


def test_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    write(tmp_path, "evil.md", f"---\nx: !!python/object/apply:os.system ['touch {marker}']\n---\n".encode())
    load_library(tmp_path)
    assert not marker.exists()


def test_file_over_one_megabyte_is_a_problem(tmp_path):
    write(tmp_path, "huge.md", b"---\ntitle: huge\n---\n" + b"a" * (notes_lib.MAX_NOTE_BYTES + 10))
    assert "over the 1 MB limit" in only_problem(tmp_path).reason


def test_loads_recursively_and_skips_dot_folders_and_other_files(tmp_path):
    write(tmp_path, "week1/day4/a.md", GOOD)
    write(tmp_path, ".history/a/2021.md", b"---\ntitle: old\n---\n")
    write(tmp_path, ".trash/b.md", b"---\ntitle: gone\n---\n")
    write(tmp_path, ".tmp-123.md", b"partial")
    write(tmp_path, "picture.png", b"\x89PNG\x00")
    library = load_library(tmp_path)
    assert [note.path for note in library.notes] == ["week1/day4/a.md"]
    assert library.problems == ()


def test_symlink_out_of_the_folder_is_not_followed(tmp_path):
    outside = write(tmp_path, "outside/secret.md", b"---\ntitle: secret\n---\n")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "link.md").symlink_to(outside)
    library = load_library(notes)
    assert library.notes == ()
    assert "outside the notes folder" in library.problems[0].reason


def test_missing_folder_is_a_problem_not_a_crash(tmp_path):
    library = load_library(tmp_path / "nope")
    assert library.notes == () and "does not exist" in library.problems[0].reason


def test_duplicate_slugs_get_suffixes_and_backlinks_are_indexed(tmp_path):
    write(tmp_path, "a/same.md", b"---\ndate: 2021-08-05\n---\nsee [[other]]")
    write(tmp_path, "b/same.md", b"---\ndate: 2021-08-06\n---\nsee [[other|the other one]]")
    write(tmp_path, "other.md", b"---\ndate: 2021-08-04\n---\nalone")
    library = load_library(tmp_path)
    assert sorted(library.by_slug) == ["other", "same", "same-2"]
    assert sorted(library.backlinks["other"]) == ["same", "same-2"]


def test_newest_first_and_neighbours(tmp_path):
    for day in (3, 5, 4):
        write(tmp_path, f"2021-08-0{day}-n.md", f"---\ndate: 2021-08-0{day}\n---\nx".encode())
    library = load_library(tmp_path)
    assert [n.date.day for n in library.notes] == [5, 4, 3]
    previous, following = library.neighbours("2021-08-04-n")
    assert (previous.date.day, following.date.day) == (3, 5)
    assert library.neighbours("2021-08-03-n")[0] is None


def test_fingerprint_changes_when_a_note_changes(tmp_path):
    path = write(tmp_path, "a.md", GOOD)
    before = notes_lib.fingerprint(tmp_path)
    path.write_bytes(GOOD + b"more text\n")
    assert notes_lib.fingerprint(tmp_path) != before


def test_notes_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("STUDYLAB_NOTES_DIR", str(tmp_path))
    assert notes_lib.notes_dir() == tmp_path
    monkeypatch.delenv("STUDYLAB_NOTES_DIR")
    assert notes_lib.notes_dir() == notes_lib.PROJECT_ROOT / "notes"


def test_shipped_journal_loads_cleanly():
    library = load_library(notes_lib.PROJECT_ROOT / "notes")
    assert library.problems == ()
    types = sorted(note.type for note in library.notes if note.date == dt.date(2021, 8, 5))
    assert types == ["assignment", "lecture", "lecture", "masterclass", "peer-session", "retrospective"]
    examples = [note for note in library.notes if note.type == "experiment"]
    assert len(examples) == 3 and all(note.date == dt.date(2026, 11, 30) for note in examples), \
        "the example records are dated the day they were made, not the student's day"
    for note in library.notes:
        for target in note.links:
            assert target in library.by_slug, f"{note.path} links to missing [[{target}]]"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_note_or_a_note_error(data):
    try:
        note = parse_note(data, "fuzz.md")
    except NoteError as err:
        assert err.reason
    else:
        assert isinstance(note.title, str) and isinstance(note.tags, tuple)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_front_matter_text_gives_a_note_or_a_note_error(front):
    try:
        parse_note(f"---\n{front}\n---\nbody".encode("utf-8", "surrogatepass"), "fuzz.md")
    except NoteError:
        pass


def test_a_wikilink_split_over_two_lines_is_a_warning_with_its_line():
    """Review finding 8: re-wrapping a paragraph broke a wikilink, which then showed as raw brackets."""
    data = (b"---\ntitle: Split\n---\nThe day as a whole: [[2021-08-05-retrospective|daily\nretrospective]].\n\n"
            b"```\nx = [[1,\n2]]\n```\nA whole [[2021-08-05-retrospective|link]] is fine.\n")
    note = parse_note(data, "split.md")
    assert note.warnings == ("the wikilink on line 4 is split over two lines, so it shows as plain text; "
                             "put it on one line",), "the code block's brackets are not a wikilink"


def test_no_shipped_note_has_a_warning():
    library = load_library(Path(__file__).resolve().parents[2] / "notes")
    assert [(note.slug, note.warnings) for note in library.notes if note.warnings] == []
