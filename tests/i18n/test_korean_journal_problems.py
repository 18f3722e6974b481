"""A hostile notes folder in Korean (`?lang=ko`): the reasons a file is skipped (broken front
matter, a front matter never closed, an empty file, not UTF-8, a named pipe, a dangling link, a
folder named `*.md`) on the Dashboard's problems table, and a note's own warnings (an unknown
type, a wikilink split over two lines) on the Notes page, are Korean.

The library is parsed once and shared by every session (ui.notes_folder's cache), so the reasons
are kept language-neutral in it and put into words where they are shown: a Korean session after
an English one (and the other way round) still reads its own language. Also the lab blocks'
errors and the gradient-decay chart's titles, built in core.labblocks.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core import labblocks, messages
from core.journal import notes as notes_lib
from core.review import cards
from tests.i18n import korean_text
from tests.i18n.test_korean_journal_pages import body_texts, english_left, note_texts
from tests.pages.apptest import opened

KO = {"lang": "ko"}
# The student's own words the reasons quote: the unknown type they wrote, the view their lab block names.
QUOTED = {"diary", "gradient", "decay"}


@pytest.fixture(autouse=True)
def _korean_test_thread():
    """AppTest formats a widget's options again in the test's own thread: Korean too."""
    messages.set_language("ko")
    yield
    messages.set_language("en")


@pytest.fixture
def hostile(notes_dir: Path) -> dict[str, str]:
    """The shipped notes plus hostile entries; {file: Korean words its reason must contain}."""
    (notes_dir / "broken.md").write_text("---\ntitle: a: b\ndate: 2021-08-06\n---\n본문\n", encoding="utf-8")
    (notes_dir / "unclosed.md").write_text("---\ntitle: 닫히지 않음\n", encoding="utf-8")
    (notes_dir / "empty.md").write_bytes(b"")
    (notes_dir / "latin1.md").write_bytes(b"---\ntitle: caf\x80\n---\n")
    os.mkfifo(notes_dir / "pipe.md")
    (notes_dir / "dangling.md").symlink_to(notes_dir / "gone.md")
    (notes_dir / "folder.md").mkdir()
    (notes_dir / "2021-08-06-diary.md").write_text(
        "---\ntitle: 일기\ndate: 2021-08-06\ntype: diary\n---\n오늘 배운 것을 [[2021-08-05-cnn-first-steps|합성곱\n"
        "첫걸음]]에 이어서 적었다.\n\n```lab\nview: gradient-decay\nT: 5000\n```\n", encoding="utf-8")
    return {
        "broken.md": "프런트 매터가 올바른 YAML이 아닙니다",
        "unclosed.md": "닫히지 않았습니다",
        "empty.md": "비어 있습니다",
        "latin1.md": "UTF-8 텍스트가 아닙니다",
        "pipe.md": "이름 있는 파이프",
        "dangling.md": "끊어진 링크",
        "folder.md": ".md로 끝나는 폴더",
    }


def shown_reasons(at) -> dict[str, str]:
    """{file: reason} of the Dashboard's problems table."""
    frame = next(frame.value for frame in at.dataframe if "reason" in frame.value.columns)
    return dict(zip(frame["file"], frame["reason"], strict=True))


def assert_korean_reasons(at, hostile: dict[str, str]) -> None:
    reasons = shown_reasons(at)
    for name, words in hostile.items():
        assert words in reasons[name], (name, reasons.get(name))
    left = {reason: korean_text.english_words(reason, QUOTED) for reason in reasons.values()}
    assert {reason: words for reason, words in left.items() if words} == {}


def test_the_dashboard_lists_each_skipped_file_with_a_korean_reason(hostile):
    assert_korean_reasons(opened("pages/dashboard.py", KO), hostile)


def test_the_shared_library_speaks_each_sessions_language(hostile, monkeypatch):
    """An English session fills the cache first; a Korean one then reads the same library (the
    folder is not parsed again) in Korean, and an English one after it in English again."""
    messages.set_language("en")
    english = shown_reasons(opened("pages/dashboard.py", {"lang": "en"}))
    assert english["empty.md"] == "file is empty"
    assert english["pipe.md"] == "a named pipe (FIFO), not a note file; it is never opened"

    def parsed_again(folder):
        raise AssertionError("the notes folder was parsed again instead of shared")

    monkeypatch.setattr(cards, "load_library", parsed_again)
    messages.set_language("ko")
    assert_korean_reasons(opened("pages/dashboard.py", KO), hostile)
    messages.set_language("en")
    assert shown_reasons(opened("pages/dashboard.py", {"lang": "en"})) == english


def test_a_notes_warnings_and_lab_block_error_in_korean(hostile):
    """The note with an unknown type and a wikilink split over two lines: its warnings, and the
    error of its lab block (a setting out of range), in Korean on the Notes page."""
    slug = "2021-08-06-diary"
    at = opened("pages/notes.py", {**KO, "note": slug})
    shown = "\n".join(korean_text.shown_texts(at))
    assert "알 수 없는 유형 'diary'입니다" in shown
    assert "위키 링크가 두 줄에 걸쳐 있어서" in shown
    errors = [error.value for error in at.error]
    assert any("1에서 1000 사이의 정수" in error for error in errors), errors
    # The sidebar's count of problems is ui.review's problems_text, wrapped with the Review page's share.
    count = {text for text in korean_text.shown_texts(at) if text.endswith(" problems in 7 files")}
    assert english_left(at, allowed=QUOTED, skip=note_texts(at, slug) | body_texts(at, slug) | count) == {}


def test_no_english_reason_reaches_the_sidebar(hostile):
    """The sidebar counts the problems (the reasons are the Dashboard's table); none of them
    arrives there in English."""
    at = opened("pages/notes.py", {**KO, "note": "2021-08-05-cnn-first-steps"})
    sidebar = "\n".join([*(m.value for m in at.sidebar.markdown), *(c.value for c in at.sidebar.caption)])
    assert not any(reason in sidebar for reason in ("not a note file", "front matter", "file is empty", "dangling"))


def test_lab_block_errors_and_rules_in_korean():
    cases = {
        "view: nope": "알 수 없는 보기 'nope'입니다",
        "view: gradient-decay\nT: 0": "'gradient-decay' 보기의 T에 0은(는) 쓸 수 없습니다. 쓸 수 있는 값: 1에서 1000 "
                                      "사이의 정수",
        "view: gradient-decay\nw_rec: [0.5, 9]": "최대 8개 담은 목록",
        "view: conv-output\ninput: nothing": "'nothing'은(는) 쓸 수 없습니다. 쓸 수 있는 값: digit,",
        "view: gradient-decay\nlr: 1": "'gradient-decay' 보기에는 'lr' 매개변수가 없습니다",
        "view: [": "블록이 올바른 YAML이 아닙니다",
        "T: 5": "`view:` 줄이 필요합니다",
    }
    for text, words in cases.items():
        with pytest.raises(labblocks.LabBlockError) as caught:
            labblocks.parse_block(text)
        assert words in str(caught.value), (text, str(caught.value))


def test_the_gradient_decay_chart_titles_in_korean():
    spec = labblocks.gradient_decay_chart((0.9,), 5, 1.0, 2, 0)
    assert spec["title"] == "세기 RNN에서 시간에 따른 기울기, T = 5 (로그 눈금)"
    assert spec["encoding"]["x"]["title"] == "스텝 k" and spec["encoding"]["y"]["title"] == "평균 |dL/dS_k|"
    assert [messages.gettext(view.title) for view in labblocks.VIEWS.values()][0] == "여러 w_rec에서 시간에 따른 기울기"


def test_the_loader_keeps_reasons_language_neutral(tmp_path):
    """A library loaded in one language reads in another: the reasons are kept as messages."""
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "a.md").write_text("---\ntitle: A\ntype: diary\n---\n", encoding="utf-8")
    messages.set_language("en")
    library = notes_lib.load_library(tmp_path)
    assert [problem.reason for problem in library.problems] == ["file is empty"]
    assert library.notes[0].warnings == ("unknown type 'diary', shown as 'til'",)
    messages.set_language("ko")
    assert [problem.reason for problem in library.problems] == ["파일이 비어 있습니다"]
    assert library.notes[0].warnings == ("알 수 없는 유형 'diary'입니다. 'TIL'(으)로 보여 줍니다",)
